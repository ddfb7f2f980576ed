using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Events;
using Pact.Core.Negotiation;

namespace Pact.Store.Tests.Conformance;

// Free text is stored and read back exactly, whatever characters it holds: U+0000 (which PostgreSQL's text cannot
// hold) and U+FFFF (the character PostgreSQL's escape starts with) included.
public abstract partial class PactStoreConformanceTests
{
    [SkippableTheory]
    [InlineData("to\0pic")]
    [InlineData("\0")]
    [InlineData("\uFFFF")]
    [InlineData("\uFFFF0\0\uFFFF\uFFFF")]
    [InlineData("plain \uFFFF in the middle")]
    public async Task Free_text_reads_back_exactly_from_the_read_models_the_events_and_after_a_reopen(string text)
    {
        var agent = new AgentRecord(A, "pk", new JsonObject { ["name"] = text }, text, "2026-11-21T00:00:00.000Z");
        await Store.WriteAsync(transaction => transaction.InsertAgent(agent));
        await Store.AppendAsync(Request(new StreamAppend(Session, [new EventDraft(EventTypes.SessionCreated, A, new JsonObject
        {
            ["participants"] = new JsonArray(A, B),
            ["topic"] = text,
            ["metadata"] = new JsonObject { [text] = text },
        })])));
        await Store.AppendAsync(Request(new StreamAppend(Session, [new EventDraft(EventTypes.SessionCheckpointed, A, new JsonObject
        {
            ["checkpointId"] = "chk_1",
            ["stateHash"] = new string('d', 64),
            ["label"] = text,
        })])));

        for (var pass = 0; pass < 2; pass++)
        {
            var session = await Store.Sessions.GetAsync(Session, CancellationToken.None);
            session!.Topic.Should().Be(text);
            session.Metadata![text]!.GetValue<string>().Should().Be(text);
            (await Store.Sessions.GetStateAsync(Session, CancellationToken.None))!.ToJson()["topic"]?.GetValue<string>().Should().Be(text);
            (await Store.SessionCheckpoints.GetAsync("chk_1", CancellationToken.None))!.Label.Should().Be(text);
            var stored = await Store.Agents.GetAsync(A, CancellationToken.None);
            stored!.DisplayName.Should().Be(text);
            stored.Principal["name"]!.GetValue<string>().Should().Be(text);
            (await Store.ReadStreamAsync(Session, 0, 10))[0].Data["topic"]!.GetValue<string>().Should().Be(text);
            (await Store.VerifyAsync()).EventCount.Should().Be(2);
            (await Store.AuditAsync()).IsClean.Should().BeTrue();
            await ReopenAsync();
        }
    }
}

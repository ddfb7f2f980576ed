using System.Net;
using System.Text.Json.Nodes;
using Pact.Client.Verification;
using Pact.Core.Encoding;
using Pact.Core.Json;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Tests.Shared;

namespace Pact.Daemon.Tests.Postgres;

/// <summary>
/// U+0000 in the free text of request bodies (a display name, a topic, metadata, a checkpoint label, a subscription's
/// description, the terms): SQLite accepts and serves it, and so must PostgreSQL, whose text cannot hold it. Each store
/// answers every read (the resource, its events, SSE, verify, the export and the offline verifier) with the same values.
/// </summary>
public sealed class NulInBodyTests
{
    private const string Name = "Ann\0ex";
    private const string Topic = "to\0pic";
    private const string Note = "a\0b";
    private const string Label = "\0label";
    private const string Description = "desc\0";
    private const string Interaction = "Kitchen\0remodel";

    [PostgresFact]
    public async Task Free_text_holding_NUL_is_accepted_and_served_back_the_same_on_both_stores()
    {
        var sqlite = await AnswersAsync(DaemonStore.Sqlite);
        var postgres = await AnswersAsync(DaemonStore.Postgres);

        sqlite.Should().Contain(a => a.Contains('\0'), "SQLite is the reference and serves the NULs back");
        sqlite.Should().Contain(["verify 200 true", "verify True", "export 4 True", "offline True "]);
        postgres.Should().Equal(sqlite);
    }

    private static async Task<List<string>> AnswersAsync(DaemonStore store)
    {
        await using var host = await DaemonHost.StartAsync(store: store);
        using var http = host.CreateHttpClient();
        var answers = new List<string>();
        var a = new TestAgent(http, await TestAgent.DaemonIdOf(http));
        var b = new TestAgent(http, a.DaemonId);
        var registered = await a.RegisterAsync(Name);
        registered.Status.Should().Be(HttpStatusCode.Created, registered.Text);
        await b.RegisterAsync();
        var created = await a.PostAsync("/v1/sessions", "session.create", new JsonObject
        {
            ["participants"] = new JsonArray(a.Did, b.Did),
            ["topic"] = Topic,
            ["metadata"] = new JsonObject { ["note"] = Note, ["k\0ey"] = "v" },
        });
        created.Status.Should().Be(HttpStatusCode.Created, created.Text);
        var session = created.Json!["sessionId"]!.GetValue<string>();
        var token = await a.TokenAsync();
        using var sse = await SseReader.OpenAsync(host, $"/v1/sessions/{session}/events/stream", token, lastEventId: "0");
        var checkpoint = await a.PostAsync($"/v1/sessions/{session}/checkpoints", "session.checkpoint", new JsonObject { ["sessionId"] = session, ["label"] = Label });
        answers.Add("checkpoint " + (int)checkpoint.Status);
        var subscription = await a.PostAsync("/v1/subscriptions", "subscription.create", new JsonObject
        {
            ["callback"] = "http://127.0.0.1:9/hook",
            ["description"] = Description,
        });
        answers.Add("subscription " + (int)subscription.Status + " " + subscription.Json?["description"]?.GetValue<string>());

        var agent = await a.GetAsync($"/v1/agents/{Uri.EscapeDataString(a.Did)}");
        answers.Add($"agent {(int)agent.Status} {agent.Json?["displayName"]?.GetValue<string>()} {agent.Json?["principal"]?["name"]?.GetValue<string>()}");
        var read = await a.GetAsync($"/v1/sessions/{session}");
        answers.Add($"session {(int)read.Status} {read.Json?["topic"]?.GetValue<string>()} {Jcs.CanonicalString(read.Json?["metadata"])}");
        var listed = await a.GetAsync("/v1/sessions");
        answers.Add($"sessions {(int)listed.Status} {listed.Json?["sessions"]?[0]?["topic"]?.GetValue<string>()}");
        var events = await a.GetAsync($"/v1/sessions/{session}/events");
        answers.Add($"events {(int)events.Status} {Payload(events.Json?["events"]?[0])}");
        var streamed = await sse.NextEventAsync(TimeSpan.FromSeconds(10));
        answers.Add($"sse {streamed.Type} {Payload(StrictJson.Parse(streamed.Data))}");
        var sub = await a.GetAsync($"/v1/subscriptions/{subscription.Json?["subscriptionId"]}");
        answers.Add($"subscription {(int)sub.Status} {sub.Json?["description"]?.GetValue<string>()}");
        var state = await a.GetAsync($"/v1/sessions/{session}/state?at=2");
        answers.Add($"state {(int)state.Status} {state.Json?["replay"]?["fromCheckpoint"] is not null}");
        var verify = await a.GetAsync($"/v1/sessions/{session}/verify");
        answers.Add($"verify {(int)verify.Status} {verify.Json?["ok"]}");

        // Terms: through the SDK, up to a compact in force, then verified live and offline from the export.
        var seller = await Negotiator.RegisterAsync(host, "Seller\0Co");
        var buyer = await Negotiator.RegisterAsync(host, "Buyer");
        var deal = (await seller.Client.CreateSessionAsync([seller.Did, buyer.Did], topic: Topic)).SessionId;
        var terms = await seller.DraftAsync(buyer);
        terms["scope"]!["interaction"] = Interaction;
        await seller.NegotiateAsync(buyer, deal, terms);
        var stored = await buyer.Client.GetCompactVersionAsync(terms["compactId"]!.GetValue<string>(), 1);
        answers.Add("compact " + stored.ToJson()["terms"]?["scope"]?["interaction"]?.GetValue<string>());
        answers.Add("verify " + (await buyer.Client.VerifyAsync(deal)).Ok);
        var bundle = await seller.Client.ExportSessionAsync(deal);
        var parsed = (JsonObject)StrictJson.Parse(bundle.ToJsonString())!;
        answers.Add("export " + parsed["events"]!.AsArray().Count + " " + parsed.ToJsonString().Contains("Kitchen\\u0000remodel", StringComparison.Ordinal));
        var key = Base64Url.Decode((await seller.Client.GetDaemonAsync()).PublicKey);
        var offline = ExportVerifier.Verify(parsed, key);
        answers.Add($"offline {offline.Ok} {offline.FirstFailure?.Check}");
        return answers;
    }

    // What the session's first event carries from the request, without the ids and times that differ between daemons.
    private static string Payload(JsonNode? e)
    {
        var payload = e?["data"]?["envelope"]?["payload"];
        return $"{e?["type"]} {payload?["topic"]?.GetValue<string>()} {Jcs.CanonicalString(payload?["metadata"])}";
    }
}

using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Daemon.Tests.Infrastructure;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests;

/// <summary>
/// bundle.create's refusals follow §11 across members: terms, policies and signatures are one class, and within it the
/// first member that fails answers — whatever a later member gets wrong, and however many members there are.
/// </summary>
public class BundleValidationOrderTests
{
    protected virtual DaemonStore Store => DaemonStore.Default;

    private static JsonArray Members(Scenario s, IReadOnlyList<JsonObject> terms, Func<int, JsonObject, JsonObject>? signedOver = null) =>
        new([.. terms.Select((t, i) => (JsonNode)new JsonObject
        {
            ["terms"] = t.DeepClone(),
            ["signature"] = s.Coordinator.Client.CreateFirstSignature(signedOver?.Invoke(i, t) ?? t, s.Coordinator.Authority),
        })]);

    [Fact]
    public async Task The_first_members_bad_signature_answers_before_a_later_members_bad_terms()
    {
        await using var s = await Scenario.StartAsync(Store);
        var terms = await s.TermsAsync(2, (i, t) => { if (i == 1) t["tier"] = "platinum"; });
        // Member 0 is signed over other terms: its signature does not verify.
        var members = Members(s, terms, (i, t) => i == 0 ? ChangedInteraction(t) : t);
        var before = (await s.EventsAsync()).Count;

        var create = () => s.Coordinator.Client.CreateBundleAsync(s.SessionId, members, BundleSelection.All(), Scenario.ClosesAt);

        var error = (await create.Should().ThrowAsync<PactApiException>()).Which;
        error.Code.Should().Be("PACT-109");
        error.Errors!.Should().OnlyContain(e => e.Pointer.StartsWith("/payload/members/0/", StringComparison.Ordinal));
        (await s.EventsAsync()).Count.Should().Be(before);
    }

    [Fact]
    public async Task With_eleven_members_the_third_members_error_answers_before_the_eleventh()
    {
        await using var s = await Scenario.StartAsync(Store, 4);
        var terms = await s.TermsAsync(11, (i, t) =>
        {
            if (i == 2) t["tier"] = "platinum";
            if (i == 10) t["tier"] = "diamond";
        });

        var create = () => s.Coordinator.Client.CreateBundleAsync(s.SessionId, Members(s, terms), BundleSelection.All(), Scenario.ClosesAt);

        var error = (await create.Should().ThrowAsync<PactApiException>()).Which;
        error.Errors!.Should().NotBeEmpty().And.OnlyContain(e => e.Pointer.StartsWith("/payload/members/2/", StringComparison.Ordinal),
            "ordinal pointer order would put /payload/members/10 first");
        error.Errors![0].Pointer.Should().Be("/payload/members/2/terms/tier");
    }

    [Fact]
    public async Task A_body_of_thousands_of_members_is_refused_on_its_count_without_reading_past_the_seventeenth()
    {
        await using var s = await Scenario.StartAsync(Store);
        // Seventeen well-formed members, then thousands of empty ones: reading any of those would report its errors too.
        var members = Members(s, await s.TermsAsync(17));
        for (var i = 17; i < 4000; i++) members.Add(new JsonObject());
        var before = (await s.EventsAsync()).Count;
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var create = () => s.Coordinator.Client.CreateBundleAsync(s.SessionId, members, BundleSelection.All(), Scenario.ClosesAt);

        var error = (await create.Should().ThrowAsync<PactApiException>()).Which;
        clock.Stop();
        error.Code.Should().Be("PACT-101");
        error.Errors!.Select(e => e.Pointer).Should().Equal(["/payload/members"], "only the count is judged past the limit");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
        (await s.EventsAsync()).Count.Should().Be(before);
    }

    private static JsonObject ChangedInteraction(JsonObject terms)
    {
        var other = (JsonObject)terms.DeepClone();
        other["scope"]!["interaction"] = "Something the coordinator never proposed";
        return other;
    }
}

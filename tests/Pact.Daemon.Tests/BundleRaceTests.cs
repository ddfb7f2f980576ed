using Pact.Client;
using Pact.Daemon.Tests.Infrastructure;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests;

/// <summary>Races around bundles (§15), each decided by commit order: exactly one side wins and the state is the winner's.</summary>
public class BundleRaceTests
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private static async Task<(bool Ok, string? Code)> Outcome(Func<Task> request)
    {
        var (ok, code, _) = await OutcomeOf(async () => { await request(); return true; });
        return (ok, code);
    }

    /// <summary>The answer of a request that may be refused: its value, or the refusal's code.</summary>
    internal static async Task<(bool Ok, string? Code, T? Value)> OutcomeOf<T>(Func<Task<T>> request)
    {
        try
        {
            return (true, null, await request());
        }
        catch (PactApiException e)
        {
            return (false, e.Code, default);
        }
    }

    private static Pact.Core.Events.TranscriptEvent? Find(IReadOnlyList<Pact.Core.Events.TranscriptEvent> events, string type, string key, string id) =>
        events.SingleOrDefault(e => e.Type == type && e.Data[key]?.GetValue<string>() == id);

    [Fact]
    public async Task The_last_countersignature_and_a_decline_of_that_member_race_and_one_of_them_decides_the_bundle()
    {
        for (var round = 0; round < 3; round++)
        {
            await using var s = await Scenario.StartAsync(Store);
            var bundle = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
            var first = bundle.Members[0];
            await s.CounterpartyOf(first).Client.SignMemberAsync(first.ProposalId, s.CounterpartyOf(first).Authority);
            var last = bundle.Members[1];
            var signer = s.CounterpartyOf(last);
            var proposal = await signer.Client.GetProposalAsync(last.ProposalId);
            var results = await Task.WhenAll(
                Outcome(() => signer.Client.SignMemberAsync(last.ProposalId, signer.Authority)),
                Outcome(() => signer.Client.DeclineAsync(last.ProposalId, termsHash: proposal.TermsHash)));
            results.Count(r => r.Ok).Should().Be(1);
            results.Single(r => !r.Ok).Code.Should().Be("PACT-301");
            var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
            after.Status.Should().Be(results[0].Ok ? "committed" : "aborted");
            // The transcript holds only the winner, and the bundle's outcome follows it in the same commit.
            var events = await s.EventsAsync();
            var signed = Find(events, "proposal.signed", "proposalId", last.ProposalId);
            var declined = Find(events, "proposal.declined", "proposalId", last.ProposalId);
            (signed is null).Should().NotBe(declined is null, "exactly one of them was recorded");
            (signed is not null).Should().Be(results[0].Ok);
            var winner = signed ?? declined!;
            events.Single(e => e.Seq == winner.Seq + 1).Type.Should().Be(signed is not null ? "bundle.committed" : "bundle.aborted");
        }
    }

    [Fact]
    public async Task A_withdrawal_and_the_committing_signature_race_and_one_of_them_decides_the_bundle()
    {
        for (var round = 0; round < 3; round++)
        {
            await using var s = await Scenario.StartAsync(Store);
            var bundle = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
            var first = bundle.Members[0];
            await s.CounterpartyOf(first).Client.SignMemberAsync(first.ProposalId, s.CounterpartyOf(first).Authority);
            var last = bundle.Members[1];
            var signer = s.CounterpartyOf(last);
            var proposal = await signer.Client.GetProposalAsync(last.ProposalId);
            var signature = signer.Client.CreateCountersignature(proposal, signer.Authority);
            var results = await Task.WhenAll(
                Outcome(() => signer.Client.SignProposalAsync(last.ProposalId, proposal.TermsHash, signature)),
                Outcome(() => s.Coordinator.Client.WithdrawBundleAsync(bundle.BundleId)));
            results.Count(r => r.Ok).Should().Be(1);
            var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
            var events = await s.EventsAsync();
            var signed = Find(events, "proposal.signed", "proposalId", last.ProposalId);
            var withdrawn = Find(events, "bundle.withdrawn", "bundleId", bundle.BundleId);
            (signed is null).Should().NotBe(withdrawn is null, "exactly one of them was recorded");
            if (results[0].Ok)
            {
                after.Status.Should().Be("committed");
                results[1].Code.Should().Be("PACT-307");
                signed.Should().NotBeNull();
                events.Single(e => e.Seq == signed!.Seq + 1).Type.Should().Be("bundle.committed");
            }
            else
            {
                after.Status.Should().Be("aborted");
                results[0].Code.Should().Be("PACT-301");
                withdrawn.Should().NotBeNull();
                events.Single(e => e.Seq == withdrawn!.Seq + 1).Type.Should().Be("bundle.aborted");
            }
        }
    }

    [Fact]
    public async Task Two_bundles_competing_for_one_slot_leave_exactly_one_holding_it()
    {
        await using var s = await Scenario.StartAsync(Store);
        var shared = (await s.TermsAsync(1))[0];
        var one = new[] { shared, (await s.TermsAsync(1))[0] };
        var two = new[] { shared, (await s.TermsAsync(1))[0] };
        var results = await Task.WhenAll(OutcomeOf(() => s.CreateAsync(one, BundleSelection.All())), OutcomeOf(() => s.CreateAsync(two, BundleSelection.All())));
        results.Count(r => r.Ok).Should().Be(1);
        results.Single(r => !r.Ok).Code.Should().Be("PACT-302");
        var events = await s.EventsAsync();
        var created = events.Single(e => e.Type == "bundle.created");
        var winner = results.Single(r => r.Ok).Value!;
        created.Data["bundleId"]!.GetValue<string>().Should().Be(winner.BundleId, "the bundle recorded is the one answered 201");
        var slot = shared["compactId"]!.GetValue<string>();
        events.Single(e => e.Type == "proposal.created" && e.Data["compactId"]!.GetValue<string>() == slot)
            .Data["bundleId"]!.GetValue<string>().Should().Be(winner.BundleId);
    }

    [Fact]
    public async Task A_countersignature_arriving_at_closesAt_is_judged_after_the_close()
    {
        await using var s = await Scenario.StartAsync(Store);
        var bundle = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
        var first = bundle.Members[0];
        await s.CounterpartyOf(first).Client.SignMemberAsync(first.ProposalId, s.CounterpartyOf(first).Authority);
        var last = bundle.Members[1];
        var signer = s.CounterpartyOf(last);
        var proposal = await signer.Client.GetProposalAsync(last.ProposalId);
        var signature = signer.Client.CreateCountersignature(proposal, signer.Authority);
        s.Clock.SetUtcNow(Scenario.ClosesAt);
        var late = () => signer.Client.SignProposalAsync(last.ProposalId, proposal.TermsHash, signature);
        (await late.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-301");
        var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
        after.Status.Should().Be("aborted");
        after.Cause!["kind"]!.GetValue<string>().Should().Be("expired");
        // The close (1b) was recorded at closesAt and the late signature nowhere.
        var events = await s.EventsAsync();
        Find(events, "bundle.aborted", "bundleId", bundle.BundleId)!.Data["dueAt"]!.GetValue<string>().Should().Be(Pact.Core.Time.Timestamp.ToText(Scenario.ClosesAt));
        Find(events, "proposal.signed", "proposalId", last.ProposalId).Should().BeNull();
    }
}

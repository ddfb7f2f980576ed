using Pact.Client;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests;

/// <summary>Races around bundles (§15), each decided by commit order: exactly one side wins and the state is the winner's.</summary>
public class BundleRaceTests
{
    private static async Task<(bool Ok, string? Code)> Outcome(Func<Task> request)
    {
        try
        {
            await request();
            return (true, null);
        }
        catch (PactApiException e)
        {
            return (false, e.Code);
        }
    }

    [Fact]
    public async Task The_last_countersignature_and_a_decline_of_that_member_race_and_one_of_them_decides_the_bundle()
    {
        for (var round = 0; round < 3; round++)
        {
            await using var s = await Scenario.StartAsync();
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
        }
    }

    [Fact]
    public async Task A_withdrawal_and_the_committing_signature_race_and_one_of_them_decides_the_bundle()
    {
        for (var round = 0; round < 3; round++)
        {
            await using var s = await Scenario.StartAsync();
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
            if (results[0].Ok)
            {
                after.Status.Should().Be("committed");
                results[1].Code.Should().Be("PACT-307");
            }
            else
            {
                after.Status.Should().Be("aborted");
                results[0].Code.Should().Be("PACT-301");
            }
        }
    }

    [Fact]
    public async Task Two_bundles_competing_for_one_slot_leave_exactly_one_holding_it()
    {
        await using var s = await Scenario.StartAsync();
        var shared = (await s.TermsAsync(1))[0];
        var one = new[] { shared, (await s.TermsAsync(1))[0] };
        var two = new[] { shared, (await s.TermsAsync(1))[0] };
        var results = await Task.WhenAll(Outcome(() => s.CreateAsync(one, BundleSelection.All())), Outcome(() => s.CreateAsync(two, BundleSelection.All())));
        results.Count(r => r.Ok).Should().Be(1);
        results.Single(r => !r.Ok).Code.Should().Be("PACT-302");
        (await s.EventsAsync()).Count(e => e.Type == "bundle.created").Should().Be(1);
    }

    [Fact]
    public async Task A_countersignature_arriving_at_closesAt_is_judged_after_the_close()
    {
        await using var s = await Scenario.StartAsync();
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
    }
}

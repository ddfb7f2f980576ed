using Pact.Client;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests;

/// <summary>Requests that race for the same resource: exactly one wins, the loser gets a precise refusal, the log stays consistent.</summary>
public class RaceTests : IAsyncLifetime
{
    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Concurrent_revocations_by_both_sides_leave_exactly_one_open()
    {
        for (var round = 0; round < 5; round++)
        {
            var a = await Negotiator.RegisterAsync(_host, "A");
            var b = await Negotiator.RegisterAsync(_host, "B", "human");
            var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
            var terms = await a.DraftAsync(b);
            var compactId = terms["compactId"]!.GetValue<string>();
            await a.NegotiateAsync(b, session, terms);

            var outcomes = await Task.WhenAll(Attempt(() => a.Client.RevokeAsync(compactId, 1)), Attempt(() => b.Client.RevokeAsync(compactId, 1)));
            outcomes.Count(o => o == "ok").Should().Be(1);
            outcomes.Should().Contain("PACT-304");
        }
    }

    [Fact]
    public async Task A_countersignature_racing_a_withdrawal_acknowledgment_ends_one_way_only()
    {
        for (var round = 0; round < 5; round++)
        {
            var a = await Negotiator.RegisterAsync(_host, "A");
            var b = await Negotiator.RegisterAsync(_host, "B", "human");
            var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
            var proposal = await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);
            var withdrawal = await a.Client.WithdrawAsync(proposal.ProposalId);
            var fetched = await b.Client.GetProposalAsync(proposal.ProposalId);
            var signature = b.Client.CreateCountersignature(fetched, b.Authority);

            var outcomes = await Task.WhenAll(
                Attempt(() => b.Client.SignProposalAsync(proposal.ProposalId, fetched.TermsHash, signature)),
                Attempt(() => b.Client.AcknowledgeWithdrawalAsync(proposal.ProposalId, withdrawal.WithdrawalHash)));
            outcomes.Count(o => o == "ok").Should().Be(1);
            outcomes.Should().Contain("PACT-301");
            var status = (await a.Client.GetProposalAsync(proposal.ProposalId)).Status;
            status.Should().Be(outcomes[0] == "ok" ? "signed" : "withdrawn");
        }
    }

    private static async Task<string> Attempt(Func<Task> action)
    {
        try
        {
            await action();
            return "ok";
        }
        catch (PactApiException e)
        {
            return e.Code ?? e.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

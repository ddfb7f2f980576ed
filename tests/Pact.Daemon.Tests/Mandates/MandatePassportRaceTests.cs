using Pact.Client;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Mandates;

/// <summary>
/// §13/§14: the passport a mandate's decision records is as of the seq before the judged proposal's
/// <c>proposal.created</c>, even while other sessions commit between the decision's read of the log head and its own
/// commit (the commit checks it inside its transaction and the decision is taken again, as a bundle's ranking is, then
/// with the log held still so that writers that never pause cannot starve it).
/// </summary>
public sealed class MandatePassportRaceTests
{
    [Fact]
    public async Task Every_decision_records_the_passport_as_of_the_seq_before_its_proposal_while_other_sessions_append()
    {
        await using var host = await DaemonHost.StartAsync();
        var contractor = await Negotiator.RegisterAsync(host, "Contractor");
        var homeowner = await Negotiator.RegisterAsync(host, "Homeowner", "human");
        var busy = await Negotiator.RegisterAsync(host, "Busy");
        var neighbour = await Negotiator.RegisterAsync(host, "Neighbour");
        var session = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did])).SessionId;
        await homeowner.Client.GrantMandateAsync(await MandateGrantTests.PublishAsync(homeowner), [], [], DateTimeOffset.UtcNow.AddDays(30));

        using var stop = new CancellationTokenSource();
        // Other streams commit all the time, never pausing: new sessions of two agents who have nothing to do with the
        // mandate. A stale decision is taken again with the log held still (CommitGate), so it is never starved.
        var noise = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var appended = 0;
            while (!stop.IsCancellationRequested)
            {
                await busy.Client.CreateSessionAsync([busy.Did, neighbour.Did]);
                appended++;
            }
            return appended;
        })).ToList();
        const int Proposals = 12;
        for (var i = 0; i < Proposals; i++)
            (await contractor.Client.ProposeAsync(session, await contractor.DraftAsync(homeowner), contractor.Authority)).Status.Should().Be("signed");
        await stop.CancelAsync();
        (await Task.WhenAll(noise)).Sum().Should().BeGreaterThan(Proposals, "other sessions committed while the mandate decided");

        var events = (await contractor.Client.GetEventsAsync(session, limit: 1000)).Events;
        var created = events.Where(e => e.Type == EventTypes.ProposalCreated).ToDictionary(e => e.Data["proposalId"]!.GetValue<string>());
        var decisions = events.Where(e => e.Type == EventTypes.PolicyDecided).ToList();
        decisions.Should().HaveCount(Proposals);
        foreach (var decided in decisions)
        {
            var judged = created[decided.Data["proposalId"]!.GetValue<string>()];
            decided.Data["passport"]!["asOfSeq"]!.GetValue<long>().Should().Be(judged.Seq - 1,
                $"the decision at seq {decided.Seq} judges the proposal created at seq {judged.Seq}");
        }
        var report = await homeowner.Client.VerifyAsync(session);
        report.Ok.Should().BeTrue(report.FirstError?.Message);
    }
}

using Microsoft.AspNetCore.Mvc;
using Pact.Daemon.Auth;
using Pact.Core.Contracts.Responses;
using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Daemon.Application;

namespace Pact.Daemon.Controllers;

/// <summary>What waits on the calling agent (§3).</summary>
public sealed class PendingController(DecisionEngine engine, TimeProvider time) : PactControllerBase
{
    /// <summary>Open proposals the caller may sign, and withdrawals, revocations and markers it may acknowledge, each with its deadline.</summary>
    [HttpGet("/v1/agents/me/pending")]
    [ProducesResponseType(typeof(PendingWork), StatusCodes.Status200OK)]
    [RequirePolicy(PactAuthorization.Reader)]
    public IResult Get()
    {
        var caller = Reader;
        var state = engine.State;
        var toSign = new List<PendingProposal>();
        var withdrawals = new List<PendingWithdrawal>();
        foreach (var p in caller.Agent is null ? [] : state.LiveProposalsAwaiting(caller.Agent))
        {
            // A bundle member waits until its bundle closes (its expiresAt is the closesAt, §15).
            var deadline = p.PendingDeadline?.DueAt ?? (p.BundleId is null ? null : p.ExpiresAt);
            if (p.Status == ProposalStatus.Open)
                toSign.Add(new PendingProposal(p.ProposalId, p.SessionId, p.CompactId, p.Version, p.TermsHash, p.Proposer.ToWire(), deadline));
            else if (p.Status == ProposalStatus.WithdrawalPending)
                withdrawals.Add(new PendingWithdrawal(p.ProposalId, p.SessionId, p.CompactId, p.Version, p.TermsHash, p.Proposer.ToWire(), deadline, p.Withdrawal?.InitiationHash));
        }
        var (revocations, markers) = caller.Agent is null
            ? ([], [])
            : LifecycleMachine.AwaitingAcknowledgment(state, caller.Agent, time.GetUtcNow());
        var revocationInfos = revocations.Select(LifecycleResources.Revocation).ToList();
        var markerInfos = markers.Select(LifecycleResources.Marker).ToList();
        // A bundle member (§15) names its bundle; other items have none.
        var items = toSign.Select(p => new PendingItem("proposal", p.ProposalId, p.SessionId, p.CompactId, p.Deadline, state.Proposal(p.ProposalId)?.BundleId,
                state.MandateDecisions.GetValueOrDefault(p.ProposalId)?.DeepClone().AsObject()))
            .Concat(withdrawals.Select(w => new PendingItem("withdrawal", w.ProposalId, w.SessionId, w.CompactId, w.Deadline, null, null)))
            .Concat(revocations.Select(r => new PendingItem("revocation", r.RevocationId, r.SessionId, r.CompactId, r.AckDeadline, null, null)))
            .Concat(markers.Select(m => new PendingItem("marker", m.MarkerId, m.SessionId, m.CompactId, m.AckDeadline, null, null)))
            .OrderBy(i => i.Deadline is null)
            .ThenBy(i => i.Deadline)
            .ThenBy(i => i.Id, StringComparer.Ordinal)
            .ToList();
        return Json(200, new PendingWork(toSign, withdrawals, revocationInfos, markerInfos, items));
    }
}

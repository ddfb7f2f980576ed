using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Pact.Daemon.Auth;
using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Time;
using Pact.Daemon.Application;

namespace Pact.Daemon.Controllers;

/// <summary>What waits on the calling agent (§3).</summary>
public sealed class PendingController(DecisionEngine engine, TimeProvider time) : PactControllerBase
{
    /// <summary>Open proposals the caller may sign, and withdrawals, revocations and markers it may acknowledge, each with its deadline.</summary>
    [HttpGet("/v1/agents/me/pending")]
    [ProducesResponseType(typeof(JsonObject), StatusCodes.Status200OK)]
    [RequirePolicy(PactAuthorization.Reader)]
    public IResult Get()
    {
        var caller = Reader;
        var state = engine.State;
        var toSign = new JsonArray();
        var withdrawals = new JsonArray();
        foreach (var p in caller.Agent is null ? [] : state.LiveProposalsAwaiting(caller.Agent))
        {
            var item = new JsonObject
            {
                ["proposalId"] = p.ProposalId,
                ["sessionId"] = p.SessionId,
                ["compactId"] = p.CompactId,
                ["version"] = p.Version,
                ["termsHash"] = p.TermsHash,
                ["proposer"] = p.Proposer.ToWire(),
                ["deadline"] = p.PendingDeadline is { } d ? Timestamp.ToText(d.DueAt) : null,
            };
            if (p.Status == ProposalStatus.Open) toSign.Add(item);
            else if (p.Status == ProposalStatus.WithdrawalPending)
            {
                item["withdrawalHash"] = p.Withdrawal?.InitiationHash;
                withdrawals.Add(item);
            }
        }
        var (revocations, markers) = caller.Agent is null
            ? ([], [])
            : LifecycleMachine.AwaitingAcknowledgment(state, caller.Agent, time.GetUtcNow());
        return JsonResult(200, new JsonObject
        {
            ["proposals"] = toSign,
            ["withdrawals"] = withdrawals,
            ["revocations"] = new JsonArray(revocations.Select(r => (JsonNode)LifecycleResources.Revocation(r)).ToArray()),
            ["markers"] = new JsonArray(markers.Select(m => (JsonNode)LifecycleResources.Marker(m)).ToArray()),
        });
    }
}

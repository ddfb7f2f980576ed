using Microsoft.AspNetCore.Mvc;
using Pact.Daemon.Auth;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Daemon.Application;
using Pact.Daemon.Http;

using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>The two-phase negotiation (§5): propose, counter, sign, decline, withdraw, acknowledge.</summary>
public sealed class ProposalsController(ResourceVisibility visibility, CommandRunner commands, ProposalService service, IProposalReadModel proposals, TranscriptQuarantine quarantine) : PactControllerBase
{
    /// <summary>Proposes terms (proposal.create, first signature included); with <c>replaces</c> it counters the open proposal.</summary>
    /// <response code="201">Open; <c>warnings</c> may hold NEGOTIATION_TIMEOUT_OMITTED or STANDING_POLICY_UNVERIFIED.</response>
    [HttpPost("/v1/sessions/{sessionId}/proposals")]
    [ProducesResponseType(typeof(ProposalCreated), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status413PayloadTooLarge, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [Envelope("proposal.create")]
    public Task<IResult> Create(string sessionId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, ProposalService.CreateSpec, Targets(("sessionId", sessionId)), service.CreateAsync, ct);

    /// <summary>
    /// Countersigns (proposal.sign): the compact goes in force and both parties get the identical signed record. A bundle
    /// member (§15) is prepared instead: 202 the proposal, or 200 the record when this signature's commit put it in force.
    /// </summary>
    [HttpPost("/v1/proposals/{proposalId}/sign")]
    [ProducesResponseType(typeof(CompactRecordInfo), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(Proposal), StatusCodes.Status202Accepted)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [Envelope("proposal.sign")]
    public Task<IResult> Sign(string proposalId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, ProposalService.SignSpec, Targets(("proposalId", proposalId)), service.SignAsync, ct);

    /// <summary>Declines (proposal.decline); the compact id and version are burned.</summary>
    [HttpPost("/v1/proposals/{proposalId}/decline")]
    [ProducesResponseType(typeof(Proposal), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [Envelope("proposal.decline")]
    public Task<IResult> Decline(string proposalId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, ProposalService.DeclineSpec, Targets(("proposalId", proposalId)), service.DeclineAsync, ct);

    /// <summary>The proposer withdraws (proposal.withdraw); the other party acknowledges with the returned withdrawalHash.</summary>
    [HttpPost("/v1/proposals/{proposalId}/withdraw")]
    [ProducesResponseType(typeof(Withdrawal), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [Envelope("proposal.withdraw")]
    public Task<IResult> Withdraw(string proposalId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, ProposalService.WithdrawSpec, Targets(("proposalId", proposalId)), service.WithdrawAsync, ct);

    /// <summary>Acknowledges a withdrawal (proposal.withdrawal.ack naming the withdrawalHash).</summary>
    [HttpPost("/v1/proposals/{proposalId}/withdrawal/ack")]
    [ProducesResponseType(typeof(Proposal), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [Envelope("proposal.withdrawal.ack")]
    public Task<IResult> AcknowledgeWithdrawal(string proposalId, [FromBody] SignedEnvelope body, CancellationToken ct) =>
        commands.RunAsync(body, ProposalService.WithdrawalAckSpec, Targets(("proposalId", proposalId)), service.AcknowledgeWithdrawalAsync, ct);

    /// <summary>A proposal visible to the caller, with its terms, signatures and history.</summary>
    [HttpGet("/v1/proposals/{proposalId}")]
    [ProducesResponseType(typeof(Proposal), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Get(string proposalId, CancellationToken ct)
    {
        var caller = Reader;
        ProposalRow? proposal;
        try
        {
            proposal = await proposals.GetProposalAsync(proposalId, ct);
        }
        catch (TranscriptIntegrityException e) when (e.SessionId is null && service.SessionOf(proposalId) is { } sessionId)
        {
            // The damaged row cannot say whose it is; the state folded from the log can.
            throw new TranscriptIntegrityException(e.Message, e) { SessionId = sessionId };
        }
        if (proposal is null || !visibility.CanSeeInSession(caller, proposal.SessionId)) return Problem(PactError.NotFound($"Proposal {proposalId}"));
        quarantine.ThrowIfUnreadable(proposal.SessionId, proposal.CompactId);
        return Json(200, proposal.ToResponse());
    }
}

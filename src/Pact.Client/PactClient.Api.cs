using System.Net;
using System.Text.Json.Nodes;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Events;

namespace Pact.Client;

public sealed partial class PactClient
{
    // ---------------------------------------------------------------- agents and access (§3)

    /// <summary><c>POST /v1/agents</c>: registers this client's agent (idempotent: an already registered agent gets its record back).</summary>
    /// <param name="principal">Whom the agent acts for.</param>
    /// <param name="displayName">A display name, or null.</param>
    /// <param name="invite">A one-time registration code, when the daemon requires one.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<Registration> RegisterAsync(Principal principal, string? displayName = null, string? invite = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var response = await SendSignedAsync("v1/agents", new AgentRegisterPayload(principal, displayName, invite), cancellationToken).ConfigureAwait(false);
        return new Registration(Read<AgentInfo>(response), response.Status == HttpStatusCode.Created);
    }

    /// <summary><c>GET /v1/agents/{agentId}</c> (public).</summary>
    /// <param name="agentId">The agent's did:key.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<AgentInfo> GetAgentAsync(string agentId, CancellationToken cancellationToken = default) =>
        Read<AgentInfo>(await GetAsync($"v1/agents/{Segment(agentId)}", Access.Public, cancellationToken).ConfigureAwait(false));

    /// <summary><c>GET /v1/agents/me/pending</c>: what waits on this agent (proposals to sign, acknowledgments due), as the daemon reports it.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<PendingWork> GetPendingAsync(CancellationToken cancellationToken = default) =>
        Read<PendingWork>(await GetAsync("v1/agents/me/pending", Access.Reader, cancellationToken).ConfigureAwait(false));

    /// <summary><c>POST /v1/invites</c> with the admin token: a one-time registration code.</summary>
    /// <param name="expiresIn">How long the code stays valid, an ISO 8601 duration such as "P1D"; the daemon's default when null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<Invite> CreateInviteAsync(string? expiresIn = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject();
        SetIfNotNull(body, "expiresIn", expiresIn);
        return Read<Invite>(await PostJsonAsync("v1/invites", body, Access.Admin, cancellationToken).ConfigureAwait(false));
    }

    // ---------------------------------------------------------------- sessions (§7)

    /// <summary><c>POST /v1/sessions</c>: opens a session; this agent must be among the participants.</summary>
    /// <param name="participants">The participants' did:keys (at least two, registered).</param>
    /// <param name="topic">A topic, or null.</param>
    /// <param name="metadata">Free-form metadata, or null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<SessionCreated> CreateSessionAsync(IEnumerable<string> participants, string? topic = null, JsonObject? metadata = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(participants);
        var payload = new SessionCreatePayload([.. participants], topic, metadata?.DeepClone().AsObject());
        return Read<SessionCreated>(await SendSignedAsync("v1/sessions", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// <c>POST /v1/sessions</c> with a passport admission (§16): every participant but this agent must pass the check
    /// with these thresholds, or the daemon refuses with 403 PACT-208 and records nothing.
    /// </summary>
    /// <param name="participants">The participants' did:keys, this agent among them.</param>
    /// <param name="admission">The thresholds: minScore in hundredths (6000 is 60), minConfidence in percent.</param>
    /// <param name="topic">An optional topic.</param>
    /// <param name="metadata">Optional metadata.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<SessionCreated> CreateSessionAsync(IEnumerable<string> participants, SessionAdmission admission, string? topic = null, JsonObject? metadata = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(participants);
        ArgumentNullException.ThrowIfNull(admission);
        var payload = new SessionCreatePayload([.. participants], topic, metadata?.DeepClone().AsObject(), admission);
        return Read<SessionCreated>(await SendSignedAsync("v1/sessions", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /v1/sessions/{sessionId}</c>.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<SessionView> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        Read<SessionView>(await GetAsync($"v1/sessions/{Segment(sessionId)}", Access.Reader, cancellationToken).ConfigureAwait(false));

    /// <summary><c>GET /v1/sessions</c>: one page of the sessions this agent may see.</summary>
    /// <param name="participant">Only sessions with this participant.</param>
    /// <param name="status">Only sessions in this status.</param>
    /// <param name="after">The cursor of the previous page (<see cref="SessionPage.Next"/>).</param>
    /// <param name="limit">The page size.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<SessionPage> ListSessionsAsync(string? participant = null, string? status = null, string? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var path = WithQuery("v1/sessions", ("participant", participant), ("status", status), ("after", after), ("limit", limit is null ? null : Num(limit.Value)));
        return Read<SessionPage>(await GetAsync(path, Access.Reader, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>POST /v1/sessions/{sessionId}/suspend</c>: active → suspended.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<SessionView> SuspendSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SessionTransitionAsync(sessionId, "suspend", new SessionSuspendPayload(sessionId), cancellationToken);

    /// <summary><c>POST /v1/sessions/{sessionId}/resume</c>: suspended → active.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<SessionView> ResumeSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SessionTransitionAsync(sessionId, "resume", new SessionResumePayload(sessionId), cancellationToken);

    /// <summary><c>POST /v1/sessions/{sessionId}/terminate</c>: final; open proposals are retired.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<SessionView> TerminateSessionAsync(string sessionId, CancellationToken cancellationToken = default) =>
        SessionTransitionAsync(sessionId, "terminate", new SessionTerminatePayload(sessionId), cancellationToken);

    private async Task<SessionView> SessionTransitionAsync<T>(string sessionId, string action, T payload, CancellationToken cancellationToken)
        where T : IEnvelopePayload<T> =>
        Read<SessionView>(await SendSignedAsync($"v1/sessions/{Segment(sessionId)}/{action}", payload, cancellationToken).ConfigureAwait(false));

    /// <summary><c>POST /v1/sessions/{sessionId}/checkpoints</c>: records a checkpoint of the session state.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="label">A label, or null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<CheckpointCreated> CheckpointAsync(string sessionId, string? label = null, CancellationToken cancellationToken = default)
    {
        var payload = new SessionCheckpointPayload(sessionId, label);
        return Read<CheckpointCreated>(await SendSignedAsync($"v1/sessions/{Segment(sessionId)}/checkpoints", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /v1/sessions/{sessionId}/state</c>: the state after event <paramref name="at"/> (the head when null).</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="at">A streamSeq, or null for now.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<SessionStateView> GetStateAsync(string sessionId, long? at = null, CancellationToken cancellationToken = default)
    {
        var path = WithQuery($"v1/sessions/{Segment(sessionId)}/state", ("at", at is null ? null : Num(at.Value)));
        return Read<SessionStateView>(await GetAsync(path, Access.Reader, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /v1/sessions/{sessionId}/verify</c>: the daemon re-checks the session's hashes, links and signatures.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="from">A checkpoint id to start from, or null for the whole stream.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<VerifyReport> VerifyAsync(string sessionId, string? from = null, CancellationToken cancellationToken = default)
    {
        var path = WithQuery($"v1/sessions/{Segment(sessionId)}/verify", ("from", from));
        return Read<VerifyReport>(await GetAsync(path, Access.Reader, cancellationToken).ConfigureAwait(false));
    }

    // ---------------------------------------------------------------- events (§8.3)

    /// <summary><c>GET /v1/sessions/{sessionId}/events</c>: one page of events, in streamSeq order.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="after">Return events after this streamSeq (0 or null: from the start).</param>
    /// <param name="limit">The page size, or null for the daemon's default.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<EventPage> GetEventsAsync(string sessionId, long? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var path = WithQuery($"v1/sessions/{Segment(sessionId)}/events", ("after", after is null ? null : Num(after.Value)), ("limit", limit is null ? null : Num(limit.Value)));
        return Read<EventPage>(await GetAsync(path, Access.Reader, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Every event of a session after <paramref name="after"/>, fetched page by page until the end of the stored stream.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="after">Start after this streamSeq (0: from the start).</param>
    /// <param name="pageSize">The page size, or null for the daemon's default.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public async IAsyncEnumerable<TranscriptEvent> GetAllEventsAsync(
        string sessionId,
        long after = 0,
        int? pageSize = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var cursor = after;
        while (true)
        {
            var page = await GetEventsAsync(sessionId, cursor, pageSize, cancellationToken).ConfigureAwait(false);
            foreach (var e in page.Events) yield return e;
            // A cursor that does not move would loop forever: treat it as the end.
            if (page.Next is not { } next || next <= cursor) yield break;
            cursor = next;
        }
    }

    // ---------------------------------------------------------------- proposals (§5)

    /// <summary>
    /// <c>POST /v1/sessions/{sessionId}/proposals</c> with a signature made by the caller
    /// (see <see cref="CreateFirstSignature"/>).
    /// </summary>
    /// <param name="sessionId">The session to negotiate in.</param>
    /// <param name="terms">The terms, sent exactly as given.</param>
    /// <param name="signature">The <c>{ party, sig, principalAuthorization }</c> object.</param>
    /// <param name="replaces">The open proposal this one counters, or null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<ProposalCreated> ProposeAsync(string sessionId, JsonObject terms, JsonObject signature, string? replaces = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(signature);
        var payload = new ProposalCreatePayload(sessionId, terms.DeepClone().AsObject(), signature.DeepClone().AsObject(), replaces);
        return Read<ProposalCreated>(await SendSignedAsync($"v1/sessions/{Segment(sessionId)}/proposals", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Proposes terms, signing them first: computes the terms hash, this agent's first signature (as the party
    /// whose <c>agent</c> it is) and the principal's authorization.
    /// </summary>
    /// <param name="sessionId">The session to negotiate in.</param>
    /// <param name="terms">The terms; this agent must be party a or b.</param>
    /// <param name="authority">The principal's authorization: its signature, or a standing policy.</param>
    /// <param name="replaces">The open proposal this one counters, or null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<ProposalCreated> ProposeAsync(string sessionId, JsonObject terms, PrincipalAuthority authority, string? replaces = null, CancellationToken cancellationToken = default) =>
        ProposeAsync(sessionId, terms, CreateFirstSignature(terms, authority), replaces, cancellationToken);

    /// <summary>The <c>signature</c> object of a proposal by this agent: party, first signature, principal authorization.</summary>
    /// <param name="terms">The terms; this agent must be party a or b.</param>
    /// <param name="authority">The principal's authorization.</param>
    public JsonObject CreateFirstSignature(JsonObject terms, PrincipalAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(authority);
        var key = RequireKey();
        var party = CompactSigning.PartyOf(terms, key.Did)
            ?? throw new InvalidOperationException($"Agent {key.Did} is neither party a nor party b of these terms.");
        var termsHash = CompactSigning.TermsHash(terms);
        return CompactSigning.SignatureObject(party, CompactSigning.FirstSignature(key.KeyPair, termsHash), authority.Authorize(termsHash));
    }

    /// <summary>The <c>signature</c> object of a countersignature by this agent over a proposal's first signature.</summary>
    /// <param name="proposal">The proposal, as fetched.</param>
    /// <param name="authority">The principal's authorization.</param>
    /// <exception cref="InvalidOperationException">
    /// This agent is not a party, it is the proposer, the daemon's terms hash differs from the hash of the terms
    /// shown, or the first signature does not verify — cases in which signing would be blind.
    /// </exception>
    public JsonObject CreateCountersignature(Proposal proposal, PrincipalAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(authority);
        var key = RequireKey();
        if (proposal.Terms is null) throw new InvalidOperationException($"Proposal {proposal.ProposalId} carries no terms.");
        var party = CompactSigning.PartyOf(proposal.Terms, key.Did)
            ?? throw new InvalidOperationException($"Agent {key.Did} is not a party of proposal {proposal.ProposalId}.");
        var termsHash = CompactSigning.TermsHash(proposal.Terms);
        if (termsHash != proposal.TermsHash)
            throw new InvalidOperationException($"Proposal {proposal.ProposalId}: the daemon's termsHash {proposal.TermsHash} is not the hash of its terms ({termsHash}).");
        if (proposal.Signatures is not [var first, ..])
            throw new InvalidOperationException($"Proposal {proposal.ProposalId} carries no first signature.");
        var firstParty = first.Party;
        var firstSig = first.Sig ?? throw new InvalidOperationException($"Proposal {proposal.ProposalId}: the first signature has no 'sig'.");
        if (firstParty == party) throw new InvalidOperationException($"Agent {key.Did} made the first signature of proposal {proposal.ProposalId}; the other party countersigns.");
        var proposerDid = firstParty is null ? null : CompactSigning.AgentOf(proposal.Terms, firstParty);
        if (first.Signer is not null)
        {
            // A counter the daemon made under the proposer's mandate (§14): check the grant and the daemon's signature instead.
            var (terms, _) = Core.Terms.TermsReader.Read(proposal.Terms);
            var problem = terms is null || first.Mandate is null || !Core.Terms.Wire.TryParse<Core.Terms.PartyRole>(firstParty, out var role)
                ? "the signature under a mandate cannot be read"
                : Core.Mandates.MandateSignatures.Check(role, first.Agent, first.Signer, first.Mandate, firstSig, first.SignedAt, terms, termsHash, null, first.Signer,
                    proposal.SessionId);
            if (problem is not null) throw new InvalidOperationException($"Proposal {proposal.ProposalId}: the first signature, made under a mandate, does not verify: {problem}");
        }
        else if (proposerDid is null || !CompactSigning.VerifyFirstSignature(proposerDid, termsHash, firstSig))
            throw new InvalidOperationException($"Proposal {proposal.ProposalId}: the first signature does not verify for party {firstParty}.");
        return CompactSigning.SignatureObject(party, CompactSigning.SecondSignature(key.KeyPair, termsHash, firstSig), authority.Authorize(termsHash));
    }

    /// <summary><c>POST /v1/proposals/{proposalId}/sign</c> with a countersignature made by the caller. Answers the signed compact record.</summary>
    /// <param name="proposalId">The proposal id.</param>
    /// <param name="termsHash">The terms hash being signed.</param>
    /// <param name="signature">The <c>{ party, sig, principalAuthorization }</c> object.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<CompactRecordInfo> SignProposalAsync(string proposalId, string termsHash, JsonObject signature, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var payload = new ProposalSignPayload(proposalId, termsHash, signature.DeepClone().AsObject());
        var response = await SendSignedAsync($"v1/proposals/{Segment(proposalId)}/sign", payload, cancellationToken).ConfigureAwait(false);
        // A bundle member's countersignature may only prepare it (202 the proposal, §15): that answer is not a record.
        if (response.Status == System.Net.HttpStatusCode.Accepted)
            throw new InvalidOperationException($"Proposal {proposalId} is a bundle member: the signature was recorded and prepared it (202), and no compact is in force yet. Sign members with SignMemberAsync.");
        return Read<CompactRecordInfo>(response);
    }

    /// <summary>Countersigns a proposal already fetched (and, one hopes, read): see <see cref="CreateCountersignature"/>. Answers the signed compact record.</summary>
    /// <param name="proposal">The proposal.</param>
    /// <param name="authority">The principal's authorization.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<CompactRecordInfo> SignProposalAsync(Proposal proposal, PrincipalAuthority authority, CancellationToken cancellationToken = default)
    {
        var signature = CreateCountersignature(proposal, authority);
        return SignProposalAsync(proposal.ProposalId, proposal.TermsHash, signature, cancellationToken);
    }

    /// <summary>Fetches a proposal, then countersigns it over its first signature. Answers the signed compact record.</summary>
    /// <param name="proposalId">The proposal id.</param>
    /// <param name="authority">The principal's authorization.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    public async Task<CompactRecordInfo> SignProposalAsync(string proposalId, PrincipalAuthority authority, CancellationToken cancellationToken = default)
    {
        var proposal = await GetProposalAsync(proposalId, cancellationToken).ConfigureAwait(false);
        return await SignProposalAsync(proposal, authority, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /v1/proposals/{proposalId}/decline</c>.</summary>
    /// <param name="proposalId">The proposal id.</param>
    /// <param name="reason">A reason, or null.</param>
    /// <param name="termsHash">The proposal's terms hash; fetched from the daemon when null.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    public async Task<Proposal> DeclineAsync(string proposalId, string? reason = null, string? termsHash = null, CancellationToken cancellationToken = default)
    {
        termsHash ??= (await GetProposalAsync(proposalId, cancellationToken).ConfigureAwait(false)).TermsHash;
        var payload = new ProposalDeclinePayload(proposalId, termsHash, reason);
        return Read<Proposal>(await SendSignedAsync($"v1/proposals/{Segment(proposalId)}/decline", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>POST /v1/proposals/{proposalId}/withdraw</c> by the proposer: the proposal becomes withdrawal-pending.</summary>
    /// <param name="proposalId">The proposal id.</param>
    /// <param name="termsHash">The proposal's terms hash; fetched from the daemon when null.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    public async Task<Withdrawal> WithdrawAsync(string proposalId, string? termsHash = null, CancellationToken cancellationToken = default)
    {
        termsHash ??= (await GetProposalAsync(proposalId, cancellationToken).ConfigureAwait(false)).TermsHash;
        var payload = new ProposalWithdrawPayload(proposalId, termsHash);
        return Read<Withdrawal>(await SendSignedAsync($"v1/proposals/{Segment(proposalId)}/withdraw", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>POST /v1/proposals/{proposalId}/withdrawal/ack</c> by the other party.</summary>
    /// <param name="proposalId">The proposal id.</param>
    /// <param name="withdrawalHash">The hash of the proposal.withdrawal.initiated event.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<Proposal> AcknowledgeWithdrawalAsync(string proposalId, string withdrawalHash, CancellationToken cancellationToken = default)
    {
        var payload = new ProposalWithdrawalAckPayload(proposalId, withdrawalHash);
        return Read<Proposal>(await SendSignedAsync($"v1/proposals/{Segment(proposalId)}/withdrawal/ack", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary><c>GET /v1/proposals/{proposalId}</c>.</summary>
    /// <param name="proposalId">The proposal id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<Proposal> GetProposalAsync(string proposalId, CancellationToken cancellationToken = default) =>
        Read<Proposal>(await GetAsync($"v1/proposals/{Segment(proposalId)}", Access.Reader, cancellationToken).ConfigureAwait(false));

    // ---------------------------------------------------------------- compacts, stdlib, log

    /// <summary><c>GET /v1/compacts/{compactId}</c>.</summary>
    /// <param name="compactId">The compact id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<CompactInfo> GetCompactAsync(string compactId, CancellationToken cancellationToken = default) =>
        Read<CompactInfo>(await GetAsync($"v1/compacts/{Segment(compactId)}", Access.Reader, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// <c>GET /v1/compacts?party=me</c>: one page of the compacts this agent is a party to, each at its current version.
    /// A client without a key (the admin token) lists every compact.
    /// </summary>
    /// <param name="status">Only compacts whose current version has this status (e.g. "in-force").</param>
    /// <param name="after">The cursor of the previous page (<see cref="CompactPage.Next"/>).</param>
    /// <param name="limit">The page size.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<CompactPage> ListCompactsAsync(string? status = null, string? after = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var path = WithQuery("v1/compacts", ("party", _key is null ? null : "me"), ("status", status), ("after", after), ("limit", limit is null ? null : Num(limit.Value)));
        return Read<CompactPage>(await GetAsync(path, Access.Reader, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// <c>GET /v1/compacts/{compactId}/versions/{version}</c>: the signed compact record. To verify it, read it back with
    /// <see cref="Pact.Core.Compacts.SignedCompactRecord.FromJson"/> (its terms are kept exactly as signed).
    /// </summary>
    /// <param name="compactId">The compact id.</param>
    /// <param name="version">The version.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<CompactRecordInfo> GetCompactVersionAsync(string compactId, int version, CancellationToken cancellationToken = default) =>
        Read<CompactRecordInfo>(await GetAsync($"v1/compacts/{Segment(compactId)}/versions/{Num(version)}", Access.Reader, cancellationToken).ConfigureAwait(false));

    /// <summary><c>GET /v1/stdlib</c> (public): the standard library's entries.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<IReadOnlyList<StdlibEntry>> GetStdlibAsync(CancellationToken cancellationToken = default)
    {
        return Read<StdlibEntries>(await GetAsync("v1/stdlib", Access.Public, cancellationToken).ConfigureAwait(false)).Entries;
    }

    /// <summary><c>POST /v1/compacts/draft</c>: complete, explicit, unsigned terms built from a tier's defaults.</summary>
    /// <param name="tier">"minimal", "standard" or "advanced".</param>
    /// <param name="domain">The library domain, e.g. "contractor-and-service".</param>
    /// <param name="parties">The terms' <c>parties</c> object: { a: { agent, principal }, b: … }.</param>
    /// <param name="scope">The terms' <c>scope</c> object.</param>
    /// <param name="categories">Per side, the category ids to include ({ a: [...], b: [...] }); all of them when null.</param>
    /// <param name="compactId">The compact id to use, or null for the daemon's choice.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<CompactDraft> DraftAsync(string tier, string domain, JsonObject parties, JsonObject scope, JsonObject? categories = null, string? compactId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parties);
        ArgumentNullException.ThrowIfNull(scope);
        var body = new JsonObject
        {
            ["tier"] = tier,
            ["domain"] = domain,
            ["parties"] = parties.DeepClone(),
            ["scope"] = scope.DeepClone(),
        };
        SetIfNotNull(body, "categories", categories?.DeepClone());
        SetIfNotNull(body, "compactId", compactId);
        var draft = Read<CompactDraft>(await PostJsonAsync("v1/compacts/draft", body, Access.Reader, cancellationToken).ConfigureAwait(false));
        return draft.Terms is null ? throw new InvalidDataException("The draft answer carries no 'terms' object.") : draft;
    }

    /// <summary><c>GET /v1/log/checkpoint</c> (public) as JSON: the latest signed checkpoint of the log.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<LogCheckpointInfo> GetCheckpointAsync(CancellationToken cancellationToken = default) =>
        Read<LogCheckpointInfo>(await GetAsync("v1/log/checkpoint", Access.Public, cancellationToken).ConfigureAwait(false));

    // ---------------------------------------------------------------- helpers

    private async Task<PactResponse> SendSignedAsync<T>(string path, T payload, CancellationToken cancellationToken) where T : IEnvelopePayload<T>
    {
        var envelope = await CreateEnvelopeAsync(payload, cancellationToken).ConfigureAwait(false);
        return await SendEnvelopeAsync(path, envelope, cancellationToken).ConfigureAwait(false);
    }
}

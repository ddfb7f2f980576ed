using System.Text.Json.Nodes;
using Pact.Core.Contracts;
using Pact.Core.Events;

namespace Pact.Client;

/// <summary>What <c>GET /v1/daemon</c> answers (§1): the daemon's identity and what it speaks.</summary>
/// <param name="DaemonId">The daemon's did:key; every envelope names it as <c>aud</c>.</param>
/// <param name="PublicKey">The daemon's Ed25519 public key, b64u.</param>
/// <param name="Origin">The log origin used in signed checkpoints, e.g. "localhost/pact".</param>
/// <param name="Protocol">The wire protocol, "pact/1".</param>
/// <param name="Acp">The Agent Compact Protocol version, "0.1".</param>
/// <param name="Version">The daemon's product version.</param>
/// <param name="Stdlib">The standard libraries served, e.g. "contractor-and-service@0.1".</param>
/// <param name="Time">The daemon's clock when it answered.</param>
public sealed record DaemonInfo(
    string DaemonId,
    string PublicKey,
    string Origin,
    string Protocol,
    string Acp,
    string Version,
    IReadOnlyList<string> Stdlib,
    DateTimeOffset Time);

/// <summary>A registered agent (§3).</summary>
/// <param name="AgentId">The agent's did:key.</param>
/// <param name="PublicKey">Its Ed25519 public key, b64u.</param>
/// <param name="Principal">Whom it acts for.</param>
/// <param name="DisplayName">Its display name, or null.</param>
/// <param name="RegisteredAt">When the daemon registered it.</param>
public sealed record AgentRecord(string AgentId, string PublicKey, Principal Principal, string? DisplayName, DateTimeOffset RegisteredAt);

/// <summary>The answer to a registration.</summary>
/// <param name="Agent">The agent's record.</param>
/// <param name="Created">True when this request registered it (201), false when it was already registered (200).</param>
public sealed record Registration(AgentRecord Agent, bool Created);

/// <summary>A one-time registration code (§3).</summary>
/// <param name="Code">The code to pass as <c>invite</c> when registering.</param>
/// <param name="ExpiresAt">When the code stops working.</param>
public sealed record Invite(string Code, DateTimeOffset ExpiresAt);

/// <summary>A bearer token for reads (§3).</summary>
/// <param name="Token">The token, sent as <c>Authorization: Bearer</c>.</param>
/// <param name="ExpiresAt">When the daemon stops accepting it.</param>
public sealed record BearerToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>The newest event of a stream.</summary>
/// <param name="StreamSeq">Its position in the stream (0 for an empty stream).</param>
/// <param name="Hash">Its hash.</param>
public sealed record StreamHead(long StreamSeq, string? Hash);

/// <summary>The answer to creating a session (§7).</summary>
/// <param name="SessionId">The new session's id.</param>
public sealed record SessionCreated(string SessionId);

/// <summary>A session as <c>GET /v1/sessions/{id}</c> shows it (§7). Members whose shape the contract leaves open stay JSON.</summary>
/// <param name="SessionId">The session id.</param>
/// <param name="Status">"active", "suspended" or "terminated".</param>
/// <param name="Participants">The participants' did:keys, in creation order.</param>
/// <param name="Topic">The topic, or null.</param>
/// <param name="Metadata">The metadata given at creation, or null.</param>
/// <param name="Proposals">The session's proposals.</param>
/// <param name="Compacts">The compacts negotiated in it.</param>
/// <param name="Head">The newest event of its stream.</param>
/// <param name="Checkpoints">Its checkpoints.</param>
public sealed record SessionInfo(
    string SessionId,
    string Status,
    IReadOnlyList<string> Participants,
    string? Topic,
    JsonNode? Metadata,
    JsonArray? Proposals,
    JsonArray? Compacts,
    StreamHead? Head,
    JsonArray? Checkpoints);

/// <summary>One page of a list.</summary>
/// <typeparam name="T">The item type.</typeparam>
/// <param name="Items">The items of this page.</param>
/// <param name="Next">The cursor to pass as <c>after</c> for the next page, or null at the end.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>The answer to a session checkpoint (§7).</summary>
/// <param name="CheckpointId">The checkpoint id.</param>
/// <param name="StreamSeq">The streamSeq of its <c>session.checkpointed</c> event.</param>
/// <param name="StateHash">The hash of the session state after that event.</param>
/// <param name="TreeSize">The size of the daemon's log when it was taken.</param>
public sealed record CheckpointCreated(string CheckpointId, long StreamSeq, string StateHash, long TreeSize);

/// <summary>How a state was computed by replay.</summary>
/// <param name="FromCheckpoint">The checkpoint replay started from, or null.</param>
/// <param name="EventsApplied">How many events were applied after it.</param>
public sealed record ReplayInfo(string? FromCheckpoint, long EventsApplied);

/// <summary>The session state at a point of its stream (§7).</summary>
/// <param name="State">The state object, kept as JSON so its hash can be recomputed byte for byte.</param>
/// <param name="At">The streamSeq it is the state after.</param>
/// <param name="StateHash">hex SHA-256("pact-state-v1\n" ‖ JCS(state)).</param>
/// <param name="Replay">How it was computed.</param>
public sealed record SessionStateView(JsonObject State, long At, string StateHash, ReplayInfo? Replay);

/// <summary>The result of verifying a session's transcript (§7).</summary>
/// <param name="Ok">True when everything checked out.</param>
/// <param name="EventsChecked">Events whose hash and link were checked.</param>
/// <param name="SignaturesChecked">Envelope and compact signatures checked.</param>
/// <param name="Head">The head the check reached.</param>
/// <param name="FirstError">The first problem found, when not ok.</param>
public sealed record VerifyReport(bool Ok, long EventsChecked, long SignaturesChecked, JsonNode? Head, JsonNode? FirstError);

/// <summary>One page of a session's events (§8.3).</summary>
/// <param name="Events">The events, in streamSeq order.</param>
/// <param name="Next">The <c>after</c> for the next page, or null at the end.</param>
public sealed record EventPage(IReadOnlyList<TranscriptEvent> Events, long? Next);

/// <summary>The answer to creating a proposal (§5).</summary>
/// <param name="ProposalId">The new proposal's id.</param>
/// <param name="TermsHash">The daemon's hash of the terms.</param>
/// <param name="Status">"open".</param>
/// <param name="ExpiresAt">When it expires unsigned, or null without a negotiation timeout.</param>
/// <param name="Warnings">Warnings such as NEGOTIATION_TIMEOUT_OMITTED.</param>
public sealed record ProposalCreated(string ProposalId, string TermsHash, string Status, DateTimeOffset? ExpiresAt, JsonArray? Warnings);

/// <summary>A proposal as <c>GET /v1/proposals/{id}</c> shows it (§5). Terms and signatures stay JSON for exact hashing.</summary>
/// <param name="ProposalId">The proposal id.</param>
/// <param name="SessionId">The session it was made in.</param>
/// <param name="Status">One of open, withdrawal-pending, signed, declined, countered, expired, withdrawn, retired.</param>
/// <param name="Terms">The proposed terms.</param>
/// <param name="TermsHash">Their hash.</param>
/// <param name="Proposer">The proposing party.</param>
/// <param name="Signatures">The compact signatures so far, in signing order.</param>
/// <param name="ExpiresAt">When it expires, or null.</param>
/// <param name="History">What happened to it.</param>
public sealed record Proposal(
    string ProposalId,
    string SessionId,
    string Status,
    JsonObject Terms,
    string TermsHash,
    JsonNode? Proposer,
    JsonArray Signatures,
    DateTimeOffset? ExpiresAt,
    JsonArray? History);

/// <summary>The answer to a withdrawal (§5).</summary>
/// <param name="Proposal">The proposal, now withdrawal-pending.</param>
/// <param name="WithdrawalHash">The hash the counterparty's acknowledgment must name.</param>
public sealed record Withdrawal(Proposal Proposal, string WithdrawalHash);

/// <summary>One version of a compact in its overview (§6).</summary>
/// <param name="Version">The version number.</param>
/// <param name="CompactHash">The hash of its signed record.</param>
/// <param name="Status">Its status, e.g. in-force.</param>
/// <param name="SessionId">The session it was negotiated in.</param>
public sealed record CompactVersionInfo(int Version, string CompactHash, string Status, string SessionId);

/// <summary>A compact's overview (§6).</summary>
/// <param name="CompactId">The compact id.</param>
/// <param name="Parties">Its two parties.</param>
/// <param name="Status">Its current version's status.</param>
/// <param name="CurrentVersion">The current version.</param>
/// <param name="Versions">Every version.</param>
/// <param name="History">What happened to it.</param>
public sealed record CompactInfo(string CompactId, JsonNode? Parties, string Status, int CurrentVersion, IReadOnlyList<CompactVersionInfo> Versions, JsonArray? History);

/// <summary>One entry of the standard library (§4.4).</summary>
/// <param name="Id">The entry id.</param>
/// <param name="Kind">category, operation, recipient or tier.</param>
/// <param name="Domain">The domain it belongs to.</param>
/// <param name="Version">The library version.</param>
/// <param name="Definition">What it means.</param>
/// <param name="OperatesOn">For operations: the categories it reads.</param>
/// <param name="TypicalParty">For some entries: which party typically holds it.</param>
/// <param name="Defaults">For tiers: their defaults.</param>
public sealed record StdlibEntry(
    string Id,
    string Kind,
    string Domain,
    string Version,
    string Definition,
    IReadOnlyList<string>? OperatesOn,
    string? TypicalParty,
    JsonNode? Defaults);

/// <summary>The latest signed checkpoint of the daemon's log (§9).</summary>
/// <param name="Origin">The log origin.</param>
/// <param name="TreeSize">The number of events it covers.</param>
/// <param name="RootHash">The Merkle root.</param>
/// <param name="Note">The signed note text.</param>
public sealed record LogCheckpoint(string Origin, long TreeSize, string RootHash, string Note);

/// <summary>A subscription's filter (§10): null members match everything.</summary>
/// <param name="Types">Event types (exact, or <c>prefix.*</c>), or null for all.</param>
/// <param name="Sessions">Session ids, or null for all of the owner's sessions.</param>
public sealed record SubscriptionFilter(IReadOnlyList<string>? Types, IReadOnlyList<string>? Sessions);

/// <summary>A webhook subscription as the daemon shows it (§10), never with its secret.</summary>
/// <param name="SubscriptionId">The subscription id (sub_…).</param>
/// <param name="Owner">The did:key of the agent that created it.</param>
/// <param name="Callback">The URL deliveries are POSTed to.</param>
/// <param name="Filter">Which events it receives.</param>
/// <param name="Description">The owner's note, or null.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="AfterSeq">The size of the log at creation: only events with a greater seq are delivered.</param>
/// <param name="Status">"active" or "disabled".</param>
/// <param name="DisabledReason">"gone" (the receiver answered 410) or "failing", when disabled.</param>
/// <param name="DisabledAt">When it was disabled, or null.</param>
/// <param name="ConsecutiveFailures">Deliveries in a row that ended failed.</param>
public sealed record Subscription(
    string SubscriptionId,
    string Owner,
    string Callback,
    SubscriptionFilter? Filter,
    string? Description,
    DateTimeOffset CreatedAt,
    long AfterSeq,
    string Status,
    string? DisabledReason,
    DateTimeOffset? DisabledAt,
    int ConsecutiveFailures);

/// <summary>The answer to creating a subscription: the subscription and its signing secret, shown only this once.</summary>
/// <param name="Subscription">The new subscription.</param>
/// <param name="Secret">"whsec_" + base64 of the HMAC key that signs its deliveries; give it to a <see cref="WebhookVerifier"/>.</param>
public sealed record SubscriptionCreated(Subscription Subscription, string Secret)
{
    /// <summary>The new subscription's id.</summary>
    public string SubscriptionId => Subscription.SubscriptionId;

    /// <summary>The secret is left out, so that logging the record does not leak it.</summary>
    /// <param name="builder">Receives the members.</param>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Subscription = ").Append(Subscription).Append(", Secret = (hidden)");
        return true;
    }
}

/// <summary>One event's delivery to a subscription (§10).</summary>
/// <param name="DeliveryId">The delivery id (dlv_…).</param>
/// <param name="SubscriptionId">The subscription.</param>
/// <param name="WebhookId">The <c>webhook-id</c> header: "evt_" + seq, the same on every attempt.</param>
/// <param name="Seq">The event's global seq.</param>
/// <param name="Type">The event's type.</param>
/// <param name="Stream">The event's stream (session id).</param>
/// <param name="Attempt">Attempts made so far.</param>
/// <param name="Status">"pending", "succeeded" or "failed".</param>
/// <param name="HttpStatus">The last attempt's HTTP status, or null (none yet, or no answer).</param>
/// <param name="Error">Why the last attempt failed, or null.</param>
/// <param name="At">When the last attempt started, or null.</param>
/// <param name="NextAttemptAt">When the next attempt is due, or null when none is scheduled.</param>
/// <param name="CreatedAt">When the delivery was queued.</param>
public sealed record WebhookDelivery(
    string DeliveryId,
    string SubscriptionId,
    string WebhookId,
    long Seq,
    string Type,
    string Stream,
    int Attempt,
    string Status,
    int? HttpStatus,
    string? Error,
    DateTimeOffset? At,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset CreatedAt);

/// <summary>One page of a subscription's deliveries.</summary>
/// <param name="Deliveries">The deliveries, in seq order.</param>
/// <param name="Next">The <c>after</c> (a seq) for the next page, or null at the end.</param>
public sealed record DeliveryPage(IReadOnlyList<WebhookDelivery> Deliveries, long? Next);

/// <summary>The agent ids of a compact's two parties.</summary>
/// <param name="A">Party a's did:key.</param>
/// <param name="B">Party b's did:key.</param>
public sealed record CompactPartyAgents(string A, string B);

/// <summary>A compact as <c>GET /v1/compacts</c> lists it: its current version (§6).</summary>
/// <param name="CompactId">The compact id.</param>
/// <param name="CurrentVersion">The current version.</param>
/// <param name="Status">The current version's status, e.g. in-force.</param>
/// <param name="CompactHash">The hash of the current version's signed record.</param>
/// <param name="SessionId">The session the current version was negotiated in.</param>
/// <param name="Parties">The parties' agents.</param>
public sealed record CompactSummary(string CompactId, int CurrentVersion, string Status, string CompactHash, string SessionId, CompactPartyAgents? Parties);

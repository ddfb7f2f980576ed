using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using System.Text.Json.Serialization;

namespace Pact.Core.Contracts.Responses;

/// <summary>A compact as <c>GET /v1/compacts/{id}</c> shows it (§6): parties, current version, every version and its history.</summary>
/// <param name="Status">The current version's status, e.g. in-force.</param>
/// <param name="History">The history of every version, version by version.</param>
public sealed record CompactInfo(
    string CompactId,
    CompactParties Parties,
    string Status,
    long CurrentVersion,
    IReadOnlyList<CompactVersionInfo> Versions,
    IReadOnlyList<HistoryEntry> History);

/// <summary>The terms' two parties, as the terms name them.</summary>
public sealed record CompactParties(CompactParty A, CompactParty B);

/// <summary>One party of the terms: its agent and the principal it acts for.</summary>
public sealed record CompactParty(string Agent, Principal Principal);

/// <summary>One version of a compact in its overview.</summary>
/// <param name="SessionId">The session it was negotiated in.</param>
public sealed record CompactVersionInfo(long Version, string CompactHash, string Status, string SessionId, DateTimeOffset InForceAt);

/// <summary>A compact as <c>GET /v1/compacts</c> lists it: its current version.</summary>
public sealed record CompactSummary(string CompactId, long CurrentVersion, string Status, string CompactHash, string SessionId, CompactPartyAgents Parties);

/// <summary>The agent ids (did:key) of a compact's two parties.</summary>
public sealed record CompactPartyAgents(string A, string B);

/// <summary>A page of <c>GET /v1/compacts</c>; <paramref name="Next"/> is the <c>after</c> of the next page, null at the end.</summary>
public sealed record CompactPage(IReadOnlyList<CompactSummary> Compacts, string? Next);

/// <summary>
/// The signed compact record of §4.3, identical in both parties' copies: what <c>proposal.sign</c> answers and
/// <c>GET /v1/compacts/{id}/versions/{n}</c> serves. Its members are in the canonical (JCS) order in which the
/// daemon stores it; <see cref="Pact.Core.Compacts.SignedCompactRecord.FromJson"/> reads it back for verification.
/// </summary>
/// <param name="CompactHash">The hash over every other member.</param>
/// <param name="InForceAt">When the daemon put it in force (its attestation covers this instant).</param>
/// <param name="Terms">The terms, as they were signed.</param>
public sealed record CompactRecordInfo(
    string CompactHash,
    string DaemonId,
    string DaemonSig,
    DateTimeOffset InForceAt,
    IReadOnlyList<CompactSignatureInfo> Signatures,
    JsonObject Terms,
    string TermsHash)
{
    /// <summary>The record as JSON, to hash (JCS) or to read back for verification with <see cref="Pact.Core.Compacts.SignedCompactRecord.FromJson"/>.</summary>
    public JsonObject ToJson() => JsonSerializer.SerializeToNode(this, PactJson.Options)!.AsObject();
}

/// <summary>200 of <c>POST /v1/compacts/draft</c>: complete, explicit, unsigned terms that pass validation as they are.</summary>
public sealed record CompactDraft(JsonObject Terms);

/// <summary><c>GET /v1/stdlib</c> (§4.4): the entries of every standard library served.</summary>
public sealed record StdlibEntries(IReadOnlyList<StdlibEntry> Entries);

/// <summary>One entry of a standard library; members that do not apply to its kind are left out.</summary>
/// <param name="Kind">category, operation, recipient or tier.</param>
/// <param name="Version">The library version.</param>
/// <param name="OperatesOn">For operations: the categories they read.</param>
/// <param name="TypicalParty">For operations: which party typically performs them.</param>
/// <param name="Defaults">For tiers: their defaults, as terms members.</param>
public sealed record StdlibEntry(
    string Id,
    string Kind,
    string Domain,
    string Version,
    string Definition,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? OperatesOn = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TypicalParty = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonObject? Defaults = null);

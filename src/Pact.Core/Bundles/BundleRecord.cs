using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Negotiation;
using Pact.Core.Terms;

namespace Pact.Core.Bundles;

/// <summary>A bundle's status (§15).</summary>
public enum BundleStatus
{
    Open,
    Committed,
    Aborted,
}

/// <summary>
/// One member as its bundle.created recorded it: the proposal id the daemon gave it, the member's <c>{ terms, signature }</c>
/// from the signed payload, and the counterparty (the party of the terms that is not the coordinator's role).
/// </summary>
public sealed record BundleMember(string ProposalId, JsonObject Payload, PartyRole CoordinatorRole, string Counterparty)
{
    public JsonObject Terms => Payload["terms"]!.AsObject();

    public string CompactId => Terms["compactId"]!.GetValue<string>();

    public long Version => JsonRead.Integer(Terms["version"]);
}

/// <summary>
/// A bundle as negotiation sees it (§15). <see cref="IssuedAt"/> is the bundle.create envelope's: the members' first
/// signatures' signedAt. <see cref="Prepared"/> keeps each prepared member's countersignature (from its
/// proposal.signed envelope), so the commit can seal every member's record with one inForceAt.
/// </summary>
public sealed record BundleRecord(
    string BundleId,
    string SessionId,
    string Coordinator,
    JsonObject SelectJson,
    BundleSelect Select,
    DateTimeOffset CreatedAt,
    DateTimeOffset IssuedAt,
    DateTimeOffset ClosesAt,
    ImmutableArray<BundleMember> Members,
    BundleStatus Status)
{
    /// <summary>The countersignature of each prepared member, by proposal id.</summary>
    public ImmutableDictionary<string, SignatureEntry> Prepared { get; init; } = ImmutableDictionary<string, SignatureEntry>.Empty;

    /// <summary>bundle.committed's <c>selected</c> (rank order), once committed.</summary>
    public ImmutableArray<string>? Selected { get; init; }

    /// <summary>bundle.committed's <c>ranking</c> (null for mode all, and before the commit).</summary>
    public JsonArray? Ranking { get; init; }

    /// <summary>bundle.aborted's <c>cause</c>, once aborted.</summary>
    public JsonObject? Cause { get; init; }

    /// <summary>The close (deadline kind 1b) while the bundle is open.</summary>
    public Deadline? PendingDeadline => Status == BundleStatus.Open ? new Deadline(ClosesAt, DeadlineKind.BundleClose, BundleId) : null;

    public BundleMember? Member(string proposalId) => Members.FirstOrDefault(m => m.ProposalId == proposalId);

    public static string ToWire(BundleStatus status) => status switch
    {
        BundleStatus.Open => "open",
        BundleStatus.Committed => "committed",
        BundleStatus.Aborted => "aborted",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };
}

using System.Text.Json.Nodes;

namespace Pact.Core.Contracts.Responses;

/// <summary>One member of a bundle as its resource lists it (§15), in member order.</summary>
/// <param name="Status">The member proposal's status: open, prepared, signed, declined or retired.</param>
public sealed record BundleMemberInfo(string ProposalId, string CompactId, string Counterparty, string Status);

/// <summary>
/// A bundle (§15): <c>select</c> as created; <c>selected</c> (rank order) and <c>ranking</c> once committed (ranking null for
/// mode all); <c>cause</c> { kind, proposalId, agent } once aborted.
/// </summary>
/// <param name="Status">open, committed or aborted.</param>
public sealed record BundleView(
    string BundleId,
    string SessionId,
    string Coordinator,
    string Status,
    JsonObject Select,
    DateTimeOffset ClosesAt,
    IReadOnlyList<BundleMemberInfo> Members,
    IReadOnlyList<string>? Selected,
    JsonArray? Ranking,
    JsonObject? Cause);

namespace Pact.Core.Contracts.Responses;

/// <summary>
/// <c>GET /v1/log/checkpoint</c> with <c>Accept: application/json</c> (§9): the latest signed checkpoint of the log.
/// Check <paramref name="Note"/> with the daemon's key and take the size and root from the note itself.
/// </summary>
/// <param name="TreeSize">The number of events it covers.</param>
/// <param name="RootHash">The Merkle root, hex.</param>
/// <param name="Note">The C2SP signed note.</param>
public sealed record LogCheckpointInfo(string Origin, long TreeSize, string RootHash, string Note);

/// <summary>An inclusion proof of the log (§9, RFC 9162 §2.1.3).</summary>
/// <param name="LeafIndex">The leaf: the event's seq − 1.</param>
/// <param name="TreeSize">The tree the proof is for (a checkpointed size).</param>
/// <param name="Hashes">The audit path, hex, the sibling nearest the leaf first.</param>
public sealed record InclusionProof(long LeafIndex, long TreeSize, IReadOnlyList<string> Hashes);

/// <summary>A consistency proof of the log (§9, RFC 9162 §2.1.4) between two checkpointed sizes.</summary>
/// <param name="From">The older tree size.</param>
/// <param name="To">The newer tree size.</param>
/// <param name="Hashes">The proof, hex; empty when the sizes are equal.</param>
public sealed record ConsistencyProof(long From, long To, IReadOnlyList<string> Hashes);

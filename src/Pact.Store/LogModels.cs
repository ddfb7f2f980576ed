namespace Pact.Store;

/// <summary>
/// A signed checkpoint of the log as the store keeps it: the tree size, its root, the C2SP note that signs
/// both, and when the daemon signed it. Trust the note, not the other columns: a verifier re-opens it.
/// </summary>
public sealed record SignedLogCheckpoint(long TreeSize, byte[] RootHash, string Note, string SignedAt);

/// <summary>
/// One row of the events table exactly as stored, nothing parsed or checked: what a verifier reads so it
/// can report a damaged row instead of failing on it.
/// </summary>
public sealed record StoredEventRow(long Seq, string Stream, long StreamSeq, string Type, string Time, string Actor, string Data, string PrevHash, string Hash);

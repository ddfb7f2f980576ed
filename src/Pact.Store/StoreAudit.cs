namespace Pact.Store;

/// <summary>
/// What a full check of the store found (<see cref="IPactStore.AuditAsync"/>): the database file's own structure,
/// and every read model, the Merkle tree and the log checkpoints' roots compared with a fresh fold of the events.
/// </summary>
/// <param name="ThroughSeq">The head the audit read (one snapshot: everything checked is as of this seq).</param>
/// <param name="FileDamage">What SQLite's <c>integrity_check</c> reported (damaged pages, an index that no longer matches its table); empty when sound.</param>
/// <param name="Sessions">Each session whose read-model rows differ from the fold of its events, with the tables that differ.</param>
/// <param name="Global">Each difference that belongs to no one session (passports, the log clock, the Merkle tree, a checkpoint's root), one sentence each.</param>
public sealed record StoreAudit(
    long ThroughSeq,
    IReadOnlyList<string> FileDamage,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Sessions,
    IReadOnlyList<string> Global)
{
    public bool IsClean => FileDamage.Count == 0 && Sessions.Count == 0 && Global.Count == 0;
}

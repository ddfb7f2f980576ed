namespace Pact.Store.Sqlite;

/// <summary>The writer connection's settings as read back from SQLite.</summary>
/// <param name="TempStore">2 (MEMORY): savepoint journals stay off the disk.</param>
/// <param name="WalAutocheckpointPages">The WAL size, in pages, at which a commit checkpoints.</param>
/// <param name="WalSizeLimitBytes">The size the WAL file is cut back to after a checkpoint.</param>
internal sealed record SqlitePragmas(string JournalMode, long Synchronous, bool ForeignKeys, long BusyTimeoutMs, long UserVersion, long TempStore,
    long WalAutocheckpointPages, long WalSizeLimitBytes);

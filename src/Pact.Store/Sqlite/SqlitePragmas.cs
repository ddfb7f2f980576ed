namespace Pact.Store.Sqlite;

/// <summary>The writer connection's settings as read back from SQLite.</summary>
/// <param name="TempStore">2 (MEMORY): savepoint journals stay off the disk.</param>
internal sealed record SqlitePragmas(string JournalMode, long Synchronous, bool ForeignKeys, long BusyTimeoutMs, long UserVersion, long TempStore);

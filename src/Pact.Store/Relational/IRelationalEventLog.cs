namespace Pact.Store.Relational;

/// <summary>
/// An event log on a relational database (SQLite, PostgreSQL): the log and its Merkle tree, the engine the read models
/// run on, and an append whose request's own work runs after its events inside the same commit.
/// <see cref="RelationalPactStore"/> is written once over it.
/// </summary>
internal interface IRelationalEventLog : IEventLog, IMerkleLog, IRelationalEngine, IAsyncDisposable
{
    /// <summary>The key the store seals the rows no event gives with.</summary>
    byte[] SealKey { get; }

    /// <summary>Appends <paramref name="request"/>'s events, then runs <paramref name="apply"/> in the same commit; its value is the result's.</summary>
    Task<AppendResult> AppendAsync(AppendRequest request, Func<IWriteContext, object?> apply, CancellationToken ct = default);
}

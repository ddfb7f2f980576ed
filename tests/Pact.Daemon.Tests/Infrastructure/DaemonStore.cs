using Pact.Tests.Shared;

namespace Pact.Daemon.Tests.Infrastructure;

/// <summary>
/// The store a test daemon runs on. Most tests say nothing (<see cref="Default"/>); the groups that exercise the store
/// run again on PostgreSQL as a subclass overriding their <c>Store</c> (Postgres/OnPostgres.cs); tests that read or
/// alter <c>pact.db</c> themselves (tampering, file copies, kill -9 of a SQLite process) say <see cref="Sqlite"/>.
/// </summary>
public enum DaemonStore
{
    /// <summary>SQLite, or PostgreSQL when the environment variable PACT_TEST_STORE is <c>postgres</c> (the whole suite on it).</summary>
    Default,

    Sqlite,

    /// <summary>
    /// A database of its own in the test cluster. Where PostgreSQL is not installed and not required
    /// (PACT_REQUIRE_POSTGRES unset), SQLite instead, as <see cref="PostgresFactAttribute"/> skips there.
    /// </summary>
    Postgres,
}

public static class DaemonStores
{
    /// <summary>The engine <paramref name="store"/> stands for in this run: <see cref="DaemonStore.Sqlite"/> or <see cref="DaemonStore.Postgres"/>.</summary>
    public static DaemonStore Resolve(this DaemonStore store) => store switch
    {
        DaemonStore.Postgres when PostgresServer.Missing is null => DaemonStore.Postgres,
        DaemonStore.Default when Environment.GetEnvironmentVariable("PACT_TEST_STORE") == "postgres" => DaemonStore.Postgres,
        _ => DaemonStore.Sqlite,
    };
}

using System.Text.Json.Nodes;
using Pact.Core.Events;

namespace Pact.Store.Tests;

/// <summary>A temp directory holding real SQLite files, deleted afterwards, and helpers to build requests.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pact-transcript-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is not worth failing a test over.
        }
    }
}

internal static class Requests
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 21, 22, 33, 31, 123, TimeSpan.Zero);

    /// <summary>Read-model table used by the tests; its foreign key proves foreign_keys is on in the writer.</summary>
    public const string NotesMigration = """
        CREATE TABLE notes (
            id   INTEGER PRIMARY KEY,
            seq  INTEGER NOT NULL REFERENCES events (seq),
            body TEXT    NOT NULL
        ) STRICT;
        """;

    public static EventDraft Draft(string type, long n) =>
        new(type, TranscriptEvent.DaemonActor, new JsonObject
        {
            ["n"] = n,
            ["text"] = "caf\u00e9 \ud83d\ude00 \"quoted\"",
            ["ratio"] = 1.5,
            ["nested"] = new JsonObject { ["z"] = null, ["a"] = new JsonArray(1, "two", true) },
        });

    public static AppendRequest Append(string stream, int count, DateTimeOffset? time = null, Func<AppendContext, object?>? apply = null) =>
        new(time ?? T0, [new StreamAppend(stream, Enumerable.Range(1, count).Select(i => Draft("test.event", i)).ToList())]) { Apply = apply };

    public static PactStoreOptions Options(TempDirectory dir, params string[] migrations) =>
        new() { DatabasePath = dir.File("pact.db"), Migrations = migrations };

    /// <summary>
    /// Occupies the writer inside a transaction until the returned gate is released, so that everything
    /// queued meanwhile is taken as one batch afterwards — deterministic group commit for tests.
    /// </summary>
    public static async Task<(Task Blocker, SemaphoreSlim Gate)> HoldWriterAsync(SqliteEventLog store)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new SemaphoreSlim(0);
        var blocker = store.WriteAsync(_ =>
        {
            entered.SetResult();
            if (!gate.Wait(TimeSpan.FromSeconds(60))) throw new TimeoutException("The test never released the writer.");
            return 0;
        });
        await entered.Task;
        return (blocker, gate);
    }

    public static async Task<long> CountAsync(SqliteEventLog store, string sql) =>
        await store.ReadAsync(c =>
        {
            using var command = c.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        });
}

using Pact.Store;
using Pact.Store.Postgres;
using Pact.Store.Sqlite;

namespace Pact.Daemon.Hosting;

/// <summary>
/// <c>--copy-store-to &lt;connection string&gt;</c>: moves a stopped daemon's SQLite transcript into an empty PostgreSQL
/// database (<see cref="StoreCopy"/>: every event re-appended and checked, checkpoints, the rows no event gives, then
/// the copy verified and audited). The data directory stays as it is and keeps the daemon key and secrets, which the
/// daemon on PostgreSQL still reads from it.
/// </summary>
public static class StoreCopyCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, Func<string, string?> environment, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        var target = Value(args, "copy-store-to");
        var directory = Value(args, "data-dir") ?? environment("PACT_DATADIRECTORY") ?? "data";
        if (string.IsNullOrWhiteSpace(target))
        {
            await error.WriteLineAsync("error: --copy-store-to needs the PostgreSQL connection string, e.g. 'Host=db;Database=pact;Username=pact;Password=…'.");
            return DaemonCommandLine.UsageError;
        }
        var data = new DataDirectory(directory);
        if (!File.Exists(data.DatabasePath) || !File.Exists(data.TokenSecretPath))
        {
            await error.WriteLineAsync($"error: {Path.GetFullPath(directory)} holds no transcript to copy (pact.db and token.secret are needed).");
            return DaemonCommandLine.StartFailed;
        }
        var key = data.LoadOrCreateStoreSealKey();
        try
        {
            await using var source = await SqlitePactStore.OpenAsync(new PactStoreOptions { DatabasePath = data.DatabasePath, SealKey = key }, ct: ct);
            await using var copy = await PostgresPactStore.OpenAsync(new PostgresStoreOptions { ConnectionString = target, SealKey = key }, ct: ct);
            await output.WriteLineAsync($"Copying {source.HeadSeq} events from {data.DatabasePath} …");
            var report = await StoreCopy.CopyAsync(source, copy, new Progress<long>(n => output.WriteLine($"  {n} events")), ct);
            await output.WriteLineAsync($"Copied and verified: {report.Events} events, {report.LogCheckpoints} log checkpoints, " +
                string.Join(", ", report.Rows.Select(r => $"{r.Value} {r.Key}")) + ". The audit of the copy is clean.");
            await output.WriteLineAsync("Start the daemon with --Pact:Store:Provider=postgres --Pact:Store:ConnectionString=… and this data directory.");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or TranscriptIntegrityException or Npgsql.NpgsqlException)
        {
            await error.WriteLineAsync($"error: the copy stopped: {e.Message}");
            return DaemonCommandLine.StartFailed;
        }
    }

    /// <summary>The value of <c>--name value</c> or <c>--name=value</c>, or null.</summary>
    private static string? Value(IReadOnlyList<string> args, string name)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].Equals("--" + name, StringComparison.OrdinalIgnoreCase)) return i + 1 < args.Count ? args[i + 1] : null;
            if (args[i].StartsWith("--" + name + "=", StringComparison.OrdinalIgnoreCase)) return args[i][(name.Length + 3)..];
        }
        return null;
    }
}

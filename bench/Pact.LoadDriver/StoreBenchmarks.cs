using Npgsql;
using Pact.Store;

namespace Pact.LoadDriver;

/// <summary>One configuration of the store comparison: its append and SSE phases.</summary>
internal sealed record StoreRun(string Name, AppendResult Append, SseResult Sse);

/// <summary>
/// The same append and SSE phases on SQLite (one instance), on PostgreSQL (one instance), and on PostgreSQL with two
/// instances of one daemon in this process (ADR 0013: a writer and a standby that forwards its writes to it; append
/// clients and SSE subscribers split over both). Each PostgreSQL configuration runs on a database of its own, created
/// on the server <c>--postgres</c> names and dropped after.
/// </summary>
internal static class StoreBenchmarks
{
    public static async Task<IReadOnlyList<StoreRun>> RunAsync(
        string postgres, int appendClients, TimeSpan warmup, TimeSpan duration, int subscribers, int sseEvents, int sseRate)
    {
        var runs = new List<StoreRun>();
        foreach (var (name, instances, onPostgres) in new[] { ("SQLite, 1 instance", 1, false), ("PostgreSQL, 1 instance", 1, true), ("PostgreSQL, 2 instances", 2, true) })
        {
            var database = onPostgres ? await CreateDatabaseAsync(postgres) : null;
            try
            {
                var daemons = await StartAsync(database, instances);
                try
                {
                    Console.WriteLine($"[{name}] appends: {appendClients} clients for {duration.TotalSeconds} s after {warmup.TotalSeconds} s warm-up …");
                    var append = await DaemonBenchmarks.AppendsAsync(daemons, appendClients, warmup, duration);
                    Console.WriteLine($"      {append.AppendsPerSecond:F0} appends/s, {append.CpuMsPerAppend:F2} ms CPU per append, {append.EventsPerCommit:F1} events per commit, {append.Errors} errors");
                    Console.WriteLine($"[{name}] SSE: {subscribers} subscribers over {instances} instance(s), {sseEvents} events at {sseRate}/s …");
                    var sse = await DaemonBenchmarks.SseAsync(daemons, subscribers, sseEvents, sseRate);
                    Console.WriteLine($"      {sse.Delivered}/{sse.Expected} delivered, p99 after ack {sse.AfterAck.Percentile(99):F1} ms");
                    runs.Add(new StoreRun(name, append, sse));
                }
                finally
                {
                    // The standby first: the writer's data directory is the one deleted.
                    for (var i = daemons.Count - 1; i >= 0; i--) await daemons[i].DisposeAsync();
                }
            }
            finally
            {
                if (database is not null) await DropDatabaseAsync(postgres, database);
            }
        }
        return runs;
    }

    /// <summary>The first instance, then (on PostgreSQL) standbys on its data directory once it advertised its URL.</summary>
    private static async Task<List<InProcessDaemon>> StartAsync(string? database, int instances)
    {
        var daemons = new List<InProcessDaemon> { await InProcessDaemon.StartAsync(postgres: database) };
        for (var i = 1; i < instances; i++)
        {
            var standby = await InProcessDaemon.StartAsync(keepDirectory: daemons[0].DataDirectory, postgres: database);
            daemons.Add(standby);
            var shared = (ISharedStore)standby.Store;
            if (shared.IsWriter) throw new InvalidOperationException("The second instance took the writer role; the first should hold it.");
            for (var tries = 0; await shared.WriterUrlAsync() is null; tries++)
            {
                if (tries > 100) throw new InvalidOperationException("The writer did not advertise its URL.");
                await Task.Delay(100);
            }
        }
        return daemons;
    }

    private static async Task<string> CreateDatabaseAsync(string server)
    {
        var name = "pact_load_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = new NpgsqlConnection(server))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    private static async Task DropDatabaseAsync(string server, string database)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(database).Database} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>The comparison table, each configuration against SQLite's run.</summary>
    public static string Report(IReadOnlyList<StoreRun> runs)
    {
        var sqlite = runs[0];
        var report = new System.Text.StringBuilder();
        report.AppendLine();
        report.AppendLine("| store | appends/s | ÷ SQLite | ms CPU per append | ÷ SQLite | events/commit | SSE p99 after ack | SSE delivered | errors |");
        report.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var run in runs)
        {
            report.AppendLine($"| {run.Name} | **{run.Append.AppendsPerSecond:F0}** | {run.Append.AppendsPerSecond / sqlite.Append.AppendsPerSecond:F2} | " +
                $"**{run.Append.CpuMsPerAppend:F2}** | {run.Append.CpuMsPerAppend / sqlite.Append.CpuMsPerAppend:F2} | {run.Append.EventsPerCommit:F1} | " +
                $"**{run.Sse.AfterAck.Percentile(99):F1} ms** | {run.Sse.Delivered}/{run.Sse.Expected} | {run.Append.Errors} |");
        }
        return report.ToString();
    }
}

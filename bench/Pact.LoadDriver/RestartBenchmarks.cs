using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Pact.Core.Events;
using Pact.Core.Ids;
using Pact.Core.Json;
using Pact.Daemon.Application;
using Pact.Daemon.Hosting;
using Pact.Store;
using Pact.Store.Sqlite;

namespace Pact.LoadDriver;

/// <summary>Time to ready of one log size: from a state snapshot (the normal restart) and from the whole log (no snapshot).</summary>
/// <param name="FromSnapshot">Time to ready of the daemon process (spawn to /readyz 200), from the snapshot.</param>
/// <param name="InProcess">The same in this process, warm (no process start, no JIT): the daemon's own start-up work.</param>
/// <param name="WholeLog">Time to ready of the daemon process with the snapshot removed: the whole log folded, as before snapshots.</param>
internal sealed record RestartResult(long Events, int Sessions, Samples FromSnapshot, Samples InProcess, TimeSpan WholeLog, long SnapshotBytes, TimeSpan Read, TimeSpan Decode, TimeSpan Build);

/// <summary>
/// Restart time against log size (docs/performance.md, "Restart time"). A store of <c>n</c> events is built once per size
/// and kept under the temp directory (<c>pact-bench-cache/restart-{n}-v1</c>): a real daemon negotiates two template
/// sessions over HTTP (one left with an open proposal, one with a compact signed, each padded to ten events by suspending
/// and resuming the session), then their events are copied through the store API, ids renewed, into as many sessions as the size needs —
/// one in five with a compact in force — so the state grows with the log as it does in use. (The copies' envelope
/// signatures no longer match their renewed ids: nothing at start checks signatures, so restart time is unaffected.)
/// Each size is then restarted repeatedly as a process (spawn to /readyz 200, as an operator sees it) and in this
/// process (building the host to its start returning: the daemon's own work without process start and JIT), from the
/// stored snapshot; and once as a process with the snapshot removed (the whole log folded, as before snapshots, which is
/// also about how long the background check of a snapshot takes).
/// </summary>
internal static class RestartBenchmarks
{
    private const string CacheVersion = "v1";
    private const int EventsPerSession = 10;
    private const int InFlight = 32;

    /// <summary>
    /// Both sizes measured in interleaved rounds (each round starts each size once in process and once as a process),
    /// so that both see the same machine load; then the whole log folded once per size.
    /// </summary>
    public static async Task<IReadOnlyList<RestartResult>> RunAsync(IReadOnlyList<long> sizes, int rounds, Action<string> log)
    {
        var prepared = new List<(long Events, string Directory, int Sessions, TimeSpan Build, long Bytes, TimeSpan Read, TimeSpan Decode)>();
        foreach (var events in sizes)
        {
            var (directory, sessions, build) = await BuildOnceAsync(events, log);
            // The first start folds whatever the snapshot does not cover and leaves the snapshot the measured restarts start from.
            await StartAsync(directory, waitFor: WaitFor.SnapshotWritten);
            var (bytes, read, decode) = await DecodeSnapshotAsync(directory);
            prepared.Add((events, directory, sessions, build, bytes, read, decode));
            log($"{events:N0} events: snapshot of {bytes / 1048576.0:F1} MiB, read {read.TotalMilliseconds:F0} ms, decoded {decode.TotalMilliseconds:F0} ms");
        }
        var inProcess = prepared.Select(_ => new Samples()).ToList();
        var process = prepared.Select(_ => new Samples()).ToList();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < prepared.Count; i++)
            {
                inProcess[i].AddMs((await StartAsync(prepared[i].Directory, WaitFor.Ready)).TotalMilliseconds);
                process[i].AddMs((await ProcessReadyAsync(prepared[i].Directory)).TotalMilliseconds);
            }
            log($"round {round + 1}/{rounds} done");
        }
        var results = new List<RestartResult>();
        for (var i = 0; i < prepared.Count; i++)
        {
            // The whole log folded at start, as without snapshots (one round: at a million events it takes minutes here, and
            // it is also about how long the background check of a snapshot takes); the snapshot is put back afterwards.
            var p = prepared[i];
            var kept = await SetSnapshotAsync(p.Directory, null);
            var wholeLog = await ProcessReadyAsync(p.Directory);
            await SetSnapshotAsync(p.Directory, kept);
            results.Add(new RestartResult(p.Events, p.Sessions, process[i], inProcess[i], wholeLog, p.Bytes, p.Read, p.Decode, p.Build));
        }
        return results;
    }

    /// <summary>
    /// Time to ready of the daemon as a process, as an operator restarts it: from spawning <c>dotnet Pact.Daemon.dll</c>
    /// to <c>GET /readyz</c> answering 200 (polled every 10 ms); then the process is killed (SIGKILL), which changes nothing
    /// the next start reads.
    /// </summary>
    private static async Task<TimeSpan> ProcessReadyAsync(string directory)
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "Pact.Daemon.dll"), "--urls", $"http://127.0.0.1:{port}", "--data-dir", directory,
                     "--admin-token", InProcessDaemon.AdminToken, "--Serilog:MinimumLevel:Default=Warning" })
            start.ArgumentList.Add(arg);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        using var daemon = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        daemon.OutputDataReceived += (_, _) => { };
        daemon.ErrorDataReceived += (_, _) => { };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();
        try
        {
            while (true)
            {
                if (daemon.HasExited) throw new InvalidOperationException($"The daemon exited with {daemon.ExitCode} before it was ready.");
                try
                {
                    using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                    if (response.IsSuccessStatusCode) return clock.Elapsed;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }
                await Task.Delay(10);
            }
        }
        finally
        {
            daemon.Kill(entireProcessTree: true);
            await daemon.WaitForExitAsync();
        }
    }

    private enum WaitFor { Ready, SnapshotWritten }

    /// <summary>
    /// Starts the daemon on <paramref name="directory"/> and stops it once <paramref name="waitFor"/> happened; returns the
    /// time to ready. Stopping cancels the background check and the audit.
    /// </summary>
    private static async Task<TimeSpan> StartAsync(string directory, WaitFor waitFor)
    {
        var clock = Stopwatch.StartNew();
        var app = PactApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--data-dir", directory,
            "--admin-token", InProcessDaemon.AdminToken,
            "--Serilog:MinimumLevel:Default=Warning",
            "--Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime=Warning",
        ]);
        await app.StartAsync();
        var ready = clock.Elapsed;
        var snapshots = app.Services.GetRequiredService<StateSnapshots>();
        while (waitFor == WaitFor.SnapshotWritten && !snapshots.IsStoredCurrent) await Task.Delay(100);
        await app.StopAsync();
        await app.DisposeAsync();
        return ready;
    }

    /// <summary>The stored snapshot's size, and the best of three times to read and check it (seal, hash) and to decode it.</summary>
    private static async Task<(long Bytes, TimeSpan Read, TimeSpan Decode)> DecodeSnapshotAsync(string directory)
    {
        await using var store = await OpenStoreAsync(directory);
        var (read, decode) = (TimeSpan.MaxValue, TimeSpan.MaxValue);
        long bytes = 0;
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            var stored = await store.StateSnapshots.LatestAsync(default) ?? throw new InvalidOperationException("No snapshot was written.");
            read = clock.Elapsed < read ? clock.Elapsed : read;
            clock.Restart();
            if (!Pact.Core.Negotiation.StateSnapshot.TryDecode(stored.Body, out _, out var why)) throw new InvalidOperationException(why);
            decode = clock.Elapsed < decode ? clock.Elapsed : decode;
            bytes = stored.Body.Length;
        }
        return (bytes, read, decode);
    }

    /// <summary>Replaces the stored snapshot with <paramref name="snapshot"/> (none when null); returns the one it replaced.</summary>
    private static async Task<StoredStateSnapshot?> SetSnapshotAsync(string directory, StoredStateSnapshot? snapshot)
    {
        await using var store = await OpenStoreAsync(directory);
        var before = await store.StateSnapshots.LatestAsync(default);
        if (snapshot is null) await store.StateSnapshots.DeleteAllAsync(default);
        else await store.StateSnapshots.SaveAsync(snapshot, default);
        return before;
    }

    private static Task<SqlitePactStore> OpenStoreAsync(string directory, string synchronous = "FULL") =>
        SqlitePactStore.OpenAsync(new PactStoreOptions
        {
            DatabasePath = new DataDirectory(directory).DatabasePath,
            SealKey = new DataDirectory(directory).LoadOrCreateStoreSealKey(),
            Synchronous = synchronous,
        });

    /// <summary>The cached store of <paramref name="events"/> events, built now if missing (a half-built one has no <c>complete</c> marker and is rebuilt).</summary>
    private static async Task<(string Directory, int Sessions, TimeSpan Build)> BuildOnceAsync(long events, Action<string> log)
    {
        var directory = Path.Combine(Path.GetTempPath(), "pact-bench-cache", $"restart-{events}-{CacheVersion}");
        var marker = Path.Combine(directory, "complete");
        if (File.Exists(marker))
        {
            log($"reusing the store of {events} events in {directory}");
            return (directory, int.Parse(await File.ReadAllTextAsync(marker), System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero);
        }
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        var clock = Stopwatch.StartNew();
        var templates = await NegotiateTemplatesAsync(directory);
        var sessions = (int)(events / EventsPerSession);
        await using (var store = await OpenStoreAsync(directory, synchronous: "NORMAL"))
        {
            var copied = 0;
            var time = DateTimeOffset.UtcNow;
            var pending = new List<Task>();
            for (var i = 2; i < sessions; i++)
            {
                // One session in five signs a compact; the others keep a proposal open.
                pending.Add(store.AppendAsync(Copy(templates[i % 5 == 0 ? 1 : 0], time), default));
                if (pending.Count < InFlight) continue;
                await Task.WhenAll(pending);
                pending.Clear();
                if ((copied += InFlight) % 20_000 < InFlight) log($"  {copied * (long)EventsPerSession:N0} events …");
            }
            await Task.WhenAll(pending);
            log($"  built {store.HeadSeq:N0} events in {sessions:N0} sessions in {clock.Elapsed.TotalSeconds:F0} s");
        }
        await File.WriteAllTextAsync(marker, sessions.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return (directory, sessions, clock.Elapsed);
    }

    /// <summary>Two sessions negotiated over HTTP by a real daemon on <paramref name="directory"/>: one left open, one signed, both padded to ten events.</summary>
    private static async Task<IReadOnlyList<IReadOnlyList<TranscriptEvent>>> NegotiateTemplatesAsync(string directory)
    {
        await using var daemon = await InProcessDaemon.StartAsync(directory);
        using var http = daemon.CreateHttpClient();
        var result = new List<IReadOnlyList<TranscriptEvent>>();
        foreach (var sign in new[] { false, true })
        {
            var pair = await Pair.CreateAsync(http, sign ? "signed" : "open", draft: true);
            var proposal = await pair.A.Client.ProposeAsync(pair.SessionId, pair.Terms, pair.A.Authority);
            if (sign) await pair.B.Client.SignProposalAsync(proposal.ProposalId, pair.B.Authority);
            var stream = await daemon.Store.ReadStreamAsync(pair.SessionId, 0, 100);
            for (var i = stream.Count; i < EventsPerSession; i += 2)
            {
                await pair.A.Client.SuspendSessionAsync(pair.SessionId);
                await pair.A.Client.ResumeSessionAsync(pair.SessionId);
            }
            result.Add(await daemon.Store.ReadStreamAsync(pair.SessionId, 0, 100));
        }
        return result;
    }

    /// <summary>A template session's events with every id it names (session, proposal, compact) renewed.</summary>
    private static AppendRequest Copy(IReadOnlyList<TranscriptEvent> template, DateTimeOffset time)
    {
        var texts = template.Select(e => Jcs.CanonicalString(e.Data)).ToList();
        var renewed = new Dictionary<string, string>(StringComparer.Ordinal);
        string Renew(Match m) => renewed.TryGetValue(m.Value, out var id) ? id : renewed[m.Value] = PactIds.New(m.Groups[1].Value, time);
        var stream = Ids().Replace(template[0].Stream, Renew);
        var drafts = template.Select((e, i) => new EventDraft(e.Type, e.Actor, (JsonObject)StrictJson.Parse(Ids().Replace(texts[i], Renew))!)).ToList();
        return new AppendRequest(time, [new StreamAppend(stream, drafts)]);
    }

    private static Regex Ids() => IdPattern;

    private static readonly Regex IdPattern = new("(ses_|prp_|cmp_)[0-9A-HJKMNP-TV-Z]{26}", RegexOptions.Compiled | RegexOptions.CultureInvariant);
}

/// <summary>The restart run: both sizes in one process, then the table docs/performance.md quotes.</summary>
internal static class RestartReport
{
    public static async Task<int> RunAsync(long small, long large, int rounds)
    {
        var total = Stopwatch.StartNew();
        var loadBefore = Machine.LoadAverage();
        Console.WriteLine($"Pact restart benchmark — {Environment.ProcessorCount} cores, {Machine.CpuModel()}, {Machine.Memory()}, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        Console.WriteLine($"load average before: {loadBefore}");
        Console.WriteLine($"{small:N0} and {large:N0} events: {rounds} interleaved rounds of a start in process and one as a process, from the snapshot; then the whole log folded once each …");
        var results = await RestartBenchmarks.RunAsync([small, large], rounds, line => Console.WriteLine("      " + line));
        var (s, l) = (results[0], results[1]);
        Console.WriteLine();
        Console.WriteLine("| log | sessions | snapshot | read (seal, hash) + decode | time to ready from the snapshot, process (p50 / max) | same, in process (p50 / max) | time to ready, whole log folded (process) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine($"| {r.Events:N0} events | {r.Sessions:N0} | {r.SnapshotBytes / 1048576.0:F1} MiB | {r.Read.TotalMilliseconds:F0} + {r.Decode.TotalMilliseconds:F0} ms | **{r.FromSnapshot.Percentile(50):F0} ms** / {r.FromSnapshot.Max:F0} ms | " +
                $"{r.InProcess.Percentile(50):F0} / {r.InProcess.Max:F0} ms | {r.WholeLog.TotalSeconds:F1} s |");
        }
        var ratio = l.FromSnapshot.Percentile(50) / s.FromSnapshot.Percentile(50);
        Console.WriteLine($"| ratio {l.Events:N0} ÷ {s.Events:N0} | | | | **{ratio:F2}** (target ≤ 1.5: {(ratio <= 1.5 ? "met" : "NOT met")}) | {l.InProcess.Percentile(50) / s.InProcess.Percentile(50):F2} | {l.WholeLog / s.WholeLog:F1} |");
        Console.WriteLine();
        Console.WriteLine($"load average before {loadBefore}, after {Machine.LoadAverage()}; {rounds} restarts per case; run took {total.Elapsed.TotalSeconds:F0} s" +
            (results.Any(r => r.Build > TimeSpan.Zero) ? $" (building the stores {results.Sum(r => r.Build.TotalSeconds):F0} s of it)" : ""));
        return 0;
    }
}

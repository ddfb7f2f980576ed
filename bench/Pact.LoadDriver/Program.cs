using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Pact.LoadDriver;

// One bounded run on this machine: the daemon's acknowledged append rate, negotiation latency and SSE fan-out
// latency; the floor (the same clients against a bare endpoint doing only the protocol's unavoidable work); then the
// two ceilings the issue compares with (SQLite batched inserts, libsodium verifies on all cores).
// Loopback only; every phase has a fixed duration or count and the program stops by itself.
// The agents share this process with the daemon only so that the driver can read the store's counters; a real agent runs
// in a process of its own, whose HttpClient the daemon's OpenTelemetry tracing never sees. Without this switch that
// tracing would also cover every agent request (a client span, its tags, a traceparent header): work that is not the
// daemon's. The switch covers every HttpClient in this process, so the daemon's own outgoing calls (webhook deliveries,
// a standby's forwarding in --postgres runs) are not traced here either; HttpClient's metrics are still recorded.
AppContext.SetSwitch("System.Net.Http.EnableActivityPropagation", false);
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var quick = args.Contains("--quick");
// Only phase 1, for profiling the append path (e.g. under dotnet-trace); prints its line and stops.
var appendsOnly = args.Contains("--appends-only");
// Phase 1 and then the floor in the same process: the before/after comparison of the append path (docs/performance.md).
var appendsAndFloor = args.Contains("--appends-and-floor");
// Only the hosted-negotiation comparison (§14): propose → in force under a mandate against propose + countersign, interleaved.
var hostedOnly = args.Contains("--hosted");
// Tiered JIT keeps compiling optimized code for ~15–20 s of load on 2 cores (a daemon runs for days), so the append
// window opens after a longer warm-up than the other phases; --warmup <s> overrides it.
var warmupAt = Array.IndexOf(args, "--warmup");
double? appendWarmup = warmupAt >= 0 && warmupAt + 1 < args.Length && double.TryParse(args[warmupAt + 1], CultureInfo.InvariantCulture, out var w) ? w : null;
// Restart time against log size instead of the throughput phases: --restart [small,large] (events; default 10000,1000000).
var restartAt = Array.IndexOf(args, "--restart");
var restartSizes = restartAt >= 0 && restartAt + 1 < args.Length && !args[restartAt + 1].StartsWith("--", StringComparison.Ordinal)
    ? args[restartAt + 1].Split(',').Select(n => long.TryParse(n, CultureInfo.InvariantCulture, out var v) ? v : -1).ToArray()
    : [10_000L, 1_000_000L];
// The store comparison instead of the throughput phases: appends and SSE on SQLite, on PostgreSQL, and on two
// PostgreSQL instances (writer + standby), each configuration on a fresh database on this server.
var postgresAt = Array.IndexOf(args, "--postgres");
var postgres = postgresAt >= 0 && postgresAt + 1 < args.Length ? args[postgresAt + 1] : null;
var unknown = args.Where((a, i) => a is not ("--quick" or "--appends-only" or "--appends-and-floor" or "--hosted" or "--restart") && !(warmupAt >= 0 && (i == warmupAt || i == warmupAt + 1))
    && !(postgresAt >= 0 && (i == postgresAt || i == postgresAt + 1))
    && !(restartAt >= 0 && i == restartAt + 1 && !a.StartsWith("--", StringComparison.Ordinal))).ToList();
if (postgresAt >= 0 && postgres is null) unknown.Insert(0, "--postgres (no connection string)");
if (restartAt >= 0 && (restartSizes.Length != 2 || restartSizes.Any(n => n < 20)))
    unknown.Insert(0, "--restart " + string.Join(',', restartSizes) + " (two sizes of at least 20 events, e.g. 10000,1000000)");
if (warmupAt >= 0 && appendWarmup is not (>= 0 and <= 600))
    unknown.Insert(0, "--warmup " + (warmupAt + 1 < args.Length ? args[warmupAt + 1] : "(no value)") + " (seconds, 0–600)");
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"Unknown argument(s): {string.Join(' ', unknown)}\nUsage: dotnet run -c Release --project bench/Pact.LoadDriver [-- --quick] [--appends-only | --appends-and-floor | --hosted | --restart [small,large] | --postgres <connection string>] [--warmup <seconds>]");
    return 2;
}

if (restartAt >= 0) return await RestartReport.RunAsync(restartSizes[0], restartSizes[1], rounds: quick ? 3 : 7);

var s = quick
    ? new { Warmup = TimeSpan.FromSeconds(1), AppendWarmup = TimeSpan.FromSeconds(appendWarmup ?? 3), Append = TimeSpan.FromSeconds(4), FloorWarmup = TimeSpan.FromSeconds(2), Floor = TimeSpan.FromSeconds(3), Neg = TimeSpan.FromSeconds(4), LongSession = 300, Subscribers = 500, SseEvents = 40, SseRate = 20, HookEvents = 200, Sqlite = TimeSpan.FromSeconds(3), Verify = TimeSpan.FromSeconds(2) }
    : new { Warmup = TimeSpan.FromSeconds(3), AppendWarmup = TimeSpan.FromSeconds(appendWarmup ?? 20), Append = TimeSpan.FromSeconds(15), FloorWarmup = TimeSpan.FromSeconds(8), Floor = TimeSpan.FromSeconds(10), Neg = TimeSpan.FromSeconds(10), LongSession = 1500, Subscribers = 500, SseEvents = 200, SseRate = 20, HookEvents = 1000, Sqlite = TimeSpan.FromSeconds(8), Verify = TimeSpan.FromSeconds(5) };
const int AppendClients = 16;

if (postgres is not null)
{
    Console.WriteLine($"Pact load driver, store comparison ({(quick ? "quick" : "full")} run) — {Environment.ProcessorCount} cores, {Machine.CpuModel()}, {Machine.Memory()}, {RuntimeInformation.FrameworkDescription}");
    var loadAtStart = Machine.LoadAverage();
    var clock = Stopwatch.StartNew();
    var runs = await StoreBenchmarks.RunAsync(postgres, AppendClients, s.AppendWarmup, s.Append, s.Subscribers, s.SseEvents, s.SseRate);
    Console.Write(StoreBenchmarks.Report(runs));
    Console.WriteLine($"\nload average before {loadAtStart}, after {Machine.LoadAverage()}; run took {clock.Elapsed.TotalSeconds:F0} s");
    return 0;
}

var total = Stopwatch.StartNew();
var loadBefore = Machine.LoadAverage();
Console.WriteLine($"Pact load driver ({(quick ? "quick" : "full")} run) — {Environment.ProcessorCount} cores, {Machine.CpuModel()}, {Machine.Memory()}, {RuntimeInformation.FrameworkDescription}, server GC {System.Runtime.GCSettings.IsServerGC}");
Console.WriteLine($"load average before: {loadBefore}");

AppendResult append;
NegotiationResult one, sixteen;
LongSessionResult longSession;
SseResult sse;
WebhookResult hooks;
EventRow row;
await using (var daemon = await InProcessDaemon.StartAsync())
{
    Console.WriteLine($"daemon in process at {daemon.BaseAddress} (data {daemon.DataDirectory}, synchronous=FULL)");
    if (hostedOnly)
    {
        var (rounds, perRound) = quick ? (10, 10) : (30, 20);
        Console.WriteLine($"[hosted] {rounds} rounds of {perRound} negotiations per path, alternating, after {s.Warmup.TotalSeconds} s warm-up …");
        var hosted = await HostedBenchmarks.RunAsync(daemon, s.Warmup, rounds, perRound);
        Console.WriteLine();
        Console.WriteLine("| path, 1 client | p50 | p99 | n |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| hosted: propose → in force under a mandate (1 request) | **{hosted.Hosted.Percentile(50):F1} ms** | **{hosted.Hosted.Percentile(99):F1} ms** | {hosted.Hosted.Count} |");
        Console.WriteLine($"| two agents: propose + countersign (2 requests) | **{hosted.TwoAgent.Percentile(50):F1} ms** | **{hosted.TwoAgent.Percentile(99):F1} ms** | {hosted.TwoAgent.Count} |");
        Console.WriteLine($"| hosted ÷ two agents | {hosted.RatioAt(50):F2} | {hosted.RatioAt(99):F2} | {hosted.Errors} errors |");
        Console.WriteLine();
        Console.WriteLine($"load average before {loadBefore}, after {Machine.LoadAverage()}; run took {total.Elapsed.TotalSeconds:F0} s");
        return 0;
    }

    Console.WriteLine($"[1/8] appends: {AppendClients} clients suspend/resume their own sessions for {s.Append.TotalSeconds} s after {s.AppendWarmup.TotalSeconds} s warm-up …");
    append = await DaemonBenchmarks.AppendsAsync(daemon, AppendClients, s.AppendWarmup, s.Append);
    Console.WriteLine($"      {append.AppendsPerSecond:F0} acknowledged appends/s, {append.EventsPerCommit:F1} events per commit, {append.CpuMsPerAppend:F2} ms CPU and {append.KiBPerAppend:F1} KiB allocated per append (GC paused {append.GcPausedShare:P1}), p50 {append.Latency.Percentile(50):F1} ms, {append.Errors} errors");
    if (appendsOnly) return 0;
    if (appendsAndFloor)
    {
        await daemon.DisposeAsync();
        var bareFloor = await Floor.AppendsAsync(FloorWork.Append, AppendClients, s.FloorWarmup, s.Floor);
        Console.WriteLine($"      floor {bareFloor.AppendsPerSecond:F0} appends/s ({bareFloor.CpuMsPerAppend:F2} ms CPU, {bareFloor.KiBPerAppend:F1} KiB each, GC paused {bareFloor.GcPausedShare:P1}); daemon ÷ floor {append.AppendsPerSecond / bareFloor.AppendsPerSecond:P1}");
        var remembering = await Floor.AppendsAsync(FloorWork.AppendAndRemember, AppendClients, s.FloorWarmup, s.Floor);
        Console.WriteLine($"      floor with nonces and the session answer {remembering.AppendsPerSecond:F0} appends/s ({remembering.CpuMsPerAppend:F2} ms CPU, {remembering.KiBPerAppend:F1} KiB each, GC paused {remembering.GcPausedShare:P1}, {remembering.EventsPerCommit:F1} events/commit); ÷ floor {remembering.AppendsPerSecond / bareFloor.AppendsPerSecond:P1}; daemon ÷ this variant {append.AppendsPerSecond / remembering.AppendsPerSecond:P1}");
        return 0;
    }

    Console.WriteLine($"[2/8] negotiations (propose → countersign) at 1 client for {s.Neg.TotalSeconds} s …");
    one = await DaemonBenchmarks.NegotiationsAsync(daemon, 1, s.Warmup, s.Neg);
    Console.WriteLine($"      {one.Completed} done, p50 {one.Latency.Percentile(50):F1} ms, p99 {one.Latency.Percentile(99):F1} ms, {one.Errors} errors");
    Console.WriteLine($"[3/8] negotiations at 16 clients for {s.Neg.TotalSeconds} s …");
    sixteen = await DaemonBenchmarks.NegotiationsAsync(daemon, 16, s.Warmup, s.Neg);
    Console.WriteLine($"      {sixteen.Completed} done, p50 {sixteen.Latency.Percentile(50):F1} ms, p99 {sixteen.Latency.Percentile(99):F1} ms, {sixteen.Errors} errors");

    Console.WriteLine($"[4/8] a long session: {s.LongSession} negotiations one after another in one session …");
    longSession = await DaemonBenchmarks.LongSessionAsync(daemon, s.LongSession, 100);
    Console.WriteLine($"      p50 {longSession.First.Percentile(50):F1} ms over negotiations 51–150, {longSession.Last.Percentile(50):F1} ms over the last 100, {longSession.Errors} errors");

    Console.WriteLine($"[5/8] SSE: {s.Subscribers} subscribers on one session, {s.SseEvents} events at {s.SseRate}/s …");
    sse = await DaemonBenchmarks.SseAsync(daemon, s.Subscribers, s.SseEvents, s.SseRate);
    Console.WriteLine($"      {sse.Delivered}/{sse.Expected} delivered, p99 after ack {sse.AfterAck.Percentile(99):F1} ms");

    Console.WriteLine($"[6/8] webhooks: {s.HookEvents} events to one subscription on a local receiver, then a bare POST loop …");
    hooks = await WebhookBenchmarks.RunAsync(daemon, s.HookEvents, TimeSpan.FromSeconds(60));
    Console.WriteLine($"      {hooks.Delivered}/{hooks.Events} delivered, {hooks.DeliveriesPerSecond:F0}/s, p99 after ack {hooks.AfterAck.Percentile(99):F1} ms; bare POST loop {hooks.BaselinePostsPerSecond:F0}/s");

    row = await daemon.SampleRowAsync("session.suspended") ?? throw new InvalidOperationException("No session.suspended event was stored.");
}

Console.WriteLine($"[7/8] the floor: the same {AppendClients} signing clients against a bare endpoint, {s.Floor.TotalSeconds} s after {s.FloorWarmup.TotalSeconds} s warm-up, first round trips only, then verify + group commit, then that with nonces and the session answer …");
var roundTrip = await Floor.AppendsAsync(FloorWork.RoundTrip, AppendClients, s.FloorWarmup, s.Floor);
var floor = await Floor.AppendsAsync(FloorWork.Append, AppendClients, s.FloorWarmup, s.Floor);
var rememberingFloor = await Floor.AppendsAsync(FloorWork.AppendAndRemember, AppendClients, s.FloorWarmup, s.Floor);
Console.WriteLine($"      round trips {roundTrip.AppendsPerSecond:F0}/s ({roundTrip.CpuMsPerAppend:F2} ms CPU each); appends {floor.AppendsPerSecond:F0}/s ({floor.CpuMsPerAppend:F2} ms CPU each); with nonces and the session answer {rememberingFloor.AppendsPerSecond:F0}/s ({rememberingFloor.CpuMsPerAppend:F2} ms CPU each), {floor.Errors + roundTrip.Errors + rememberingFloor.Errors} errors");

var batch = Math.Max(1, (int)Math.Round(append.EventsPerCommit));
Console.WriteLine($"[8/8] baselines: SQLite batches of {batch} rows ({row.TextBytes} bytes of text each) for {s.Sqlite.TotalSeconds} s, then batches of 1; Ed25519 verifies on {Environment.ProcessorCount} threads for {s.Verify.TotalSeconds} s …");
var sqlite = Baselines.Sqlite(row, batch, TimeSpan.FromSeconds(1), s.Sqlite);
var sqliteSingle = Baselines.Sqlite(row, 1, TimeSpan.FromSeconds(0.5), s.Sqlite / 2);
var verify = Baselines.Verifies(s.Verify);
var clientEnvelope = Baselines.ClientEnvelopeCpuMicroseconds(quick ? 2000 : 10000);
var loadAfter = Machine.LoadAverage();

var smaller = Math.Min(sqlite.RowsPerSecond, verify.PerSecond);
var ratio = append.AppendsPerSecond / smaller;
var report = new StringBuilder();
report.AppendLine();
report.AppendLine("| measure | value | detail |");
report.AppendLine("|---|---:|---|");
report.AppendLine($"| acknowledged appends/s, {AppendClients} signing clients | **{append.AppendsPerSecond:F0}** | {append.Acknowledged} 2xx in {append.Seconds:F0} s; store committed {append.StoreEvents} events in {append.Commits} commits ({append.EventsPerCommit:F1} events/commit); request p50 {append.Latency.Percentile(50):F1} ms, p99 {append.Latency.Percentile(99):F1} ms; {append.CpuMsPerAppend:F2} ms of process CPU (daemon + clients) per append; {append.Errors} errors |");
report.AppendLine($"| negotiation latency, 1 client | p50 **{one.Latency.Percentile(50):F1} ms**, p99 **{one.Latency.Percentile(99):F1} ms** | {one.Completed} propose→countersign in {one.Seconds:F0} s ({one.PerSecond:F1}/s), max {one.Latency.Max:F1} ms; {one.Errors} errors |");
report.AppendLine($"| negotiation latency, 16 clients | p50 **{sixteen.Latency.Percentile(50):F1} ms**, p99 **{sixteen.Latency.Percentile(99):F1} ms** | {sixteen.Completed} in {sixteen.Seconds:F0} s ({sixteen.PerSecond:F1}/s), max {sixteen.Latency.Max:F1} ms; {sixteen.Errors} errors |");
report.AppendLine($"| negotiation latency in a long session | p50 **{longSession.First.Percentile(50):F1} ms** early, **{longSession.Last.Percentile(50):F1} ms** last 100 | {longSession.Negotiations} propose→countersign one after another in one session (early: 51st–150th); last ÷ first = {longSession.Growth:F2} (1.00: no cost grows with the session); p99 {longSession.First.Percentile(99):F1} / {longSession.Last.Percentile(99):F1} ms; {longSession.Errors} errors |");
report.AppendLine($"| SSE delivery, {sse.Subscribers} subscribers | p99 **{sse.AfterAck.Percentile(99):F1} ms** after ack | p50 {sse.AfterAck.Percentile(50):F1} ms, max {sse.AfterAck.Max:F1} ms after ack; after the event's time p50 {sse.AfterEventTime.Percentile(50):F1} ms, p99 {sse.AfterEventTime.Percentile(99):F1} ms; {sse.Delivered}/{sse.Expected} delivered; append p50 {sse.AppendLatency.Percentile(50):F1} ms |");
report.AppendLine($"| webhook deliveries/s to a local receiver | **{hooks.DeliveriesPerSecond:F0}** | {hooks.Delivered}/{hooks.Events} delivered in {hooks.Seconds:F1} s; append→webhook after ack p50 **{hooks.AfterAck.Percentile(50):F1} ms**, p99 **{hooks.AfterAck.Percentile(99):F1} ms** |");
report.AppendLine($"| baseline: bare sequential HTTP POST loop, same body and receiver | **{hooks.BaselinePostsPerSecond:F0}**/s | p50 {hooks.BaselineLatency.Percentile(50):F2} ms, p99 {hooks.BaselineLatency.Percentile(99):F2} ms; deliveries ÷ loop = {hooks.DeliveriesPerSecond / hooks.BaselinePostsPerSecond:P1} |");
report.AppendLine($"| baseline: SQLite rows/s, batch {sqlite.Batch} | **{sqlite.RowsPerSecond:F0}** | WAL, synchronous=FULL, {sqlite.RowTextBytes}-byte rows, {sqlite.CommitsPerSecond:F0} commits/s |");
report.AppendLine($"| (reference) SQLite rows/s, batch 1 | {sqliteSingle.RowsPerSecond:F0} | one fsync'd commit per row: the disk's commit ceiling |");
report.AppendLine($"| baseline: Ed25519 verifies/s, {verify.Threads} threads | **{verify.PerSecond:F0}** | libsodium, {verify.MessageBytes}-byte envelope signing input; {verify.CpuMicrosecondsPerVerify:F0} µs of CPU per verify |");
report.AppendLine($"| (reference) client envelope, sign + serialize | {clientEnvelope:F0} µs CPU | the SDK's own work per request before HTTP; the rest of the {append.CpuMsPerAppend:F2} ms is HTTP and the daemon |");
report.AppendLine($"| appends/s ÷ SQLite baseline | {append.AppendsPerSecond / sqlite.RowsPerSecond:P1} | |");
report.AppendLine($"| appends/s ÷ verify baseline | {append.AppendsPerSecond / verify.PerSecond:P1} | |");
report.AppendLine($"| CPU cost: one append ÷ one verify | {append.CpuMsPerAppend * 1000 / verify.CpuMicrosecondsPerVerify:F0} verifies' worth | how many signature checks the CPU of one acknowledged append would pay for |");
report.AppendLine($"| floor: bare endpoint that verifies and group-commits, same clients | **{floor.AppendsPerSecond:F0}**/s | parse, JCS, Ed25519 verify, chained hash, WAL + FULL commit ({floor.EventsPerCommit:F1} events/commit); no nonces, read models or state machine; {floor.CpuMsPerAppend:F2} ms CPU per append, p50 {floor.Latency.Percentile(50):F1} ms; {floor.Errors} errors |");
report.AppendLine($"| (reference) the floor with nonces and the session answer | {rememberingFloor.AppendsPerSecond:F0}/s | also what the contract makes every daemon keep (§2, §7), kept as the daemon keeps it: the (signer, nonce) row with the session as its answer, in the event's transaction, under a unique key (ADR 0018); a registered-signer and nonce check in memory ({rememberingFloor.EventsPerCommit:F1} events/commit); {rememberingFloor.CpuMsPerAppend:F2} ms CPU per append; ÷ floor {rememberingFloor.AppendsPerSecond / floor.AppendsPerSecond:P1}; {rememberingFloor.Errors} errors |");
report.AppendLine($"| (reference) bare endpoint, round trip only, same clients | {roundTrip.AppendsPerSecond:F0}/s | client signing + one loopback HTTP/1.1 exchange; {roundTrip.CpuMsPerAppend:F2} ms CPU per request |");
report.AppendLine($"| appends/s ÷ floor | {append.AppendsPerSecond / floor.AppendsPerSecond:P1} | what the daemon's work beyond the floor (nonces, state machine, read models, Merkle log, MVC) costs |");
report.AppendLine($"| floor ÷ smaller baseline | {floor.AppendsPerSecond / smaller:P1} | the ratio a daemon doing nothing but the unavoidable would reach here |");
report.AppendLine($"| target: ≥ 50% of the smaller baseline ({smaller:F0}/s) | {(ratio >= 0.5 ? "met" : "NOT met")} ({ratio:P1}) | |");
report.AppendLine();
report.AppendLine($"load average before {loadBefore}, after {loadAfter}; run took {total.Elapsed.TotalSeconds:F0} s");
Console.Write(report.ToString());
return 0;

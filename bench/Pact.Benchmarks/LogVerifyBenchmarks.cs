extern alias daemon;

using System.Security.Cryptography;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using Pact.Client.Verification;
using Pact.Core.Encoding;
using Pact.Core.Envelopes;
using Pact.Core.Events;
using Pact.Core.Identity;
using Pact.Core.Json;
using daemon::Pact.Daemon.TransparencyLog;

namespace Pact.Benchmarks;

/// <summary>
/// Verifying a session of N signed events three ways, each one full pass over all of them:
/// the daemon's GET …/verify (raw SQLite rows, hash chain, envelope signatures, head inclusion), the SDK's
/// offline ExportVerifier on the export bundle (from its text: parse, chain, N inclusion proofs, signatures,
/// state replay), and the floor — SHA-256 of each event's exact hash input plus libsodium's verify of each
/// envelope's exact signing input, on all cores. Events/s = N / Mean.
/// </summary>
/// <remarks>
/// The transcript of each size is built once and cached under the temp directory (see
/// <see cref="LogBenchData.OpenCachedAsync"/>). The offline verifier is not run above
/// <see cref="MaxOfflineEvents"/>: its input is one JSON text holding every event and every event's inclusion
/// proof (about 2 kB per event), and at a million events that text is past .NET's largest string.
/// </remarks>
[Config(typeof(Config))]
public class LogVerifyBenchmarks
{
    public const int MaxOfflineEvents = 100_000;

    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config()
        {
            // No warm-up: one pass takes seconds to minutes, so JIT is noise. A million events get two passes
            // (each takes minutes on this machine), the smaller sizes three.
            AddJob(LogJobs.Monitoring(iterations: 3, warmups: 0).WithId("3 passes"));
            AddJob(LogJobs.Monitoring(iterations: 2, warmups: 0).WithId("2 passes"));
            AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
            AddColumn(new EventsPerSecondColumn());
            AddFilter(new SimpleFilter(c =>
            {
                var events = (int)c.Parameters[nameof(Events)];
                return (c.Job.Id == "2 passes") == (events >= 1_000_000)
                    && (c.Descriptor.WorkloadMethod.Name != nameof(OfflineExportVerify) || events <= MaxOfflineEvents);
            }));
        }
    }

    private LogBenchData _data = null!;
    private SessionVerifier _verifier = null!;
    private string _bundleText = "";
    private byte[] _daemonKey = [];
    private JsonObject _bundle = null!;
    private RawEvent[] _raw = [];
    private bool _allAccepted = true;

    [Params(20_000, 100_000, 1_000_000)]
    public int Events { get; set; }

    [GlobalSetup(Target = nameof(DaemonVerify))]
    public void SetupDaemon() => Setup(() => true);

    [GlobalSetup(Target = nameof(OfflineExportVerify))]
    public void SetupOffline() => Setup(() =>
    {
        _bundleText = LogBenchData.Run(_data.BundleTextAsync);
        LogBenchData.Log($"bundle {_bundleText.Length / 1_000_000.0:N1} MB");
        return OfflineVerify(Parse());
    });

    [GlobalSetup(Target = nameof(RawHashAndVerify))]
    public void SetupRaw() => Setup(() =>
    {
        _raw = LogBenchData.Run(ReadRawAsync);
        return true;
    });

    /// <summary>
    /// Opens the data and prepares the path's input. Only a path that accepts the data counts: the offline one
    /// is checked here, the other two in every measured pass (a full unmeasured pass of a million events
    /// would cost minutes), and cleanup fails the case if any pass refused.
    /// </summary>
    private void Setup(Func<bool> prepareAndCheck)
    {
        var clock = LogBenchData.Time();
        _allAccepted = true;
        _data = LogBenchData.Run(() => LogBenchData.OpenCachedAsync(Events));
        _verifier = new SessionVerifier(_data.Store, _data.Checkpointer, _data.Identity, new daemon::Pact.Daemon.Policies.PolicyCatalog(_data.Store.Policies));
        _daemonKey = _data.Identity.Key.PublicKey;
        LogBenchData.Log($"{Events} events open after {clock.Elapsed.TotalSeconds:N1} s; {Environment.ProcessorCount} cores");
        if (!prepareAndCheck())
            throw new InvalidOperationException($"The benchmark data does not verify (a stale cache? delete {_data.Directory}).");
        LogBenchData.Log($"setup in {clock.Elapsed.TotalSeconds:N1} s");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        LogBenchData.Log($"every measured pass accepted the data: {_allAccepted}");
        if (!_allAccepted) throw new InvalidOperationException($"A measured pass refused the benchmark data (a stale cache? delete {_data.Directory}).");
        _raw = [];
        _bundleText = "";
        _bundle = null!;
        _data.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [IterationSetup(Target = nameof(OfflineExportVerify))]
    public void ParseBundle() => _bundle = Parse();

    /// <summary>GET /v1/sessions/{id}/verify without HTTP: what the daemon does for it.</summary>
    [Benchmark]
    public bool DaemonVerify() => Accepted(_verifier.VerifyAsync(LogBenchData.SessionId, null, CancellationToken.None).GetAwaiter().GetResult().Ok);

    /// <summary>The SDK's ExportVerifier on a freshly parsed bundle (parsing itself is not timed).</summary>
    [Benchmark]
    public bool OfflineExportVerify() => OfflineVerify(_bundle);

    /// <summary>The floor: the same SHA-256 inputs and Ed25519 verifications, nothing else, on all cores.</summary>
    [Benchmark(Baseline = true)]
    public bool RawHashAndVerify()
    {
        var ok = true;
        Parallel.For(0, _raw.Length, i =>
        {
            var r = _raw[i];
            SHA256.HashData(r.HashInput);
            if (!Pact.Core.Crypto.Ed25519.Verify(r.PublicKey, r.SigningInput, r.Signature)) ok = false;
        });
        return Accepted(ok);
    }

    private bool Accepted(bool ok)
    {
        _allAccepted &= ok;
        return ok;
    }

    private bool OfflineVerify(JsonObject bundle) => ExportVerifier.Verify(bundle, _daemonKey).Ok;

    private JsonObject Parse() => (JsonObject)StrictJson.Parse(_bundleText)!;

    /// <summary>
    /// The exact bytes the floor hashes and verifies, page by page from the stored rows (a million parsed events
    /// would not fit comfortably in memory; their raw inputs do). Each hash input must hash to the stored hash.
    /// </summary>
    private async Task<RawEvent[]> ReadRawAsync()
    {
        var raw = new List<RawEvent>(Events);
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal); // two signers: share their keys
        while (true)
        {
            var rows = await _data.Store.ReadStreamRowsAsync(LogBenchData.SessionId, raw.Count, 5000);
            var page = new RawEvent[rows.Count];
            Parallel.For(0, rows.Count, i =>
            {
                var e = rows[i];
                var data = (JsonObject)StrictJson.Parse(e.Data)!;
                var envelope = Envelope.Parse(data["envelope"]).Envelope!;
                // The stored data is already canonical JSON, so the hash input is built around its text (members in JCS order).
                var hashInput = System.Text.Encoding.UTF8.GetBytes(
                    $"{EventChain.HashDomain}{{\"actor\":{Text(e.Actor)},\"data\":{e.Data},\"prevHash\":{Text(e.PrevHash)},\"stream\":{Text(e.Stream)},"
                    + $"\"streamSeq\":{Jcs.FormatNumber(e.StreamSeq)},\"time\":{Text(e.Time)},\"type\":{Text(e.Type)}}}");
                if (Hex.Encode(SHA256.HashData(hashInput)) != e.Hash) throw new InvalidOperationException($"The hash input of seq {e.Seq} is not the stored event's.");
                DidKey.TryGetPublicKey(envelope.Signer, out var publicKey);
                page[i] = new RawEvent(hashInput, publicKey, Envelope.SigningInput(envelope.Payload), Base64Url.Decode(envelope.Sig));
            });
            foreach (var r in page)
            {
                var signer = Hex.Encode(r.PublicKey);
                if (!keys.TryGetValue(signer, out var shared)) keys[signer] = shared = r.PublicKey;
                raw.Add(r with { PublicKey = shared });
            }
            if (rows.Count < 5000) return [.. raw];
        }
    }

    private static string Text(string value) => Jcs.CanonicalString(JsonValue.Create(value));

    private sealed record RawEvent(byte[] HashInput, byte[] PublicKey, byte[] SigningInput, byte[] Signature);
}

extern alias daemon;

using System.Security.Cryptography;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Pact.Client.Verification;
using Pact.Core.Encoding;
using Pact.Core.Envelopes;
using Pact.Core.Events;
using Pact.Core.Identity;
using Pact.Core.Json;
using daemon::Pact.Daemon.Log;

namespace Pact.Benchmarks;

/// <summary>
/// Verifying a session of N signed events three ways, each one full pass over all of them:
/// the daemon's GET …/verify (raw SQLite rows, hash chain, envelope signatures, head inclusion), the SDK's
/// offline ExportVerifier on the export bundle (from its text: parse, chain, N inclusion proofs, signatures,
/// state replay), and the floor — SHA-256 of each event's exact hash input plus libsodium's verify of each
/// envelope's exact signing input, on all cores. Events/s = N / Mean.
/// </summary>
[Config(typeof(Config))]
public class LogVerifyBenchmarks
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config()
        {
            AddJob(LogJobs.Monitoring(iterations: 5));
            AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
        }
    }

    private LogBenchData _data = null!;
    private SessionVerifier _verifier = null!;
    private string _bundleText = "";
    private byte[] _daemonKey = [];
    private JsonObject _bundle = null!;
    private (byte[] HashInput, byte[] PublicKey, byte[] SigningInput, byte[] Signature)[] _raw = [];

    [Params(20_000, 100_000)]
    public int Events { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var clock = LogBenchData.Time();
        _data = LogBenchData.Run(() => LogBenchData.CreateAsync(Events));
        _verifier = new SessionVerifier(_data.Store, _data.Checkpointer, _data.Identity);
        _bundleText = LogBenchData.Run(_data.BundleTextAsync);
        _daemonKey = _data.Identity.Key.PublicKey;
        var events = LogBenchData.Run(() => _data.ReadSessionAsync());
        _raw = events.Select(e =>
        {
            var envelope = Envelope.Parse(e.Data["envelope"]).Envelope!;
            var body = Jcs.Canonicalize(new JsonObject
            {
                ["stream"] = e.Stream, ["streamSeq"] = e.StreamSeq, ["type"] = e.Type, ["time"] = e.Time, ["actor"] = e.Actor,
                ["data"] = e.Data.DeepClone(), ["prevHash"] = e.PrevHash,
            });
            var hashInput = System.Text.Encoding.UTF8.GetBytes(TranscriptEvent.HashDomain).Concat(body).ToArray();
            DidKey.TryGetPublicKey(envelope.Signer, out var publicKey);
            return (hashInput, publicKey, Envelope.SigningInput(envelope.Payload), Base64Url.Decode(envelope.Sig));
        }).ToArray();
        // Measure only paths that succeed: each must accept the data before it is timed.
        if (!DaemonVerify() || !OfflineVerify(Parse()) || !RawHashAndVerify())
            throw new InvalidOperationException("The benchmark data does not verify.");
        LogBenchData.Log($"setup of {Events} events in {clock.Elapsed.TotalSeconds:N1} s; bundle {_bundleText.Length / 1_000_000.0:N1} MB; {Environment.ProcessorCount} cores");
    }

    [GlobalCleanup]
    public void Cleanup() => _data.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup(Target = nameof(OfflineExportVerify))]
    public void ParseBundle() => _bundle = Parse();

    /// <summary>GET /v1/sessions/{id}/verify without HTTP: what the daemon does for it.</summary>
    [Benchmark]
    public bool DaemonVerify() => _verifier.VerifyAsync(LogBenchData.SessionId, null, CancellationToken.None).GetAwaiter().GetResult().Ok;

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
        return ok;
    }

    private bool OfflineVerify(JsonObject bundle) => ExportVerifier.Verify(bundle, _daemonKey).Ok;

    private JsonObject Parse() => (JsonObject)StrictJson.Parse(_bundleText)!;
}

using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Envelopes;
using Pact.Core.Events;
using Pact.Core.Identity;
using Pact.Core.Json;

namespace Pact.Benchmarks;

/// <summary>
/// What accepting one signed request costs in Pact.Core, against the floor of a bare libsodium verify of
/// the same signed bytes. The envelope is the pact/1 vector (a session.create), read from tests/testdata.
/// </summary>
[MemoryDiagnoser]
public class EnvelopeBenchmarks
{
    private byte[] _body = [];
    private byte[] _publicKey = [];
    private byte[] _signingInput = [];
    private byte[] _signature = [];

    [GlobalSetup]
    public void Setup()
    {
        var vectors = StrictJson.Parse(File.ReadAllBytes(RepoFile("tests/testdata/pact-vectors.json")))!;
        var envelope = vectors["envelope"]!;
        var signer = vectors["keys"]![envelope["signerKey"]!.GetValue<string>()]!["did"]!.GetValue<string>();
        var body = new JsonObject
        {
            ["payload"] = envelope["payload"]!.DeepClone(),
            ["signer"] = signer,
            ["sig"] = envelope["sig"]!.GetValue<string>(),
        };
        _body = System.Text.Encoding.UTF8.GetBytes(body.ToJsonString());
        if (!DidKey.TryGetPublicKey(signer, out _publicKey)) throw new InvalidOperationException("The vector signer is not a did:key.");
        _signingInput = Envelope.SigningInput((JsonObject)envelope["payload"]!);
        _signature = Base64Url.Decode(envelope["sig"]!.GetValue<string>());
        // Measure the real path only: the hash must be the vector's first event hash, which records this envelope.
        var expectedHash = vectors["events"]![0]!["hash"]!.GetValue<string>();
        if (!Ed25519.Verify(_publicKey, _signingInput, _signature) || ParseVerifyAndHash() != expectedHash)
            throw new InvalidOperationException("The vector envelope does not verify or hash as the vectors say.");
    }

    /// <summary>The request path: strict parse, shape check, JCS + Ed25519 verify, then the event hash that records it.</summary>
    [Benchmark]
    public string ParseVerifyAndHash()
    {
        var (envelope, error) = Envelope.Parse(StrictJson.Parse(_body));
        if (error is not null || !envelope!.VerifySignature()) throw new InvalidOperationException("Refused.");
        var data = new JsonObject
        {
            ["envelope"] = envelope.ToJson(),
            ["participants"] = envelope.Payload["participants"]!.DeepClone(),
            ["topic"] = envelope.Payload["topic"]!.DeepClone(),
            ["metadata"] = null,
        };
        return EventChain.Hash("ses_01JD0000000000000000000000", 1, "session.created", "2026-11-21T12:00:00.010Z",
            envelope.Signer, data, EventChain.GenesisHash);
    }

    /// <summary>The floor: libsodium's verify of the already canonical signing input.</summary>
    [Benchmark(Baseline = true)]
    public bool RawLibsodiumVerify() => Ed25519.Verify(_publicKey, _signingInput, _signature);

    /// <summary>Finds a file by its path from the repository root, walking up from wherever BenchmarkDotNet runs us.</summary>
    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException($"'{relative}' was not found above {AppContext.BaseDirectory}; run from inside the repository.");
    }
}

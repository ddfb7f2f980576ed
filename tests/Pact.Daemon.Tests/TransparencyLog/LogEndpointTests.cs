using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Core.Encoding;
using Pact.Core.TransparencyLog;
using Pact.Daemon.TransparencyLog;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests.TransparencyLog;

public sealed class LogEndpointTests : IAsyncLifetime
{
    private DaemonHost _host = null!;
    private HttpClient _http = null!;
    private DaemonInfo _daemon = null!;

    public async Task InitializeAsync()
    {
        _host = await DaemonHost.StartAsync();
        _http = _host.CreateHttpClient();
        _daemon = await new PactClient(_http).GetDaemonAsync();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private byte[] DaemonKey => Base64Url.Decode(_daemon.PublicKey);

    private IPactStore Store => _host.Services.GetRequiredService<IPactStore>();

    private async Task<(HttpStatusCode Status, string Text, string? ContentType)> GetAsync(string path, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The tree as it should be: leaf i from the hash of the event with seq i+1, read back from the store.</summary>
    private async Task<MemoryMerkleTree> ExpectedTreeAsync(long size)
    {
        var tree = new MemoryMerkleTree();
        foreach (var e in await Store.ReadAllAsync(0, (int)size)) tree.Append(MerkleHash.LeafHash(Hex.Decode(e.Hash)));
        return tree;
    }

    [Fact]
    public async Task The_checkpoint_is_a_note_signed_by_the_daemon_key_over_the_tree_of_every_event()
    {
        var scenario = await LogScenario.CreateAsync(_host);
        await _host.Services.GetRequiredService<LogCheckpointer>().CheckpointAsync(CancellationToken.None);

        var (status, note, contentType) = await GetAsync("/v1/log/checkpoint");
        status.Should().Be(HttpStatusCode.OK);
        contentType.Should().Be("text/plain");
        Pact.Core.TransparencyLog.LogCheckpoint.TryOpen(note, _daemon.Origin, DaemonKey, out var checkpoint, out var error).Should().BeTrue(error);
        checkpoint!.Origin.Should().Be("localhost/pact");
        checkpoint.TreeSize.Should().Be(Store.HeadSeq, "the checkpoint was signed after the last append");
        checkpoint.RootHash.Should().Equal((await ExpectedTreeAsync(checkpoint.TreeSize)).Root());
        // Another key, or the right key under another name, does not open it.
        Pact.Core.TransparencyLog.LogCheckpoint.TryOpen(note, _daemon.Origin, Pact.Core.Crypto.KeyPair.Generate().PublicKey, out _, out _).Should().BeFalse();
        Pact.Core.TransparencyLog.LogCheckpoint.TryOpen(note, "elsewhere/pact", DaemonKey, out _, out _).Should().BeFalse();

        var json = await scenario.A.Client.GetCheckpointAsync();
        json.Origin.Should().Be(_daemon.Origin);
        json.Note.Should().Be(note);
        json.TreeSize.Should().Be(checkpoint.TreeSize);
        json.RootHash.Should().Be(Hex.Encode(checkpoint.RootHash));
        (await scenario.A.Client.GetCheckpointNoteAsync()).Should().Be(note);

        (await GetAsync("/v1/log/checkpoint", "text/plain, application/json;q=0.5")).ContentType.Should().Be("text/plain");
        (await GetAsync("/v1/log/checkpoint", "application/json")).ContentType.Should().Be("application/json");
    }

    [Fact]
    public async Task Inclusion_proofs_from_the_endpoint_put_every_event_of_a_session_in_the_signed_tree()
    {
        var scenario = await LogScenario.CreateAsync(_host);
        // Without waiting for the next tick: the scenario's last events must be in the checkpoint read below.
        await _host.Services.GetRequiredService<LogCheckpointer>().CheckpointAsync(CancellationToken.None);
        var checkpoint = await scenario.B.Client.GetCheckpointAsync();
        Pact.Core.TransparencyLog.LogCheckpoint.TryOpen(checkpoint.Note, _daemon.Origin, DaemonKey, out var signed, out _).Should().BeTrue();
        var events = await scenario.B.Client.GetEventsAsync(scenario.SessionId);
        events.Events.Should().HaveCount(LogScenario.Events);
        for (var k = 0; k < events.Events.Count; k++)
        {
            var e = events.Events[k];
            var other = events.Events[(k + 1) % events.Events.Count];
            var proof = await scenario.B.Client.GetInclusionProofAsync(e.Seq, signed!.TreeSize);
            proof.LeafIndex.Should().Be(e.Seq - 1);
            proof.TreeSize.Should().Be(signed.TreeSize);
            var hashes = proof.Hashes.Select(Hex.Decode).ToList();
            MerkleVerifier.VerifyInclusion(e.Seq - 1, signed.TreeSize, MerkleHash.LeafHash(Hex.Decode(e.Hash)), hashes, signed.RootHash)
                .Should().BeTrue($"seq {e.Seq}");
            // The proof is for this event only: another event's hash does not verify with it.
            MerkleVerifier.VerifyInclusion(e.Seq - 1, signed.TreeSize, MerkleHash.LeafHash(Hex.Decode(other.Hash)), hashes, signed.RootHash)
                .Should().BeFalse();
        }
    }

    [Fact]
    public async Task Each_new_checkpoint_is_consistent_with_the_previous_one_and_the_proofs_say_so()
    {
        var checkpointer = _host.Services.GetRequiredService<LogCheckpointer>();
        for (var round = 0; round < 4; round++)
        {
            var a = await Negotiator.RegisterAsync(_host, $"A{round}");
            var b = await Negotiator.RegisterAsync(_host, $"B{round}", "human");
            for (var i = 0; i <= round; i++) await a.Client.CreateSessionAsync([a.Did, b.Did], $"round {round}.{i}");
            await checkpointer.CheckpointAsync(CancellationToken.None);
        }

        var history = await Store.ListLogCheckpointsAsync(0, 1000);
        history.Count.Should().BeGreaterThanOrEqualTo(4);
        history.Select(c => c.TreeSize).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        var client = new PactClient(_http);
        for (var i = 1; i < history.Count; i++)
        {
            Pact.Core.TransparencyLog.LogCheckpoint.TryOpen(history[i - 1].Note, _daemon.Origin, DaemonKey, out var older, out _).Should().BeTrue();
            Pact.Core.TransparencyLog.LogCheckpoint.TryOpen(history[i].Note, _daemon.Origin, DaemonKey, out var newer, out _).Should().BeTrue();
            var proof = await client.GetConsistencyProofAsync(older!.TreeSize, newer!.TreeSize);
            proof.From.Should().Be(older.TreeSize);
            proof.To.Should().Be(newer.TreeSize);
            MerkleVerifier.VerifyConsistency(older.TreeSize, newer.TreeSize, older.RootHash, newer.RootHash, proof.Hashes.Select(Hex.Decode).ToList())
                .Should().BeTrue($"{older.TreeSize} → {newer.TreeSize}");
            // A root the log never signed is not consistent with the newer one.
            MerkleVerifier.VerifyConsistency(older.TreeSize, newer.TreeSize, new byte[32], newer.RootHash, proof.Hashes.Select(Hex.Decode).ToList())
                .Should().BeFalse();
        }
        (await client.GetConsistencyProofAsync(history[^1].TreeSize, history[^1].TreeSize)).Hashes.Should().BeEmpty();
    }

    [Theory]
    [InlineData("/v1/log/proof/inclusion?treeSize=3", "/seq")]
    [InlineData("/v1/log/proof/inclusion?seq=abc&treeSize=3", "/seq")]
    [InlineData("/v1/log/proof/inclusion?seq=0&treeSize=3", "/seq")]
    [InlineData("/v1/log/proof/inclusion?seq=-1&treeSize=3", "/seq")]
    [InlineData("/v1/log/proof/inclusion?seq=1&treeSize=", "/treeSize")]
    [InlineData("/v1/log/proof/inclusion?seq=1&treeSize=1e3", "/treeSize")]
    [InlineData("/v1/log/proof/inclusion?seq=4&treeSize=3", "/seq")]
    [InlineData("/v1/log/proof/consistency?to=3", "/from")]
    [InlineData("/v1/log/proof/consistency?from=2&to=x", "/to")]
    [InlineData("/v1/log/proof/consistency?from=3&to=2", "/from")]
    [InlineData("/v1/log/proof/consistency?from=99999999999999999999&to=2", "/from")]
    public async Task Malformed_proof_queries_are_PACT_101_with_the_pointer_of_the_parameter(string path, string pointer)
    {
        var (status, text, _) = await GetAsync(path);
        status.Should().Be(HttpStatusCode.UnprocessableEntity, text);
        var problem = JsonNode.Parse(text)!;
        problem["code"]!.GetValue<string>().Should().Be("PACT-101");
        problem["errors"]![0]!["pointer"]!.GetValue<string>().Should().Be(pointer);
    }

    [Fact]
    public async Task Proofs_for_a_size_never_checkpointed_are_PACT_404_and_an_empty_log_has_no_checkpoint()
    {
        var (status, text, _) = await GetAsync("/v1/log/checkpoint");
        status.Should().Be(HttpStatusCode.NotFound, "nothing was appended yet");
        JsonNode.Parse(text)!["code"]!.GetValue<string>().Should().Be("PACT-404");

        await LogScenario.CreateAsync(_host);
        var latest = await _host.Services.GetRequiredService<LogCheckpointer>().CheckpointAsync(CancellationToken.None);
        var size = latest!.TreeSize;
        // The timer may have signed a few sizes on the way; take one it did not.
        var signedSizes = (await Store.ListLogCheckpointsAsync(0, 1000)).Select(c => c.TreeSize).ToHashSet();
        var never = Enumerable.Range(1, (int)size).Select(i => (long)i).First(s => !signedSizes.Contains(s));
        foreach (var path in new[]
        {
            $"/v1/log/proof/inclusion?seq=1&treeSize={never}",
            $"/v1/log/proof/inclusion?seq=1&treeSize={size + 5}",
            $"/v1/log/proof/consistency?from={never}&to={size}",
            $"/v1/log/proof/consistency?from=1&to={size + 1}",
        })
        {
            var reply = await GetAsync(path);
            reply.Status.Should().Be(HttpStatusCode.NotFound, path);
            JsonNode.Parse(reply.Text)!["code"]!.GetValue<string>().Should().Be("PACT-404");
        }
        (await GetAsync($"/v1/log/proof/inclusion?seq={size}&treeSize={size}")).Status.Should().Be(HttpStatusCode.OK);
    }
}

using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Envelopes;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Time;

namespace Pact.LoadDriver;

/// <summary>What the bare endpoint of <see cref="Floor"/> does with a request.</summary>
internal enum FloorWork
{
    /// <summary>Reads the body and answers: the clients' signing plus one loopback HTTP/1.1 exchange, nothing else.</summary>
    RoundTrip,

    /// <summary>Parses, verifies the signature, hashes a chained event and answers after its group commit.</summary>
    Append,

    /// <summary>
    /// <see cref="Append"/> plus what the contract itself makes a daemon keep beside the event (§2, §7): the signer is a
    /// registered agent (looked up in memory), the (signer, nonce) is unused (an in-memory index), and the answer is the
    /// session (§7, "200 the session"), remembered with the nonce in the event's transaction under a unique key so that
    /// an identical resend gets it back after a restart. Still no Merkle log, read models, state machine or pipeline.
    /// </summary>
    AppendAndRemember,
}

/// <summary>
/// The floor under any pact/1 daemon on this machine: the same sixteen in-process clients sign the same envelope and
/// POST it over loopback HTTP/1.1 with HttpClient; a bare Kestrel endpoint (no MVC, no middleware, no logging) strictly parses
/// it, canonicalizes the payload, verifies the Ed25519 signature, hashes a chained event and answers once a group
/// commit (WAL, synchronous=FULL) holds it. No nonces, no read models, no state machine, no ProblemDetails: only the
/// work the protocol itself makes unavoidable per acknowledged append. Its rate is what a daemon doing only that work,
/// in idiomatic ASP.NET Core, reaches with this client set-up on these cores. <see cref="FloorWork.AppendAndRemember"/>
/// adds the nonce row and the session answer that the contract requires of every daemon too.
/// </summary>
internal static class Floor
{
    public static async Task<AppendResult> AppendsAsync(FloorWork work, int clients, TimeSpan warmup, TimeSpan duration)
    {
        var path = Path.Combine(Path.GetTempPath(), "pact-floor-" + Guid.NewGuid().ToString("N") + ".db");
        var daemonKey = KeyPair.Generate();
        using var writer = new GroupCommitWriter(path);
        // AppendAndRemember: the registered agents with the session each one flips, and the nonces in use.
        var participants = new ConcurrentDictionary<string, (string Stream, string[] Participants)>(StringComparer.Ordinal);
        var usedNonces = new ConcurrentDictionary<(string Signer, string Nonce), byte>();
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapPost("/append/{stream}", async (string stream, HttpRequest request) =>
        {
            if (work == FloorWork.RoundTrip)
            {
                await request.Body.CopyToAsync(Stream.Null);
                return Results.Text("{\"seq\":0}", "application/json");
            }
            // Strict parsing (duplicate keys, lone surrogates refused), as the protocol requires of every daemon.
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var (envelope, error) = Envelope.Parse(StrictJson.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
            if (envelope is null) return Results.BadRequest(error!.Detail);
            if (envelope.Audience != daemonKey.Did || !envelope.IsFresh(TimeProvider.System.GetUtcNow()))
                return Results.Unauthorized();
            var canonicalPayload = Jcs.Canonicalize(envelope.Payload);
            if (!envelope.VerifySignature(canonicalPayload)) return Results.Unauthorized();
            NonceRow? nonce = null;
            if (work == FloorWork.AppendAndRemember)
            {
                if (!participants.TryGetValue(envelope.Signer, out var session) || session.Stream != stream) return Results.Unauthorized();
                if (!usedNonces.TryAdd((envelope.Signer, envelope.Nonce), 0)) return Results.Conflict();
                nonce = new NonceRow(envelope.Nonce, Hex.Encode(SHA256.HashData(canonicalPayload)),
                    (envelope.IssuedAt + Envelope.FreshnessWindow).ToUnixTimeMilliseconds(), session.Participants);
            }
            var data = Jcs.CanonicalString(new JsonObject { ["envelope"] = envelope.ToJson() });
            return Results.Text(await writer.AppendAsync(stream, envelope.Signer, data, nonce), "application/json");
        });
        await app.StartAsync();
        var baseAddress = new Uri(app.Urls.First() + "/");

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = baseAddress };
        var result = await DaemonBenchmarks.MeasureAppendsAsync(clients, warmup, duration, i =>
        {
            var signer = KeyPair.Generate();
            var stream = $"ses_floor{i:x2}";
            participants[signer.Did] = (stream, [signer.Did, KeyPair.Generate().Did]);
            var fields = new JsonObject { ["sessionId"] = stream };
            return async () =>
            {
                var envelope = Envelope.Sign(signer, "session.suspend", daemonKey.Did, TimeProvider.System.GetUtcNow(), fields);
                using var content = new ByteArrayContent(Jcs.Canonicalize(envelope.ToJson()));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync("append/" + stream, content);
                response.EnsureSuccessStatusCode();
                // Read and parse the answer, as the SDK does (Append's is a seq, AppendAndRemember's the session, as the daemon's).
                _ = StrictJson.Parse(await response.Content.ReadAsByteArrayAsync()) ?? throw new HttpRequestException("Empty answer.");
            };
        }, () => (writer.Events, writer.Commits));
        await app.StopAsync();
        return result;
    }

    /// <summary>What <see cref="FloorWork.AppendAndRemember"/> keeps with an append: the row a resend is answered from.</summary>
    private sealed record NonceRow(string Nonce, string PayloadHash, long ExpiresAt, string[] Participants);

    /// <summary>The answer remembered with a nonce: the session as §7 returns it after a suspension.</summary>
    private sealed record SessionAnswer(
        string SessionId, string Status, string[] Participants, string? Topic, JsonObject Metadata,
        JsonArray Proposals, JsonArray Compacts, SessionHead Head, JsonArray Checkpoints);

    private sealed record SessionHead(long StreamSeq, string Hash);

    /// <summary>One writer thread: takes whatever appends are waiting, inserts them in one transaction, answers them all.</summary>
    private sealed class GroupCommitWriter : IDisposable
    {
        private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
        private readonly SqliteConnection _connection;
        private readonly Thread _thread;
        private readonly string _path;
        private readonly Dictionary<string, (long StreamSeq, string Hash)> _heads = new(StringComparer.Ordinal);
        private static readonly string[] DatabaseFiles = ["", "-wal", "-shm"];
        private static readonly string[] InsertParameters = ["$seq", "$stream", "$streamSeq", "$time", "$actor", "$data", "$prev", "$hash"];
        private static readonly string[] NonceParameters = ["$signer", "$nonce", "$hash", "$expires", "$status", "$body"];
        private long _seq;

        private sealed record Pending(string Stream, string Actor, string Data, NonceRow? Nonce, TaskCompletionSource<string> Done);

        public GroupCommitWriter(string path)
        {
            _path = path;
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            _connection.Open();
            using (var setup = _connection.CreateCommand())
            {
                setup.CommandText = "PRAGMA journal_mode = WAL;";
                if (setup.ExecuteScalar() is not "wal") throw new InvalidOperationException("SQLite refused WAL for the floor's database.");
                // nonces as the daemon keeps them (ADR 0018): rows in write order, the unique key an index.
                setup.CommandText = """
                    PRAGMA synchronous = FULL;
                    CREATE TABLE events (
                        seq INTEGER PRIMARY KEY, stream TEXT NOT NULL, stream_seq INTEGER NOT NULL, type TEXT NOT NULL,
                        time TEXT NOT NULL, actor TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
                        UNIQUE (stream, stream_seq)) STRICT;
                    CREATE TABLE nonces (
                        signer TEXT NOT NULL, nonce TEXT NOT NULL, payload_hash TEXT NOT NULL, expires_at INTEGER NOT NULL,
                        status INTEGER NOT NULL, body TEXT NOT NULL, UNIQUE (signer, nonce)) STRICT;
                    """;
                setup.ExecuteNonQuery();
            }
            _thread = new Thread(Run) { IsBackground = true, Name = "floor-writer" };
            _thread.Start();
        }

        public long Events => Interlocked.Read(ref _seq);

        public long Commits { get; private set; }

        /// <summary>Queues one append; the task ends with its answer once the commit holding it is durable.</summary>
        public Task<string> AppendAsync(string stream, string actor, string data, NonceRow? nonce)
        {
            var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _queue.Writer.TryWrite(new Pending(stream, actor, data, nonce, done));
            return done.Task;
        }

        private void Run()
        {
            using var insert = _connection.CreateCommand();
            insert.CommandText = "INSERT INTO events VALUES ($seq, $stream, $streamSeq, 'session.suspended', $time, $actor, $data, $prev, $hash);";
            var p = InsertParameters.Select(n => insert.Parameters.Add(n, SqliteType.Text)).ToArray();
            using var remember = _connection.CreateCommand();
            remember.CommandText = "INSERT INTO nonces VALUES ($signer, $nonce, $hash, $expires, $status, $body);";
            var n = NonceParameters.Select(name => remember.Parameters.Add(name, SqliteType.Text)).ToArray();
            var batch = new List<Pending>();
            var answers = new List<string>();
            var reader = _queue.Reader;
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                batch.Clear();
                answers.Clear();
                while (reader.TryRead(out var item)) batch.Add(item);
                var heads = new Dictionary<string, (long StreamSeq, string Hash)>(StringComparer.Ordinal);
                try
                {
                    using var tx = _connection.BeginTransaction(deferred: false);
                    insert.Transaction = tx;
                    remember.Transaction = tx;
                    var time = Timestamp.ToText(TimeProvider.System.GetUtcNow());
                    foreach (var (stream, actor, data, nonce, _) in batch)
                    {
                        var (streamSeq, prev) = heads.TryGetValue(stream, out var head) || _heads.TryGetValue(stream, out head) ? head : (0, EventChain.GenesisHash);
                        var hash = EventChain.HashCanonical(stream, streamSeq + 1, "session.suspended", time, actor, data, prev);
                        var seq = _seq + answers.Count + 1;
                        (p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value, p[6].Value, p[7].Value) = (seq, stream, streamSeq + 1, time, actor, data, prev, hash);
                        insert.ExecuteNonQuery();
                        heads[stream] = (streamSeq + 1, hash);
                        var answer = "{\"seq\":" + seq + "}";
                        if (nonce is not null)
                        {
                            answer = JsonSerializer.Serialize(new SessionAnswer(stream, "suspended", nonce.Participants, null, [], [], [],
                                new SessionHead(streamSeq + 1, hash), []), JsonSerializerOptions.Web);
                            (n[0].Value, n[1].Value, n[2].Value, n[3].Value, n[4].Value, n[5].Value) = (actor, nonce.Nonce, nonce.PayloadHash, nonce.ExpiresAt, 200, answer);
                            remember.ExecuteNonQuery();
                        }
                        answers.Add(answer);
                    }
                    tx.Commit();
                }
                catch (SqliteException e)
                {
                    // Nothing of the batch is acknowledged; the driver counts each as an error.
                    foreach (var item in batch) item.Done.SetException(e);
                    continue;
                }
                foreach (var (stream, head) in heads) _heads[stream] = head;
                Interlocked.Add(ref _seq, batch.Count);
                Commits++;
                for (var i = 0; i < batch.Count; i++) batch[i].Done.SetResult(answers[i]);
            }
        }

        public void Dispose()
        {
            _queue.Writer.TryComplete();
            _thread.Join();
            _connection.Dispose();
            SqliteConnection.ClearAllPools();
            foreach (var suffix in DatabaseFiles) File.Delete(_path + suffix);
        }
    }
}

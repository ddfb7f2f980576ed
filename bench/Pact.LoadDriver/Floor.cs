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
using Pact.Core.Contracts.Responses;
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
    /// <see cref="Append"/> plus what the contract makes a daemon keep beside the event (§2, §7): the signer is a
    /// registered agent and the (signer, nonce) unused (both checked in memory), and the answer is the session (§7,
    /// "200 the session"), remembered with the nonce in the event's transaction, in a table laid out as the daemon's
    /// (rows in write order, UNIQUE(signer, nonce); without its expiry index and row seal). The clients never resend, so
    /// answering a resend from that row is not exercised. Still no Merkle log, read models, state machine, MVC or middleware.
    /// </summary>
    AppendAndRemember,
}

/// <summary>
/// The floor under any pact/1 daemon on this machine: the same sixteen in-process clients sign the same envelope and
/// POST it over loopback HTTP/1.1 with HttpClient; a bare Kestrel endpoint (no MVC, no middleware, no logging) strictly parses
/// it, canonicalizes the payload, verifies the Ed25519 signature, hashes a chained event and answers once a group
/// commit (WAL, synchronous=FULL) holds it. No nonces, no read models, no state machine, no ProblemDetails: the work the
/// protocol makes unavoidable per acknowledged append, except remembering the nonce and its answer, which
/// <see cref="FloorWork.AppendAndRemember"/> adds. Its rate is what a daemon doing only that work, in idiomatic
/// ASP.NET Core, reaches with this client set-up on these cores.
/// </summary>
internal static class Floor
{
    public static async Task<AppendResult> AppendsAsync(FloorWork work, int clients, TimeSpan warmup, TimeSpan duration)
    {
        var path = Path.Combine(Path.GetTempPath(), "pact-floor-" + Guid.NewGuid().ToString("N") + ".db");
        var daemonKey = KeyPair.Generate();
        using var writer = new GroupCommitWriter(path);
        // AppendAndRemember: each registered agent with the session it suspends, and the nonces in use.
        var agents = new ConcurrentDictionary<string, (string Stream, string[] Participants)>(StringComparer.Ordinal);
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
            NonceToRemember? nonce = null;
            if (work == FloorWork.AppendAndRemember)
            {
                if (!agents.TryGetValue(envelope.Signer, out var session) || session.Stream != stream) return Results.Unauthorized();
                // A daemon answers an identical resend from the remembered row and forgets a refused envelope; the clients
                // here never resend and no batch fails, so a used nonce is only refused.
                if (!usedNonces.TryAdd((envelope.Signer, envelope.Nonce), 0)) return Results.Conflict();
                nonce = new NonceToRemember(envelope.Nonce, Hex.Encode(SHA256.HashData(canonicalPayload)),
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
            if (work == FloorWork.AppendAndRemember) agents[signer.Did] = (stream, [signer.Did, KeyPair.Generate().Did]);
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

    /// <summary>
    /// What <see cref="FloorWork.AppendAndRemember"/> remembers with an append, besides its signer and answer; the
    /// participants are for the answer, the session.
    /// </summary>
    private sealed record NonceToRemember(string Nonce, string PayloadHash, long ExpiresAt, string[] Participants);

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

        private readonly record struct Pending(string Stream, string Actor, string Data, NonceToRemember? Nonce, TaskCompletionSource<string> Done);

        public GroupCommitWriter(string path)
        {
            _path = path;
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            _connection.Open();
            using (var setup = _connection.CreateCommand())
            {
                setup.CommandText = "PRAGMA journal_mode = WAL;";
                if (setup.ExecuteScalar() is not "wal") throw new InvalidOperationException("SQLite refused WAL for the floor's database.");
                // nonces laid out as the daemon's (ADR 0018): rows in write order, the unique key an index of its own.
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
        public Task<string> AppendAsync(string stream, string actor, string data, NonceToRemember? nonce)
        {
            var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _queue.Writer.TryWrite(new Pending(stream, actor, data, nonce, done));
            return done.Task;
        }

        private void Run()
        {
            using var insert = _connection.CreateCommand();
            insert.CommandText = "INSERT INTO events VALUES ($seq, $stream, $streamSeq, 'session.suspended', $time, $actor, $data, $prev, $hash);";
            var eventValues = InsertParameters.Select(name => insert.Parameters.Add(name, SqliteType.Text)).ToArray();
            using var remember = _connection.CreateCommand();
            remember.CommandText = "INSERT INTO nonces VALUES ($signer, $nonce, $hash, $expires, $status, $body);";
            var nonceValues = NonceParameters.Select(name => remember.Parameters.Add(name, SqliteType.Text)).ToArray();
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
                        (eventValues[0].Value, eventValues[1].Value, eventValues[2].Value, eventValues[3].Value, eventValues[4].Value, eventValues[5].Value, eventValues[6].Value, eventValues[7].Value) =
                            (seq, stream, streamSeq + 1, time, actor, data, prev, hash);
                        insert.ExecuteNonQuery();
                        heads[stream] = (streamSeq + 1, hash);
                        var answer = "{\"seq\":" + seq + "}";
                        if (nonce is not null)
                        {
                            answer = JsonSerializer.Serialize(new SessionView(stream, "suspended", nonce.Participants, null, null, [], [],
                                new StreamHead(streamSeq + 1, hash), []), PactJson.Options);
                            (nonceValues[0].Value, nonceValues[1].Value, nonceValues[2].Value, nonceValues[3].Value, nonceValues[4].Value, nonceValues[5].Value) =
                                (actor, nonce.Nonce, nonce.PayloadHash, nonce.ExpiresAt, 200, answer);
                            remember.ExecuteNonQuery();
                        }
                        answers.Add(answer);
                    }
                    tx.Commit();
                }
                catch (Exception e)
                {
                    // Nothing of the batch is acknowledged; the driver counts each as an error (and the writer lives on).
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

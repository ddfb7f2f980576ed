using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Pact.Core.Crypto;
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
}

/// <summary>
/// The floor under any pact/1 daemon on this machine: the same sixteen in-process clients sign the same envelope and
/// POST it over loopback HTTP/1.1 with HttpClient; a bare Kestrel endpoint (no MVC, no middleware, no logging) strictly parses
/// it, canonicalizes the payload, verifies the Ed25519 signature, hashes a chained event and answers once a group
/// commit (WAL, synchronous=FULL) holds it. No nonces, no read models, no state machine, no ProblemDetails: only the
/// work the protocol itself makes unavoidable per acknowledged append. Its rate is what a daemon doing only that work,
/// in idiomatic ASP.NET Core, reaches with this client set-up on these cores.
/// </summary>
internal static class Floor
{
    public static async Task<AppendResult> AppendsAsync(FloorWork work, int clients, TimeSpan warmup, TimeSpan duration)
    {
        var path = Path.Combine(Path.GetTempPath(), "pact-floor-" + Guid.NewGuid().ToString("N") + ".db");
        var daemonKey = KeyPair.Generate();
        using var writer = new GroupCommitWriter(path);
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
            if (!envelope.VerifySignature(Jcs.Canonicalize(envelope.Payload))) return Results.Unauthorized();
            var data = Jcs.CanonicalString(new JsonObject { ["envelope"] = envelope.ToJson() });
            var seq = await writer.AppendAsync(stream, envelope.Signer, data);
            return Results.Text("{\"seq\":" + seq + "}", "application/json");
        });
        await app.StartAsync();
        var baseAddress = new Uri(app.Urls.First() + "/");

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { BaseAddress = baseAddress };
        var result = await DaemonBenchmarks.MeasureAppendsAsync(clients, warmup, duration, i =>
        {
            var signer = KeyPair.Generate();
            var stream = $"ses_floor{i:x2}";
            var fields = new JsonObject { ["sessionId"] = stream };
            return async () =>
            {
                var envelope = Envelope.Sign(signer, "session.suspend", daemonKey.Did, TimeProvider.System.GetUtcNow(), fields);
                using var content = new ByteArrayContent(Jcs.Canonicalize(envelope.ToJson()));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync("append/" + stream, content);
                response.EnsureSuccessStatusCode();
                // Read and parse the answer, as the SDK does (the daemon's answer, the session's view, is larger).
                _ = StrictJson.Parse(await response.Content.ReadAsByteArrayAsync()) ?? throw new HttpRequestException("Empty answer.");
            };
        }, () => (writer.Events, writer.Commits));
        await app.StopAsync();
        return result;
    }

    /// <summary>One writer thread: takes whatever appends are waiting, inserts them in one transaction, answers them all.</summary>
    private sealed class GroupCommitWriter : IDisposable
    {
        private readonly Channel<(string Stream, string Actor, string Data, TaskCompletionSource<long> Done)> _queue =
            Channel.CreateUnbounded<(string, string, string, TaskCompletionSource<long>)>(new UnboundedChannelOptions { SingleReader = true });

        private readonly SqliteConnection _connection;
        private readonly Thread _thread;
        private readonly string _path;
        private readonly Dictionary<string, (long StreamSeq, string Hash)> _heads = new(StringComparer.Ordinal);
        private static readonly string[] DatabaseFiles = ["", "-wal", "-shm"];
        private static readonly string[] InsertParameters = ["$seq", "$stream", "$streamSeq", "$time", "$actor", "$data", "$prev", "$hash"];
        private long _seq;

        public GroupCommitWriter(string path)
        {
            _path = path;
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            _connection.Open();
            using (var setup = _connection.CreateCommand())
            {
                setup.CommandText = "PRAGMA journal_mode = WAL;";
                if (setup.ExecuteScalar() is not "wal") throw new InvalidOperationException("SQLite refused WAL for the floor's database.");
                setup.CommandText = """
                    PRAGMA synchronous = FULL;
                    CREATE TABLE events (
                        seq INTEGER PRIMARY KEY, stream TEXT NOT NULL, stream_seq INTEGER NOT NULL, type TEXT NOT NULL,
                        time TEXT NOT NULL, actor TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL,
                        UNIQUE (stream, stream_seq)) STRICT;
                    """;
                setup.ExecuteNonQuery();
            }
            _thread = new Thread(Run) { IsBackground = true, Name = "floor-writer" };
            _thread.Start();
        }

        public long Events => Interlocked.Read(ref _seq);

        public long Commits { get; private set; }

        public Task<long> AppendAsync(string stream, string actor, string data)
        {
            var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            _queue.Writer.TryWrite((stream, actor, data, done));
            return done.Task;
        }

        private void Run()
        {
            using var insert = _connection.CreateCommand();
            insert.CommandText = "INSERT INTO events VALUES ($seq, $stream, $streamSeq, 'session.suspended', $time, $actor, $data, $prev, $hash);";
            var p = InsertParameters.Select(n => insert.Parameters.Add(n, SqliteType.Text)).ToArray();
            var batch = new List<(string Stream, string Actor, string Data, TaskCompletionSource<long> Done)>();
            var seqs = new List<long>();
            var reader = _queue.Reader;
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                batch.Clear();
                seqs.Clear();
                while (reader.TryRead(out var item)) batch.Add(item);
                var heads = new Dictionary<string, (long StreamSeq, string Hash)>(StringComparer.Ordinal);
                try
                {
                    using var tx = _connection.BeginTransaction(deferred: false);
                    insert.Transaction = tx;
                    var time = Timestamp.ToText(TimeProvider.System.GetUtcNow());
                    foreach (var (stream, actor, data, _) in batch)
                    {
                        var (streamSeq, prev) = heads.TryGetValue(stream, out var head) || _heads.TryGetValue(stream, out head) ? head : (0, EventChain.GenesisHash);
                        var hash = EventChain.HashCanonical(stream, streamSeq + 1, "session.suspended", time, actor, data, prev);
                        var seq = _seq + seqs.Count + 1;
                        (p[0].Value, p[1].Value, p[2].Value, p[3].Value, p[4].Value, p[5].Value, p[6].Value, p[7].Value) = (seq, stream, streamSeq + 1, time, actor, data, prev, hash);
                        insert.ExecuteNonQuery();
                        heads[stream] = (streamSeq + 1, hash);
                        seqs.Add(seq);
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
                for (var i = 0; i < batch.Count; i++) batch[i].Done.SetResult(seqs[i]);
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

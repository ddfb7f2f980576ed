using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Pact.Core.Crypto;
using Pact.Core.Envelopes;

namespace Pact.LoadDriver;

internal sealed record SqliteResult(int Batch, long Rows, long Commits, double Seconds, int RowTextBytes)
{
    public double RowsPerSecond => Rows / Seconds;

    public double CommitsPerSecond => Commits / Seconds;
}

internal sealed record VerifyResult(int Threads, long Verifies, double Seconds, int MessageBytes, double CpuSeconds)
{
    public double PerSecond => Verifies / Seconds;

    public double CpuMicrosecondsPerVerify => CpuSeconds * 1e6 / Verifies;
}

internal static class Baselines
{
    private static readonly string[] InsertParameters = ["$seq", "$stream", "$streamSeq", "$type", "$time", "$actor", "$data", "$prevHash", "$hash"];

    /// <summary>
    /// The storage ceiling: rows shaped like the daemon's events inserted into the same table definition, WAL and
    /// synchronous=FULL, one BEGIN IMMEDIATE … COMMIT per <paramref name="batch"/> rows, from one thread — the
    /// writer's shape without HTTP, signatures, read models or nonces.
    /// </summary>
    public static SqliteResult Sqlite(EventRow row, int batch, TimeSpan warmup, TimeSpan duration)
    {
        var path = Path.Combine(Path.GetTempPath(), "pact-sqlite-baseline-" + Guid.NewGuid().ToString("N") + ".db");
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            Execute(connection, "PRAGMA journal_mode = WAL;");
            Execute(connection, "PRAGMA synchronous = FULL;");
            using (var check = connection.CreateCommand())
            {
                check.CommandText = "PRAGMA synchronous;";
                if (Convert.ToInt64(check.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 2)
                    throw new InvalidOperationException("SQLite did not accept synchronous = FULL.");
            }
            Execute(connection, """
                CREATE TABLE events (
                    seq        INTEGER PRIMARY KEY,
                    stream     TEXT    NOT NULL,
                    stream_seq INTEGER NOT NULL CHECK (stream_seq >= 1),
                    type       TEXT    NOT NULL,
                    time       TEXT    NOT NULL,
                    actor      TEXT    NOT NULL,
                    data       TEXT    NOT NULL,
                    prev_hash  TEXT    NOT NULL CHECK (length(prev_hash) = 64),
                    hash       TEXT    NOT NULL CHECK (length(hash) = 64),
                    UNIQUE (stream, stream_seq)
                ) STRICT;
                """);

            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO events (seq, stream, stream_seq, type, time, actor, data, prev_hash, hash) VALUES ($seq, $stream, $streamSeq, $type, $time, $actor, $data, $prevHash, $hash);";
            var p = InsertParameters.Select(name => insert.Parameters.Add(name, SqliteType.Text)).ToArray();
            p[0].SqliteType = SqliteType.Integer;
            p[2].SqliteType = SqliteType.Integer;
            p[3].Value = row.Type;
            p[4].Value = row.Time;
            p[5].Value = row.Actor;
            p[6].Value = row.Data;
            p[7].Value = row.PrevHash;
            p[8].Value = row.Hash;
            // Sixteen streams, like the sixteen sessions of the append run; the stream name keeps the real length.
            var streams = Enumerable.Range(0, 16).Select(i => row.Stream[..^2] + i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var streamSeqs = new long[streams.Length];

            long seq = 0, rows = 0, commits = 0;
            var clock = Stopwatch.StartNew();
            var measuring = false;
            TimeSpan measuredFrom = default;
            while (true)
            {
                var elapsed = clock.Elapsed;
                if (!measuring && elapsed >= warmup)
                {
                    measuring = true;
                    measuredFrom = elapsed;
                    rows = commits = 0;
                }
                if (measuring && elapsed - measuredFrom >= duration) break;
                using var tx = connection.BeginTransaction(deferred: false);
                insert.Transaction = tx;
                for (var i = 0; i < batch; i++)
                {
                    var s = (int)(seq % streams.Length);
                    p[0].Value = ++seq;
                    p[1].Value = streams[s];
                    p[2].Value = ++streamSeqs[s];
                    insert.ExecuteNonQuery();
                }
                tx.Commit();
                rows += batch;
                commits++;
            }
            return new SqliteResult(batch, rows, commits, (clock.Elapsed - measuredFrom).TotalSeconds, row.TextBytes);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                try
                {
                    File.Delete(path + suffix);
                }
                catch (IOException)
                {
                    // Left for the OS temp cleaner.
                }
            }
        }
    }

    /// <summary>
    /// The signature ceiling: libsodium Ed25519 verifications of a real envelope's signing input, one loop per core,
    /// for <paramref name="duration"/>.
    /// </summary>
    public static VerifyResult Verifies(TimeSpan duration)
    {
        var signer = KeyPair.Generate();
        var daemon = KeyPair.Generate();
        var envelope = Envelope.Sign(signer, "session.suspend", daemon.Did, TimeProvider.System.GetUtcNow(),
            new System.Text.Json.Nodes.JsonObject { ["sessionId"] = "ses_01M7ZZZZZZZZZZZZZZZZZZZZZZ" });
        var message = Envelope.SigningInput(envelope.Payload);
        var signature = Pact.Core.Encoding.Base64Url.Decode(envelope.Sig);
        var publicKey = signer.PublicKey;
        if (!Ed25519.Verify(publicKey, message, signature)) throw new InvalidOperationException("The baseline signature does not verify.");

        var threads = Environment.ProcessorCount;
        var counts = new long[threads];
        var cpu0 = Machine.ProcessCpu();
        var clock = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            long n = 0;
            while (clock.Elapsed < duration)
            {
                for (var i = 0; i < 64; i++)
                {
                    if (!Ed25519.Verify(publicKey, message, signature)) throw new InvalidOperationException("A verification failed.");
                }
                n += 64;
            }
            counts[t] = n;
        });
        var seconds = clock.Elapsed.TotalSeconds;
        return new VerifyResult(threads, counts.Sum(), seconds, message.Length, (Machine.ProcessCpu() - cpu0).TotalSeconds);
    }

    /// <summary>
    /// The client's share of an append without the network: sign a suspend envelope and serialize it, on one thread.
    /// Subtracted from the process CPU per append, it bounds what the daemon itself spends.
    /// </summary>
    public static double ClientEnvelopeCpuMicroseconds(int count)
    {
        var signer = KeyPair.Generate();
        var audience = KeyPair.Generate().Did;
        var cpu0 = Machine.ProcessCpu();
        long bytes = 0;
        for (var i = 0; i < count; i++)
        {
            var envelope = Envelope.Sign(signer, "session.suspend", audience, TimeProvider.System.GetUtcNow(),
                new System.Text.Json.Nodes.JsonObject { ["sessionId"] = "ses_01M7ZZZZZZZZZZZZZZZZZZZZZZ" });
            bytes += Pact.Core.Json.Jcs.Canonicalize(envelope.ToJson()).Length;
        }
        GC.KeepAlive(bytes);
        return (Machine.ProcessCpu() - cpu0).TotalMilliseconds * 1000 / count;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

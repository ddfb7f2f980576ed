using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Pact.Client;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.TransparencyLog;

/// <summary>
/// A session with a bit of everything verification looks at: envelopes, a counter-proposal, a compact in
/// force (compact and in-force signatures), a session checkpoint, a declined proposal.
/// streamSeq: 1 session.created, 2 proposal.created, 3 proposal.created (counter), 4 proposal.countered,
/// 5 proposal.signed, 6 compact.in-force, 7 session.checkpointed, 8 proposal.created, 9 proposal.declined.
/// </summary>
internal sealed record LogScenario(Negotiator A, Negotiator B, string SessionId, string CheckpointId, string CompactId)
{
    public const int Events = 9;

    public static async Task<LogScenario> CreateAsync(DaemonHost host)
    {
        var a = await Negotiator.RegisterAsync(host, "Acme Remodeling");
        var b = await Negotiator.RegisterAsync(host, "Dana Homeowner", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did], "kitchen remodel")).SessionId;
        var terms = await a.DraftAsync(b);
        var first = await a.Client.ProposeAsync(session, terms, a.Authority);
        var countered = (JsonObject)terms.DeepClone();
        countered["scope"]!["outOfScope"] = "Cabinet refinishing is not covered";
        var counter = await b.Client.ProposeAsync(session, countered, b.Authority, replaces: first.ProposalId);
        await a.Client.SignProposalAsync(counter.ProposalId, a.Authority);
        var checkpoint = await a.Client.CheckpointAsync(session, "after the first compact");
        var second = await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);
        await b.Client.DeclineAsync(second.ProposalId, "not now");
        return new LogScenario(a, b, session, checkpoint.CheckpointId, terms["compactId"]!.GetValue<string>());
    }
}

/// <summary>
/// What an attacker with write access to the data directory can do to pact.db. The append-only triggers are
/// only a guard against the daemon's own mistakes: whoever can write the file can drop them, as this does.
/// </summary>
internal sealed class DatabaseTamperer : IDisposable
{
    private readonly SqliteConnection _connection;

    public DatabaseTamperer(string dataDirectory)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(dataDirectory, "pact.db"),
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString());
        _connection.Open();
        Execute("PRAGMA busy_timeout = 30000; DROP TRIGGER IF EXISTS events_append_only_update; DROP TRIGGER IF EXISTS events_append_only_delete;");
    }

    public sealed record Row(long Seq, long StreamSeq, string Type, string Time, string Actor, string Data, string PrevHash, string Hash);

    public Row Get(string stream, long streamSeq) => Rows(stream).Single(r => r.StreamSeq == streamSeq);

    public List<Row> Rows(string stream)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT seq, stream_seq, type, time, actor, data, prev_hash, hash FROM events WHERE stream = $s ORDER BY stream_seq";
        command.Parameters.AddWithValue("$s", stream);
        using var reader = command.ExecuteReader();
        var rows = new List<Row>();
        while (reader.Read())
            rows.Add(new Row(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7)));
        return rows;
    }

    public void Set(long seq, string column, string value)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"UPDATE events SET {column} = $v WHERE seq = $seq";
        command.Parameters.AddWithValue("$v", value);
        command.Parameters.AddWithValue("$seq", seq);
        command.ExecuteNonQuery().Should().Be(1);
    }

    /// <summary>Edits one event's data as JSON and stores it canonically, leaving its hash as it was.</summary>
    public void EditData(long seq, Action<JsonObject> edit, string stream, long streamSeq)
    {
        var data = (JsonObject)StrictJson.Parse(Get(stream, streamSeq).Data)!;
        edit(data);
        Set(seq, "data", Jcs.CanonicalString(data));
    }

    /// <summary>
    /// The careful forger: recomputes the hash of every event from <paramref name="fromStreamSeq"/> on and relinks
    /// each prevHash, so every stored row hashes and chains — only signatures and the signed log can tell.
    /// </summary>
    public void Reseal(string stream, long fromStreamSeq)
    {
        string? previous = null;
        foreach (var row in Rows(stream))
        {
            if (row.StreamSeq < fromStreamSeq)
            {
                previous = row.Hash;
                continue;
            }
            var prev = previous ?? EventChain.GenesisHash;
            var data = (JsonObject)StrictJson.Parse(row.Data)!;
            var hash = EventChain.Hash(stream, row.StreamSeq, row.Type, row.Time, row.Actor, data, prev);
            Set(row.Seq, "prev_hash", prev);
            Set(row.Seq, "hash", hash);
            previous = hash;
        }
    }

    /// <summary>Runs any statement on the file (a read model's row edited as an attacker would); returns the rows it changed.</summary>
    public int Sql(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    public void Delete(long seq)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "DELETE FROM events WHERE seq = $seq";
        command.Parameters.AddWithValue("$seq", seq);
        command.ExecuteNonQuery().Should().Be(1);
    }

    /// <summary>Swaps what two rows hold (type, time, actor, data, prev_hash, hash), keeping their seq and place in the stream.</summary>
    public void Swap(Row x, Row y)
    {
        foreach (var (target, source) in new[] { (x, y), (y, x) })
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "UPDATE events SET type = $type, time = $time, actor = $actor, data = $data, prev_hash = $prev, hash = $hash WHERE seq = $seq";
            command.Parameters.AddWithValue("$type", source.Type);
            command.Parameters.AddWithValue("$time", source.Time);
            command.Parameters.AddWithValue("$actor", source.Actor);
            command.Parameters.AddWithValue("$data", source.Data);
            command.Parameters.AddWithValue("$prev", source.PrevHash);
            command.Parameters.AddWithValue("$hash", source.Hash);
            command.Parameters.AddWithValue("$seq", target.Seq);
            command.ExecuteNonQuery().Should().Be(1);
        }
    }

    public void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose() => _connection.Dispose();

    /// <summary>A base64url signature with its first character changed: still 64 bytes, no longer the signer's.</summary>
    public static string Flip(string b64u) => (b64u[0] == 'A' ? 'B' : 'A') + b64u[1..];
}

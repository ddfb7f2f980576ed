using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Core.Passport;
using Pact.Store.Projections;
using Pact.Store.Relational;

namespace Pact.Store.ReadModels;

/// <summary>Passports from the rows <see cref="PassportProjection"/> and <see cref="LogClockProjection"/> keep: index seeks, whatever the log's length.</summary>
internal sealed class PassportReadModel(IRelationalEngine store) : IPassportReadModel
{
    private const string CountsSql = $"SELECT {PassportRows.CountColumns} FROM passport_counts WHERE agent = @agent AND seq <= @seq ORDER BY seq DESC LIMIT 1";
    private const string RecentSql = """
        SELECT code, at, seq, evidence_refs FROM passport_failures
        WHERE agent = @agent AND at > @start AND at <= @asOf AND seq <= @seq
        ORDER BY at DESC, seq DESC LIMIT @limit
        """;

    // Only compact.in-force raises an agent's compacts, by one: a row whose count is above the previous row's is one.
    private const string EnteredSql = """
        SELECT seq FROM (
            SELECT seq, compacts - LAG(compacts, 1, 0) OVER (ORDER BY seq) AS entered
            FROM passport_counts WHERE agent = @agent AND seq <= @seq) AS steps
        WHERE entered > 0 ORDER BY seq
        """;

    public Task<AgentPassport> GetAsync(string agent, long asOfSeq, string asOf, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentOutOfRangeException.ThrowIfNegative(asOfSeq);
        var start = RecentFailures.WindowStart(asOf);
        return store.ReadModelAsync($"passport of {agent}", null, connection =>
        {
            // Rows at or before a committed seq never change, so the two reads need no common snapshot.
            PassportCounts counts;
            using (var command = connection.CreateCommand())
            {
                command.CommandText = CountsSql;
                command.Bind("@agent", agent);
                command.Bind("@seq", asOfSeq);
                using var reader = command.ExecuteReader();
                counts = reader.Read() ? PassportRows.ReadCounts(reader) : PassportCounts.None;
            }
            var recent = new List<PassportFailure>();
            using (var command = connection.CreateCommand())
            {
                command.CommandText = RecentSql;
                command.Bind("@agent", agent);
                command.Bind("@start", start);
                command.Bind("@asOf", asOf);
                command.Bind("@seq", asOfSeq);
                command.Bind("@limit", RecentFailures.Limit);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var refs = ((JsonArray)StrictJson.Parse(reader.Text(3))!).Select(r => r!.GetValue<string>()).ToList();
                    recent.Add(new PassportFailure(reader.Text(0), reader.Text(1), reader.GetInt64(2), refs));
                }
            }
            return new AgentPassport(agent, asOfSeq, asOf, counts, recent);
        }, ct);
    }

    public Task<long> LastSeqAtOrBeforeAsync(string time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(time);
        return store.ReadModelAsync("log clock", null, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT seq FROM log_clock WHERE time <= @time ORDER BY time DESC LIMIT 1";
            command.Bind("@time", time);
            return command.ExecuteScalar() is long seq ? seq : 0;
        }, ct);
    }

    public Task<IReadOnlyList<long>> CompactsEnteredAsync(string agent, long asOfSeq, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(agent);
        return store.ReadAsync<IReadOnlyList<long>>(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = EnteredSql;
            command.Bind("@agent", agent);
            command.Bind("@seq", asOfSeq);
            using var reader = command.ExecuteReader();
            var seqs = new List<long>();
            while (reader.Read()) seqs.Add(reader.GetInt64(0));
            return seqs;
        }, ct);
    }

    public Task<string?> TimeOfAsync(long seq, CancellationToken ct) =>
        store.ReadModelAsync($"time of event {seq}", null, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT time FROM events WHERE seq = @seq";
            command.Bind("@seq", seq);
            return command.ExecuteScalar() as string;
        }, ct);
}

using System.Data.Common;
using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Passport;
using Pact.Store.Relational;

namespace Pact.Store.Projections;

/// <summary>
/// The passports read model (§16): for each event that changes an agent's counts, as <see cref="PassportEvents"/>
/// says, a row of the agent's running counts at that event's seq, so a passport as of any seq is one index seek;
/// each counted failure with its time and evidence; and each revocation's initiator, which a later compact.revoked
/// needs. The parties of a compact version come from the compacts read model, projected before this one.
/// </summary>
internal sealed class PassportProjection : IRelationalProjection
{
    private const string LatestSql = $"SELECT {PassportRows.CountColumns} FROM passport_counts WHERE agent = @agent ORDER BY seq DESC LIMIT 1";
    private const string InsertCountsSql = $"""
        INSERT INTO passport_counts(agent, seq, {PassportRows.CountColumns})
        VALUES (@agent, @seq, @compacts, @honored, @active, @byAgent, @byCounterparty, @failures, @declined)
        ON CONFLICT (agent, seq) DO UPDATE SET compacts = excluded.compacts, honored = excluded.honored, active = excluded.active,
            revoked_by_agent = excluded.revoked_by_agent, revoked_by_counterparty = excluded.revoked_by_counterparty,
            failures = excluded.failures, declined = excluded.declined
        """;
    private const string InsertFailureSql = "INSERT INTO passport_failures(agent, seq, at, code, evidence_refs) VALUES (@agent, @seq, @at, @code, @refs)";
    private const string InsertRevocationSql = "INSERT INTO passport_revocations(revocation_id, initiator) VALUES (@id, @initiator) ON CONFLICT DO NOTHING";

    public void Apply(IWriteContext context)
    {
        var facts = new TransactionFacts(context);
        foreach (var e in context.Events)
        {
            foreach (var entry in PassportEvents.Of(e, facts)) Write(context, e.Seq, entry);
            if (PassportEvents.RevocationInitiated(e) is { } initiated)
            {
                using var command = context.CreateCommand(InsertRevocationSql);
                command.Bind("@id", initiated.RevocationId);
                command.Bind("@initiator", initiated.Initiator);
                command.ExecuteNonQuery();
            }
            facts.Passed(e);
        }
    }

    private static void Write(IWriteContext context, long seq, PassportEntry entry)
    {
        PassportCounts before;
        using (var latest = context.CreateCommand(LatestSql))
        {
            latest.Bind("@agent", entry.Agent);
            using var reader = latest.ExecuteReader();
            before = reader.Read() ? PassportRows.ReadCounts(reader) : PassportCounts.None;
        }
        // Two entries of one event for one agent meet in one row: the second reads the first's and replaces it.
        var after = before + entry.Delta;
        using (var insert = context.CreateCommand(InsertCountsSql))
        {
            insert.Bind("@agent", entry.Agent);
            insert.Bind("@seq", seq);
            insert.Bind("@compacts", after.Compacts);
            insert.Bind("@honored", after.Honored);
            insert.Bind("@active", after.Active);
            insert.Bind("@byAgent", after.RevokedByAgent);
            insert.Bind("@byCounterparty", after.RevokedByCounterparty);
            insert.Bind("@failures", after.Failures);
            insert.Bind("@declined", after.Declined);
            insert.ExecuteNonQuery();
        }
        if (entry.Failure is { } failure)
        {
            using var insert = context.CreateCommand(InsertFailureSql);
            insert.Bind("@agent", entry.Agent);
            insert.Bind("@seq", failure.Seq);
            insert.Bind("@at", failure.At);
            insert.Bind("@code", failure.Code);
            insert.Bind("@refs", Jcs.CanonicalString(new JsonArray([.. failure.EvidenceRefs.Select(r => (JsonNode?)JsonValue.Create(r))])));
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>What earlier events established, read inside the writer's transaction (so this request's earlier rows count).</summary>
    private sealed class TransactionFacts(IWriteContext context) : IPassportFacts
    {
        private readonly Dictionary<string, TranscriptEvent> _previous = new(StringComparer.Ordinal);

        /// <summary>Notes <paramref name="e"/> as its stream's latest, for the event after it.</summary>
        public void Passed(TranscriptEvent e) => _previous[e.Stream] = e;

        public CompactParties? PartiesOf(string compactId, long version)
        {
            using var command = context.CreateCommand("SELECT agent_a, agent_b FROM compacts WHERE compact_id = @id AND version = @version");
            command.Bind("@id", compactId);
            command.Bind("@version", version);
            using var reader = command.ExecuteReader();
            return reader.Read() ? new CompactParties(reader.Text(0), reader.Text(1)) : null;
        }

        public string? InitiatorOf(string revocationId)
        {
            using var command = context.CreateCommand("SELECT initiator FROM passport_revocations WHERE revocation_id = @id");
            command.Bind("@id", revocationId);
            return command.ExecuteScalar() as string;
        }

        public bool FollowsAckTimeoutLapse(TranscriptEvent e)
        {
            if (_previous.TryGetValue(e.Stream, out var previous)) return PassportEvents.IsAckTimeoutLapse(previous);
            // The previous event came in an earlier commit (a lapse and its failure are recorded together, so rarely).
            using var command = context.CreateCommand("SELECT type, data FROM events WHERE stream = @stream AND stream_seq = @streamSeq");
            command.Bind("@stream", e.Stream);
            command.Bind("@streamSeq", e.StreamSeq - 1);
            using var reader = command.ExecuteReader();
            if (!reader.Read() || StrictJson.Parse(reader.Text(1)) is not JsonObject data) return false;
            return PassportEvents.IsAckTimeoutLapse(e with { StreamSeq = e.StreamSeq - 1, Type = reader.Text(0), Data = data });
        }
    }
}

/// <summary>The passport tables' columns, read the same way by the projection and the read model.</summary>
internal static class PassportRows
{
    public const string CountColumns = "compacts, honored, active, revoked_by_agent, revoked_by_counterparty, failures, declined";

    public static PassportCounts ReadCounts(DbDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
}

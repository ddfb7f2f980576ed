using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;
using Pact.Store.Relational;

namespace Pact.Store.Projections;

/// <summary>
/// The compacts read model: a row per compact version in force, its status as <see cref="SessionChange"/> says, its
/// signed record, and a history line for every <c>compact.*</c> event naming the version.
/// </summary>
internal sealed class CompactProjection : IRelationalProjection
{
    private const string InsertSql = """
        INSERT INTO compacts(compact_id, version, session_id, status, agent_a, agent_b, compact_hash, record, in_force_at, history)
        VALUES (@id, @version, @session, @status, @a, @b, @hash, @record, @at, @history)
        """;
    private const string HistorySql = "UPDATE compacts SET history = substr(history, 1, length(history) - 1) || ',' || @entry || ']' WHERE compact_id = @id AND version = @version";
    private const string StatusSql = "UPDATE compacts SET status = @status, history = substr(history, 1, length(history) - 1) || ',' || @entry || ']' WHERE compact_id = @id AND version = @version";

    public void Apply(IWriteContext context)
    {
        foreach (var e in context.Events)
        {
            if (!e.Type.StartsWith("compact.", StringComparison.Ordinal)) continue;
            switch (SessionChange.Of(e))
            {
                case SessionChange.CompactInForce inForce:
                    Insert(context, e, inForce.Compact);
                    break;
                case SessionChange.CompactStatusChanged changed:
                    Update(context, e, changed.Key.CompactId, changed.Key.Version, changed.Status);
                    break;
                default:
                    if (e.Data["compactId"] is { } id && e.Data["version"] is { } version)
                        Update(context, e, id.GetValue<string>(), version.GetValue<long>(), null);
                    break;
            }
        }
    }

    private static void Insert(IWriteContext context, TranscriptEvent e, SessionCompact compact)
    {
        var record = e.Data["record"]!.AsObject();
        var parties = record["terms"]!["parties"]!;
        using var command = context.CreateCommand(InsertSql);
        command.Bind("@id", compact.CompactId);
        command.Bind("@version", compact.Version);
        command.Bind("@session", e.Stream);
        command.Bind("@status", compact.Status.ToWire());
        command.Bind("@a", parties["a"]!["agent"]!.GetValue<string>());
        command.Bind("@b", parties["b"]!["agent"]!.GetValue<string>());
        command.Bind("@hash", compact.CompactHash);
        command.Bind("@record", Jcs.CanonicalString(record));
        command.Bind("@at", record["inForceAt"]!.GetValue<string>());
        command.Bind("@history", Jcs.CanonicalString(new JsonArray(History.Entry(e))));
        command.ExecuteNonQuery();
    }

    private static void Update(IWriteContext context, TranscriptEvent e, string compactId, long version, CompactVersionStatus? status)
    {
        using var update = context.CreateCommand(status is null ? HistorySql : StatusSql);
        update.Bind("@id", compactId);
        update.Bind("@version", version);
        update.Bind("@entry", Jcs.CanonicalString(History.Entry(e)));
        if (status is { } s) update.Bind("@status", s.ToWire());
        update.ExecuteNonQuery();
    }
}

/// <summary>One line of a resource's history: what happened, when, by whom, and where in the log.</summary>
internal static class History
{
    public static JsonObject Entry(TranscriptEvent e) => new()
    {
        ["type"] = e.Type,
        ["time"] = e.Time,
        ["actor"] = e.Actor,
        ["seq"] = e.Seq,
        ["streamSeq"] = e.StreamSeq,
        ["hash"] = e.Hash,
    };
}

using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;

namespace Pact.Store.Sqlite.Projections;

/// <summary>
/// The compacts read model: a row per compact version in force, its status as <see cref="SessionChange"/> says, its
/// signed record, and a history line for every <c>compact.*</c> event naming the version.
/// </summary>
internal sealed class CompactProjection : IInlineProjection
{
    private const string InsertSql = """
        INSERT INTO compacts(compact_id, version, session_id, status, agent_a, agent_b, compact_hash, record, in_force_at, history)
        VALUES ($id, $version, $session, $status, $a, $b, $hash, $record, $at, $history)
        """;
    private const string HistorySql = "UPDATE compacts SET history = json_insert(history, '$[#]', json($entry)) WHERE compact_id = $id AND version = $version";
    private const string StatusSql = "UPDATE compacts SET status = $status, history = json_insert(history, '$[#]', json($entry)) WHERE compact_id = $id AND version = $version";

    public void Apply(AppendContext context)
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

    private static void Insert(AppendContext context, TranscriptEvent e, SessionCompact compact)
    {
        var record = e.Data["record"]!.AsObject();
        var parties = record["terms"]!["parties"]!;
        using var command = context.CreateCommand(InsertSql);
        command.Parameters.AddWithValue("$id", compact.CompactId);
        command.Parameters.AddWithValue("$version", compact.Version);
        command.Parameters.AddWithValue("$session", e.Stream);
        command.Parameters.AddWithValue("$status", compact.Status.ToWire());
        command.Parameters.AddWithValue("$a", parties["a"]!["agent"]!.GetValue<string>());
        command.Parameters.AddWithValue("$b", parties["b"]!["agent"]!.GetValue<string>());
        command.Parameters.AddWithValue("$hash", compact.CompactHash);
        command.Parameters.AddWithValue("$record", Jcs.CanonicalString(record));
        command.Parameters.AddWithValue("$at", record["inForceAt"]!.GetValue<string>());
        command.Parameters.AddWithValue("$history", Jcs.CanonicalString(new JsonArray(History.Entry(e))));
        command.ExecuteNonQuery();
    }

    private static void Update(AppendContext context, TranscriptEvent e, string compactId, long version, CompactVersionStatus? status)
    {
        using var update = context.CreateCommand(status is null ? HistorySql : StatusSql);
        update.Parameters.AddWithValue("$id", compactId);
        update.Parameters.AddWithValue("$version", version);
        update.Parameters.AddWithValue("$entry", Jcs.CanonicalString(History.Entry(e)));
        if (status is { } s) update.Parameters.AddWithValue("$status", s.ToWire());
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

using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Store;

/// <summary>What every engine's audit compares with a fresh fold of the events, and how it reads a stored row's data.</summary>
internal static class StoreAuditTables
{
    /// <summary>The compared tables, with the column that names a row's session, or the seq that leads to it, or neither.</summary>
    public static readonly (string Table, string? SessionColumn, string? SeqColumn)[] Compared =
    [
        ("sessions", "session_id", null),
        ("session_participants", "session_id", null),
        ("checkpoints", "session_id", null),
        ("proposals", "session_id", null),
        ("compacts", "session_id", null),
        ("passport_counts", null, "seq"),
        ("passport_failures", null, "seq"),
        ("log_clock", null, "seq"),
        ("passport_revocations", null, null),
        ("merkle_nodes", null, null),
    ];

    /// <summary>At most this many differences are described per table (the first are what an operator needs).</summary>
    public const int ReportLimit = 20;

    /// <summary>A stored event's data as the fold reads it: the JSON object, or null when it is not one (that row's stream is then broken).</summary>
    public static JsonObject? ParseData(string data)
    {
        try
        {
            return StrictJson.Parse(data) as JsonObject;
        }
        catch (InvalidJsonException)
        {
            return null;
        }
    }
}

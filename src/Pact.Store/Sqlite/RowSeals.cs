using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Pact.Core.Encoding;

namespace Pact.Store.Sqlite;

/// <summary>
/// The tables no event gives — agents, invites, nonces and their remembered responses, webhook subscriptions and
/// deliveries — cannot be checked against the log, so each row carries a seal: an HMAC-SHA256, under the store's seal
/// key, of its table's name and every column. Triggers reseal a row whenever the writer inserts or changes it (the
/// SQL function <c>pact_seal</c> exists only on the store's own connections, so another program that writes these
/// tables without the key fails, or leaves rows whose seal no longer matches); the audit checks every seal.
/// </summary>
internal static class RowSeals
{
    public const string FunctionName = "pact_seal";

    /// <summary>The sealed tables, each with its columns in seal order (every column but the seal).</summary>
    public static readonly IReadOnlyList<(string Table, string Columns)> Tables =
    [
        ("agents", "did, public_key, principal, display_name, registered_at"),
        ("invites", "code, expires_at, used_by, used_at"),
        ("nonces", "signer, nonce, payload_hash, expires_at, status, body"),
        ("webhook_subscriptions", "subscription_id, owner, callback, filter_types, filter_sessions, description, sealed_secret, created_at, after_seq, status, disabled_reason, disabled_at, consecutive_failures"),
        ("webhook_deliveries", "delivery_id, subscription_id, seq, type, stream, status, attempt, http_status, error, attempted_at, next_attempt_at, created_at"),
    ];

    /// <summary>Makes <c>pact_seal(table, column…)</c> available on <paramref name="connection"/> under <paramref name="key"/>.</summary>
    public static void Register(SqliteConnection connection, byte[] key) =>
        connection.CreateFunction(FunctionName, (object?[] args) => Seal(key, args), isDeterministic: true);

    /// <summary>HMAC-SHA256 over each value with its type and length, so no two different rows share an input.</summary>
    public static string Seal(byte[] key, object?[] values)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        foreach (var value in values)
        {
            var (tag, bytes) = value switch
            {
                null or DBNull => ('n', []),
                long l => ('i', Encoding.UTF8.GetBytes(l.ToString(CultureInfo.InvariantCulture))),
                double d => ('r', BitConverter.GetBytes(d)),
                string s => ('t', Encoding.UTF8.GetBytes(s)),
                byte[] b => ('b', b),
                _ => ('?', Encoding.UTF8.GetBytes(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")),
            };
            hmac.AppendData([(byte)tag]);
            hmac.AppendData(BitConverter.GetBytes(bytes.Length));
            hmac.AppendData(bytes);
        }
        return Hex.Encode(hmac.GetHashAndReset());
    }

    /// <summary>The call that seals a row of <paramref name="table"/> (its columns qualified by <paramref name="row"/>, e.g. NEW).</summary>
    public static string Call(string table, string columns, string? row = null) =>
        $"{FunctionName}('{table}', {string.Join(", ", columns.Split(", ").Select(c => row is null ? c : row + "." + c))})";
}

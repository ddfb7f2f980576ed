using System.Buffers;
using System.Buffers.Binary;
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

    // A row's seal input is kept for the next row of its thread up to this size (a state snapshot's is larger).
    private const int MaxKeptInput = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_input;

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
    /// <remarks>
    /// The input is laid out in one buffer (kept per thread) and hashed in one call: for each value its tag byte, its
    /// byte length (4 bytes, little-endian) and its bytes. The writer seals a row per append, and an incremental HMAC
    /// costs a native context and three calls into it per column.
    /// </remarks>
    public static string Seal(byte[] key, object?[] values)
    {
        var input = t_input ??= new ArrayBufferWriter<byte>(1024);
        input.ResetWrittenCount();
        foreach (var value in values)
        {
            switch (value)
            {
                case null or DBNull: Append(input, 'n', []); break;
                case long l: AppendText(input, 'i', l.ToString(CultureInfo.InvariantCulture)); break;
                case double d: Append(input, 'r', BitConverter.GetBytes(d)); break;
                case string text: AppendText(input, 't', text); break;
                case byte[] bytes: Append(input, 'b', bytes); break;
                default: AppendText(input, '?', Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""); break;
            }
        }
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, input.WrittenSpan, mac);
        if (input.Capacity > MaxKeptInput) t_input = null; // a state snapshot's row: not kept for the small rows after it
        return Hex.Encode(mac);
    }

    private static void Append(ArrayBufferWriter<byte> input, char tag, ReadOnlySpan<byte> bytes)
    {
        var header = input.GetSpan(5);
        header[0] = (byte)tag;
        BinaryPrimitives.WriteInt32LittleEndian(header[1..], bytes.Length);
        input.Advance(5);
        input.Write(bytes);
    }

    private static void AppendText(ArrayBufferWriter<byte> input, char tag, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var span = input.GetSpan(5 + length);
        span[0] = (byte)tag;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], length);
        Encoding.UTF8.GetBytes(text, span[5..]);
        input.Advance(5 + length);
    }

    /// <summary>The call that seals a row of <paramref name="table"/> (its columns qualified by <paramref name="row"/>, e.g. NEW).</summary>
    public static string Call(string table, string columns, string? row = null) =>
        $"{FunctionName}('{table}', {string.Join(", ", columns.Split(", ").Select(c => row is null ? c : row + "." + c))})";
}

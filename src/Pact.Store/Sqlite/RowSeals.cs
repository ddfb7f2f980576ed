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

    // A row's seal input is kept for the next row of its thread up to this size; a larger byte value is hashed in place.
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
    /// For each value: its tag byte, its byte length (4 bytes, little-endian) and its bytes (text in UTF-8, an integer
    /// as its decimal digits, a real as its 8 little-endian bytes). A row is laid out in one buffer kept per thread and
    /// hashed in one call: the writer seals a row per append, and an incremental HMAC costs a native context and three
    /// calls into it per column. A value too large to copy (a state snapshot's body) is hashed from where it is.
    /// </remarks>
    public static string Seal(byte[] key, object?[] values)
    {
        var input = t_input ??= new ArrayBufferWriter<byte>(1024);
        input.ResetWrittenCount();
        IncrementalHash? hmac = null;
        try
        {
            foreach (var value in values)
            {
                switch (value)
                {
                    case null or DBNull:
                        Header(input, 'n', 0);
                        break;
                    case long l:
                        var digits = input.GetSpan(5 + 20);
                        l.TryFormat(digits[5..], out var written, provider: CultureInfo.InvariantCulture);
                        Header(digits, 'i', written);
                        input.Advance(5 + written);
                        break;
                    case double d:
                        Header(input, 'r', sizeof(double));
                        BinaryPrimitives.WriteDoubleLittleEndian(input.GetSpan(sizeof(double)), d);
                        input.Advance(sizeof(double));
                        break;
                    case string text:
                        AppendText(input, 't', text);
                        break;
                    case byte[] bytes when bytes.Length > MaxKeptInput:
                        // Hash what is buffered, then the value in place: a copy would double a snapshot's memory.
                        Header(input, 'b', bytes.Length);
                        hmac ??= IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
                        hmac.AppendData(input.WrittenSpan);
                        hmac.AppendData(bytes);
                        input.ResetWrittenCount();
                        break;
                    case byte[] bytes:
                        Header(input, 'b', bytes.Length);
                        input.Write(bytes);
                        break;
                    default:
                        AppendText(input, '?', Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
                        break;
                }
            }
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            if (hmac is null)
            {
                HMACSHA256.HashData(key, input.WrittenSpan, mac);
            }
            else
            {
                hmac.AppendData(input.WrittenSpan);
                hmac.GetHashAndReset(mac);
            }
            return Hex.Encode(mac);
        }
        finally
        {
            hmac?.Dispose();
            if (input.Capacity > MaxKeptInput) t_input = null; // a long text: not kept for the small rows after it
        }
    }

    private static void Header(ArrayBufferWriter<byte> input, char tag, int length)
    {
        Header(input.GetSpan(5), tag, length);
        input.Advance(5);
    }

    private static void Header(Span<byte> span, char tag, int length)
    {
        span[0] = (byte)tag;
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], length);
    }

    private static void AppendText(ArrayBufferWriter<byte> input, char tag, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var span = input.GetSpan(5 + length);
        Header(span, tag, length);
        Encoding.UTF8.GetBytes(text, span[5..]);
        input.Advance(5 + length);
    }

    /// <summary>The call that seals a row of <paramref name="table"/> (its columns qualified by <paramref name="row"/>, e.g. NEW).</summary>
    public static string Call(string table, string columns, string? row = null) =>
        $"{FunctionName}('{table}', {string.Join(", ", columns.Split(", ").Select(c => row is null ? c : row + "." + c))})";
}

using Microsoft.Data.Sqlite;
using Pact.Core.Envelopes;
using Pact.Core.Errors;
using Pact.Transcript;

namespace Pact.Daemon.Persistence;

/// <summary>A response remembered with the nonce of the envelope that caused it (§2).</summary>
public sealed record StoredResponse(string PayloadHash, int Status, string Body);

/// <summary>
/// Accepted envelopes' (signer, nonce) pairs with their responses, kept until issuedAt + 300 s. Written in
/// the same transaction as the events the envelope caused, so a resend after a crash sees both or neither.
/// </summary>
public sealed class NonceStore(TranscriptStore store)
{
    public Task<StoredResponse?> FindAsync(string signer, string nonce, CancellationToken ct) =>
        store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT payload_hash, status, body FROM nonces WHERE signer = $signer AND nonce = $nonce";
            command.Parameters.AddWithValue("$signer", signer);
            command.Parameters.AddWithValue("$nonce", nonce);
            using var reader = command.ExecuteReader();
            return reader.Read() ? new StoredResponse(reader.GetString(0), reader.GetInt32(1), reader.GetString(2)) : null;
        }, ct);

    /// <summary>Records the nonce inside the caller's transaction; a concurrent twin hits the primary key.</summary>
    public static void Remember(AppendContext context, string signer, string nonce, DateTimeOffset issuedAt, string payloadHash, int status, string body)
    {
        using var command = context.CreateCommand(
            "INSERT INTO nonces(signer, nonce, payload_hash, expires_at, status, body) VALUES ($signer, $nonce, $hash, $expires, $status, $body)");
        command.Parameters.AddWithValue("$signer", signer);
        command.Parameters.AddWithValue("$nonce", nonce);
        command.Parameters.AddWithValue("$hash", payloadHash);
        command.Parameters.AddWithValue("$expires", (issuedAt + Envelope.FreshnessWindow).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$status", status);
        command.Parameters.AddWithValue("$body", body);
        command.ExecuteNonQuery();
    }

    /// <summary>Forgets nonces whose envelopes can no longer pass the freshness check anyway.</summary>
    public Task<int> PruneAsync(DateTimeOffset now, CancellationToken ct) =>
        store.WriteAsync(context =>
        {
            using var command = context.CreateCommand("DELETE FROM nonces WHERE expires_at < $now");
            command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            return command.ExecuteNonQuery();
        }, ct);

    public static PactError Reused(string nonce) => new(PactCodes.NonceReused, 409, "Nonce reused",
        $"Nonce {nonce} was already used by this signer for a different payload; sign every new request with a fresh nonce.");

    public static bool IsDuplicate(Exception e) =>
        e is SqliteException { SqliteErrorCode: 19 } sqlite && sqlite.Message.Contains("nonces", StringComparison.Ordinal);
}

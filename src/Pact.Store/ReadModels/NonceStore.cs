using System.Collections.Concurrent;
using Pact.Core.Envelopes;
using Pact.Store.Relational;

namespace Pact.Store.ReadModels;

/// <summary>
/// Accepted envelopes' (signer, nonce) pairs with their responses, kept until issuedAt + 300 s. Written in
/// the same transaction as the events the envelope caused, so a resend after a crash sees both or neither.
/// </summary>
/// <remarks>
/// Every signed request asks whether its nonce was used. An in-memory index of the pairs that may be in the table
/// answers the usual "no" without a query: it is loaded from the table once, and a request adds its pair when it
/// writes the row — before the commit, so the index is always a superset of the table. A hit (a resend, or a pair
/// whose request rolled back) is confirmed against the database, which stays the only authority.
/// </remarks>
internal sealed class NonceStore : INonceStore
{
    private readonly IRelationalEngine _store;
    private readonly ConcurrentDictionary<(string Signer, string Nonce), long> _index = new();
    private Task<int>? _loading;

    public NonceStore(IRelationalEngine store) => _store = store;

    /// <summary>Empties the index so that it is loaded again: another instance may have written nonces meanwhile.</summary>
    public void Forget()
    {
        _index.Clear();
        Volatile.Write(ref _loading, null);
    }

    public async Task<StoredResponse?> FindAsync(string signer, string nonce, CancellationToken ct)
    {
        await IndexLoadedAsync().WaitAsync(ct).ConfigureAwait(false);
        if (!_index.ContainsKey((signer, nonce))) return null;
        return await _store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT payload_hash, status, body FROM nonces WHERE signer = @signer AND nonce = @nonce";
            command.Bind("@signer", signer);
            command.Bind("@nonce", nonce);
            using var reader = command.ExecuteReader();
            return reader.Read() ? new StoredResponse(reader.Text(0), reader.GetInt32(1), reader.Text(2)) : null;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Records the nonce inside the caller's transaction; a concurrent twin hits the table's unique key on (signer, nonce).</summary>
    public void Remember(IWriteContext context, NonceRecord record)
    {
        var (signer, nonce, issuedAt, payloadHash, status, body) = record;
        var expires = (issuedAt + Envelope.FreshnessWindow).ToUnixTimeMilliseconds();
        _index[(signer, nonce)] = expires;
        using var command = context.CreateCommand(
            "INSERT INTO nonces(signer, nonce, payload_hash, expires_at, status, body) VALUES (@signer, @nonce, @hash, @expires, @status, @body)");
        command.Bind("@signer", signer);
        command.Bind("@nonce", nonce);
        command.Bind("@hash", payloadHash);
        command.Bind("@expires", expires);
        command.Bind("@status", status);
        command.Bind("@body", body);
        try
        {
            command.ExecuteNonQuery();
        }
        catch (Exception e) when (Sql.IsUniqueViolation(e))
        {
            // The unique key (PostgreSQL's primary key, SQLite's unique index): a twin of this request committed the same (signer, nonce) first.
            throw new DuplicateNonceException($"Nonce {nonce} of {signer} is already remembered.", e);
        }
    }

    /// <summary>Forgets nonces whose envelopes can no longer pass the freshness check anyway.</summary>
    public async Task<int> PruneAsync(DateTimeOffset now, CancellationToken ct)
    {
        var cutoff = now.ToUnixTimeMilliseconds();
        var removed = await _store.WriteAsync(context =>
        {
            using var command = context.CreateCommand("DELETE FROM nonces WHERE expires_at < @now");
            command.Bind("@now", cutoff);
            return command.ExecuteNonQuery();
        }, ct).ConfigureAwait(false);
        // The index forgets a window later than the table (an extra entry costs one confirming query), and only
        // an entry still holding the expiry read here: a Remember that rewrote it meanwhile keeps it.
        var indexCutoff = cutoff - (long)Envelope.FreshnessWindow.TotalMilliseconds;
        foreach (var entry in _index)
        {
            if (entry.Value < indexCutoff) _index.TryRemove(entry);
        }
        return removed;
    }

    /// <summary>The index load, started by the first request; a failed load is retried by the next one.</summary>
    private Task<int> IndexLoadedAsync()
    {
        var current = Volatile.Read(ref _loading);
        if (current is { IsFaulted: false, IsCanceled: false }) return current;
        var fresh = LoadIndexAsync();
        return Interlocked.CompareExchange(ref _loading, fresh, current) == current ? fresh : Volatile.Read(ref _loading)!;
    }

    private Task<int> LoadIndexAsync() =>
        _store.ReadAsync(connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT signer, nonce, expires_at FROM nonces";
            using var reader = command.ExecuteReader();
            while (reader.Read()) _index.TryAdd((reader.Text(0), reader.Text(1)), reader.GetInt64(2));
            return _index.Count;
        });
}

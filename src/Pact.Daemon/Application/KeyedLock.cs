namespace Pact.Daemon.Application;

/// <summary>
/// Serializes commands that touch the same aggregates (a session, a compact id) while letting unrelated
/// ones run — and batch into one commit — concurrently. Keys are taken in ordinal order, so two commands
/// needing overlapping sets cannot deadlock.
/// </summary>
public sealed class KeyedLock
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(IEnumerable<string> keys, CancellationToken ct)
    {
        var ordered = keys.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var held = new List<string>(ordered.Count);
        try
        {
            foreach (var key in ordered)
            {
                Entry entry;
                lock (_entries)
                {
                    if (!_entries.TryGetValue(key, out entry!)) _entries[key] = entry = new Entry();
                    entry.References++;
                }
                try
                {
                    await entry.Semaphore.WaitAsync(ct);
                }
                catch
                {
                    Release(key, acquired: false);
                    throw;
                }
                held.Add(key);
            }
        }
        catch
        {
            foreach (var key in held) Release(key, acquired: true);
            throw;
        }
        return new Releaser(this, held);
    }

    public Task<IDisposable> AcquireAsync(string key, CancellationToken ct) => AcquireAsync([key], ct);

    private void Release(string key, bool acquired)
    {
        lock (_entries)
        {
            var entry = _entries[key];
            if (acquired) entry.Semaphore.Release();
            if (--entry.References == 0)
            {
                _entries.Remove(key);
                entry.Semaphore.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int References { get; set; }
    }

    private sealed class Releaser(KeyedLock owner, List<string> keys) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
            foreach (var key in keys) owner.Release(key, acquired: true);
        }
    }
}

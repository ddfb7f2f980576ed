namespace Pact.Store;

/// <summary>How every store and log is created and opened in one call.</summary>
internal static class Opening
{
    /// <summary>
    /// Creates the instance and runs <paramref name="open"/> on it; if the open fails, disposes the instance before the
    /// failure goes on, so that nothing the open took (the file lock, the writer role, the writer's task) stays held.
    /// Invalid options fail the returned task, as the open's own failures do.
    /// </summary>
    public static async Task<T> OpenOrDisposeAsync<T>(Func<T> create, Func<T, Task> open) where T : IAsyncDisposable
    {
        var created = create();
        try
        {
            await open(created).ConfigureAwait(false);
        }
        catch
        {
            await created.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return created;
    }
}

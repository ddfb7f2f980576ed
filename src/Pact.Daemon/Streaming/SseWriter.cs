using System.Text;
using Pact.Core.Events;

namespace Pact.Daemon.Streaming;

/// <summary>
/// Writes text/event-stream exactly as §8.3 fixes it: "retry: 2000" first, then per event
/// "id", "event" and one "data" line of the event's JSON; ": ping" comments keep the connection alive.
/// </summary>
public sealed class SseWriter(HttpResponse response)
{
    private static readonly byte[] Ping = Encoding.UTF8.GetBytes(": ping\n\n");

    public async Task StartAsync(CancellationToken ct)
    {
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.WriteAsync("retry: 2000\n\n", ct);
        await response.Body.FlushAsync(ct);
    }

    public async Task WriteAsync(long id, TranscriptEvent e, CancellationToken ct)
    {
        var json = e.ToJson().ToJsonString(Pact.Core.Json.PactJson.Options);
        await response.WriteAsync($"id: {id}\nevent: {e.Type}\ndata: {json}\n\n", ct);
    }

    public Task FlushAsync(CancellationToken ct) => response.Body.FlushAsync(ct);

    public async Task PingAsync(CancellationToken ct)
    {
        await response.Body.WriteAsync(Ping, ct);
        await response.Body.FlushAsync(ct);
    }
}

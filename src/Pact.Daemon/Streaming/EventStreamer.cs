using Microsoft.Extensions.Options;
using Pact.Core.Events;
using Pact.Daemon.Hosting;
using Pact.Store;

namespace Pact.Daemon.Streaming;

/// <summary>
/// Serves one SSE subscription: subscribe to live events first, then send the stored backlog after the
/// start position, then switch to live, skipping anything already sent — so every event after the start
/// arrives once, in order, with no gap across the switch (§8.3).
/// </summary>
public sealed class EventStreamer(EventHub hub, IOptions<PactOptions> options)
{
    private const int PageSize = 500;

    /// <param name="filter">Which committed events belong to this subscription.</param>
    /// <param name="idOf">The SSE id of an event: streamSeq for a session stream, seq for the agent-wide one.</param>
    /// <param name="readBacklog">Reads one page of stored events with id greater than the argument, in id order.</param>
    /// <param name="currentHead">The id of the newest stored event, for "?after=head".</param>
    public async Task StreamAsync(
        HttpContext context, Func<TranscriptEvent, bool> filter, Func<TranscriptEvent, long> idOf,
        Func<long, int, CancellationToken, Task<BacklogPage>> readBacklog,
        Func<CancellationToken, Task<long>> currentHead, long start, bool startAtHead)
    {
        var ct = context.RequestAborted;
        var limits = options.Value.Limits;
        var writer = new SseWriter(context.Response);
        await writer.StartAsync(ct);
        if (HttpMethods.IsHead(context.Request.Method)) return; // the headers say what a GET would stream
        // Subscribed before the backlog is read, so nothing committed in between is missed.
        using var live = hub.Subscribe(filter, limits.SseBufferEvents);
        var last = startAtHead ? await currentHead(ct) : start;

        while (true)
        {
            var page = await readBacklog(last, PageSize, ct);
            foreach (var e in page.Events) await writer.WriteAsync(idOf(e), e, ct);
            last = Math.Max(last, page.ScannedThrough);
            await writer.FlushAsync(ct);
            if (page.End) break;
        }

        var heartbeat = TimeSpan.FromSeconds(limits.SseHeartbeatSeconds);
        while (!ct.IsCancellationRequested)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(heartbeat);
            bool more;
            try
            {
                more = await live.Reader.WaitToReadAsync(wait.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                await writer.PingAsync(ct);
                continue;
            }
            if (!more) break; // cut off for falling behind, or shutting down: the client resumes
            while (live.Reader.TryRead(out var e))
            {
                var id = idOf(e);
                if (id <= last) continue; // already sent from the backlog
                await writer.WriteAsync(id, e, ct);
                last = id;
            }
            await writer.FlushAsync(ct);
        }
    }

    /// <summary>A page of a stream's backlog for one page read.</summary>
    /// <param name="Events">The events to send, already filtered.</param>
    /// <param name="ScannedThrough">The id of the last stored event looked at (sent or filtered out).</param>
    /// <param name="End">True when the store had nothing more.</param>
    public sealed record BacklogPage(IReadOnlyList<TranscriptEvent> Events, long ScannedThrough, bool End);

    /// <summary>Where a subscription starts: Last-Event-ID, else ?after=, else 0; "head" means only new events.</summary>
    public static (long Start, bool AtHead, string? Error) StartPosition(HttpRequest request)
    {
        var text = request.Headers["Last-Event-ID"].FirstOrDefault();
        if (string.IsNullOrEmpty(text)) text = request.Query["after"].FirstOrDefault();
        if (string.IsNullOrEmpty(text)) return (0, false, null);
        if (text == "head") return (0, true, null);
        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? (value, false, null)
            : (0, false, $"'{text}' is not an event id; use a number or 'head'.");
    }
}

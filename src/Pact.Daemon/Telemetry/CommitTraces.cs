using System.Diagnostics;
using System.Runtime.CompilerServices;
using Pact.Core.Events;

namespace Pact.Daemon.Telemetry;

/// <summary>
/// Carries a request's trace across the store's writer. Committed events are fanned out on the writer's own
/// thread, which has no trace; the append remembers its span against the first event it wrote (the very
/// instance the store later publishes), so the fan-out can continue that request's trace. Events of a request
/// that was rolled back are never published and their entries go with them.
/// </summary>
public static class CommitTraces
{
    private static readonly ConditionalWeakTable<TranscriptEvent, StrongBox<ActivityContext>> Parents = new();

    public static void Remember(IReadOnlyList<TranscriptEvent> events, Activity? append)
    {
        if (append is null || events.Count == 0) return;
        Parents.AddOrUpdate(events[0], new StrongBox<ActivityContext>(append.Context));
    }

    /// <summary>Whether <paramref name="e"/> is the first event of an append whose span was remembered.</summary>
    public static bool StartsAppend(TranscriptEvent e) => Parents.TryGetValue(e, out _);

    /// <summary>
    /// The span of the append that wrote <paramref name="e"/> first, forgotten as it is handed out: events can
    /// outlive their fan-out by far, their entries should not.
    /// </summary>
    public static ActivityContext? TakeAppendOf(TranscriptEvent e)
    {
        if (!Parents.TryGetValue(e, out var box)) return null;
        Parents.Remove(e);
        return box.Value;
    }
}

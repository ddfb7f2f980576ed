using Microsoft.Extensions.Logging;
using Pact.Core.Events;

namespace Pact.Store.GroupCommit;

/// <summary>Tells a log's <c>Committed</c> (or <c>Followed</c>) handlers about events that are already committed.</summary>
internal static class CommittedHandlers
{
    /// <summary>
    /// Calls each handler in turn with <paramref name="events"/> (never empty). The events stay committed whatever a
    /// handler does, so one that throws is logged and the others still run.
    /// </summary>
    public static void Raise(Action<IReadOnlyList<TranscriptEvent>>? handlers, IReadOnlyList<TranscriptEvent> events, ILogger logger)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Action<IReadOnlyList<TranscriptEvent>>>())
        {
            try
            {
                handler(events);
            }
            catch (Exception e)
            {
                logger.LogError(e, "A Committed handler threw for seq {First}..{Last}", events[0].Seq, events[^1].Seq);
            }
        }
    }
}

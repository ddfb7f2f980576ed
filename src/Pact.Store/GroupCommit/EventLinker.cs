using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Json;

namespace Pact.Store.GroupCommit;

/// <summary>A stream's last committed event as the writer links the next one to it.</summary>
internal readonly record struct StreamHead(long StreamSeq, string Hash, string? Time)
{
    public static StreamHead Empty => new(0, EventChain.GenesisHash, null);
}

/// <summary>
/// Turns a request's drafts into the events a store inserts, the same for every store: data in canonical form (what is
/// stored is what every reader re-hashes), linked to the stream's head, timed never earlier than it, and hashed.
/// </summary>
internal static class EventLinker
{
    /// <summary>The event that follows <paramref name="head"/> in <paramref name="stream"/> at global <paramref name="seq"/>, with its stored data text.</summary>
    public static (TranscriptEvent Event, string Data) Next(
        AppendRequest request, string stream, EventDraft pending, StreamHead head, long seq, string requestTime)
    {
        var draft = request.PrepareDraft?.Invoke(pending, head.Hash) ?? pending;
        var text = Jcs.CanonicalString(draft.Data);
        if (StrictJson.Parse(text) is not JsonObject data || Jcs.CanonicalString(data) != text)
            throw new ArgumentException($"The data of a '{draft.Type}' event does not survive canonical JSON unchanged.", nameof(request));
        var time = head.Time is not null && string.CompareOrdinal(head.Time, requestTime) > 0 ? head.Time : requestTime;
        var streamSeq = head.StreamSeq + 1;
        var hash = EventChain.HashCanonical(stream, streamSeq, draft.Type, time, draft.Actor, text, head.Hash);
        return (new TranscriptEvent(seq, stream, streamSeq, draft.Type, time, draft.Actor, data, head.Hash, hash), text);
    }

    /// <summary>The head a stream has after <paramref name="e"/>.</summary>
    public static StreamHead After(TranscriptEvent e) => new(e.StreamSeq, e.Hash, e.Time);

    /// <summary>Checks an append request's shape before it is queued (the same rules for every store).</summary>
    public static void Validate(AppendRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Streams is null) throw new ArgumentException("Streams is null.", nameof(request));
        foreach (var append in request.Streams)
        {
            if (append is null) throw new ArgumentException("A StreamAppend is null.", nameof(request));
            if (string.IsNullOrEmpty(append.Stream)) throw new ArgumentException("A stream name is empty.", nameof(request));
            if (append.Events is null) throw new ArgumentException($"The events for stream '{append.Stream}' are null.", nameof(request));
            foreach (var draft in append.Events)
            {
                if (draft is null) throw new ArgumentException($"An event for stream '{append.Stream}' is null.", nameof(request));
                if (string.IsNullOrEmpty(draft.Type) || string.IsNullOrEmpty(draft.Actor) || draft.Data is null)
                    throw new ArgumentException($"An event for stream '{append.Stream}' lacks its type, actor or data.", nameof(request));
            }
        }
    }
}

using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Json;

namespace Pact.Store;

/// <summary>How every store turns a row of its events table into an event: parsed strictly and checked against its own hash.</summary>
internal static class StoredEvents
{
    /// <summary>The event of <paramref name="row"/>; a row that is not the JSON object its hash was computed over is a <see cref="TranscriptIntegrityException"/>.</summary>
    public static TranscriptEvent ToEvent(StoredEventRow row)
    {
        JsonObject data;
        try
        {
            data = StrictJson.Parse(row.Data) as JsonObject
                ?? throw new TranscriptIntegrityException($"The data of event seq {row.Seq} is not a JSON object.");
        }
        catch (Pact.Core.Errors.InvalidJsonException e)
        {
            throw new TranscriptIntegrityException($"The data of event seq {row.Seq} is not valid JSON.", e);
        }
        var ev = new TranscriptEvent(row.Seq, row.Stream, row.StreamSeq, row.Type, row.Time, row.Actor, data, row.PrevHash, row.Hash);
        if (EventChain.CheckHash(ev) is { } broken)
            throw new TranscriptIntegrityException($"Event seq {row.Seq} does not match its hash: the stored transcript was altered. {broken.Message}");
        return ev;
    }

    /// <summary>
    /// Checks a page of <paramref name="stream"/> read after stream seq <paramref name="afterStreamSeq"/>: each event
    /// follows the one before it, so a missing, reordered or foreign row is a <see cref="TranscriptIntegrityException"/>.
    /// </summary>
    public static void CheckStreamPage(string stream, long afterStreamSeq, IReadOnlyList<TranscriptEvent> events)
    {
        var head = ChainHead.Before(afterStreamSeq + 1);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (head.Check(e.Seq, e.StreamSeq, e.PrevHash) is { } broken)
                throw new TranscriptIntegrityException($"Stream '{stream}' is not chained at streamSeq {e.StreamSeq} (seq {e.Seq}): {broken.Message}");
            head = ChainHead.After(e);
        }
    }

    /// <summary>Checks a page of the whole log read after seq <paramref name="afterSeq"/>: its seqs follow on without a gap.</summary>
    public static void CheckGlobalPage(long afterSeq, IReadOnlyList<TranscriptEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Seq != afterSeq + 1 + i)
                throw new TranscriptIntegrityException($"The global log has a gap before seq {events[i].Seq}.");
        }
    }
}

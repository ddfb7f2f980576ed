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
}

using System.Text.Json.Nodes;
using Pact.Core.Json;

namespace Pact.Core.Events;

/// <summary>An event decided but not yet appended: what a state machine produces (§8.2).</summary>
/// <param name="Type">The event type, e.g. "proposal.created".</param>
/// <param name="Actor">The signer's did:key for an event carrying an envelope, else <see cref="TranscriptEvent.DaemonActor"/>.</param>
/// <param name="Data">The type's data members; members a request left out are present as null.</param>
public sealed record EventDraft(string Type, string Actor, JsonObject Data)
{
    /// <summary>An event carrying a request's envelope: the actor is its signer; data starts with the envelope, then <paramref name="members"/> (moved, not copied).</summary>
    public static EventDraft Signed(string type, JsonObject envelope, string signer, JsonObject members)
    {
        var data = new JsonObject { ["envelope"] = envelope.DeepClone() };
        foreach (var (key, value) in members.ToList())
        {
            members.Remove(key);
            data[key] = value;
        }
        return new EventDraft(type, signer, data);
    }

    /// <summary>An event the daemon records on its own (a deadline, a consequence of a request).</summary>
    public static EventDraft ByDaemon(string type, JsonObject data) => new(type, TranscriptEvent.DaemonActor, data);
}

/// <summary>
/// One event of the transcript (§8.1), hash-linked into its stream by <see cref="EventChain"/>.
/// </summary>
public sealed record TranscriptEvent(
    long Seq,
    string Stream,
    long StreamSeq,
    string Type,
    string Time,
    string Actor,
    JsonObject Data,
    string PrevHash,
    string Hash)
{
    public const string DaemonActor = "daemon";

    /// <summary>Recomputes the hash from the content; differs from <see cref="Hash"/> when the event was altered.</summary>
    public string RecomputeHash() => EventChain.Hash(Stream, StreamSeq, Type, Time, Actor, Data, PrevHash);

    public JsonObject ToJson() => new()
    {
        ["seq"] = Seq,
        ["stream"] = Stream,
        ["streamSeq"] = StreamSeq,
        ["type"] = Type,
        ["time"] = Time,
        ["actor"] = Actor,
        ["data"] = Data.DeepClone(),
        ["prevHash"] = PrevHash,
        ["hash"] = Hash,
    };

    public static TranscriptEvent FromJson(JsonObject o) => new(
        o["seq"]!.GetValue<long>(),
        o["stream"]!.GetValue<string>(),
        o["streamSeq"]!.GetValue<long>(),
        o["type"]!.GetValue<string>(),
        o["time"]!.GetValue<string>(),
        o["actor"]!.GetValue<string>(),
        (JsonObject)o["data"]!.DeepClone(),
        o["prevHash"]!.GetValue<string>(),
        o["hash"]!.GetValue<string>());
}

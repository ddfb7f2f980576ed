using System.Text.Json.Nodes;
using Pact.Core.Json;

namespace Pact.Core.Events;

/// <summary>An event decided but not yet appended: what a state machine produces (§8.2).</summary>
/// <param name="Type">The event type, e.g. "proposal.created".</param>
/// <param name="Actor">The signer's did:key for an event carrying an envelope, else <see cref="TranscriptEvent.DaemonActor"/>.</param>
/// <param name="Data">The type's data members; members a request left out are present as null.</param>
public sealed record EventDraft(string Type, string Actor, JsonObject Data);

/// <summary>
/// One event of the transcript (§8.1), hash-linked into its stream:
/// hash = hex SHA-256("pact-event-v1\n" ‖ JCS({stream, streamSeq, type, time, actor, data, prevHash})).
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
    public const string HashDomain = "pact-event-v1\n";
    public static readonly string GenesisHash = new('0', 64);

    public static string ComputeHash(string stream, long streamSeq, string type, string time, string actor, JsonObject data, string prevHash) =>
        // The hash input is built around the data's canonical text: no copy of the data tree (verifiers hash every event).
        ComputeHashFromCanonicalData(stream, streamSeq, type, time, actor, Jcs.CanonicalString(data), prevHash);

    /// <summary>
    /// The same hash as <see cref="ComputeHash"/>, for data already in canonical form: the writer canonicalizes each
    /// event's data once and builds the hash input around that text instead of canonicalizing it again.
    /// Members in JCS order: actor, data, prevHash, stream, streamSeq, time, type.
    /// </summary>
    public static string ComputeHashFromCanonicalData(string stream, long streamSeq, string type, string time, string actor, string canonicalData, string prevHash)
    {
        var text = new System.Text.StringBuilder(HashDomain.Length + canonicalData.Length + 256)
            .Append(HashDomain)
            .Append("{\"actor\":").Append(Jcs.CanonicalString(JsonValue.Create(actor)))
            .Append(",\"data\":").Append(canonicalData)
            .Append(",\"prevHash\":").Append(Jcs.CanonicalString(JsonValue.Create(prevHash)))
            .Append(",\"stream\":").Append(Jcs.CanonicalString(JsonValue.Create(stream)))
            .Append(",\"streamSeq\":").Append(Jcs.FormatNumber(streamSeq))
            .Append(",\"time\":").Append(Jcs.CanonicalString(JsonValue.Create(time)))
            .Append(",\"type\":").Append(Jcs.CanonicalString(JsonValue.Create(type)))
            .Append('}')
            .ToString();
        return Pact.Core.Encoding.Hex.Encode(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>Recomputes the hash from the content; differs from <see cref="Hash"/> when the event was altered.</summary>
    public string RecomputeHash() => ComputeHash(Stream, StreamSeq, Type, Time, Actor, Data, PrevHash);

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

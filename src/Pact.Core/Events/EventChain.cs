using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Core.Events;

/// <summary>
/// A break in a stream's chain at one event: which check failed, the event member at fault (so a caller reading
/// JSON can point at it) and why.
/// </summary>
/// <param name="Check"><see cref="EventChain.StreamSeqCheck"/>, <see cref="EventChain.PrevHashCheck"/> or <see cref="EventChain.HashCheck"/>.</param>
/// <param name="Member">The event member at fault: <c>streamSeq</c>, <c>seq</c>, <c>prevHash</c>, <c>time</c>, <c>data</c> or <c>hash</c>.</param>
public sealed record ChainBreak(string Check, string Member, string Message);

/// <summary>
/// The hash chain of a transcript stream (§8.1), the one place it is computed and checked: the store hashes on
/// append and re-checks what it reads, start-up replay and the daemon's verify check stored rows, the SDK checks an
/// export bundle. Per event: <see cref="Hash"/> over its content and prevHash; along a stream: <see cref="ChainHead"/>.
/// The signatures an event carries are <see cref="TransparencyLog.EventSignatures"/>'s.
/// </summary>
public static class EventChain
{
    public const string HashDomain = "pact-event-v1\n";

    /// <summary>The prevHash of a stream's first event: 64 zeros.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>An event is out of place: streamSeq not the next one, or seq not after the previous event's.</summary>
    public const string StreamSeqCheck = "stream-seq";

    /// <summary>An event's prevHash is not the previous event's hash.</summary>
    public const string PrevHashCheck = "prev-hash";

    /// <summary>An event does not hash to its hash (or its data is not a JSON object that could be hashed).</summary>
    public const string HashCheck = "hash";

    /// <summary>hex SHA-256("pact-event-v1\n" ‖ JCS({stream, streamSeq, type, time, actor, data, prevHash})).</summary>
    public static string Hash(string stream, long streamSeq, string type, string time, string actor, JsonObject data, string prevHash) =>
        // The hash input is built around the data's canonical text: no copy of the data tree (verifiers hash every event).
        HashCanonical(stream, streamSeq, type, time, actor, Jcs.CanonicalString(data), prevHash);

    /// <summary>
    /// The same hash as <see cref="Hash"/>, for data already in canonical form: the writer canonicalizes each
    /// event's data once and builds the hash input around that text instead of canonicalizing it again.
    /// Members in JCS order: actor, data, prevHash, stream, streamSeq, time, type.
    /// </summary>
    public static string HashCanonical(string stream, long streamSeq, string type, string time, string actor, string canonicalData, string prevHash)
    {
        using var text = JcsWriter.Rent();
        return text.Raw(HashDomain)
            .Raw("{\"actor\":").String(actor)
            .Raw(",\"data\":").Raw(canonicalData)
            .Raw(",\"prevHash\":").String(prevHash)
            .Raw(",\"stream\":").String(stream)
            .Raw(",\"streamSeq\":").Integer(streamSeq)
            .Raw(",\"time\":").String(time)
            .Raw(",\"type\":").String(type)
            .Raw('}')
            .Sha256Hex();
    }

    /// <summary>Whether the event's content still hashes to its <c>hash</c>; null when it does.</summary>
    public static ChainBreak? CheckHash(TranscriptEvent e)
    {
        var recomputed = e.RecomputeHash();
        return recomputed == e.Hash ? null : new(HashCheck, "hash", $"The event hashes to {recomputed}, not to its hash {e.Hash}.");
    }

    /// <summary>
    /// An event as stored, with its data as text: parses the data strictly (I-JSON, an object) and checks the hash.
    /// Returns the event, or the break that stops it. Never throws on what it reads.
    /// </summary>
    public static (TranscriptEvent? Event, ChainBreak? Break) ReadStored(
        long seq, string stream, long streamSeq, string type, string time, string actor, string data, string prevHash, string hash)
    {
        JsonObject? parsed;
        try
        {
            parsed = StrictJson.Parse(data) as JsonObject;
        }
        catch (InvalidJsonException e)
        {
            return (null, new(HashCheck, "data", $"The stored data is not valid I-JSON: {e.Message}"));
        }
        if (parsed is null) return (null, new(HashCheck, "data", "The stored data is not a JSON object."));
        var ev = new TranscriptEvent(seq, stream, streamSeq, type, time, actor, parsed, prevHash, hash);
        return CheckHash(ev) is { } broken ? (null, broken) : (ev, null);
    }
}

/// <summary>
/// Where a stream's chain stands while it is read in streamSeq order: the last streamSeq, seq, hash and time seen.
/// The next event must have the next streamSeq, a later seq and, when the hash is known, link to it.
/// </summary>
/// <param name="Hash">The hash the next event must link to; null when reading starts inside a stream and the first
/// event's prevHash is taken as stored (a later check, a session checkpoint or a signed head, vouches for it).</param>
public readonly record struct ChainHead(long StreamSeq, long Seq, string? Hash, string? Time)
{
    /// <summary>Before a stream's first event.</summary>
    public static ChainHead Genesis { get; } = new(0, 0, EventChain.GenesisHash, null);

    /// <summary>Before the event at <paramref name="streamSeq"/>, with what precedes it not read.</summary>
    public static ChainHead Before(long streamSeq) => new(streamSeq - 1, 0, null, null);

    /// <summary>Whether the event can follow this head: streamSeq, seq order, then the prevHash link. Null when it can.</summary>
    public ChainBreak? Check(long seq, long streamSeq, string prevHash)
    {
        if (streamSeq != StreamSeq + 1)
            return new(EventChain.StreamSeqCheck, "streamSeq", $"Expected streamSeq {StreamSeq + 1}, found {streamSeq}: an event is missing or out of place.");
        if (seq <= Seq)
            return new(EventChain.StreamSeqCheck, "seq", $"seq {seq} does not come after the previous event's seq {Seq}: the stream was reordered.");
        if (Hash is not null && prevHash != Hash)
            return new(EventChain.PrevHashCheck, "prevHash", $"prevHash {prevHash} is not the previous event's hash {Hash}.");
        return null;
    }

    /// <summary>Whether the event's time is not earlier than the previous event's (§8.1). Null when it is not.</summary>
    public ChainBreak? CheckTime(string time) =>
        Time is not null && string.CompareOrdinal(time, Time) < 0
            ? new(EventChain.StreamSeqCheck, "time", $"time {time} is earlier than the previous event's time {Time}.")
            : null;

    /// <summary>The head once the event has been admitted.</summary>
    public static ChainHead After(long seq, long streamSeq, string hash, string? time = null) => new(streamSeq, seq, hash, time);

    public static ChainHead After(TranscriptEvent e) => new(e.StreamSeq, e.Seq, e.Hash, e.Time);
}

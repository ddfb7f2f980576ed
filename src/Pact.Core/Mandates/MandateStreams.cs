using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Negotiation;

namespace Pact.Core.Mandates;

/// <summary>
/// What a verifier knows of the mandates beyond the session (§14): the daemon that recorded it (every grant's
/// <c>aud</c>) and the mandates' own streams — the store's for the daemon's verify, the export's <c>mandates</c> for the
/// offline verifier — so that both judge an act against its mandate's grant, revocation and expiry alike.
/// </summary>
public sealed record MandateStreams(string DaemonId, IReadOnlyDictionary<string, IReadOnlyList<TranscriptEvent>> Streams)
{
    /// <summary>An act names a mandate whose stream is missing, granted after the act, of another hash, or ended before the act.</summary>
    public const string Check = "mandate";

    /// <summary>The <c>mandate</c> an event was recorded under: a decision's mandateId and hash, or an act's <c>mandate</c> member; null for none.</summary>
    public static JsonObject? MandateOf(TranscriptEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Type == EventTypes.PolicyDecided && e.Data["mandateId"] is not null
            ? new JsonObject { ["mandateId"] = e.Data["mandateId"]!.DeepClone(), ["mandateHash"] = e.Data["mandateHash"]?.DeepClone() }
            : e.Data["mandate"] as JsonObject;
    }

    /// <summary>The mandate ids the events act under, in order of first appearance.</summary>
    public static IReadOnlyList<string> NamedIn(IEnumerable<TranscriptEvent> events) =>
        [.. events.Select(MandateOf).Select(m => m?["mandateId"] is JsonValue v && v.TryGetValue<string>(out var id) ? id : null)
            .OfType<string>().Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// What is wrong with act <paramref name="e"/> against its mandate's stream, or null (also for an event under no
    /// mandate): the stream starts with the grant, before the act, with the act's mandateHash; no <c>mandate.revoked</c>
    /// or <c>mandate.expired</c> precedes the act by seq — a decision included, so none is taken after the mandate ended.
    /// </summary>
    public string? Problem(TranscriptEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (MandateOf(e) is not { } mandate) return null;
        var mandateId = mandate["mandateId"] is JsonValue v && v.TryGetValue<string>(out var id) ? id : "";
        if (!Streams.TryGetValue(mandateId, out var stream) || stream.Count == 0 || stream[0].Type != EventTypes.MandateGranted)
            return $"The action names mandate {mandateId}, whose stream the verifier does not hold.";
        var granted = stream[0];
        if (granted.Seq >= e.Seq) return $"Mandate {mandateId} was granted after this action.";
        var grantedHash = granted.Data["mandateHash"] is JsonValue h && h.TryGetValue<string>(out var hash) ? hash : null;
        if (mandate["mandateHash"]?.GetValue<string>() != grantedHash || MandateCrypto.MandateHash(granted.Data["envelope"]!["payload"]!) != grantedHash)
            return $"The action's mandateHash is not that of mandate {mandateId}'s grant.";
        if (stream.FirstOrDefault(m => m.Type is EventTypes.MandateRevoked or EventTypes.MandateExpired && m.Seq < e.Seq) is { } ended)
            return $"Mandate {mandateId} was {ended.Type.Split('.')[1]} (seq {ended.Seq}) before this action.";
        return null;
    }
}

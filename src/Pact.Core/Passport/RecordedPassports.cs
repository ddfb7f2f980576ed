using System.Text.Json.Nodes;
using Pact.Core.Json;

namespace Pact.Core.Passport;

/// <summary>What checking the passports one event records found: how many were checked, and the first that does not hold.</summary>
/// <param name="Pointer">Where the failing passport is, from the event's root (<c>/data/passport</c>), or null.</param>
public readonly record struct RecordedPassportOutcome(int Checked, string? Pointer, string? Message)
{
    public bool Failed => Pointer is not null;
}

/// <summary>
/// Passports recorded in events — the counterparty passport a decision saw: <c>policy.decided</c>'s
/// <c>data.passport</c> (§14) and each <c>bundle.committed</c> ranking entry's <c>passport</c> (§15), each "the §16
/// document, passportHash included, providers excluded". A verifier that has only the event checks that each one
/// holds by itself: its <c>passportHash</c> is the hash of its content, and its score and confidence are the
/// figures of its counts. Whether the counts are the log's is the audit's question
/// (<see cref="PassportLedger"/> over the log up to its <c>asOfSeq</c>).
/// </summary>
public static partial class RecordedPassports
{
    /// <summary>The name verifiers give this check in their first failure.</summary>
    public const string Check = "passport";

    /// <summary>The event whose <c>data.passport</c> is the passport a policy decision saw (§14).</summary>
    public const string PolicyDecided = "policy.decided";

    /// <summary>The event whose <c>data.ranking[].passport</c> are the passports a bundle's keys saw (§15).</summary>
    public const string BundleCommitted = "bundle.committed";

    /// <summary>The passport documents an event of <paramref name="type"/> records, with their pointers; null members (nothing recorded) are skipped.</summary>
    public static IEnumerable<(string Pointer, JsonNode Document)> In(string type, JsonObject data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (type == PolicyDecided && data["passport"] is { } passport) yield return ("/data/passport", passport);
        if (type == BundleCommitted && data["ranking"] is JsonArray ranking)
        {
            for (var i = 0; i < ranking.Count; i++)
                if (ranking[i] is JsonObject entry && entry["passport"] is { } ranked) yield return ($"/data/ranking/{i}/passport", ranked);
        }
    }

    /// <summary>Checks every passport an event records, stopping at the first that does not hold. Never throws on what it reads.</summary>
    public static RecordedPassportOutcome Verify(string type, JsonObject data)
    {
        var count = 0;
        foreach (var (pointer, document) in In(type, data))
        {
            count++;
            if (Problem(document) is { } problem) return new(count, pointer, problem);
        }
        return new(count, null, null);
    }

    /// <summary>Why a recorded passport does not hold, or null when it does.</summary>
    public static string? Problem(JsonNode document)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (document is not JsonObject passport) return "A recorded passport is a JSON object.";
        if (passport.ContainsKey("providers")) return "A recorded passport excludes providers: only the log-derived passport is recorded.";
        if (passport["passportHash"] is not JsonValue hashValue || !hashValue.TryGetValue<string>(out var recordedHash))
            return "The recorded passport carries no passportHash.";
        string contentHash;
        JsonObject figures;
        try
        {
            contentHash = AgentPassport.HashOf(passport);
            figures = AgentPassport.FromJson(passport).ToJson();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or NullReferenceException or KeyNotFoundException)
        {
            return $"The recorded passport is not a §16 passport document: {e.Message}";
        }
        if (recordedHash != contentHash)
            return $"passportHash {recordedHash} is not the hash of the recorded passport, which is {contentHash}.";
        if (Jcs.CanonicalString(figures) != Jcs.CanonicalString(passport))
        {
            return JsonNode.DeepEquals(figures["score"], passport["score"]) && JsonNode.DeepEquals(figures["confidence"], passport["confidence"])
                ? "The recorded passport has members other than §16's."
                : $"The recorded score and confidence are not the figures of its counts: those give {Jcs.CanonicalString(figures["score"])} and {Jcs.CanonicalString(figures["confidence"])}.";
        }
        return null;
    }
}

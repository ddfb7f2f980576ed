using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Core.Negotiation;

namespace Pact.Core.Passport;

/// <summary>
/// An agent's passport (§16) over the log's prefix up to <see cref="AsOfSeq"/>: its counts, the figures computed
/// from them, its recent failures and the hash that lets anyone check the document against the log.
/// </summary>
/// <param name="AsOf">The time of event <see cref="AsOfSeq"/>, the instant asked for, or the request's time on an empty log.</param>
public sealed record AgentPassport(string Agent, long AsOfSeq, string AsOf, PassportCounts Counts, IReadOnlyList<PassportFailure> RecentFailures)
{
    /// <summary>The domain separator of <see cref="Hash"/>.</summary>
    public const string HashDomain = "pact-passport-v1\n";

    /// <summary>The score in hundredths (CEL's integer).</summary>
    public long ScoreHundredths => Counts.ScoreHundredths;

    /// <summary>The confidence in percent (CEL's integer).</summary>
    public long ConfidencePercent => Counts.ConfidencePercent;

    /// <summary>The JSON <c>score</c>: 67.74.</summary>
    public double Score => PassportArithmetic.AsNumber(ScoreHundredths);

    /// <summary>The JSON <c>confidence</c>: 0.7.</summary>
    public double Confidence => PassportArithmetic.AsNumber(ConfidencePercent);

    /// <summary>hex SHA-256( "pact-passport-v1\n" ‖ JCS(the passport without passportHash and providers) ).</summary>
    public string Hash => Jcs.DomainHash(HashDomain, Content());

    /// <summary>Whether a counted failure falls in the window (what the check calls RECENT_POLICY_VIOLATION).</summary>
    public bool HasRecentFailure => RecentFailures.Count > 0;

    /// <summary>The passport as §16 shows it, passportHash included (providers are the daemon's to add, outside the hash).</summary>
    public JsonObject ToJson()
    {
        var json = Content();
        json["passportHash"] = Jcs.DomainHash(HashDomain, json);
        return json;
    }

    /// <summary>What the hash covers, in §16's member order.</summary>
    public JsonObject Content() => new()
    {
        ["agent"] = Agent,
        ["asOfSeq"] = AsOfSeq,
        ["asOf"] = AsOf,
        ["score"] = Score,
        ["confidence"] = Confidence,
        ["counts"] = Counts.ToJson(),
        ["recentFailures"] = new JsonArray([.. RecentFailures.Select(f => (JsonNode)f.ToJson())]),
    };

    /// <summary>
    /// The passportHash a passport document (served, or recorded in an event) should carry: the hash of its members
    /// other than passportHash and providers, taken as they are.
    /// </summary>
    public static string HashOf(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var content = new JsonObject();
        foreach (var (name, value) in document)
            if (name is not ("passportHash" or "providers")) content[name] = value?.DeepClone();
        return Jcs.DomainHash(HashDomain, content);
    }

    /// <summary>Reads a passport document (as recorded in an event, or served); its passportHash and providers are ignored.</summary>
    public static AgentPassport FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var counts = json["counts"]!.AsObject();
        return new AgentPassport(
            json["agent"]!.GetValue<string>(),
            JsonRead.Integer(json["asOfSeq"]),
            json["asOf"]!.GetValue<string>(),
            new PassportCounts(
                JsonRead.Integer(counts["compacts"]),
                JsonRead.Integer(counts["honored"]),
                JsonRead.Integer(counts["active"]),
                JsonRead.Integer(counts["revokedByAgent"]),
                JsonRead.Integer(counts["revokedByCounterparty"]),
                JsonRead.Integer(counts["failures"]),
                JsonRead.Integer(counts["declined"])),
            [
                .. json["recentFailures"]!.AsArray().Select(f => new PassportFailure(
                    f!["code"]!.GetValue<string>(),
                    f["at"]!.GetValue<string>(),
                    JsonRead.Integer(f["seq"]),
                    [.. f["evidenceRefs"]!.AsArray().Select(r => r!.GetValue<string>())])),
            ]);
    }
}

using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Pact.Core.Passport;

namespace Pact.Core.Contracts.Responses;

/// <summary>
/// GET /v1/agents/{agentId}/passport (§16): the passport document, members in the contract's order. Serialized with
/// <see cref="Json.PactJson.Options"/> it has the bytes of <see cref="AgentPassport.ToJson"/>, whose hash it carries.
/// </summary>
public sealed record PassportResponse(
    string Agent,
    long AsOfSeq,
    string AsOf,
    double Score,
    double Confidence,
    PassportCountsResponse Counts,
    IReadOnlyList<PassportFailureResponse> RecentFailures,
    string PassportHash)
{
    /// <summary>
    /// The extra reputation providers' entries, in their configured order: outside passportHash, and absent when a
    /// deployment has none, so that the answer is §16's document byte for byte.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ReputationProviderEntry>? Providers { get; init; }

    public static PassportResponse From(AgentPassport passport)
    {
        ArgumentNullException.ThrowIfNull(passport);
        return new(passport.Agent, passport.AsOfSeq, passport.AsOf, passport.Score, passport.Confidence,
            PassportCountsResponse.From(passport.Counts),
            [.. passport.RecentFailures.Select(f => new PassportFailureResponse(f.Code, f.At, f.Seq, f.EvidenceRefs))],
            passport.Hash);
    }
}

/// <summary>
/// One extra reputation provider's answer under <c>providers</c>: its <c>figures</c> (a JSON object of its own
/// shape), or <c>error</c> when it failed, answered late or answered what cannot be served.
/// </summary>
public sealed record ReputationProviderEntry(string Name, JsonObject? Figures, string? Error);

/// <summary>The <c>counts</c> of a passport.</summary>
public sealed record PassportCountsResponse(long Compacts, long Honored, long Active, long RevokedByAgent, long RevokedByCounterparty, long Failures, long Declined)
{
    public static PassportCountsResponse From(PassportCounts c) =>
        new(c.Compacts, c.Honored, c.Active, c.RevokedByAgent, c.RevokedByCounterparty, c.Failures, c.Declined);
}

/// <summary>An entry of <c>recentFailures</c>: a counted failure in the 30 days up to the passport's asOf.</summary>
public sealed record PassportFailureResponse(string Code, string At, long Seq, IReadOnlyList<string> EvidenceRefs);

/// <summary>
/// POST /v1/agents/{agentId}/passport/check (§16): whether the passport meets the thresholds; <c>reason</c> and
/// <c>triggeringFactor</c> are null when it does. The thresholds are echoed as given (hundredths and percent).
/// </summary>
public sealed record PassportCheckResponse(
    bool Pass,
    string? Reason,
    double Score,
    double Confidence,
    long MinScoreRequired,
    long MinConfidenceRequired,
    string? TriggeringFactor,
    string PassportHash)
{
    public static PassportCheckResponse From(PassportVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return new(verdict.Pass, verdict.Reason, verdict.Passport.Score, verdict.Passport.Confidence,
            verdict.Requirement.MinScore, verdict.Requirement.MinConfidence, verdict.TriggeringFactor, verdict.Passport.Hash);
    }
}

/// <summary>
/// POST /v1/agents/{agentId}/passport/check body: thresholds in hundredths (score) and percent (confidence), and
/// optionally a past committed seq. Read from the JSON as sent (integers only; a string "60" is refused).
/// </summary>
public sealed record PassportCheckRequest(long MinScore, long MinConfidence, long? AsOfSeq);

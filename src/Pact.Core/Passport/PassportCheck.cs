using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Core.Passport;

/// <summary>The stable reason codes of a passport check (§16), in the order they are judged.</summary>
public static class PassportReasons
{
    public const string InsufficientHistory = "INSUFFICIENT_HISTORY";
    public const string RecentPolicyViolation = "RECENT_POLICY_VIOLATION";
    public const string LowScore = "LOW_SCORE";
    public const string LowConfidence = "LOW_CONFIDENCE";

    /// <summary>Reserved by §16; never returned yet.</summary>
    public const string DisputeFlagged = "DISPUTE_FLAGGED";
}

/// <summary>
/// The thresholds a passport is checked against: <paramref name="MinScore"/> in hundredths (6000 is 60.00),
/// <paramref name="MinConfidence"/> in percent (50 is 0.5).
/// </summary>
public readonly record struct PassportRequirement(long MinScore, long MinConfidence)
{
    /// <summary>Both thresholds 0: every passport passes, whatever its history.</summary>
    public bool IsNone => MinScore == 0 && MinConfidence == 0;

    /// <summary>
    /// Reads <c>minScore</c> and <c>minConfidence</c> from <paramref name="holder"/> (a check's body, or a session's
    /// <c>admission</c>): each required, a JSON integer of at least 0. Each violation is added to
    /// <paramref name="errors"/> with its pointer under <paramref name="pointer"/>; null when there is one.
    /// </summary>
    public static PassportRequirement? Read(JsonObject? holder, string pointer, ICollection<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var minScore = Threshold(holder?["minScore"], pointer + "/minScore", "in hundredths: 6000 is a score of 60", errors);
        var minConfidence = Threshold(holder?["minConfidence"], pointer + "/minConfidence", "in percent: 50 is a confidence of 0.5", errors);
        return minScore is { } score && minConfidence is { } confidence ? new PassportRequirement(score, confidence) : null;
    }

    private static long? Threshold(JsonNode? node, string pointer, string unit, ICollection<FieldError> errors)
    {
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var value) && value >= 0) return value;
        var name = pointer[(pointer.LastIndexOf('/') + 1)..];
        errors.Add(new FieldError(pointer, PactCodes.InvalidPayload, $"'{name}' is required: an integer of at least 0, {unit}."));
        return null;
    }
}

/// <summary>
/// The outcome of a check: <see cref="Reason"/> and <see cref="TriggeringFactor"/> are null when it passes; the
/// factor is a sentence naming the figure, or the failure with its date and evidence, that decided.
/// </summary>
public sealed record PassportVerdict(AgentPassport Passport, PassportRequirement Requirement, string? Reason, string? TriggeringFactor)
{
    public bool Pass => Reason is null;
}

/// <summary>
/// §16's check: both thresholds 0 always pass; otherwise the first reason that applies, in this order:
/// INSUFFICIENT_HISTORY (fewer than 3 compacts), RECENT_POLICY_VIOLATION (a counted failure in the window),
/// LOW_SCORE (score in hundredths below minScore), LOW_CONFIDENCE (confidence in percent below minConfidence).
/// </summary>
public static class PassportCheck
{
    /// <summary>The compacts an agent must have entered before any threshold other than 0 can pass.</summary>
    public const int MinimumCompacts = 3;

    public static PassportVerdict Judge(AgentPassport passport, PassportRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(passport);
        if (requirement.IsNone) return new(passport, requirement, null, null);
        var counts = passport.Counts;
        if (counts.Compacts < MinimumCompacts)
        {
            return new(passport, requirement, PassportReasons.InsufficientHistory, Invariant(
                $"{passport.Agent} has entered {Compacts(counts.Compacts)} as of seq {passport.AsOfSeq}; at least {MinimumCompacts} are needed before a threshold applies."));
        }
        if (passport.RecentFailures.Count > 0)
        {
            var f = passport.RecentFailures[0];
            return new(passport, requirement, PassportReasons.RecentPolicyViolation, Invariant(
                $"{f.Code} failure (acknowledgment timeout) on {f.At[..10]} at seq {f.Seq}, within {RecentFailures.WindowDays} days of {passport.AsOf[..10]}; evidence: {string.Join(", ", f.EvidenceRefs)}."));
        }
        if (passport.ScoreHundredths < requirement.MinScore)
        {
            return new(passport, requirement, PassportReasons.LowScore, Invariant(
                $"Score {Figure(passport.ScoreHundredths)} is below the required {Figure(requirement.MinScore)}: {counts.Honored} honored, {counts.Active} active, {Failures(counts.Failures)}."));
        }
        if (passport.ConfidencePercent < requirement.MinConfidence)
        {
            return new(passport, requirement, PassportReasons.LowConfidence, Invariant(
                $"Confidence {Figure(passport.ConfidencePercent)} is below the required {Figure(requirement.MinConfidence)}: {Compacts(counts.Compacts)} and {Failures(counts.Failures)}, of the {PassportArithmetic.FullConfidenceHistory} that give full confidence."));
        }
        return new(passport, requirement, null, null);
    }

    /// <summary>
    /// session.create's refusal when a participant fails the session's admission: 403 PACT-208 naming the agent, the
    /// reason and the triggering factor.
    /// </summary>
    public static PactError AdmissionRefusal(PassportVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        var agent = verdict.Passport.Agent;
        return new PactError(PactCodes.AdmissionRefused, 403, "Passport admission refused",
            Invariant($"{agent} does not pass the session's admission ({verdict.Reason}): {verdict.TriggeringFactor}"))
        {
            Members = [new("agent", agent), new("reason", verdict.Reason), new("triggeringFactor", verdict.TriggeringFactor)],
        };
    }

    private static string Figure(long hundredths) => Jcs.FormatNumber(PassportArithmetic.AsNumber(hundredths));

    private static string Compacts(long n) => n == 1 ? "1 compact" : Invariant($"{n} compacts");

    private static string Failures(long n) => n == 1 ? "1 failure" : Invariant($"{n} failures");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

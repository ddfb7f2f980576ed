using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Passport;
using Pact.Core.Time;

namespace Pact.Samples.ReputationProvider;

/// <summary>
/// A reputation provider that does not let short compacts buy confidence: a compact whose effective period is shorter
/// than a week (terms.scope.effective) is counted, but not toward confidence, which is §16's formula over the
/// compacts of a week or more and the failures. Padding a history with many one-day compacts then shows.
/// Deterministic: it reads only the compacts the agent entered up to the seq, and their signed terms.
/// </summary>
public sealed class ShortCompactDiscount : IReputationProvider
{
    /// <summary>A compact shorter than this does not count toward confidence.</summary>
    public static readonly TimeSpan MinimumTerm = TimeSpan.FromDays(7);

    public string Name => "short-compacts-discounted";

    public async Task<JsonObject> EvaluateAsync(IReputationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var entered = await context.CompactsEnteredAsync(cancellationToken).ConfigureAwait(false);
        var shortCompacts = entered.Count(IsShort);
        var counted = entered.Count - shortCompacts;
        var confidence = PassportArithmetic.ConfidencePercent(counted, context.Passport.Counts.Failures);
        return new JsonObject
        {
            ["minimumTerm"] = "P7D",
            ["compacts"] = entered.Count,
            ["shortCompacts"] = shortCompacts,
            ["confidence"] = PassportArithmetic.AsNumber(confidence),
        };
    }

    /// <summary>Whether a compact.in-force event's terms run for less than <see cref="MinimumTerm"/>; an open end is long.</summary>
    private static bool IsShort(TranscriptEvent inForce)
    {
        var effective = inForce.Data["record"]?["terms"]?["scope"]?["effective"];
        return Timestamp.TryParse(effective?["from"]?.GetValue<string>(), out var from)
            && Timestamp.TryParse(effective?["until"]?.GetValue<string>(), out var until)
            && until - from < MinimumTerm;
    }
}

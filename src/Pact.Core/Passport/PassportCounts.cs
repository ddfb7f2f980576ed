using System.Text.Json.Nodes;

namespace Pact.Core.Passport;

/// <summary>
/// An agent's counts of §16 over a prefix of the log: compacts it entered (<c>compact.in-force</c> with it as a
/// party), how those versions ended, the acknowledgment timeouts counted against it, and the proposals it declined.
/// Counts add, so a read model can keep running totals and a delta per event.
/// </summary>
public readonly record struct PassportCounts(
    long Compacts,
    long Honored,
    long Active,
    long RevokedByAgent,
    long RevokedByCounterparty,
    long Failures,
    long Declined)
{
    /// <summary>No history.</summary>
    public static PassportCounts None => default;

    public static PassportCounts operator +(PassportCounts x, PassportCounts y) => new(
        x.Compacts + y.Compacts,
        x.Honored + y.Honored,
        x.Active + y.Active,
        x.RevokedByAgent + y.RevokedByAgent,
        x.RevokedByCounterparty + y.RevokedByCounterparty,
        x.Failures + y.Failures,
        x.Declined + y.Declined);

    public static PassportCounts Add(PassportCounts x, PassportCounts y) => x + y;

    /// <summary><c>score</c> in hundredths (the CEL integer of §13): 6774 for 67.74.</summary>
    public long ScoreHundredths => PassportArithmetic.ScoreHundredths(Honored, Active, Failures);

    /// <summary><c>confidence</c> in percent (the CEL integer of §13): 70 for 0.7.</summary>
    public long ConfidencePercent => PassportArithmetic.ConfidencePercent(Compacts, Failures);

    /// <summary>The <c>counts</c> member of the passport, in the order §16 writes it.</summary>
    public JsonObject ToJson() => new()
    {
        ["compacts"] = Compacts,
        ["honored"] = Honored,
        ["active"] = Active,
        ["revokedByAgent"] = RevokedByAgent,
        ["revokedByCounterparty"] = RevokedByCounterparty,
        ["failures"] = Failures,
        ["declined"] = Declined,
    };

    // Deltas of single events, named for what happened to the agent.
    internal static PassportCounts Entered => new(1, 0, 1, 0, 0, 0, 0);
    internal static PassportCounts HonoredEnd => new(0, 1, -1, 0, 0, 0, 0);
    internal static PassportCounts RevokedByItself => new(0, 0, -1, 1, 0, 0, 0);
    internal static PassportCounts RevokedByOther => new(0, 0, -1, 0, 1, 0, 0);
    internal static PassportCounts OneFailure => new(0, 0, 0, 0, 0, 1, 0);
    internal static PassportCounts OneDecline => new(0, 0, 0, 0, 0, 0, 1);
}

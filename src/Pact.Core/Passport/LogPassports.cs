using System.Text.Json.Nodes;
using Pact.Core.Json;

namespace Pact.Core.Passport;

/// <summary>
/// Where a verifier takes the passport the log gives an agent as of a seq, to hold a passport a decision recorded to it
/// (§13, §14: "the passport of terms.parties[them].agent with asOfSeq = the seq before the judged proposal's
/// proposal.created"). The daemon reads its passport read model; an offline verifier folds the events its export holds,
/// when they are the whole log up to that seq.
/// </summary>
public interface ILogPassports
{
    /// <summary>
    /// The passport of <paramref name="agent"/> over the log up to <paramref name="asOfSeq"/>, or null when this verifier
    /// does not hold the log that far (the source then notes <paramref name="decided"/>'s passport as not checked).
    /// </summary>
    AgentPassport? At(Events.TranscriptEvent decided, string agent, long asOfSeq);
}

/// <summary>Passports fetched beforehand by (agent, asOfSeq): what a verifier with an asynchronous source hands to a synchronous check.</summary>
public sealed class FetchedLogPassports(IReadOnlyDictionary<(string Agent, long AsOfSeq), AgentPassport> fetched) : ILogPassports
{
    public AgentPassport? At(Events.TranscriptEvent decided, string agent, long asOfSeq) => fetched.GetValueOrDefault((agent, asOfSeq));
}

public static partial class RecordedPassports
{
    /// <summary>
    /// Why the passport a decision recorded is not the one the log gives: another agent than the decision's counterparty,
    /// another asOfSeq than the seq before the judged proposal's creation, or — when <paramref name="logged"/> is known —
    /// other content than the log's passport at that seq. Null when it holds.
    /// </summary>
    public static string? AgainstLog(JsonNode? recorded, string agent, long asOfSeq, AgentPassport? logged)
    {
        if (recorded is not JsonObject passport) return "The decision records no passport.";
        var recordedAgent = passport["agent"] is JsonValue a && a.TryGetValue<string>(out var s) ? s : null;
        if (recordedAgent != agent)
            return $"The recorded passport is {recordedAgent ?? "nobody"}'s, but the judged proposal's counterparty is {agent}.";
        var recordedSeq = passport["asOfSeq"] is JsonValue q && q.TryGetValue<long>(out var n) ? n : (long?)null;
        if (recordedSeq != asOfSeq)
            return $"The recorded passport is as of seq {recordedSeq?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"}, "
                + $"but the judged proposal was created at seq {asOfSeq + 1}, so its passport is as of seq {asOfSeq}.";
        if (logged is null) return null;
        var expected = logged.ToJson();
        if (Jcs.CanonicalString(expected) == Jcs.CanonicalString(passport)) return null;
        var differing = expected.Select(m => m.Key).FirstOrDefault(k => !JsonNode.DeepEquals(expected[k], passport[k])) ?? "passportHash";
        return $"The recorded passport is not the log's as of seq {asOfSeq}: its {differing} is {Jcs.CanonicalString(passport[differing])}, "
            + $"the log gives {Jcs.CanonicalString(expected[differing])} (passportHash {expected["passportHash"]}).";
    }
}

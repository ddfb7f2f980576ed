using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Json;
using Pact.Core.Passport;
using Pact.Core.Policies.Cel;

namespace Pact.Core.Policies;

/// <summary>The <c>proposal</c> variable (§13); <see cref="ProposalId"/> and <see cref="SessionId"/> are null in a dry run on bare terms.</summary>
public sealed record PolicyProposalFacts(
    string? ProposalId, string? SessionId, string CompactId, long Version, string Proposer, string? Replaces, string TermsHash,
    DateTimeOffset CreatedAt, string? BundleId);

/// <summary>The counterparty's passport as CEL sees it: integers (score in hundredths, confidence in percent).</summary>
public sealed record PolicyPassportFacts(long Score, long Confidence, long Compacts, long Failures, long AsOfSeq)
{
    public static PolicyPassportFacts From(AgentPassport passport)
    {
        ArgumentNullException.ThrowIfNull(passport);
        return new(passport.ScoreHundredths, passport.ConfidencePercent, passport.Counts.Compacts, passport.Counts.Failures, passport.AsOfSeq);
    }
}

/// <summary>The <c>counterparty</c> variable: its agent, its principal (from the terms) and its passport.</summary>
public sealed record PolicyCounterparty(string Agent, JsonObject Principal, PolicyPassportFacts Passport);

/// <summary>The <c>session</c> variable; every member null in a dry run without a session.</summary>
public sealed record PolicySessionFacts(string? SessionId, string? Topic, IReadOnlyList<string>? Participants)
{
    public static PolicySessionFacts None { get; } = new(null, null, null);
}

/// <summary>
/// Everything a policy sees (§13): a pure function of recorded facts, so the decision can be recomputed from the
/// transcript. <see cref="ToJson"/> is the evaluate endpoint's <c>input</c>; <see cref="ToCelVariables"/> the CEL values.
/// </summary>
public sealed record PolicyInput(
    JsonObject Terms, string Me, string Them, PolicyProposalFacts Proposal, PolicyCounterparty Counterparty, PolicySessionFacts Session,
    DateTimeOffset Now)
{
    /// <summary>The input for deciding on <paramref name="terms"/> as party <paramref name="me"/>, the other party proposing.</summary>
    public static PolicyInput For(JsonObject terms, string me, PolicyProposalFacts proposal, PolicyPassportFacts passport, PolicySessionFacts session)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(proposal);
        var them = me == "a" ? "b" : "a";
        var party = terms["parties"]?[them];
        var counterparty = new PolicyCounterparty(
            party?["agent"]?.GetValue<string>() ?? "",
            party?["principal"]?.DeepClone() as JsonObject ?? [],
            passport);
        return new PolicyInput(terms, me, them, proposal, counterparty, session, proposal.CreatedAt);
    }

    /// <summary>The same input on other terms (a counter's patched terms): only <c>terms</c> and <c>proposal.termsHash</c> change.</summary>
    public PolicyInput WithTerms(JsonObject terms) =>
        this with { Terms = terms, Proposal = Proposal with { TermsHash = CompactCrypto.TermsHash(terms) } };

    /// <summary>The CEL variables as JSON: terms, me, them, proposal, counterparty, session, now.</summary>
    public JsonObject ToJson() => new()
    {
        ["terms"] = Terms.DeepClone(),
        ["me"] = Me,
        ["them"] = Them,
        ["proposal"] = JsonSerializer.SerializeToNode(Proposal, PactJson.Options),
        ["counterparty"] = JsonSerializer.SerializeToNode(Counterparty, PactJson.Options),
        ["session"] = JsonSerializer.SerializeToNode(Session, PactJson.Options),
        ["now"] = Time.Timestamp.ToText(Now),
    };

    /// <summary>The values of <see cref="PolicyEnvironment.Variables"/>, in slot order; timestamps are CEL timestamps.</summary>
    public object?[] ToCelVariables()
    {
        var p = Proposal;
        var proposal = CelMap.OfStrings(
            ("proposalId", p.ProposalId), ("sessionId", p.SessionId), ("compactId", p.CompactId), ("version", p.Version),
            ("proposer", p.Proposer), ("replaces", p.Replaces), ("termsHash", p.TermsHash), ("createdAt", Time.Timestamp.Truncate(p.CreatedAt)),
            ("bundleId", p.BundleId));
        var passport = Counterparty.Passport;
        var counterparty = CelMap.OfStrings(
            ("agent", Counterparty.Agent), ("principal", CelJson.FromJson(Counterparty.Principal)),
            ("passport", CelMap.OfStrings(("score", passport.Score), ("confidence", passport.Confidence), ("compacts", passport.Compacts),
                ("failures", passport.Failures), ("asOfSeq", passport.AsOfSeq))));
        var session = CelMap.OfStrings(
            ("sessionId", Session.SessionId), ("topic", Session.Topic),
            ("participants", Session.Participants is { } list ? list.Cast<object?>().ToArray() : null));
        return [CelJson.FromJson(Terms), Me, Them, proposal, counterparty, session, Time.Timestamp.Truncate(Now)];
    }
}

using System.Text.Json.Nodes;
using Pact.Core.Policies;
using Pact.Core.Time;
using Pact.Daemon.Application;
using Pact.Store;

namespace Pact.Daemon.Policies;

/// <summary>
/// Builds a policy's input (§13) from what the transcript recorded: the proposal's terms and facts, the session, and the
/// counterparty's passport as of the seq before the proposal's <c>proposal.created</c>. The same input the mandate
/// runtime (§14) and verify use, so every path recomputes the same decision.
/// </summary>
public sealed class PolicyInputs(IPactStore store, ISessionReadModel sessions, PassportService passports)
{
    /// <summary>The input for party <paramref name="me"/> deciding on a recorded proposal; null when it cannot be read.</summary>
    public async Task<PolicyInput?> ForProposalAsync(ProposalRow proposal, string me, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        if (proposal.Terms is not JsonObject terms || proposal.History is not JsonArray { Count: > 0 } history) return null;
        var created = history[0]!;
        var seq = created["seq"]!.GetValue<long>();
        var createdAt = Timestamp.Parse(created["time"]!.GetValue<string>());
        var createdEvent = await store.GetBySeqAsync(seq, ct);
        var replaces = createdEvent?.Data["replaces"]?.GetValue<string>()
            ?? createdEvent?.Data["envelope"]?["payload"]?["replaces"]?.GetValue<string>();
        var bundleId = createdEvent?.Data["bundleId"]?.GetValue<string>();
        var facts = new PolicyProposalFacts(proposal.ProposalId, proposal.SessionId, proposal.CompactId, proposal.Version, proposal.Proposer,
            replaces, proposal.TermsHash, createdAt, bundleId);
        var session = await sessions.GetAsync(proposal.SessionId, ct);
        return await ForTermsAsync((JsonObject)terms.DeepClone(), me, facts, seq - 1,
            session is null ? PolicySessionFacts.None : new PolicySessionFacts(session.SessionId, session.Topic, session.Participants), ct);
    }

    /// <summary>
    /// The input for a proposal about to be recorded (a verified standing policy on propose): <paramref name="me"/> is the
    /// proposer, the passport is as of the last committed event (the seq before this proposal.created).
    /// </summary>
    public async Task<PolicyInput> ForNewProposalAsync(JsonObject terms, string me, string proposalId, string sessionId, string? replaces,
        string termsHash, DateTimeOffset now, CancellationToken ct, string? bundleId = null)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var facts = new PolicyProposalFacts(proposalId, sessionId, terms["compactId"]!.GetValue<string>(), terms["version"]!.GetValue<long>(), me,
            replaces, termsHash, Timestamp.Truncate(now), bundleId);
        var session = await sessions.GetAsync(sessionId, ct);
        return await ForTermsAsync((JsonObject)terms.DeepClone(), me, facts, store.HeadSeq,
            session is null ? PolicySessionFacts.None : new PolicySessionFacts(session.SessionId, session.Topic, session.Participants), ct);
    }

    /// <summary>
    /// The input a mandate decides on (§14), with the counterparty's passport document it saw (read by the caller as of
    /// the seq before the judged proposal.created, and recorded in <c>policy.decided</c>, so verify recomputes the
    /// decision from the transcript alone).
    /// </summary>
    public async Task<PolicyInput> ForMandateAsync(JsonObject terms, string me, PolicyProposalFacts proposal, Core.Passport.AgentPassport passport,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(proposal);
        ArgumentNullException.ThrowIfNull(passport);
        var session = proposal.SessionId is { } id ? await sessions.GetAsync(id, ct) : null;
        var sessionFacts = session is null ? PolicySessionFacts.None : new PolicySessionFacts(session.SessionId, session.Topic, session.Participants);
        return PolicyInput.For((JsonObject)terms.DeepClone(), me, proposal, PolicyPassportFacts.From(passport), sessionFacts);
    }

    /// <summary>The input on given terms and proposal facts, the counterparty's passport taken as of <paramref name="passportAsOfSeq"/>.</summary>
    public async Task<PolicyInput> ForTermsAsync(JsonObject terms, string me, PolicyProposalFacts proposal, long passportAsOfSeq,
        PolicySessionFacts session, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var them = me == "a" ? "b" : "a";
        var agent = terms["parties"]?[them]?["agent"]?.GetValue<string>() ?? "";
        var passport = await passports.AsOfSeqAsync(agent, passportAsOfSeq, ct);
        return PolicyInput.For(terms, me, proposal, PolicyPassportFacts.From(passport), session);
    }
}

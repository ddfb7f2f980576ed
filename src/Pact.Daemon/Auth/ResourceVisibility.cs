using Pact.Core.Lifecycle;
using Pact.Daemon.Application;

namespace Pact.Daemon.Auth;

/// <summary>
/// The visibility rule of §3, in one place: the operator sees everything; a session is a shared room whose
/// participants see it and every proposal and compact negotiated in it; a compact is also visible to its two
/// parties; a subscription only to its owner. Whatever this denies answers 404 PACT-404, like a missing resource.
/// </summary>
public sealed class ResourceVisibility(DecisionEngine engine)
{
    /// <summary>A session with these participants (as its read model row lists them).</summary>
    public bool CanSeeSession(Caller caller, IEnumerable<string> participants) =>
        caller.IsAdmin || (caller.Agent is { } agent && participants.Contains(agent, StringComparer.Ordinal));

    /// <summary>A proposal, or anything else negotiated in this session.</summary>
    public bool CanSeeInSession(Caller caller, string sessionId) =>
        caller.IsAdmin || (caller.Agent is { } agent && engine.State.Session(sessionId)?.IsParticipant(agent) == true);

    /// <summary>A compact: a party, or a participant of the session of one of its versions. False for one with no signed version.</summary>
    public bool CanSeeCompact(Caller caller, string compactId) =>
        caller.IsAdmin || (caller.Agent is { } agent && LifecycleMachine.CanSee(engine.State, compactId, agent));

    /// <summary>The streams of the mandates the caller granted (§14: a mandate is visible to its granter only).</summary>
    public IEnumerable<string> MandateStreamsOf(Caller caller) =>
        caller.Agent is { } agent ? engine.State.MandatesOf(agent).Select(m => m.MandateId) : [];

    /// <summary>A webhook subscription and its deliveries.</summary>
    public static bool CanSeeSubscription(Caller caller, string owner) =>
        caller.IsAdmin || string.Equals(caller.Agent, owner, StringComparison.Ordinal);
}

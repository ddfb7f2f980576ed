using System.Text.Json.Nodes;
using Pact.Core.Events;

namespace Pact.Core.Passport;

/// <summary>
/// A reputation provider (§16, "Pluggable reputation"): figures about an agent computed from this daemon's log as of
/// a seq. The daemon's built-in passport is one (<see cref="BuiltInReputationProvider"/>); a deployment may add
/// more, loaded at start from assemblies in its plugins directory (docs/passport.md, "Reputation providers"). Their
/// figures are served under <c>providers</c> in the passport answer, beside the built-in ones and outside
/// <c>passportHash</c>; policies and admission never read them.
/// </summary>
/// <remarks>
/// <para>
/// <b>Deterministic, as of a seq.</b> The figures must depend only on what <see cref="IReputationContext"/> shows
/// — the agent, the seq and the log's prefix up to it — never on the clock, randomness, the network or mutable
/// state of the provider's own: the same prefix gives the same figures, today and after a restart, so that anyone
/// holding the log can recompute them.
/// </para>
/// <para>
/// <b>Bounded.</b> The daemon gives each evaluation a time limit (Pact:Passport:ProviderTimeout) and cancels the
/// token when it passes; a provider that throws, or has not answered by then, is served as an <c>error</c> entry
/// of its own and never breaks the passport answer. Providers are called concurrently from many requests: keep
/// them stateless.
/// </para>
/// <para>
/// A plugin is a public, non-abstract class with a public parameterless constructor, in an assembly that
/// references Pact.Core (shared with the daemon: do not ship a copy of it).
/// </para>
/// </remarks>
public interface IReputationProvider
{
    /// <summary>The provider's name, unique in a deployment: its entry's <c>name</c> under <c>providers</c>. Lower-case words and dashes.</summary>
    string Name { get; }

    /// <summary>The provider's figures for <see cref="IReputationContext.Agent"/> as of <see cref="IReputationContext.AsOfSeq"/>: a JSON object of its own shape.</summary>
    Task<JsonObject> EvaluateAsync(IReputationContext context, CancellationToken cancellationToken);
}

/// <summary>
/// What a reputation provider may read, all of it as of one seq and read-only: the agent, the seq and its time, the
/// built-in passport there, the compacts the agent entered up to it, and the log's prefix itself.
/// </summary>
public interface IReputationContext
{
    /// <summary>The agent whose reputation is asked for (a did:key).</summary>
    string Agent { get; }

    /// <summary>The last seq of the prefix (0 before the first event).</summary>
    long AsOfSeq { get; }

    /// <summary>The passport's asOf: the time of event <see cref="AsOfSeq"/>, or the instant asked for before any event.</summary>
    string AsOf { get; }

    /// <summary>The built-in passport over the same prefix (§16).</summary>
    AgentPassport Passport { get; }

    /// <summary>The <c>compact.in-force</c> events, seq ≤ <see cref="AsOfSeq"/>, in which the agent entered a compact (each with its signed record and terms), in seq order.</summary>
    Task<IReadOnlyList<TranscriptEvent>> CompactsEnteredAsync(CancellationToken cancellationToken);

    /// <summary>Events of the prefix with seq &gt; <paramref name="afterSeq"/> and ≤ <see cref="AsOfSeq"/>, in seq order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<TranscriptEvent>> ReadEventsAsync(long afterSeq, int limit, CancellationToken cancellationToken);
}

/// <summary>
/// The built-in provider: §16's passport itself, whose figures are the passport's content (what passportHash
/// covers). The daemon serves it at the top of the passport answer, not under <c>providers</c>.
/// </summary>
public sealed class BuiltInReputationProvider : IReputationProvider
{
    /// <summary>The hash domain of §16's passport names it.</summary>
    public const string ProviderName = "pact-passport-v1";

    public string Name => ProviderName;

    public Task<JsonObject> EvaluateAsync(IReputationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(context.Passport.Content());
    }
}

/// <summary>
/// A reputation context over a log held in memory, as an auditor has it (an export, a file, a full read): folds the
/// prefix with <see cref="PassportLedger"/>, so a provider's figures can be recomputed away from the daemon.
/// </summary>
public sealed class LogReputationContext : IReputationContext
{
    private readonly IReadOnlyList<TranscriptEvent> _prefix;

    /// <param name="agent">The agent.</param>
    /// <param name="log">The log from seq 1, in seq order; events after <paramref name="asOfSeq"/> are ignored.</param>
    /// <param name="asOfSeq">The last seq of the prefix.</param>
    /// <param name="asOf">The instant asked for when <paramref name="asOfSeq"/> is 0; otherwise event asOfSeq's time is used.</param>
    public LogReputationContext(string agent, IEnumerable<TranscriptEvent> log, long asOfSeq, string? asOf = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        Agent = agent;
        AsOfSeq = asOfSeq;
        _prefix = [.. log.TakeWhile(e => e.Seq <= asOfSeq)];
        var ledger = new PassportLedger().ApplyAll(_prefix);
        Passport = ledger.PassportOf(agent, asOfSeq == 0 ? asOf : null);
        AsOf = Passport.AsOf;
    }

    public string Agent { get; }

    public long AsOfSeq { get; }

    public string AsOf { get; }

    public AgentPassport Passport { get; }

    public Task<IReadOnlyList<TranscriptEvent>> CompactsEnteredAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TranscriptEvent>>(
            [.. _prefix.Where(e => PassportEvents.PartiesEntered(e) is { } parties && parties.Agents.Contains(Agent, StringComparer.Ordinal))]);

    public Task<IReadOnlyList<TranscriptEvent>> ReadEventsAsync(long afterSeq, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<TranscriptEvent>>([.. _prefix.Where(e => e.Seq > afterSeq).Take(limit)]);
}

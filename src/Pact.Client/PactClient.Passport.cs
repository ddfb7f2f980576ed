using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Core.Events;
using Pact.Core.Time;

namespace Pact.Client;

public sealed partial class PactClient
{
    // ---------------------------------------------------------------- passports (§16)

    /// <summary>
    /// <c>GET /v1/agents/{agentId}/passport</c>: an agent's passport over the log up to <paramref name="asOfSeq"/>, or up
    /// to the last event at or before <paramref name="asOf"/>, or by default up to the last committed event. Any
    /// reader may ask about any registered agent. Recompute its <c>passportHash</c> with
    /// <see cref="Pact.Core.Passport.AgentPassport.HashOf"/>, or the whole passport from the log with
    /// <see cref="Pact.Core.Passport.PassportLedger"/>.
    /// </summary>
    /// <param name="agentId">The agent's did:key.</param>
    /// <param name="asOfSeq">A committed global seq (at least 1), or null.</param>
    /// <param name="asOf">An instant not in the future, or null; not together with <paramref name="asOfSeq"/>.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<PassportResponse> GetPassportAsync(string agentId, long? asOfSeq = null, DateTimeOffset? asOf = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(agentId);
        if (asOfSeq is not null && asOf is not null) throw new ArgumentException("Give asOfSeq or asOf, not both.", nameof(asOf));
        var path = WithQuery($"v1/agents/{Segment(agentId)}/passport",
            ("asOfSeq", asOfSeq is { } seq ? Num(seq) : null),
            ("asOf", asOf is { } instant ? Timestamp.ToText(instant) : null));
        return Read<PassportResponse>(await GetAsync(path, Access.Reader, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// <c>POST /v1/agents/{agentId}/passport/check</c>: whether the agent's passport meets the thresholds; when it does
    /// not, the first reason that applies (INSUFFICIENT_HISTORY, RECENT_POLICY_VIOLATION, LOW_SCORE, LOW_CONFIDENCE)
    /// and a sentence naming what decided. Both thresholds 0 always pass.
    /// </summary>
    /// <param name="agentId">The agent's did:key.</param>
    /// <param name="minScore">The least score in hundredths: 6000 is a score of 60.</param>
    /// <param name="minConfidence">The least confidence in percent: 50 is a confidence of 0.5.</param>
    /// <param name="asOfSeq">A committed global seq to judge as of, or null for the last committed event.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<PassportCheckResponse> CheckPassportAsync(string agentId, long minScore, long minConfidence, long? asOfSeq = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(agentId);
        var body = new JsonObject { ["minScore"] = minScore, ["minConfidence"] = minConfidence };
        SetIfNotNull(body, "asOfSeq", asOfSeq);
        return Read<PassportCheckResponse>(await PostJsonAsync($"v1/agents/{Segment(agentId)}/passport/check", body, Access.Reader, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The audit of a passport (§16): the daemon's passport as of <paramref name="asOfSeq"/> (default: the last committed
    /// event), recomputed here from the log itself with Pact Core's fold and compared (see
    /// <see cref="Verification.PassportAudit"/>). Reads every event up to that seq with <see cref="ReadLogAsync"/>, so
    /// the client needs the admin token (<see cref="PactClientOptions.AdminToken"/>).
    /// </summary>
    /// <param name="agentId">The agent's did:key.</param>
    /// <param name="asOfSeq">The seq to audit, or null for the last committed event.</param>
    /// <param name="cancellationToken">Cancels the requests.</param>
    /// <exception cref="InvalidOperationException">The client has no admin token.</exception>
    public async Task<Verification.PassportAuditResult> AuditPassportAsync(string agentId, long? asOfSeq = null, CancellationToken cancellationToken = default)
    {
        if (_options.AdminToken is null) throw new InvalidOperationException("An audit reads every event of the log: it needs the admin token (PactClientOptions.AdminToken).");
        var served = await GetPassportAsync(agentId, asOfSeq, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Verification.PassportAudit.CompareAsync(served, ReadLogAsync(served.AsOfSeq, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every event of the log, in seq order, through <paramref name="throughSeq"/> (a committed seq): read from
    /// <c>/v1/events/stream</c> with the admin token, the one that reads every stream, and closed once that seq has
    /// arrived.
    /// </summary>
    /// <param name="throughSeq">The last seq wanted (0: nothing is read).</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <exception cref="InvalidOperationException">The client has no admin token.</exception>
    public async IAsyncEnumerable<TranscriptEvent> ReadLogAsync(long throughSeq, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (throughSeq <= 0) yield break;
        // Not held contiguous here: a gap is the audit's to name (PassportAudit), not a reason to reconnect.
        var log = TailAsync("v1/events/stream", null, 0, fromHead: false, contiguous: false, e => e.Seq, null, cancellationToken, Access.Admin);
        await foreach (var e in log.ConfigureAwait(false))
        {
            if (e.Seq > throughSeq) yield break;
            yield return e;
            if (e.Seq == throughSeq) yield break;
        }
    }
}

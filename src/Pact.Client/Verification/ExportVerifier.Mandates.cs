using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Identity;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Policies;

namespace Pact.Client.Verification;

public static partial class ExportVerifier
{
    private sealed partial class Run
    {
        /// <summary>
        /// The mandates that acted in the session (§14): each stream in <c>mandates</c> hashes, chains and proves into the
        /// signed log like the session's events; then Core's checks, the daemon's verify's own (<see cref="DecisionReplay.Verify"/>):
        /// every action names a mandate granted before it, with that mandateHash, and neither revoked nor expired before it by
        /// seq; every <c>policy.decided</c> recomputes from the transcript with the bundle's <c>policies</c>; and every act
        /// carries out a recorded decision of its proposal with its effect, under a grant to this daemon by the agent it
        /// answers for. A session without actions under a mandate has nothing to check here.
        /// </summary>
        private ExportFailure? CheckMandates(List<TranscriptEvent> events)
        {
            var actions = events.Where(e => MandateStreams.MandateOf(e) is not null).ToList();
            if (actions.Count == 0) return null;

            var streams = new Dictionary<string, List<TranscriptEvent>>(StringComparer.Ordinal);
            var proofs = IndexProofs();
            var listed = bundle["mandates"] as JsonArray ?? [];
            for (var k = 0; k < listed.Count; k++)
            {
                var at = $"/mandates/{k}";
                if (listed[k] is not JsonObject entry || Text(entry, "mandateId") is not { } mandateId || entry["events"] is not JsonArray stream)
                    return new(ExportChecks.Mandate, at, "Not a mandate entry: { mandateId, events } are required.");
                var chain = ChainHead.Genesis;
                var read = new List<TranscriptEvent>();
                for (var j = 0; j < stream.Count; j++)
                {
                    var path = $"{at}/events/{j}";
                    if (stream[j] is not JsonObject obj || Text(obj, "stream") != mandateId || !TryLong(obj, "seq", out var seq)
                        || !TryLong(obj, "streamSeq", out var streamSeq) || Text(obj, "prevHash") is not { } prevHash || Text(obj, "hash") is not { } hash)
                        return new(ExportChecks.Mandate, path, $"Not an event of mandate stream {mandateId}.");
                    if (chain.Check(seq, streamSeq, prevHash) is { } broken) return new(broken.Check, $"{path}/{broken.Member}", broken.Message, seq, streamSeq);
                    chain = ChainHead.After(seq, streamSeq, hash);
                    var outcome = CheckEvent(obj, j, proofs, path);
                    _signatures += outcome.Signatures;
                    if (outcome.Failure is not null) return outcome.Failure;
                    _proofs++;
                    read.Add(outcome.Event!);
                }
                streams[mandateId] = read;
            }

            var policies = new InMemoryPolicyResolver();
            if (CompilePolicies(policies) is { } bad) return bad;
            // Each act against its mandate's stream (grant, hash, end) and the daemon, then the decisions: the checks the daemon's verify runs.
            var mandates = new MandateStreams(DidKey.FromPublicKey(key), streams.ToDictionary(s => s.Key, s => (IReadOnlyList<TranscriptEvent>)s.Value, StringComparer.Ordinal));
            var passports = new ExportPassports([.. events.Concat(streams.Values.SelectMany(s => s)).OrderBy(e => e.Seq)], events, _notChecked);
            if (DecisionReplay.Verify(events, policies, mandates, passports, new ExportCounterFacts(events, _notChecked)) is { } mismatch)
            {
                var index = events.FindIndex(e => e.Seq == mismatch.Seq);
                return new(mismatch.Check, $"/events/{index}", mismatch.Message, mismatch.Seq, mismatch.StreamSeq);
            }
            progress?.Report(new ExportVerificationProgress("mandates", actions.Count, actions.Count));
            return null;
        }

        /// <summary>
        /// The log's passports as far as the bundle holds the log: when its events (the session's, and for decisions its mandates') are
        /// every event from seq 1 up to the asOfSeq asked, a fold of them (<see cref="PassportLedger"/>, what the daemon's
        /// read model must agree with); otherwise the passport's agent and asOfSeq are all that is checked, and its content
        /// is reported not checked.
        /// </summary>
        private sealed class ExportPassports(List<TranscriptEvent> log, List<TranscriptEvent> session, List<ExportUnjudged> notChecked) : ILogPassports
        {
            /// <summary>How many events from seq 1 on the bundle holds without a gap.</summary>
            private readonly long _contiguous = log.TakeWhile((e, i) => e.Seq == i + 1).LongCount();

            public AgentPassport? At(TranscriptEvent decided, string agent, long asOfSeq)
            {
                if (asOfSeq >= 1 && asOfSeq <= _contiguous) return new PassportLedger().ApplyAll(log.Take((int)asOfSeq)).PassportOf(agent);
                // A decision records one passport; a bundle's commit one per ranking entry, named by its agent.
                var pointer = RecordedPassports.In(decided.Type, decided.Data)
                    .FirstOrDefault(p => p.Document["agent"] is JsonValue a && a.TryGetValue<string>(out var did) && did == agent).Pointer ?? "/data";
                notChecked.Add(new(ExportChecks.Passport, $"/events/{session.IndexOf(decided)}{pointer}",
                    $"The bundle does not hold the log up to seq {asOfSeq} (only its first {_contiguous} events), so only the passport's agent and asOfSeq are checked, not its figures.",
                    decided.Seq, decided.StreamSeq));
                return null;
            }
        }

        /// <summary>
        /// The registry and upstream compacts' state a counter's patched terms were judged with live: a bundle holds neither,
        /// so an escalate that only they can explain is accepted and reported not checked.
        /// </summary>
        private sealed class ExportCounterFacts(List<TranscriptEvent> session, List<ExportUnjudged> notChecked) : ICounterFacts
        {
            public bool? Refused(TranscriptEvent decided, JsonObject patchedTerms, string me)
            {
                notChecked.Add(new(ExportChecks.PolicyDecision, $"/events/{session.IndexOf(decided)}",
                    "The decision is the counter rule acting as escalate, though the transcript alone would take the counter: only the daemon's agent registry "
                    + "and its upstream compacts' state at the commit, which the bundle does not hold, can have refused the patched terms.",
                    decided.Seq, decided.StreamSeq));
                return null;
            }
        }

        /// <summary>The bundle's policies compiled, each after those it extends (in as many rounds as the extends chain is deep).</summary>
        private ExportFailure? CompilePolicies(InMemoryPolicyResolver resolver)
        {
            var pending = (bundle["policies"] as JsonArray ?? []).Select((p, k) => (Policy: p, Index: k)).ToList();
            while (pending.Count > 0)
            {
                var left = new List<(JsonNode? Policy, int Index)>();
                foreach (var entry in pending)
                {
                    // As the daemon does: a policy that no longer compiles is unusable (its decisions escalate), not a failure.
                    var compiled = entry.Policy is JsonObject json ? CompiledPolicy.CompilePublished(json, resolver) : null;
                    if (compiled is null) left.Add(entry);
                    else resolver.Add(compiled);
                }
                if (left.Count == pending.Count)
                    return new(ExportChecks.PolicyDecision, $"/policies/{left[0].Index}", "The policy does not compile with the policies the bundle carries.");
                pending = left;
            }
            return null;
        }
    }
}

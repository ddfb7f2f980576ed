using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Compacts;
using Pact.Core.Events;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Policies;
using Pact.Core.Tests.Policies;
using static Pact.Core.Tests.Policies.PolicyTestInputs;

namespace Pact.Core.Tests.Mandates;

/// <summary>
/// §13/§14: verify re-derives a counter exactly as the live path made it — the first decision through the same
/// evaluation (a counter only when it can be taken), the second only after that first decision, under the same mandate,
/// for a counter that replaces the judged proposal with the judged terms patched by the counter's <c>set</c>. A daemon
/// that records a counter with terms of its own choosing fails, even when the policy would sign them.
/// </summary>
public class CounterReplayTests
{
    private const string Session = "ses_01JEXAMPLE0000000000000000";
    private const string MandateId = "mnd_1";
    private const string Judged = "prp_1";
    private const string Counter = "prp_2";
    private const string At = "2026-12-07T00:00:00.000Z";

    private static readonly JsonObject Passport =
        new AgentPassport("did:key:z6MkContractor", 5, At, new PassportCounts(12, 10, 2, 0, 0, 0, 0), []).ToJson();

    /// <summary>Counters a 90-day notice period with 30 days, and signs the rest.</summary>
    private static JsonObject ShorterNotice(string pointer = "/revocation/noticePeriod") => Policy("shorter-notice", "escalate",
        Rule("long-notice", "isoSeconds(terms.revocation.noticePeriod) > isoSeconds('P30D')", "counter")
            .Let("set", new JsonArray(new JsonObject { ["pointer"] = pointer, ["value"] = "P30D" })),
        Rule("fine", "terms.tier == 'standard'", "sign"));

    private static JsonObject JudgedTerms()
    {
        var terms = KitchenTerms(withoutPropagation: true);
        terms["revocation"]!["noticePeriod"] = "P90D";
        return terms;
    }

    private static TranscriptEvent Event(long seq, string type, JsonObject data, string actor = TranscriptEvent.DaemonActor) =>
        new(seq, Session, seq, type, At, actor, data, "", "");

    private static TranscriptEvent SessionCreated() =>
        Event(1, EventTypes.SessionCreated, new JsonObject { ["topic"] = "Kitchen", ["participants"] = new JsonArray("did:key:a", "did:key:b") });

    /// <summary>The contractor (party a) proposes the judged terms to the homeowner (party b).</summary>
    private static TranscriptEvent JudgedCreated(JsonObject terms) => Event(2, EventTypes.ProposalCreated, new JsonObject
    {
        ["proposalId"] = Judged, ["compactId"] = terms["compactId"]!.DeepClone(), ["version"] = terms["version"]!.DeepClone(),
        ["termsHash"] = CompactCrypto.TermsHash(terms),
        ["envelope"] = new JsonObject { ["payload"] = new JsonObject { ["terms"] = terms.DeepClone(), ["signature"] = new JsonObject { ["party"] = "a" } } },
    }, "did:key:a");

    /// <summary>The input the homeowner's mandate judges the judged proposal on, as the live path builds it.</summary>
    private static PolicyInput InputOn(JsonObject terms) => PolicyInput.For(terms, "b",
        new PolicyProposalFacts(Judged, Session, terms["compactId"]!.GetValue<string>(), terms["version"]!.GetValue<long>(), "a", null,
            CompactCrypto.TermsHash(terms), DateTimeOffset.Parse(At, System.Globalization.CultureInfo.InvariantCulture), null),
        PolicyPassportFacts.From(AgentPassport.FromJson(Passport)), new PolicySessionFacts(Session, "Kitchen", ["did:key:a", "did:key:b"]));

    private static TranscriptEvent Decided(long seq, string proposalId, PolicyDecision decision, string? judged = null)
    {
        var data = new JsonObject
        {
            ["proposalId"] = proposalId, ["mandateId"] = MandateId, ["mandateHash"] = "mh11",
            ["decision"] = decision.ToJson(), ["decisionHash"] = decision.DecisionHash, ["passport"] = Passport.DeepClone(),
        };
        if (judged is not null) data["judged"] = judged;
        return Event(seq, EventTypes.PolicyDecided, data);
    }

    private static TranscriptEvent CounterCreated(long seq, JsonObject terms, string? replaces = Judged) => Event(seq, EventTypes.ProposalCreated, new JsonObject
    {
        ["proposalId"] = Counter, ["compactId"] = terms["compactId"]!.DeepClone(), ["version"] = terms["version"]!.DeepClone(),
        ["termsHash"] = CompactCrypto.TermsHash(terms), ["replaces"] = replaces, ["terms"] = terms.DeepClone(),
        ["signature"] = new JsonObject { ["party"] = "b" },
    });

    private static DecisionMismatch? Verify(JsonObject policy, params TranscriptEvent[] events)
    {
        var resolver = new InMemoryPolicyResolver();
        resolver.Add(Compile(policy));
        return DecisionReplay.Verify(events, resolver);
    }

    /// <summary>
    /// The commit a daemon records for a counter with <paramref name="counterTerms"/>: the first decision as the live path
    /// made it, then the policy's own decision on those terms (a sign whenever the policy would sign them), the counter and
    /// its proposal.countered.
    /// </summary>
    private static TranscriptEvent[] CounterCommit(JsonObject policy, JsonObject counterTerms, bool withFirstDecision = true, string? replaces = Judged)
    {
        var judgedTerms = JudgedTerms();
        var compiled = Compile(policy);
        var first = PolicyEvaluator.Evaluate(compiled, InputOn(judgedTerms));
        var second = PolicyEvaluator.Decide(compiled, InputOn(judgedTerms).WithTerms(counterTerms));
        second.Effect.Should().Be(PolicyEffects.Sign, "the policy signs the counter's terms");
        List<TranscriptEvent> events = [SessionCreated(), JudgedCreated(judgedTerms)];
        if (withFirstDecision) events.Add(Decided(3, Judged, first.Decision));
        events.Add(Decided(4, Counter, second, Judged));
        events.Add(CounterCreated(5, counterTerms, replaces));
        events.Add(Event(6, EventTypes.ProposalCountered, new JsonObject { ["proposalId"] = Judged, ["by"] = Counter }));
        return [.. events];
    }

    private static JsonObject PatchedTerms(string noticePeriod = "P30D")
    {
        var terms = JudgedTerms();
        terms["revocation"]!["noticePeriod"] = noticePeriod;
        return terms;
    }

    [Fact]
    public void An_honest_counter_recomputes()
    {
        var policy = ShorterNotice();
        var events = CounterCommit(policy, PatchedTerms());
        events[2].Data["decision"]!["effect"]!.GetValue<string>().Should().Be("counter");

        Verify(policy, events).Should().BeNull();
    }

    [Fact]
    public void A_counter_with_terms_the_daemon_chose_fails_even_though_the_policy_signs_them()
    {
        var policy = ShorterNotice();

        var mismatch = Verify(policy, CounterCommit(policy, PatchedTerms("P14D")));

        mismatch.Should().NotBeNull();
        mismatch!.Check.Should().Be(DecisionReplay.Check);
        mismatch.StreamSeq.Should().Be(4, "the counter's decision is where the transcript stops following from the policy");
        mismatch.Message.Should().Be($"The counter's terms are not the judged proposal {Judged}'s terms with the counter's set applied.");
    }

    [Fact]
    public void A_counter_decision_with_no_first_decision_countering_the_judged_proposal_fails()
    {
        var policy = ShorterNotice();

        var mismatch = Verify(policy, CounterCommit(policy, PatchedTerms(), withFirstDecision: false));

        mismatch!.StreamSeq.Should().Be(4);
        mismatch.Message.Should().Be($"No earlier policy.decided under mandate {MandateId} counters the judged proposal {Judged}.");
    }

    [Fact]
    public void A_first_decision_under_another_mandate_does_not_justify_the_counter()
    {
        var policy = ShorterNotice();
        var events = CounterCommit(policy, PatchedTerms());
        events[2].Data["mandateId"] = "mnd_other";

        var mismatch = Verify(policy, events);

        mismatch!.StreamSeq.Should().Be(4);
        mismatch.Message.Should().Be($"No earlier policy.decided under mandate {MandateId} counters the judged proposal {Judged}.");
    }

    [Fact]
    public void A_counter_that_does_not_replace_the_judged_proposal_fails()
    {
        var policy = ShorterNotice();

        var mismatch = Verify(policy, CounterCommit(policy, PatchedTerms(), replaces: "prp_other"));

        mismatch!.StreamSeq.Should().Be(4);
        mismatch.Message.Should().Be($"The counter {Counter} replaces prp_other, not the judged proposal {Judged}.");
    }

    [Fact]
    public void A_first_decision_recording_a_counter_that_cannot_be_taken_fails()
    {
        // The patch does not apply, so the live path records the counter rule acting as escalate, never the counter.
        var policy = ShorterNotice("/no/such/member");
        var judgedTerms = JudgedTerms();
        var counter = PolicyEvaluator.Decide(Compile(policy), InputOn(judgedTerms));
        counter.Effect.Should().Be(PolicyEffects.Counter);
        var escalated = counter with { Effect = PolicyEffects.Escalate };

        Verify(policy, SessionCreated(), JudgedCreated(judgedTerms), Decided(3, Judged, escalated)).Should().BeNull("what the live path records");
        var mismatch = Verify(policy, SessionCreated(), JudgedCreated(judgedTerms), Decided(3, Judged, counter));

        mismatch!.StreamSeq.Should().Be(3);
        mismatch.Message.Should().Be($"The decision recomputes to escalate by long-notice ({escalated.DecisionHash}), not {counter.DecisionHash}.");
    }
}

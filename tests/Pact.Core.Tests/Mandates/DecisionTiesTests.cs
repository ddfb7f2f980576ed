using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Core.Envelopes;
using Pact.Core.Events;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;

namespace Pact.Core.Tests.Mandates;

/// <summary>
/// §14: an act the daemon recorded under a mandate must carry out a recorded <c>policy.decided</c> — same mandate, same
/// proposal, earlier, with the act's decisionHash and effect; and the grant it carries must be the answering agent's with
/// a scope that covers the act's session, compact and counterparty. Whether the decision recomputes is DecisionReplay's.
/// </summary>
public class DecisionTiesTests
{
    private const string MandateId = "mnd_1";
    private const string Proposal = "prp_1";
    private const string TermsHash = "tt11";
    private static readonly string Session = Pact.Core.Ids.PactIds.New(Pact.Core.Ids.PactIds.Session, DateTimeOffset.UtcNow);
    private static readonly string OtherSession = Pact.Core.Ids.PactIds.New(Pact.Core.Ids.PactIds.Session, DateTimeOffset.UtcNow);
    private static readonly KeyPair Homeowner = KeyPair.Generate();
    private static readonly KeyPair Contractor = KeyPair.Generate();
    private static readonly string MandateHash = MandateCrypto.MandateHash(GrantFor(Homeowner, [])["payload"]!);

    private static JsonObject GrantFor(KeyPair agent, JsonObject scope) =>
        Envelope.Sign(agent, EnvelopeTypes.MandateGrant, "did:key:z6MkDaemon", new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), new JsonObject
        {
            ["policyHash"] = "pp11", ["scope"] = scope, ["acknowledge"] = new JsonArray(), ["expiresAt"] = "2027-01-01T00:00:00.000Z",
        }, nonce: "AAAAAAAAAAAAAAAAAAAAAA").ToJson();

    private static TranscriptEvent Event(long seq, string type, JsonObject data, string actor = TranscriptEvent.DaemonActor) =>
        new(seq, Session, seq, type, "2026-12-07T00:00:00.000Z", actor, data, "", "");

    /// <summary>The contractor (party a) proposes to the homeowner (party b).</summary>
    private static TranscriptEvent Created(long seq = 1) =>
        Event(seq, EventTypes.ProposalCreated, new JsonObject
        {
            ["proposalId"] = Proposal, ["compactId"] = "cmp_1", ["termsHash"] = TermsHash,
            ["envelope"] = new JsonObject
            {
                ["payload"] = new JsonObject
                {
                    ["terms"] = new JsonObject
                    {
                        ["parties"] = new JsonObject { ["a"] = new JsonObject { ["agent"] = Contractor.Did }, ["b"] = new JsonObject { ["agent"] = Homeowner.Did } },
                    },
                    ["signature"] = new JsonObject { ["party"] = "a" },
                },
            },
        }, Contractor.Did);

    private static TranscriptEvent Decided(long seq, string effect, string decisionHash, string proposalId = Proposal) =>
        Event(seq, EventTypes.PolicyDecided, new JsonObject
        {
            ["proposalId"] = proposalId,
            ["mandateId"] = MandateId,
            ["mandateHash"] = MandateHash,
            ["decision"] = new JsonObject { ["effect"] = effect },
            ["decisionHash"] = decisionHash,
        });

    private static JsonObject Mandate(string? decisionHash, string mandateId = MandateId, JsonObject? grant = null)
    {
        grant ??= GrantFor(Homeowner, []);
        return new()
        {
            ["mandateId"] = mandateId, ["mandateHash"] = MandateCrypto.MandateHash(grant["payload"]!), ["decisionHash"] = decisionHash, ["grant"] = grant,
        };
    }

    private static TranscriptEvent Signed(long seq, string? decisionHash) =>
        Event(seq, EventTypes.ProposalSigned, new JsonObject { ["proposalId"] = Proposal, ["termsHash"] = TermsHash, ["mandate"] = Mandate(decisionHash) });

    private static string? FirstProblem(params TranscriptEvent[] events) => FirstProblemFor(null, events);

    /// <summary>The first problem as a verifier that knows the recording daemon (<paramref name="daemonId"/>) finds it.</summary>
    private static string? FirstProblemFor(string? daemonId, params TranscriptEvent[] events)
    {
        var decisions = DecisionTies.Decisions(events);
        var created = events.Where(e => e.Type == EventTypes.ProposalCreated).ToDictionary(e => e.Data["proposalId"]!.GetValue<string>());
        var initiations = events.Where(e => e.Type is EventTypes.RevocationInitiated or Pact.Core.Lifecycle.LifecycleEventTypes.MarkerRecorded)
            .ToDictionary(e => (e.Data["revocationId"] ?? e.Data["markerId"])!.GetValue<string>());
        return events.Select(e => DecisionTies.Check(e, decisions, created, initiations, daemonId)).FirstOrDefault(p => p is not null) is { } problem
            ? $"{problem.Check}: {problem.Message}"
            : null;
    }

    [Fact]
    public void A_signature_and_a_record_carrying_out_a_sign_decision_are_tied()
    {
        var record = new JsonObject
        {
            ["termsHash"] = TermsHash,
            ["signatures"] = new JsonArray(new JsonObject { ["party"] = "a" }, new JsonObject { ["party"] = "b", ["mandate"] = Mandate("d1") }),
        };
        FirstProblem(Created(), Decided(2, "sign", "d1"), Signed(3, "d1"), Event(4, EventTypes.CompactInForce, new JsonObject { ["record"] = record }))
            .Should().BeNull();
    }

    [Fact]
    public void A_made_up_decision_hash_is_refused()
    {
        FirstProblem(Created(), Decided(2, "sign", "d1"), Signed(3, "forged")).Should().Contain("no earlier policy.decided");
    }

    [Fact]
    public void A_signature_after_an_escalate_decision_is_refused()
    {
        FirstProblem(Created(), Decided(2, "escalate", "d1"), Signed(3, "d1")).Should().Contain("effect is escalate, not sign");
    }

    [Fact]
    public void An_act_with_no_decision_at_all_is_refused()
    {
        FirstProblem(Created(), Signed(2, "d1")).Should().Contain("no earlier policy.decided");
        FirstProblem(Created(), Event(2, EventTypes.ProposalDeclined, new JsonObject { ["proposalId"] = Proposal, ["mandate"] = Mandate("d1") }))
            .Should().Contain("no earlier policy.decided");
    }

    [Fact]
    public void The_decision_must_be_of_the_same_proposal_and_mandate_and_come_first()
    {
        FirstProblem(Created(), Decided(2, "sign", "d1", proposalId: "prp_other"), Signed(3, "d1")).Should().NotBeNull();
        FirstProblem(Created(), Signed(2, "d1"), Decided(3, "sign", "d1")).Should().NotBeNull();
        FirstProblem(Created(), Decided(2, "sign", "d1"),
            Event(3, EventTypes.ProposalSigned, new JsonObject { ["proposalId"] = Proposal, ["mandate"] = Mandate("d1", "mnd_other") })).Should().NotBeNull();
    }

    [Fact]
    public void A_decline_carries_out_a_decline_and_a_counter_is_first_signed_under_the_second_decision()
    {
        var declined = Event(3, EventTypes.ProposalDeclined, new JsonObject { ["proposalId"] = Proposal, ["mandate"] = Mandate("d1") });
        FirstProblem(Created(), Decided(2, "decline", "d1"), declined).Should().BeNull();
        FirstProblem(Created(), Decided(2, "sign", "d1"), declined).Should().Contain("effect is sign, not decline");

        JsonObject Counter(string hash) => new()
        {
            ["proposalId"] = "prp_2", ["compactId"] = "cmp_1", ["termsHash"] = "tt22", ["replaces"] = Proposal,
            ["terms"] = Created().Data["envelope"]!["payload"]!["terms"]!.DeepClone(),
            ["signature"] = new JsonObject { ["party"] = "b", ["mandate"] = Mandate(hash) }, ["mandate"] = Mandate(hash),
        };
        FirstProblem(Created(), Decided(2, "counter", "d1"), Decided(3, "sign", "d2", "prp_2"), Event(4, EventTypes.ProposalCreated, Counter("d2")))
            .Should().BeNull();
        FirstProblem(Created(), Decided(2, "counter", "d1"), Decided(3, "sign", "d2", "prp_2"), Event(4, EventTypes.ProposalCreated, Counter("d1")))
            .Should().NotBeNull("the counter is signed under its second decision, for the counter's own id");
    }

    [Fact]
    public void An_acknowledgment_names_no_decision()
    {
        FirstProblem(Event(1, EventTypes.WithdrawalAcknowledged, new JsonObject { ["mandate"] = Mandate(null) })).Should().BeNull();
        FirstProblem(Event(1, EventTypes.WithdrawalAcknowledged, new JsonObject { ["mandate"] = Mandate("d1") })).Should().Contain("decisionHash null");
    }

    [Fact]
    public void The_grant_must_be_the_answering_agents_and_its_scope_must_cover_the_session_compact_and_counterparty()
    {
        TranscriptEvent SignedUnder(JsonObject grant) =>
            Event(3, EventTypes.ProposalSigned, new JsonObject { ["proposalId"] = Proposal, ["mandate"] = Mandate("d1", grant: grant) });
        TranscriptEvent DecidedUnder(JsonObject grant) => Event(2, EventTypes.PolicyDecided, new JsonObject
        {
            ["proposalId"] = Proposal, ["mandateId"] = MandateId, ["mandateHash"] = MandateCrypto.MandateHash(grant["payload"]!),
            ["decision"] = new JsonObject { ["effect"] = "sign" }, ["decisionHash"] = "d1",
        });
        string? Under(JsonObject grant) => FirstProblem(Created(), DecidedUnder(grant), SignedUnder(grant));

        Under(GrantFor(Homeowner, new JsonObject { ["sessions"] = new JsonArray(Session), ["counterparties"] = new JsonArray(Contractor.Did), ["compactIdPrefix"] = "cmp_" }))
            .Should().BeNull();
        Under(GrantFor(Contractor, [])).Should().StartWith("mandate-authority:").And.Contain("answers for " + Homeowner.Did);
        Under(GrantFor(Homeowner, new JsonObject { ["sessions"] = new JsonArray(OtherSession) })).Should().StartWith("mandate-authority:").And.Contain(Session);
        Under(GrantFor(Homeowner, new JsonObject { ["counterparties"] = new JsonArray(Homeowner.Did) })).Should().StartWith("mandate-authority:");
        Under(GrantFor(Homeowner, new JsonObject { ["compactIdPrefix"] = "other_" })).Should().StartWith("mandate-authority:");
        // An acknowledgment names no proposal here; its session is still judged.
        FirstProblem(Event(1, EventTypes.WithdrawalAcknowledged, new JsonObject
        {
            ["mandate"] = Mandate(null, grant: GrantFor(Homeowner, new JsonObject { ["sessions"] = new JsonArray(OtherSession) })),
        })).Should().StartWith("mandate-authority:");
    }

    [Fact]
    public void A_counters_grant_must_be_addressed_to_the_daemon_that_recorded_it()
    {
        var counter = Event(4, EventTypes.ProposalCreated, new JsonObject
        {
            ["proposalId"] = "prp_2", ["compactId"] = "cmp_1", ["termsHash"] = "tt22", ["replaces"] = Proposal,
            ["terms"] = Created().Data["envelope"]!["payload"]!["terms"]!.DeepClone(),
            ["signature"] = new JsonObject { ["party"] = "b", ["mandate"] = Mandate("d2") }, ["mandate"] = Mandate("d2"),
        });
        TranscriptEvent[] events = [Created(), Decided(2, "counter", "d1"), Decided(3, "sign", "d2", "prp_2"), counter];

        FirstProblemFor("did:key:z6MkDaemon", events).Should().BeNull("the grant's aud is the recording daemon");
        FirstProblemFor("did:key:z6MkAnotherDaemon", events).Should().StartWith("mandate-authority:").And.Contain("addressed to did:key:z6MkDaemon");
    }

    [Fact]
    public void An_acknowledgment_must_be_given_under_the_mandate_of_the_agent_the_initiation_is_addressed_to()
    {
        TranscriptEvent WithdrawalAck(KeyPair granter) =>
            Event(3, EventTypes.WithdrawalAcknowledged, new JsonObject { ["proposalId"] = Proposal, ["mandate"] = Mandate(null, grant: GrantFor(granter, [])) });
        var withdrawal = Event(2, EventTypes.WithdrawalInitiated, new JsonObject { ["proposalId"] = Proposal }, Contractor.Did);
        FirstProblem(Created(), withdrawal, WithdrawalAck(Homeowner)).Should().BeNull("the withdrawn proposal was addressed to the homeowner");
        FirstProblem(Created(), withdrawal, WithdrawalAck(Contractor)).Should().StartWith("mandate-authority:").And.Contain("answers for " + Homeowner.Did);

        var revocation = Event(2, EventTypes.RevocationInitiated, new JsonObject { ["compactId"] = "cmp_1", ["revocationId"] = "rev_1" }, Contractor.Did);
        TranscriptEvent RevocationAck(KeyPair granter) => Event(3, Pact.Core.Lifecycle.LifecycleEventTypes.RevocationAcknowledged,
            new JsonObject { ["revocationId"] = "rev_1", ["mandate"] = Mandate(null, grant: GrantFor(granter, [])) });
        FirstProblem(Created(), revocation, RevocationAck(Homeowner)).Should().BeNull();
        FirstProblem(Created(), revocation, RevocationAck(Contractor)).Should().StartWith("mandate-authority:").And.Contain("answers for " + Homeowner.Did);
        var homeownersScope = GrantFor(Homeowner, new JsonObject { ["counterparties"] = new JsonArray(Homeowner.Did) });
        FirstProblem(Created(), revocation, Event(3, Pact.Core.Lifecycle.LifecycleEventTypes.RevocationAcknowledged,
                new JsonObject { ["revocationId"] = "rev_1", ["mandate"] = Mandate(null, grant: homeownersScope) }))
            .Should().StartWith("mandate-authority:", "the initiator must be a counterparty the scope covers");

        var marker = Event(2, Pact.Core.Lifecycle.LifecycleEventTypes.MarkerRecorded, new JsonObject { ["compactId"] = "cmp_1", ["markerId"] = "mrk_1" }, Contractor.Did);
        FirstProblem(Created(), marker, Event(3, Pact.Core.Lifecycle.LifecycleEventTypes.MarkerAcknowledged,
                new JsonObject { ["markerId"] = "mrk_1", ["mandate"] = Mandate(null, grant: GrantFor(Contractor, [])) }))
            .Should().StartWith("mandate-authority:");
    }
}

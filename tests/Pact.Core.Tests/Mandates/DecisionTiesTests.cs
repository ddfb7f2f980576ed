using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Events;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;

namespace Pact.Core.Tests.Mandates;

/// <summary>
/// §14: an act the daemon recorded under a mandate must carry out a recorded <c>policy.decided</c> — same mandate, same
/// proposal, earlier, with the act's decisionHash and effect. Whether the decision itself recomputes is DecisionReplay's.
/// </summary>
public class DecisionTiesTests
{
    private const string MandateId = "mnd_1";
    private const string MandateHash = "aa11";
    private const string Proposal = "prp_1";
    private const string TermsHash = "tt11";

    private static TranscriptEvent Event(long seq, string type, JsonObject data, string actor = TranscriptEvent.DaemonActor) =>
        new(seq, "ses_1", seq, type, "2026-12-07T00:00:00.000Z", actor, data, "", "");

    private static TranscriptEvent Created(long seq = 1) =>
        Event(seq, EventTypes.ProposalCreated, new JsonObject { ["proposalId"] = Proposal, ["termsHash"] = TermsHash }, "did:key:z6MkProposer");

    private static TranscriptEvent Decided(long seq, string effect, string decisionHash, string proposalId = Proposal) =>
        Event(seq, EventTypes.PolicyDecided, new JsonObject
        {
            ["proposalId"] = proposalId,
            ["mandateId"] = MandateId,
            ["mandateHash"] = MandateHash,
            ["decision"] = new JsonObject { ["effect"] = effect },
            ["decisionHash"] = decisionHash,
        });

    private static JsonObject Mandate(string? decisionHash, string mandateId = MandateId) =>
        new() { ["mandateId"] = mandateId, ["mandateHash"] = MandateHash, ["decisionHash"] = decisionHash, ["grant"] = new JsonObject() };

    private static TranscriptEvent Signed(long seq, string? decisionHash) =>
        Event(seq, EventTypes.ProposalSigned, new JsonObject { ["proposalId"] = Proposal, ["termsHash"] = TermsHash, ["mandate"] = Mandate(decisionHash) });

    private static string? FirstProblem(params TranscriptEvent[] events)
    {
        var decisions = DecisionTies.Decisions(events);
        var terms = new Dictionary<string, string>(StringComparer.Ordinal) { [Proposal] = TermsHash };
        return events.Select(e => DecisionTies.Check(e, decisions, terms)).FirstOrDefault(p => p is not null);
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
            ["proposalId"] = "prp_2", ["termsHash"] = "tt22", ["replaces"] = Proposal,
            ["signature"] = new JsonObject { ["mandate"] = Mandate(hash) }, ["mandate"] = Mandate(hash),
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
}

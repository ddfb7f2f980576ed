using Pact.Core.Terms;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Negotiation;

public class CreateProposalTests
{
    private const string CompactId = "cmp_kitchen-2026-0042";

    [Fact]
    public void Create_records_proposal_created_with_exactly_the_listed_members()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        w.Now = Pact.Core.Time.Timestamp.Parse("2026-11-21T12:00:00.020Z");
        var command = w.Propose(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));

        var verdict = NegotiationMachine.Decide(w.Negotiation, command, w.Now);

        verdict.IsAccepted.Should().BeTrue();
        var events = verdict.Decision!.Events;
        events.Should().ContainSingle();
        events[0].Stream.Should().Be(session);
        var draft = events[0].Draft;
        draft.Type.Should().Be("proposal.created");
        draft.Actor.Should().Be(Alice.Did);
        draft.Data.Keys().Should().Equal("envelope", "proposalId", "compactId", "version", "termsHash", "expiresAt");
        draft.Data["envelope"]!.ToJsonString().Should().Be(command.Envelope.ToJsonString());
        draft.Data["proposalId"]!.GetValue<string>().Should().Be(command.ProposalId);
        draft.Data["compactId"]!.GetValue<string>().Should().Be(CompactId);
        draft.Data["version"]!.GetValue<long>().Should().Be(1);
        draft.Data["termsHash"]!.GetValue<string>().Should().Be(command.Facts.TermsHash);
        // Creation time + P14D, as in the protocol vectors.
        draft.Data["expiresAt"]!.GetValue<string>().Should().Be("2026-12-05T12:00:00.020Z");
    }

    [Fact]
    public void Create_without_negotiation_timeout_records_null_expiresAt_and_has_no_deadline()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob, negotiationTimeout: null));

        var created = w.Log.Single(e => e.Type == "proposal.created");
        created.Data.ContainsKey("expiresAt").Should().BeTrue();
        created.Data["expiresAt"].Should().BeNull();
        w.Negotiation.Proposal(id)!.PendingDeadline.Should().BeNull();
        w.Advance("P3650D");
        w.Tick().Should().BeEmpty();
        w.StatusOf(id).Should().Be(ProposalStatus.Open);
    }

    [Fact]
    public void Party_b_may_propose_and_the_state_records_role_b()
    {
        var w = new World();
        var session = w.OpenSession(Bob, Alice, Bob);
        var id = w.Create(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob));

        w.Negotiation.Proposal(id)!.Proposer.Should().Be(PartyRole.B);
        w.Sessions[session].Proposals[id].Proposer.Should().Be(PartyRole.B);
    }

    [Fact]
    public void Non_participant_signer_does_not_see_the_session()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        w.Negotiate(w.Propose(session, Mallory, PartyRole.A, TermsFor(CompactId, 1, Mallory, Bob))).ShouldBeRefusedWith(PactCodes.NotFound);
    }

    [Fact]
    public void Unknown_session_is_not_found()
    {
        var w = new World();
        w.OpenSession(Alice, Alice, Bob);
        w.Negotiate(w.Propose("ses_01JD0000000000000000000000", Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob)))
            .ShouldBeRefusedWith(PactCodes.NotFound);
    }

    [Fact]
    public void Signer_must_be_the_agent_of_the_signature_party()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        // Alice signs, but claims party b, whose agent is Bob.
        w.Negotiate(w.Propose(session, Alice, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob))).ShouldBeRefusedWith(PactCodes.Forbidden);
    }

    [Fact]
    public void Both_parties_must_be_participants_of_the_session()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        w.Negotiate(w.Propose(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Carol))).ShouldBeRefusedWith(PactCodes.Forbidden);
    }

    [Fact]
    public void Second_proposal_for_an_occupied_slot_is_302_while_open_and_while_withdrawal_pending()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var first = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));

        w.Negotiate(w.Propose(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "other")))
            .ShouldBeRefusedWith(PactCodes.SlotOccupied);

        Accept(w.Negotiate(w.Withdraw(Alice, first)));
        w.Negotiate(w.Propose(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "other")))
            .ShouldBeRefusedWith(PactCodes.SlotOccupied);
    }

    [Fact]
    public void Slot_occupancy_spans_sessions()
    {
        var w = new World();
        var one = w.OpenSession(Alice, Alice, Bob);
        var two = w.OpenSession(Alice, Alice, Bob);
        w.Create(one, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        w.Negotiate(w.Propose(two, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob))).ShouldBeRefusedWith(PactCodes.SlotOccupied);
    }

    [Theory]
    [InlineData("declined")]
    [InlineData("expired")]
    [InlineData("withdrawn")]
    [InlineData("retired")]
    public void A_slot_whose_proposal_ended_this_way_is_burned(string ending)
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob, Carol);
        var first = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        var other = session;
        switch (ending)
        {
            case "declined":
                Accept(w.Negotiate(w.Decline(Bob, first)));
                break;
            case "expired":
                w.Advance("P14D");
                w.Tick();
                break;
            case "withdrawn":
                Accept(w.Negotiate(w.Withdraw(Alice, first)));
                Accept(w.Negotiate(w.Ack(Bob, first)));
                break;
            case "retired":
                Accept(w.SessionAction(session, Alice, "terminate"));
                other = w.OpenSession(Alice, Alice, Bob);
                break;
        }
        w.StatusOf(first).ToWire().Should().Be(ending);

        var verdict = w.Negotiate(w.Propose(other, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "again")));

        verdict.ShouldBeRefusedWith(PactCodes.SlotBurned);
        verdict.Error!.Status.Should().Be(409);
    }

    [Fact]
    public void A_signed_slot_holds_a_compact_and_refuses_new_proposals_with_304()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var first = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.Negotiate(w.Sign(Bob, first)));

        w.Negotiate(w.Propose(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob, interaction: "again")))
            .ShouldBeRefusedWith(PactCodes.CompactState);
    }

    [Fact]
    public void The_first_proposal_binds_the_compact_id_to_its_agents_in_their_roles()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob, Carol);
        var first = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.Negotiate(w.Decline(Bob, first)));
        w.Negotiation.Bindings[CompactId].Should().Be(new CompactBinding(CompactId, Alice.Did, Bob.Did));

        // Other agents, or the same agents in swapped roles, may not use the id, whatever the slot.
        w.Negotiate(w.Propose(session, Alice, PartyRole.A, TermsFor(CompactId, 2, Alice, Carol))).ShouldBeRefusedWith(PactCodes.CompactState);
        w.Negotiate(w.Propose(session, Bob, PartyRole.A, TermsFor(CompactId, 1, Bob, Alice))).ShouldBeRefusedWith(PactCodes.CompactState);
    }

    [Fact]
    public void Binding_mismatch_304_comes_before_a_burned_slot_303()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob, Carol);
        var first = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.Negotiate(w.Decline(Bob, first)));

        w.Negotiate(w.Propose(session, Carol, PartyRole.A, TermsFor(CompactId, 1, Carol, Bob))).ShouldBeRefusedWith(PactCodes.CompactState);
    }

    [Fact]
    public void Right_to_act_205_comes_before_slot_state()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));

        w.Negotiate(w.Propose(session, Bob, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob))).ShouldBeRefusedWith(PactCodes.Forbidden);
    }

    [Fact]
    public void Proposal_state_is_rebuilt_identically_by_folding_the_transcript()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var first = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.Negotiate(w.Withdraw(Alice, first)));
        var replayed = NegotiationState.Empty.ApplyAll(w.Log);

        replayed.Proposal(first).Should().Be(w.Negotiation.Proposal(first));
        var p = replayed.Proposal(first)!;
        p.Withdrawal!.InitiationHash.Should().Be(w.WithdrawalHashOf(first));
        p.CreatedEventHash.Should().Be(w.Log.Single(e => e.Type == "proposal.created").Hash);
        p.AckTimeout.Should().Be(Pact.Core.Time.IsoDuration.Parse("P7D"));
        p.ExpiresAt.Should().Be(Pact.Core.Time.IsoDuration.Parse("P14D").AddTo(w.Now));
    }

    [Fact]
    public void A_state_built_by_key_decides_like_a_folded_one()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var first = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));

        // What the daemon would load from its tables for a create in this slot.
        var byKey = NegotiationState.Empty
            .With(w.Sessions[session].Info)
            .With(w.Negotiation.Proposal(first)!)
            .With(new CompactBinding(CompactId, Alice.Did, Bob.Did));
        var again = w.Propose(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "x"));

        NegotiationMachine.Check(byKey, again, w.Now)!.Code.Should().Be(PactCodes.SlotOccupied);
        NegotiationMachine.Decide(byKey, again with { Replaces = first }, w.Now).Decision!.Events
            .Select(e => e.Draft.Type).Should().Equal("proposal.created", "proposal.countered");
    }
}

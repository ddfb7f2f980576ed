using Pact.Core.Terms;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Errors;
using Pact.Core.Ids;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;
using Pact.Core.Tests.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Sessions;

public class SessionMachineTests
{
    [Fact]
    public void Create_records_session_created_with_participants_topic_and_null_metadata()
    {
        var w = new World();
        var command = w.CreateSessionCommand(Alice, [Bob.Did, Alice.Did], topic: "kitchen remodel");

        var verdict = SessionMachine.Decide(null, command, w.Now);

        var e = verdict.Decision!.Events.Single();
        e.Stream.Should().Be(command.SessionId);
        e.Draft.Type.Should().Be("session.created");
        e.Draft.Actor.Should().Be(Alice.Did);
        e.Draft.Data.Keys().Should().Equal("envelope", "participants", "topic", "metadata");
        e.Draft.Data["participants"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(Bob.Did, Alice.Did);
        e.Draft.Data["topic"]!.GetValue<string>().Should().Be("kitchen remodel");
        e.Draft.Data["metadata"].Should().BeNull();

        w.Append(verdict.Decision);
        var state = w.Sessions[command.SessionId];
        state.Status.Should().Be(SessionStatus.Active);
        state.Participants.Should().Equal(Bob.Did, Alice.Did);
        state.Topic.Should().Be("kitchen remodel");
    }

    [Fact]
    public void Create_with_an_admission_records_it_last_and_without_one_keeps_the_four_members()
    {
        var w = new World();
        var command = w.CreateSessionCommand(Alice, [Alice.Did, Bob.Did]) with { Admission = new Pact.Core.Passport.PassportRequirement(6000, 50) };

        var data = SessionMachine.Decide(null, command, w.Now).Decision!.Events.Single().Draft.Data;

        data.Keys().Should().Equal("envelope", "participants", "topic", "metadata", "admission");
        data["admission"]!.ToJsonString().Should().Be("""{"minScore":6000,"minConfidence":50}""");
        SessionMachine.Decide(null, command with { Admission = null }, w.Now).Decision!.Events.Single().Draft.Data.Keys()
            .Should().Equal("envelope", "participants", "topic", "metadata");
    }

    [Theory]
    [InlineData("""{"minScore":6000,"minConfidence":50}""", true)]
    [InlineData("""{"minScore":0,"minConfidence":0}""", true)]
    [InlineData("""{"minScore":6000}""", false)]
    [InlineData("""{"minScore":"6000","minConfidence":50}""", false)]
    [InlineData("""{"minScore":-1,"minConfidence":50}""", false)]
    [InlineData("""{"minScore":1,"minConfidence":1,"other":1}""", false)]
    [InlineData("null", false)]
    public void The_admission_member_is_two_non_negative_integers(string json, bool valid) =>
        (Pact.Core.Contracts.PayloadRules.Admission(JsonNode.Parse(json)) is null).Should().Be(valid);

    [Fact]
    public void Create_refuses_fewer_than_two_distinct_participants_and_a_signer_outside_them()
    {
        var w = new World();
        Decide(w.CreateSessionCommand(Alice, [Alice.Did])).ShouldBeRefusedWith(PactCodes.InvalidPayload);
        var duplicate = Decide(w.CreateSessionCommand(Alice, [Alice.Did, Alice.Did]));
        duplicate.ShouldBeRefusedWith(PactCodes.InvalidPayload);
        duplicate.Error!.Errors!.Select(e => e.Pointer).Should().Equal("/payload/participants", "/payload/participants/1");
        Decide(w.CreateSessionCommand(Alice, [Alice.Did, "did:example:bob"])).Error!.Errors![0].Pointer.Should().Be("/payload/participants/1");
        Decide(w.CreateSessionCommand(Carol, [Alice.Did, Bob.Did])).ShouldBeRefusedWith(PactCodes.Forbidden);

        Verdict Decide(CreateSession c) => SessionMachine.Decide(null, c, w.Now);
    }

    [Fact]
    public void Suspend_resume_and_terminate_follow_active_suspended_terminated()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);

        w.SessionAction(session, Alice, "resume").ShouldBeRefusedWith(PactCodes.SessionNotActive);
        Accept(w.SessionAction(session, Bob, "suspend"));
        w.Sessions[session].Status.Should().Be(SessionStatus.Suspended);
        w.SessionAction(session, Alice, "suspend").ShouldBeRefusedWith(PactCodes.SessionNotActive);
        Accept(w.SessionAction(session, Alice, "resume"));
        w.Sessions[session].Status.Should().Be(SessionStatus.Active);
        Accept(w.SessionAction(session, Alice, "suspend"));
        Accept(w.SessionAction(session, Alice, "terminate"));
        w.Sessions[session].Status.Should().Be(SessionStatus.Terminated);
        w.Negotiation.Session(session)!.Status.Should().Be(SessionStatus.Terminated);

        foreach (var action in new[] { "suspend", "resume", "terminate" })
            w.SessionAction(session, Alice, action).ShouldBeRefusedWith(PactCodes.SessionNotActive);

        var events = w.Stream(session);
        events.Types().Should().Equal("session.created", "session.suspended", "session.resumed", "session.suspended", "session.terminated");
        events.Skip(1).Should().OnlyContain(e => e.Data.Count == 1 && e.Data.ContainsKey("envelope"));
        events[1].Actor.Should().Be(Bob.Did);
    }

    [Fact]
    public void Non_participants_do_not_see_the_session()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        w.SessionAction(session, Mallory, "suspend").ShouldBeRefusedWith(PactCodes.NotFound);
        w.SessionAction("ses_01JD0000000000000000000000", Alice, "suspend").ShouldBeRefusedWith(PactCodes.NotFound);
    }

    [Fact]
    public void Terminate_retires_open_and_pending_proposals_in_id_order()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var first = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_compact-one", 1, Alice, Bob));
        var declined = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_compact-two", 1, Alice, Bob));
        var pending = w.Create(session, Bob, PartyRole.B, TermsFor("cmp_compact-three", 1, Alice, Bob));
        var signed = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_compact-four", 1, Alice, Bob));
        var last = w.Create(session, Bob, PartyRole.B, TermsFor("cmp_compact-five", 1, Alice, Bob));
        Accept(w.Negotiate(w.Decline(Bob, declined)));
        Accept(w.Negotiate(w.Withdraw(Bob, pending)));
        Accept(w.Negotiate(w.Sign(Bob, signed)));
        var before = w.Log.Count;

        Accept(w.SessionAction(session, Bob, "terminate"));

        var events = w.Log.Skip(before).ToList();
        events.Types().Should().Equal("session.terminated", "proposal.retired", "proposal.retired", "proposal.retired");
        events[0].Actor.Should().Be(Bob.Did);
        events.Skip(1).Should().OnlyContain(e => e.Actor == "daemon" && e.Data.Count == 1);
        events.Skip(1).Select(e => e.Data["proposalId"]!.GetValue<string>()).Should().Equal(first, pending, last);
        w.Sessions[session].Proposals.Values.Select(p => p.Status).Should().Equal(
            ProposalStatus.Retired, ProposalStatus.Declined, ProposalStatus.Retired, ProposalStatus.Signed, ProposalStatus.Retired);
        // The compact outlives its session.
        w.Sessions[session].Compacts.Values.Single().Status.Should().Be(CompactVersionStatus.InForce);
    }

    [Fact]
    public void Terminate_after_a_reached_expiry_retires_only_what_is_still_open()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var expiring = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_compact-one", 1, Alice, Bob, negotiationTimeout: "PT1M"));
        var open = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_compact-two", 1, Alice, Bob, negotiationTimeout: null));
        w.Advance("PT1M");

        Accept(w.SessionAction(session, Alice, "terminate"));

        w.StatusOf(expiring).Should().Be(ProposalStatus.Expired);
        w.StatusOf(open).Should().Be(ProposalStatus.Retired);
        w.Stream(session).Skip(3).Types().Should().Equal("proposal.expired", "failure", "session.terminated", "proposal.retired");
    }

    [Fact]
    public void Checkpoint_records_its_id_label_and_the_current_stateHash_in_any_status()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        w.Create(session, Alice, PartyRole.A, TermsFor("cmp_compact-one", 1, Alice, Bob));
        Accept(w.SessionAction(session, Alice, "terminate"));
        var hashBefore = w.Sessions[session].StateHash();
        var checkpointId = PactIds.New(PactIds.Checkpoint, w.Now);

        Accept(w.Session(session, new CheckpointSession(
            w.Envelope(Bob, "session.checkpoint", new JsonObject { ["sessionId"] = session }), checkpointId)));

        var e = w.Stream(session)[^1];
        e.Type.Should().Be("session.checkpointed");
        e.Actor.Should().Be(Bob.Did);
        e.Data.Keys().Should().Equal("envelope", "checkpointId", "label", "stateHash");
        e.Data["checkpointId"]!.GetValue<string>().Should().Be(checkpointId);
        e.Data["label"].Should().BeNull();
        e.Data["stateHash"]!.GetValue<string>().Should().Be(hashBefore);
        w.Sessions[session].StateHash().Should().Be(hashBefore);
    }
}

using Pact.Core.Terms;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;
using Pact.Core.Tests.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Sessions;

public class SessionStateTests
{
    private static List<TranscriptEvent> VectorEvents() =>
        TestData.PactVectors["events"]!.AsArray().Select(n => TranscriptEvent.FromJson((JsonObject)n!)).ToList();

    [Fact]
    public void Folding_the_vector_events_gives_the_vector_state_and_stateHash()
    {
        var expected = TestData.PactVectors["state"]!.AsObject();

        var state = SessionState.Replay(VectorEvents());

        Jcs.CanonicalString(state.ToJson()).Should().Be(Jcs.CanonicalString(expected["state"]));
        state.StateHash().Should().Be(expected["stateHash"]!.GetValue<string>());
    }

    [Fact]
    public void The_vector_state_reads_back_to_the_same_hash()
    {
        var vector = TestData.PactVectors["state"]!.AsObject();
        SessionState.FromJson(vector["state"]!.AsObject()).StateHash().Should().Be(vector["stateHash"]!.GetValue<string>());
    }

    [Fact]
    public void Folding_the_vector_events_gives_negotiation_its_facts()
    {
        var state = NegotiationState.Empty.ApplyAll(VectorEvents());
        var p = state.Proposal("prp_01JD0000000000000000000001")!;

        p.Status.Should().Be(ProposalStatus.Signed);
        p.Proposer.Should().Be(PartyRole.A);
        p.AgentA.Should().Be("did:key:z6MkrKVNhU4TYMW3gTnLbUYpZmZiet1en3kvWbGgPkH9wjXD");
        p.AgentB.Should().Be("did:key:z6Mko37eb5dWh4kmWG61LQ28Q78NsjwFf4VTYvunVV7Z6mjp");
        p.ExpiresAt.Should().Be(Pact.Core.Time.Timestamp.Parse("2026-12-05T12:00:00.020Z"));
        p.CreatedEventHash.Should().Be("0a9597e9f917eed205b7b5ed55f728d7e5d435752d4830ef310ed4bcac75fa5c");
        state.InForce("cmp_kitchen-2026-0042")!.CompactHash.Should().Be("7696495b8acbf53638b184d9e8ef2ae6c4e063bb4ab6beecd0232f33a7336e96");
        state.Bindings["cmp_kitchen-2026-0042"].AgentA.Should().Be(p.AgentA);
    }

    [Fact]
    public void State_lists_proposals_in_id_order_and_compacts_in_compactId_then_version_order()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var z1 = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_zeta-compact", 1, Alice, Bob));
        var a1 = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_alpha-compact", 1, Alice, Bob));
        Accept(w.Negotiate(w.Sign(Bob, z1)));
        Accept(w.Negotiate(w.Sign(Bob, a1)));
        var alphaHash = w.Negotiation.InForce("cmp_alpha-compact")!.CompactHash;
        var a2 = w.Create(session, Bob, PartyRole.B, TermsFor("cmp_alpha-compact", 2, Alice, Bob, predecessor: new PredecessorRef(1, alphaHash)));
        Accept(w.Negotiate(w.Sign(Alice, a2)));

        var json = w.Sessions[session].ToJson();

        json.Keys().Should().Equal("sessionId", "status", "topic", "participants", "proposals", "compacts");
        json["topic"].Should().BeNull();
        json["proposals"]!.AsArray().Select(p => p!["proposalId"]!.GetValue<string>()).Should().Equal(z1, a1, a2);
        json["proposals"]!.AsArray().Select(p => p!["proposer"]!.GetValue<string>()).Should().Equal("a", "a", "b");
        json["compacts"]!.AsArray().Select(c => $"{c!["compactId"]}@{c["version"]}:{c["status"]}").Should().Equal(
            "cmp_alpha-compact@1:superseded", "cmp_alpha-compact@2:in-force", "cmp_zeta-compact@1:in-force");
        json["proposals"]![0]!.AsObject().Keys().Should().Equal("proposalId", "compactId", "version", "termsHash", "proposer", "status");
        json["compacts"]![0]!.AsObject().Keys().Should().Equal("compactId", "version", "compactHash", "status");
    }

    [Fact]
    public void Lifecycle_events_set_compact_statuses()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        Accept(w.Negotiate(w.Sign(Bob, w.Create(session, Alice, PartyRole.A, TermsFor("cmp_revoked-one", 1, Alice, Bob)))));
        Accept(w.Negotiate(w.Sign(Bob, w.Create(session, Alice, PartyRole.A, TermsFor("cmp_expired-one", 1, Alice, Bob)))));
        w.Append(Decision.Of(
            new StreamEvent(session, new EventDraft("compact.revoked", "daemon", new JsonObject
            {
                ["compactId"] = "cmp_revoked-one", ["version"] = 1, ["revocationId"] = "rev_01JD0000000000000000000001", ["cause"] = "revocation",
            })),
            new StreamEvent(session, new EventDraft("compact.expired", "daemon", new JsonObject
            {
                ["compactId"] = "cmp_expired-one", ["version"] = 1, ["dueAt"] = "2027-12-01T00:00:00.000Z",
            }))));

        var compacts = w.Sessions[session].Compacts.Values.ToDictionary(c => c.CompactId, c => c.Status);
        compacts["cmp_revoked-one"].Should().Be(CompactVersionStatus.Revoked);
        compacts["cmp_expired-one"].Should().Be(CompactVersionStatus.Expired);
        w.Negotiation.InForce("cmp_revoked-one").Should().BeNull();
        w.Negotiation.InForce("cmp_expired-one").Should().BeNull();
    }

    [Fact]
    public void Replay_from_a_checkpoint_state_equals_replay_from_the_start()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor("cmp_kitchen-2026-0042", 1, Alice, Bob));
        Accept(w.Session(session, new CheckpointSession(w.Envelope(Alice, "session.checkpoint", new JsonObject { ["sessionId"] = session }), "chk_01JD0000000000000000000001")));
        var stream = w.Stream(session);
        var checkpoint = stream[^1];
        var stored = SessionState.Replay(stream).ToJson();
        Accept(w.Negotiate(w.Sign(Bob, id)));
        Accept(w.SessionAction(session, Bob, "suspend"));

        var all = w.Stream(session);
        var fromCheckpoint = SessionState.FromJson(stored).ApplyAll(all.Where(e => e.StreamSeq > checkpoint.StreamSeq));

        fromCheckpoint.StateHash().Should().Be(SessionState.Replay(all).StateHash());
        fromCheckpoint.StateHash().Should().Be(w.Sessions[session].StateHash());
        fromCheckpoint.Status.Should().Be(SessionStatus.Suspended);
        // The checkpoint's stateHash is the state after it, which it did not change.
        checkpoint.Data["stateHash"]!.GetValue<string>().Should().Be(SessionState.Replay(stream).StateHash());
    }

    [Fact]
    public void Apply_refuses_an_event_of_another_stream()
    {
        var w = new World();
        var one = w.OpenSession(Alice, Alice, Bob);
        var two = w.OpenSession(Alice, Alice, Bob);
        var act = () => w.Sessions[one].Apply(w.Stream(two)[0]);
        act.Should().Throw<ArgumentException>();
    }
}

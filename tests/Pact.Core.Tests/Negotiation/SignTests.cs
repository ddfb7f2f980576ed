using Pact.Core.Terms;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Negotiation;

public class SignTests
{
    private const string CompactId = "cmp_kitchen-2026-0042";

    [Fact]
    public void Sign_records_proposal_signed_then_compact_in_force()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        var sign = w.Sign(Bob, id);

        Accept(w.Negotiate(sign));

        var events = w.Stream(session).Skip(2).ToList();
        events.Types().Should().Equal("proposal.signed", "compact.in-force");
        events[0].Actor.Should().Be(Bob.Did);
        events[0].Data.Keys().Should().Equal("envelope", "proposalId", "termsHash");
        events[0].Data["termsHash"]!.GetValue<string>().Should().Be(w.TermsHashOf(id));
        events[1].Actor.Should().Be("daemon");
        events[1].Data.Keys().Should().Equal("compactId", "version", "compactHash", "record");
        events[1].Data["compactHash"]!.GetValue<string>().Should().Be(sign.Compact!.CompactHash);
        events[1].Data["record"]!.ToJsonString().Should().Be(sign.Compact.Record.ToJsonString());
        w.StatusOf(id).Should().Be(ProposalStatus.Signed);
        w.Negotiation.InForce(CompactId)!.Should().Be(new CompactVersionInfo(CompactId, 1, sign.Compact.CompactHash, session, CompactVersionStatus.InForce));
    }

    [Fact]
    public void Check_judges_a_signature_before_the_record_exists_and_Decide_insists_on_it()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        var bare = w.Sign(Bob, id) with { Compact = null };

        NegotiationMachine.Check(w.Negotiation, bare, w.Now).Should().BeNull();
        NegotiationMachine.Check(w.Negotiation, bare with { TermsHash = new string('0', 64) }, w.Now)!.Code.Should().Be(PactCodes.HashMismatch);
        var act = () => NegotiationMachine.Decide(w.Negotiation, bare, w.Now);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Sign_refusals_follow_the_precedence_of_section_11()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob, Carol);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        var wrongHash = new string('a', 64);

        w.Negotiate(w.Sign(Mallory, id, wrongHash)).ShouldBeRefusedWith(PactCodes.NotFound);
        w.Negotiate(w.Sign(Bob, "prp_01JD0000000000000000000009", wrongHash)).ShouldBeRefusedWith(PactCodes.NotFound);
        w.Negotiate(w.Sign(Alice, id)).ShouldBeRefusedWith(PactCodes.Forbidden);
        w.Negotiate(w.Sign(Carol, id)).ShouldBeRefusedWith(PactCodes.Forbidden);
        var hashError = w.Negotiate(w.Sign(Bob, id, wrongHash)).Error!;
        hashError.Code.Should().Be(PactCodes.HashMismatch);
        hashError.Status.Should().Be(422);
        hashError.Errors!.Single().Pointer.Should().Be("/payload/termsHash");

        Accept(w.SessionAction(session, Alice, "suspend"));
        // Session state (305) answers before the hash (110); right to act (205) before session state.
        w.Negotiate(w.Sign(Bob, id, wrongHash)).ShouldBeRefusedWith(PactCodes.SessionNotActive);
        w.Negotiate(w.Sign(Carol, id, wrongHash)).ShouldBeRefusedWith(PactCodes.Forbidden);
        Accept(w.SessionAction(session, Alice, "resume"));

        Accept(w.Negotiate(w.Decline(Bob, id)));
        // Proposal state (301) answers before the hash (110).
        w.Negotiate(w.Sign(Bob, id, wrongHash)).ShouldBeRefusedWith(PactCodes.ProposalStatus);
    }

    [Fact]
    public void Version_two_succeeds_the_in_force_version_and_supersedes_it_in_its_own_session_stream()
    {
        var w = new World();
        var first = w.OpenSession(Alice, Alice, Bob);
        var v1 = w.Create(first, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.Negotiate(w.Sign(Bob, v1)));
        var v1Hash = w.Negotiation.InForce(CompactId)!.CompactHash;

        var second = w.OpenSession(Bob, Alice, Bob);
        var v2 = w.Create(second, Bob, PartyRole.B, TermsFor(CompactId, 2, Alice, Bob, predecessor: new PredecessorRef(1, v1Hash)));
        var before = w.Log.Count;
        Accept(w.Negotiate(w.Sign(Alice, v2)));

        var appended = w.Log.Skip(before).ToList();
        appended.Select(e => (e.Stream, e.Type)).Should().Equal(
            (second, "proposal.signed"), (second, "compact.in-force"), (first, "compact.superseded"));
        appended[2].Actor.Should().Be("daemon");
        appended[2].Data.Keys().Should().Equal("compactId", "version");
        appended[2].Data["version"]!.GetValue<long>().Should().Be(1);
        w.Negotiation.InForce(CompactId)!.Version.Should().Be(2);
        w.Negotiation.Compact(CompactId, 1)!.Status.Should().Be(CompactVersionStatus.Superseded);
        w.Sessions[first].Compacts.Values.Single().Status.Should().Be(CompactVersionStatus.Superseded);
        w.Sessions[second].Compacts.Values.Single().Status.Should().Be(CompactVersionStatus.InForce);
    }

    [Fact]
    public void Superseding_a_version_lapses_its_open_revocation()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var v1 = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.Negotiate(w.Sign(Bob, v1)));
        var v1Hash = w.Negotiation.InForce(CompactId)!.CompactHash;
        // The lifecycle machine records revocations; here we append its event by hand.
        w.Append(Decision.Of(new StreamEvent(session, new EventDraft("compact.revocation.initiated", Alice.Did, new JsonObject
        {
            ["envelope"] = new JsonObject(), ["compactId"] = CompactId, ["version"] = 1, ["revocationId"] = "rev_01JD0000000000000000000001",
            ["effectiveAt"] = "2026-12-21T12:00:00.000Z", ["ackDeadline"] = "2026-11-28T12:00:00.000Z",
        }))));
        var v2 = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 2, Alice, Bob, predecessor: new PredecessorRef(1, v1Hash)));

        Accept(w.Negotiate(w.Sign(Bob, v2)));

        var tail = w.Stream(session).TakeLast(4).ToList();
        tail.Types().Should().Equal("proposal.signed", "compact.in-force", "compact.superseded", "compact.revocation.lapsed");
        tail[3].Actor.Should().Be("daemon");
        tail[3].Data.Keys().Should().Equal("revocationId", "reason");
        tail[3].Data["revocationId"]!.GetValue<string>().Should().Be("rev_01JD0000000000000000000001");
        tail[3].Data["reason"]!.GetValue<string>().Should().Be("superseded");
        w.Negotiation.Compact(CompactId, 1)!.OpenRevocationId.Should().BeNull();
    }

    [Fact]
    public void Version_n_plus_one_needs_the_in_force_version_and_its_compact_hash()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);

        // No version in force yet.
        w.Negotiate(w.Propose(session, Alice, PartyRole.A, TermsFor(CompactId, 2, Alice, Bob, predecessor: new PredecessorRef(1, new string('1', 64)))))
            .ShouldBeRefusedWith(PactCodes.CompactState);

        var v1 = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.Negotiate(w.Sign(Bob, v1)));
        var v1Hash = w.Negotiation.InForce(CompactId)!.CompactHash;

        w.Negotiate(w.Propose(session, Alice, PartyRole.A, TermsFor(CompactId, 2, Alice, Bob, predecessor: new PredecessorRef(1, new string('1', 64)))))
            .ShouldBeRefusedWith(PactCodes.CompactState);
        w.Negotiate(w.Propose(session, Alice, PartyRole.A, TermsFor(CompactId, 3, Alice, Bob, predecessor: new PredecessorRef(2, v1Hash))))
            .ShouldBeRefusedWith(PactCodes.CompactState);
        w.Negotiate(w.Propose(session, Alice, PartyRole.A, TermsFor(CompactId, 2, Alice, Bob, predecessor: new PredecessorRef(1, v1Hash))))
            .IsAccepted.Should().BeTrue();
    }

    [Fact]
    public void Signing_a_successor_is_304_once_its_predecessor_left_force()
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var v1 = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        Accept(w.Negotiate(w.Sign(Bob, v1)));
        var v1Hash = w.Negotiation.InForce(CompactId)!.CompactHash;
        var v2 = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 2, Alice, Bob, predecessor: new PredecessorRef(1, v1Hash)));
        // The lifecycle revokes version 1 meanwhile.
        w.Append(Decision.Of(new StreamEvent(session, new EventDraft("compact.revoked", "daemon", new JsonObject
        {
            ["compactId"] = CompactId, ["version"] = 1, ["revocationId"] = null, ["cause"] = "upstream",
        }))));

        w.Negotiate(w.Sign(Bob, v2)).ShouldBeRefusedWith(PactCodes.CompactState);
        w.Sessions[session].Compacts.Values.Single().Status.Should().Be(CompactVersionStatus.Revoked);
    }
}

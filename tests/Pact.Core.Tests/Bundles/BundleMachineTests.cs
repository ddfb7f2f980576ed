using FluentAssertions;
using Pact.Core.Bundles;
using Pact.Core.Crypto;
using Pact.Core.Errors;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Tests.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Bundles;

public class BundleMachineTests
{
    private static readonly string[] Notices = ["P30D", "P10D", "P20D"];

    private static (BundleWorld B, string Session, CreateBundle Create) Open(JsonObjectFactory select, int members = 2)
    {
        var b = new BundleWorld();
        var others = new[] { Bob, Carol, Mallory };
        var participants = new[] { Alice }.Concat(others).ToArray();
        var session = b.W.OpenSession(Alice, participants);
        var list = Enumerable.Range(0, members).Select(i => ($"cmp_member-{i:D2}", others[i % others.Length])).ToList();
        var create = b.Bundle(session, Alice, list, select(), b.W.Now.AddDays(7));
        b.Accepted(create);
        return (b, session, create);
    }

    internal delegate System.Text.Json.Nodes.JsonObject JsonObjectFactory();

    private static string Member(CreateBundle c, int i) => c.Members[i].ProposalId;

    private static KeyPair CounterpartyOf(BundleWorld b, string proposalId)
    {
        var did = b.State.Proposal(proposalId)!.CounterpartyAgent;
        return new[] { Bob, Carol, Mallory }.Single(k => k.Did == did);
    }

    [Fact]
    public void Creation_records_the_bundle_then_each_member_in_member_order()
    {
        var (b, session, create) = Open(() => BundleWorld.All, 3);
        var events = b.W.Stream(session).Skip(1).ToList();
        events.Types().Should().Equal("bundle.created", "proposal.created", "proposal.created", "proposal.created");
        events[0].Actor.Should().Be(Alice.Did);
        events.Skip(1).Should().OnlyContain(e => e.Actor == "daemon");
        events.Skip(1).Select(e => e.Data["proposalId"]!.GetValue<string>()).Should().Equal(create.Members.Select(m => m.ProposalId));
        events[1].Data.Keys().Should().Equal("proposalId", "compactId", "version", "termsHash", "expiresAt", "bundleId");
        events[1].Data["expiresAt"]!.GetValue<string>().Should().Be(events[0].Data["closesAt"]!.GetValue<string>());
        b.W.Sessions[session].Proposals.Values.Should().OnlyContain(p => p.Proposer == PartyRole.A && p.Status == ProposalStatus.Open);
    }

    [Fact]
    public void Mode_all_prepares_each_countersignature_and_the_last_commits_every_member()
    {
        var (b, session, create) = Open(() => BundleWorld.All);
        var first = b.Accepted(b.Sign(Bob, Member(create, 0)));
        first.Types().Should().Equal("proposal.signed");
        b.W.StatusOf(Member(create, 0)).Should().Be(ProposalStatus.Prepared);
        b.W.Sessions[session].Proposals[Member(create, 0)].Status.Should().Be(ProposalStatus.Prepared);

        var last = b.Accepted(b.Sign(Carol, Member(create, 1)));
        last.Types().Should().Equal("proposal.signed", "bundle.committed", "compact.in-force", "compact.in-force");
        last[1].Data["selected"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Equal(Member(create, 0), Member(create, 1));
        last[1].Data["ranking"].Should().BeNull();
        last.Skip(2).Select(e => e.Data["record"]!["inForceAt"]!.GetValue<string>()).Distinct().Should().HaveCount(1);
        b.W.StatusOf(Member(create, 0)).Should().Be(ProposalStatus.Signed);
        b.State.Bundle(create.BundleId)!.Status.Should().Be(BundleStatus.Committed);
        b.W.Sessions[session].Compacts.Should().HaveCount(2);
    }

    [Fact]
    public void Mode_all_aborts_on_the_first_decline_and_voids_the_prepared_signatures()
    {
        var (b, _, create) = Open(() => BundleWorld.All, 3);
        b.Accepted(b.Sign(Bob, Member(create, 0)));
        var events = b.Accepted(b.Decline(Carol, Member(create, 1)));
        events.Types().Should().Equal("proposal.declined", "bundle.aborted", "proposal.retired", "proposal.retired");
        events[1].Data["cause"]!.ToJsonString().Should().Be($$"""{"kind":"declined","proposalId":"{{Member(create, 1)}}","agent":"{{Carol.Did}}"}""");
        events.Skip(2).Select(e => e.Data["proposalId"]!.GetValue<string>()).Should().BeInAscendingOrder(StringComparer.Ordinal)
            .And.BeEquivalentTo([Member(create, 0), Member(create, 2)]);
        b.State.Compacts.Should().BeEmpty();
    }

    [Fact]
    public void Mode_all_at_closesAt_aborts_expired_naming_the_first_silent_member_after_single_expiries_at_that_instant()
    {
        var (b, session, create) = Open(() => BundleWorld.All, 3);
        b.Accepted(b.Sign(Bob, Member(create, 0)));
        // A single proposal expiring at the same instant (kind 1a) fires before the close (1b).
        var closesAt = b.State.Bundle(create.BundleId)!.ClosesAt;
        b.W.Now = closesAt.AddDays(-7);
        var single = b.W.Create(session, Alice, PartyRole.A, Pact.Core.Tests.Lifecycle.Lab.Terms("cmp_single-01", Alice, Bob) is var t ? Set(t, "negotiationTimeout", "P7D") : t);
        b.W.Now = closesAt;
        var events = b.Tick();
        events.Types().Should().Equal("proposal.expired", "failure", "bundle.aborted", "failure", "proposal.retired", "proposal.retired", "proposal.retired");
        events[0].Data["proposalId"]!.GetValue<string>().Should().Be(single);
        events[2].Data["cause"]!["kind"]!.GetValue<string>().Should().Be("expired");
        events[2].Data["cause"]!["proposalId"]!.GetValue<string>().Should().Be(Member(create, 1));
        events[2].Data["dueAt"]!.GetValue<string>().Should().Be(Pact.Core.Time.Timestamp.ToText(closesAt));
        events[3].Data["code"]!.GetValue<string>().Should().Be("PACT-503");
        events[3].Data["agent"]!.GetValue<string>().Should().Be(Carol.Did);
        events[3].Data["evidenceRefs"]!.ToJsonString().Should().Be($$"""["bundle:{{create.BundleId}}","proposal:{{Member(create, 1)}}"]""");
        events[3].Data["transcriptHash"]!.GetValue<string>().Should().Be(events[3].PrevHash);
    }

    private static System.Text.Json.Nodes.JsonObject Set(System.Text.Json.Nodes.JsonObject o, string name, string value)
    {
        o[name] = value;
        return o;
    }

    [Fact]
    public void Members_cannot_be_withdrawn_or_countered_one_by_one_and_hold_their_slots_while_prepared()
    {
        var (b, session, create) = Open(() => BundleWorld.All);
        b.Run(b.W.Withdraw(Alice, Member(create, 0))).ShouldBeRefusedWith(PactCodes.ProposalStatus);
        var counter = b.W.Propose(session, Bob, PartyRole.B, Pact.Core.Tests.Lifecycle.Lab.Terms("cmp_member-00", Alice, Bob), replaces: Member(create, 0));
        b.Run(counter).ShouldBeRefusedWith(PactCodes.ProposalStatus);
        b.Accepted(b.Sign(Bob, Member(create, 0)));
        b.Run(b.W.Propose(session, Alice, PartyRole.A, Pact.Core.Tests.Lifecycle.Lab.Terms("cmp_member-00", Alice, Bob))).ShouldBeRefusedWith(PactCodes.SlotOccupied);
        b.Run(b.Sign(Bob, Member(create, 0))).ShouldBeRefusedWith(PactCodes.ProposalStatus);
    }

    [Fact]
    public void Withdrawal_aborts_with_the_coordinator_as_agent_and_a_second_one_is_PACT_307()
    {
        var (b, _, create) = Open(() => BundleWorld.All);
        b.Run(new WithdrawBundle(b.W.Envelope(Bob, "bundle.withdraw", new() { ["bundleId"] = create.BundleId }), create.BundleId))
            .ShouldBeRefusedWith(PactCodes.Forbidden);
        var events = b.Accepted(new WithdrawBundle(b.W.Envelope(Alice, "bundle.withdraw", new() { ["bundleId"] = create.BundleId }), create.BundleId));
        events.Types().Should().Equal("bundle.withdrawn", "bundle.aborted", "proposal.retired", "proposal.retired");
        events[0].Actor.Should().Be(Alice.Did);
        events[1].Data["cause"]!.ToJsonString().Should().Be($$"""{"kind":"withdrawn","proposalId":null,"agent":"{{Alice.Did}}"}""");
        b.Run(new WithdrawBundle(b.W.Envelope(Alice, "bundle.withdraw", new() { ["bundleId"] = create.BundleId }), create.BundleId))
            .ShouldBeRefusedWith(PactCodes.BundleState);
        b.Run(b.Sign(Bob, Member(create, 0))).ShouldBeRefusedWith(PactCodes.ProposalStatus);
    }

    [Fact]
    public void Two_bundles_compete_for_one_slot_and_the_second_is_refused()
    {
        var (b, session, _) = Open(() => BundleWorld.All);
        var rival = b.Bundle(session, Alice, [("cmp_member-00", Bob), ("cmp_other-01", Carol)], BundleWorld.All, b.W.Now.AddDays(1));
        b.Run(rival).ShouldBeRefusedWith(PactCodes.SlotOccupied);
        var twice = b.Bundle(session, Alice, [("cmp_twice-01", Bob), ("cmp_twice-01", Carol)], BundleWorld.All, b.W.Now.AddDays(1));
        b.Run(twice).ShouldBeRefusedWith(PactCodes.SlotOccupied);
    }

    [Fact]
    public void Terminating_the_session_aborts_open_bundles_before_retiring_other_proposals()
    {
        var (b, session, create) = Open(() => BundleWorld.All);
        var single = b.W.Create(session, Alice, PartyRole.A, Pact.Core.Tests.Lifecycle.Lab.Terms("cmp_single-01", Alice, Bob));
        b.Accepted(b.Sign(Bob, Member(create, 0)));
        var before = b.W.Log.Count;
        var (aborts, _) = BundleMachine.AbortOnTerminate(b.State, session, b.W.Now);
        var terminate = new Pact.Core.Sessions.TerminateSession(b.W.Envelope(Alice, "session.terminate", new() { ["sessionId"] = session })) { BundleAborts = aborts };
        Accept(b.W.Session(session, terminate));
        var events = b.W.Log.Skip(before).ToList();
        events.Types().Should().Equal("session.terminated", "bundle.aborted", "proposal.retired", "proposal.retired", "proposal.retired");
        events[1].Data["cause"]!.ToJsonString().Should().Be("""{"kind":"withdrawn","proposalId":null,"agent":null}""");
        events[4].Data["proposalId"]!.GetValue<string>().Should().Be(single);
    }

    [Fact]
    public void Mode_best_commits_the_best_count_once_every_member_is_prepared_or_ended_and_retires_the_rest()
    {
        var select = () => BundleWorld.Best(1, 1, ("isoSeconds(terms.revocation.noticePeriod)", "int", "asc"));
        var b = new BundleWorld();
        var session = b.W.OpenSession(Alice, Alice, Bob, Carol, Mallory);
        var create = b.Bundle(session, Alice, [("cmp_provider-1", Bob), ("cmp_provider-2", Carol), ("cmp_provider-3", Mallory)], select(), b.W.Now.AddDays(7),
            (i, t) => { t["revocation"]!["noticePeriod"] = Notices[i]; return t; });
        b.Accepted(create);
        b.Accepted(b.Sign(Bob, Member(create, 0))).Types().Should().Equal("proposal.signed");
        b.Accepted(b.Sign(Carol, Member(create, 1))).Types().Should().Equal("proposal.signed");
        var events = b.Accepted(b.Decline(Mallory, Member(create, 2)));
        events.Types().Should().Equal("proposal.declined", "bundle.committed", "compact.in-force", "proposal.retired");
        var committed = events[1].Data;
        committed["selected"]!.ToJsonString().Should().Be($"""["{Member(create, 1)}"]""");
        committed["dueAt"].Should().BeNull();
        var ranking = committed["ranking"]!.AsArray();
        ranking.Select(r => r!["proposalId"]!.GetValue<string>()).Should().Equal(Member(create, 1), Member(create, 0));
        ranking[0]!["keys"]!.ToJsonString().Should().Be("[864000]");
        ranking[0]!["passport"]!["agent"]!.GetValue<string>().Should().Be(Carol.Did);
        ranking[0]!["passport"]!["asOfSeq"]!.GetValue<long>().Should().Be(events[1].Seq - 1);
        events[3].Data["proposalId"]!.GetValue<string>().Should().Be(Member(create, 0));
        b.W.StatusOf(Member(create, 0)).Should().Be(ProposalStatus.Retired);
        b.W.StatusOf(Member(create, 1)).Should().Be(ProposalStatus.Signed);
    }

    [Fact]
    public void Mode_best_aborts_insufficient_once_too_few_members_can_still_be_prepared()
    {
        var b = new BundleWorld();
        var session = b.W.OpenSession(Alice, Alice, Bob, Carol, Mallory);
        var create = b.Bundle(session, Alice, [("cmp_provider-1", Bob), ("cmp_provider-2", Carol), ("cmp_provider-3", Mallory)],
            BundleWorld.Best(2, 2, ("terms.compactId", "string", "asc")), b.W.Now.AddDays(7));
        b.Accepted(create);
        b.Accepted(b.Decline(Bob, Member(create, 0))).Types().Should().Equal("proposal.declined");
        var events = b.Accepted(b.Decline(Carol, Member(create, 1)));
        events.Types().Should().Equal("proposal.declined", "bundle.aborted", "proposal.retired");
        events[1].Data["cause"]!.ToJsonString().Should().Be("""{"kind":"insufficient","proposalId":null,"agent":null}""");
    }

    [Fact]
    public void Mode_best_at_closesAt_ranks_the_prepared_members_with_dueAt()
    {
        var b = new BundleWorld();
        var session = b.W.OpenSession(Alice, Alice, Bob, Carol, Mallory);
        var create = b.Bundle(session, Alice, [("cmp_provider-1", Bob), ("cmp_provider-2", Carol), ("cmp_provider-3", Mallory)],
            BundleWorld.Best(2, 1, ("terms.compactId", "string", "desc")), b.W.Now.AddDays(7));
        b.Accepted(create);
        b.Accepted(b.Sign(Bob, Member(create, 0)));
        b.Accepted(b.Sign(Carol, Member(create, 1)));
        b.W.Now = create.ClosesAt;
        var events = b.Tick();
        events.Types().Should().Equal("bundle.committed", "compact.in-force", "compact.in-force", "proposal.retired");
        events[0].Data["dueAt"]!.GetValue<string>().Should().Be(Pact.Core.Time.Timestamp.ToText(create.ClosesAt));
        events[0].Data["selected"]!.ToJsonString().Should().Be($"""["{Member(create, 1)}","{Member(create, 0)}"]""");
        events[3].Data["proposalId"]!.GetValue<string>().Should().Be(Member(create, 2));
    }

    [Fact]
    public void A_countersignature_at_closesAt_is_judged_after_the_close()
    {
        var (b, _, create) = Open(() => BundleWorld.All);
        b.Accepted(b.Sign(Bob, Member(create, 0)));
        b.W.Now = create.ClosesAt;
        b.Run(b.Sign(Carol, Member(create, 1))).ShouldBeRefusedWith(PactCodes.ProposalStatus);
        b.State.Bundle(create.BundleId)!.Status.Should().Be(BundleStatus.Aborted);
    }

    [Fact]
    public void Sixteen_members_commit_in_one_decision()
    {
        var b = new BundleWorld();
        var session = b.W.OpenSession(Alice, Alice, Bob);
        var create = b.Bundle(session, Alice, [.. Enumerable.Range(0, 16).Select(i => ($"cmp_member-{i:D2}", Bob))], BundleWorld.All, b.W.Now.AddDays(7));
        b.Accepted(create);
        for (var i = 0; i < 15; i++) b.Accepted(b.Sign(Bob, Member(create, i))).Types().Should().Equal("proposal.signed");
        var last = b.Accepted(b.Sign(Bob, Member(create, 15)));
        last.Types().Should().Equal(["proposal.signed", "bundle.committed", .. Enumerable.Repeat("compact.in-force", 16)]);
        last.Skip(2).Select(e => e.Data["compactId"]!.GetValue<string>()).Should().Equal(Enumerable.Range(0, 16).Select(i => $"cmp_member-{i:D2}"));
    }

    [Fact]
    public void Mode_all_aborts_insufficient_when_a_prepared_members_upstream_left_force_before_the_last_prepare()
    {
        var lw = new Pact.Core.Tests.Lifecycle.LifecycleWorld();
        var session = lw.SignCompact(Alice, Bob, Pact.Core.Tests.Lifecycle.Lab.Terms("cmp_upstream-01", Alice, Bob,
            revocation: new Pact.Core.Tests.Lifecycle.RevocationSpec(Emergency: true)), others: [Carol]);
        var b = new BundleWorld(lw.W);
        var create = b.Bundle(session, Alice, [("cmp_member-00", Bob), ("cmp_member-01", Carol)], BundleWorld.All, b.W.Now.AddDays(7), (i, t) =>
        {
            if (i == 0) t["upstream"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject
            {
                ["compactId"] = "cmp_upstream-01", ["version"] = 1, ["on"] = new System.Text.Json.Nodes.JsonArray("revocation"),
            });
            return t;
        });
        b.Accepted(create);
        b.Accepted(b.Sign(Bob, Member(create, 0)));
        var revocation = lw.Revoked(Alice, "cmp_upstream-01", emergency: true);
        lw.Must(lw.AckRevocation(Bob, "cmp_upstream-01", revocation));
        b.State.InForce("cmp_upstream-01").Should().BeNull();

        var events = b.Accepted(b.Sign(Carol, Member(create, 1)));
        events.Types().Should().Equal("proposal.signed", "bundle.aborted", "proposal.retired", "proposal.retired");
        events[1].Data["cause"]!.ToJsonString().Should().Be($$"""{"kind":"insufficient","proposalId":"{{Member(create, 0)}}","agent":null}""");
        b.State.Compacts.Keys.Should().NotContain(k => k.CompactId.StartsWith("cmp_member", StringComparison.Ordinal));
    }
}

using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Bundles;
using Pact.Core.Compacts;
using Pact.Core.Crypto;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Tests.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Bundles;

/// <summary>
/// Mandates on bundle members (§14, §15) in Core: in the creation's commit, after every member's proposal.created, a
/// mandate's sign prepares a member and the last one commits the bundle; a decline aborts an <c>all</c> bundle.
/// </summary>
public class BundleMandateTests
{
    private static readonly JsonObject Mandate = new() { ["mandateId"] = "mnd_x", ["mandateHash"] = "h", ["decisionHash"] = "d", ["grant"] = new JsonObject() };

    private static (BundleWorld B, string Session, CreateBundle Create, Decision Created) Create()
    {
        var b = new BundleWorld();
        var session = b.W.OpenSession(Alice, [Alice, Bob, Carol]);
        var create = b.Bundle(session, Alice, [("cmp_member-00", Bob), ("cmp_member-01", Carol)], BundleWorld.All, b.W.Now.AddDays(7));
        b.Tick();
        var verdict = NegotiationMachine.Decide(b.State, create, b.W.Now);
        verdict.IsAccepted.Should().BeTrue(verdict.Error?.Detail);
        return (b, session, create, verdict.Decision!);
    }

    /// <summary>The daemon's countersignature for <paramref name="agent"/> as party b, under the mandate.</summary>
    private static JsonObject Countersignature(KeyPair agent) =>
        new SignatureEntry(PartyRole.B, agent.Did, "sig-" + agent.Did[^4..], Pact.Core.Time.Timestamp.Parse("2026-11-21T12:00:00.000Z"),
            new StandingPolicyAuthorization(BundleWorld.PolicyHash))
        {
            Signer = Daemon.Did,
            Mandate = (JsonObject)Mandate.DeepClone(),
        }.ToJson();

    /// <summary>What the commit's events so far make of the state: what the next member's answer is judged on.</summary>
    private static NegotiationState After(BundleWorld b, Decision commit) => NegotiationMachine.After(b.State, commit, b.W.Now);

    [Fact]
    public void Mandate_signs_follow_every_proposal_created_and_the_last_commits_the_bundle_in_the_same_commit()
    {
        var (b, session, create, commit) = Create();
        foreach (var (member, agent) in new[] { (create.Members[0].ProposalId, Bob), (create.Members[1].ProposalId, Carol) })
            commit = commit.Then(BundleMachine.PreparedUnderMandate(After(b, commit), member, Countersignature(agent), Mandate, b.W.Now, commit, b.Services));

        var events = b.W.Append(commit);

        events.Types().Should().Equal("bundle.created", "proposal.created", "proposal.created", "proposal.signed", "proposal.signed",
            "bundle.committed", "compact.in-force", "compact.in-force");
        events.Skip(1).Should().OnlyContain(e => e.Actor == "daemon");
        events[3].Data.ContainsKey("envelope").Should().BeFalse();
        events[3].Data["mandate"]!["decisionHash"]!.GetValue<string>().Should().Be("d");
        b.State.Bundle(create.BundleId)!.Status.Should().Be(BundleStatus.Committed);
        b.W.Sessions[session].Compacts.Should().HaveCount(2);
        // Each sealed record carries the mandate's countersignature as the event recorded it: signer and mandate included.
        foreach (var (inForce, signed) in events.Skip(6).Zip(events.Skip(3).Take(2)))
            inForce.Data["record"]!["signatures"]![1]!.ToJsonString().Should().Be(signed.Data["signature"]!.ToJsonString());
    }

    [Fact]
    public void A_prepared_signature_under_a_mandate_survives_a_state_snapshot()
    {
        var (b, _, create, commit) = Create();
        commit = commit.Then(BundleMachine.PreparedUnderMandate(After(b, commit), create.Members[0].ProposalId, Countersignature(Bob), Mandate, b.W.Now, commit, b.Services));
        b.W.Append(commit);

        var prepared = b.State.Bundle(create.BundleId)!.Prepared[create.Members[0].ProposalId];
        prepared.Signer.Should().Be(Daemon.Did);
        StateSnapshot.TryDecode(new StateSnapshot(1, "", b.State, StateSnapshot.NoHeads).Encode(), out var restored, out var why).Should().BeTrue(why);
        var again = restored!.State.Bundle(create.BundleId)!.Prepared[create.Members[0].ProposalId];
        again.ToJson().ToJsonString().Should().Be(prepared.ToJson().ToJsonString());
    }

    [Fact]
    public void A_mandates_decline_aborts_an_all_bundle_naming_the_mandates_agent_and_retires_the_prepared_member()
    {
        var (b, _, create, commit) = Create();
        commit = commit.Then(BundleMachine.PreparedUnderMandate(After(b, commit), create.Members[0].ProposalId, Countersignature(Bob), Mandate, b.W.Now, commit, b.Services));
        var declined = new StreamEvent(create.SessionId, Pact.Core.Events.EventDraft.ByDaemon(EventTypes.ProposalDeclined,
            new JsonObject { ["proposalId"] = create.Members[1].ProposalId, ["mandate"] = Mandate.DeepClone() }));
        commit = commit.Then(BundleMachine.DeclinedUnderMandate(After(b, commit), create.Members[1].ProposalId, declined, Carol.Did, b.W.Now, commit, b.Services));

        var events = b.W.Append(commit);

        events.Skip(3).Types().Should().Equal("proposal.signed", "proposal.declined", "bundle.aborted", "proposal.retired");
        events[5].Data["cause"]!.ToJsonString().Should().Be($$"""{"kind":"declined","proposalId":"{{create.Members[1].ProposalId}}","agent":"{{Carol.Did}}"}""");
        events[6].Data["proposalId"]!.GetValue<string>().Should().Be(create.Members[0].ProposalId);
        b.State.Bundle(create.BundleId)!.Status.Should().Be(BundleStatus.Aborted);
    }
}

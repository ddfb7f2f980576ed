using System.Net;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Contracts;
using Pact.Daemon.Tests.Infrastructure;
using static Pact.Daemon.Tests.BundleTests;

namespace Pact.Daemon.Tests;

/// <summary>
/// §15: a member whose upstream compact left force. The last prepare of an <c>all</c> bundle is recorded and the bundle aborts
/// (cause insufficient, that member, agent null) instead of committing; nothing goes in force.
/// </summary>
public class BundleUpstreamTests
{
    protected virtual DaemonStore Store => DaemonStore.Default;

    /// <summary>An in-force compact between the coordinator and the first counterparty, and a bundle whose first member depends on it.</summary>
    private async Task<(Scenario S, BundleView Bundle, string UpstreamId)> OpenAsync()
    {
        var s = await Scenario.StartAsync(Store);
        var upstream = await s.Coordinator.DraftAsync(s.Others[0]);
        var upstreamId = upstream["compactId"]!.GetValue<string>();
        await s.Coordinator.NegotiateAsync(s.Others[0], s.SessionId, upstream);
        var terms = await s.TermsAsync(2, (i, t) => { if (i == 0) Negotiator.DependOn(t, upstreamId, "revocation"); });
        return (s, await s.CreateAsync(terms, BundleSelection.All()), upstreamId);
    }

    /// <summary>Version 1 of a compact with the first counterparty in force, and a bundle whose first member is its version 2.</summary>
    private async Task<(Scenario S, BundleView Bundle, string CompactId)> OpenSuccessionAsync()
    {
        var s = await Scenario.StartAsync(Store);
        var v1 = await s.Coordinator.DraftAsync(s.Others[0]);
        var compactId = v1["compactId"]!.GetValue<string>();
        var record = await s.Coordinator.NegotiateAsync(s.Others[0], s.SessionId, v1);
        var v2 = Negotiator.Successor(v1, record.CompactHash);
        v2["revocation"]!["noticePeriod"] = "P10D";
        var terms = await s.TermsAsync(2);
        terms[0] = v2;
        return (s, await s.CreateAsync(terms, BundleSelection.All()), compactId);
    }

    internal static async Task RevokeAsync(Scenario s, string compactId)
    {
        var revocation = await s.Coordinator.Client.RevokeAsync(compactId, 1, "scope cancelled", emergency: true);
        await s.Others[0].Client.AcknowledgeRevocationAsync(compactId, revocation.RevocationId, revocation.InitiationHash);
        (await s.Coordinator.Client.GetCompactAsync(compactId)).Status.Should().Be("revoked");
    }

    /// <summary>The countersignature sent as is, its HTTP status and body kept (the SDK hides 200 against 202).</summary>
    internal static async Task<PactResponse> SignRawAsync(Negotiator signer, string proposalId)
    {
        var proposal = await signer.Client.GetProposalAsync(proposalId);
        var payload = new ProposalSignPayload(proposal.ProposalId, proposal.TermsHash, signer.Client.CreateCountersignature(proposal, signer.Authority));
        return await signer.Client.SendEnvelopeAsync($"v1/proposals/{proposalId}/sign", await signer.Client.CreateEnvelopeAsync(payload));
    }

    private static async Task AssertAbortedInsufficientAsync(Scenario s, BundleView bundle, string gone, PactResponse answer, string signedId)
    {
        answer.Status.Should().Be(HttpStatusCode.Accepted);
        answer.Body!["proposalId"]!.GetValue<string>().Should().Be(signedId);
        answer.Body!["status"]!.GetValue<string>().Should().Be("retired", "the answer shows the proposal after the commit, which aborted the bundle");

        var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
        after.Status.Should().Be("aborted");
        JsonNode.DeepEquals(after.Cause, JsonNode.Parse($$"""{"kind":"insufficient","proposalId":"{{gone}}","agent":null}""")).Should().BeTrue(after.Cause!.ToJsonString());
        after.Members.Should().OnlyContain(m => m.Status == "retired");

        var events = await s.EventsAsync();
        var tail = events.SkipWhile(e => !(e.Type == "proposal.signed" && e.Data["proposalId"]!.GetValue<string>() == signedId)).ToList();
        tail.Select(e => e.Type).Should().Equal("proposal.signed", "bundle.aborted", "proposal.retired", "proposal.retired");
        tail[0].Actor.Should().Be(s.Others.Single(o => o.Did == after.Members.Single(m => m.ProposalId == signedId).Counterparty).Did);
        tail.Skip(1).Should().OnlyContain(e => e.Actor == "daemon");
        tail[1].Data["dueAt"].Should().BeNull();
        tail.Skip(2).Select(e => e.Data["proposalId"]!.GetValue<string>()).Should().BeInAscendingOrder(StringComparer.Ordinal);
        events.Should().NotContain(e => e.Type == "failure");
        var state = await s.Coordinator.Client.GetStateAsync(s.SessionId);
        state.State.Compacts.Should().NotContain(c => c.Status == "in-force" && bundle.Members.Any(m => m.CompactId == c.CompactId));
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
    }

    [Fact]
    public async Task The_last_prepare_aborts_insufficient_when_a_prepared_members_upstream_left_force()
    {
        var (s, bundle, upstreamId) = await OpenAsync();
        await using var _ = s;
        var dependent = bundle.Members[0];
        (await s.CounterpartyOf(dependent).Client.SignMemberAsync(dependent.ProposalId, s.CounterpartyOf(dependent).Authority)).InForce.Should().BeFalse();
        await RevokeAsync(s, upstreamId);

        var last = bundle.Members[1];
        var answer = await SignRawAsync(s.CounterpartyOf(last), last.ProposalId);
        await AssertAbortedInsufficientAsync(s, bundle, dependent.ProposalId, answer, last.ProposalId);
    }

    [Fact]
    public async Task The_last_prepare_of_the_member_whose_upstream_left_force_is_recorded_and_aborts_insufficient()
    {
        var (s, bundle, upstreamId) = await OpenAsync();
        await using var _ = s;
        var other = bundle.Members[1];
        await s.CounterpartyOf(other).Client.SignMemberAsync(other.ProposalId, s.CounterpartyOf(other).Authority);
        await RevokeAsync(s, upstreamId);

        var dependent = bundle.Members[0];
        var answer = await SignRawAsync(s.CounterpartyOf(dependent), dependent.ProposalId);
        await AssertAbortedInsufficientAsync(s, bundle, dependent.ProposalId, answer, dependent.ProposalId);
    }

    [Fact]
    public async Task The_last_prepare_of_a_version_2_member_whose_predecessor_left_force_is_recorded_and_aborts_insufficient()
    {
        var (s, bundle, compactId) = await OpenSuccessionAsync();
        await using var _ = s;
        var other = bundle.Members[1];
        await s.CounterpartyOf(other).Client.SignMemberAsync(other.ProposalId, s.CounterpartyOf(other).Authority);
        await RevokeAsync(s, compactId);

        var successor = bundle.Members[0];
        var answer = await SignRawAsync(s.CounterpartyOf(successor), successor.ProposalId);
        await AssertAbortedInsufficientAsync(s, bundle, successor.ProposalId, answer, successor.ProposalId);
    }

    [Fact]
    public async Task A_version_2_members_compact_in_force_is_followed_by_its_predecessors_supersession_in_the_commit()
    {
        var (s, bundle, compactId) = await OpenSuccessionAsync();
        await using var _ = s;
        await s.CounterpartyOf(bundle.Members[0]).Client.SignMemberAsync(bundle.Members[0].ProposalId, s.CounterpartyOf(bundle.Members[0]).Authority);
        var last = bundle.Members[1];
        (await SignRawAsync(s.CounterpartyOf(last), last.ProposalId)).Status.Should().Be(HttpStatusCode.OK);

        var events = await s.EventsAsync();
        var tail = events.SkipWhile(e => e.Type != "bundle.committed").ToList();
        // §15: per member in member order, compact.in-force and then, for a version n+1, the supersession events of §8.2.
        tail.Select(e => e.Type).Should().Equal("bundle.committed", "compact.in-force", "compact.superseded", "compact.in-force");
        tail.Should().OnlyContain(e => e.Actor == "daemon");
        tail[1].Data["version"]!.GetValue<long>().Should().Be(2);
        tail[2].Data["compactId"]!.GetValue<string>().Should().Be(compactId);
        tail[2].Data["version"]!.GetValue<long>().Should().Be(1);
        var compact = await s.Coordinator.Client.GetCompactAsync(compactId);
        compact.CurrentVersion.Should().Be(2);
        compact.Status.Should().Be("in-force");
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
    }
}

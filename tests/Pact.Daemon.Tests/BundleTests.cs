using System.Net;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Compacts;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests;

/// <summary>Bundles (§15) end to end over Kestrel: both modes, every abort cause, the slot rules, bad input.</summary>
public class BundleTests
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A coordinator (party a of every member) and counterparties in one session, on a fake clock.</summary>
    internal sealed class Scenario : IAsyncDisposable
    {
        public required DaemonHost Host { get; init; }
        public required FakeTimeProvider Clock { get; init; }
        public required Negotiator Coordinator { get; init; }
        public required IReadOnlyList<Negotiator> Others { get; init; }
        public required string SessionId { get; init; }

        public static async Task<Scenario> StartAsync(DaemonStore store, int counterparties = 2)
        {
            var clock = new FakeTimeProvider(Start);
            var host = await DaemonHost.StartAsync(clock, store: store);
            var coordinator = await Negotiator.RegisterAsync(host, "General Contractor", clock: clock);
            var others = new List<Negotiator>();
            for (var i = 0; i < counterparties; i++) others.Add(await Negotiator.RegisterAsync(host, $"Provider {i}", "human", clock));
            var session = (await coordinator.Client.CreateSessionAsync([coordinator.Did, .. others.Select(o => o.Did)], "renovation")).SessionId;
            return new Scenario { Host = host, Clock = clock, Coordinator = coordinator, Others = others, SessionId = session };
        }

        /// <summary>Members with the counterparties in turn; <paramref name="alter"/> may change member i's terms.</summary>
        public async Task<List<JsonObject>> TermsAsync(int members, Action<int, JsonObject>? alter = null)
        {
            var list = new List<JsonObject>();
            for (var i = 0; i < members; i++)
            {
                var terms = await Coordinator.DraftAsync(Others[i % Others.Count], $"cmp_member-{Guid.NewGuid():N}"[..24]);
                alter?.Invoke(i, terms);
                list.Add(terms);
            }
            return list;
        }

        public Negotiator CounterpartyOf(BundleMemberInfo m) => Others.Single(o => o.Did == m.Counterparty);

        public static DateTimeOffset ClosesAt => Start.AddDays(1);

        public Task<BundleView> CreateAsync(IEnumerable<JsonObject> terms, JsonObject select) =>
            Coordinator.Client.CreateBundleAsync(SessionId, terms, Coordinator.Authority, select, ClosesAt);

        public async Task<IReadOnlyList<Pact.Core.Events.TranscriptEvent>> EventsAsync() =>
            (await Coordinator.Client.GetEventsAsync(SessionId, limit: 1000)).Events;

        public async Task<IReadOnlyList<Pact.Core.Events.TranscriptEvent>> WaitForAsync(Func<IReadOnlyList<Pact.Core.Events.TranscriptEvent>, bool> condition)
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var events = await EventsAsync();
                if (condition(events)) return events;
                await Task.Delay(50);
            }
            throw new TimeoutException("The expected events did not appear.");
        }

        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }

    private static IEnumerable<string> Types(IEnumerable<Pact.Core.Events.TranscriptEvent> events) => events.Select(e => e.Type);

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    public async Task Mode_all_prepares_each_countersignature_and_the_last_puts_every_member_in_force_in_one_commit(int members)
    {
        await using var s = await Scenario.StartAsync(Store, Math.Min(members, 4));
        var bundle = await s.CreateAsync(await s.TermsAsync(members), BundleSelection.All());
        bundle.Status.Should().Be("open");
        bundle.Members.Should().HaveCount(members).And.OnlyContain(m => m.Status == "open");
        (await s.Coordinator.Client.GetProposalAsync(bundle.Members[0].ProposalId)).BundleId.Should().Be(bundle.BundleId);

        for (var i = 0; i < members - 1; i++)
        {
            var prepared = await s.CounterpartyOf(bundle.Members[i]).Client.SignMemberAsync(bundle.Members[i].ProposalId, s.CounterpartyOf(bundle.Members[i]).Authority);
            prepared.InForce.Should().BeFalse();
            prepared.Proposal!.Status.Should().Be("prepared");
        }
        var last = bundle.Members[^1];
        var committed = await s.CounterpartyOf(last).Client.SignMemberAsync(last.ProposalId, s.CounterpartyOf(last).Authority);
        committed.InForce.Should().BeTrue();
        var daemon = await s.Coordinator.Client.GetDaemonAsync();
        var (record, _) = SignedCompactRecord.FromJson(committed.Record!.ToJson());
        record!.Verify(Pact.Core.Encoding.Base64Url.Decode(daemon.PublicKey)).IsValid.Should().BeTrue();

        var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
        after.Status.Should().Be("committed");
        after.Selected.Should().Equal(bundle.Members.Select(m => m.ProposalId));
        after.Members.Should().OnlyContain(m => m.Status == "signed");

        var events = await s.EventsAsync();
        var tail = events.SkipWhile(e => e.Type != "bundle.committed").ToList();
        Types(tail).Should().Equal(Enumerable.Repeat("compact.in-force", members).Prepend("bundle.committed"));
        tail.Should().OnlyContain(e => e.Actor == "daemon");
        events[events.Count - members - 2].Type.Should().Be("proposal.signed");
        tail.Skip(1).Select(e => e.Seq).Should().BeInAscendingOrder();
        tail.Skip(1).Select(e => e.Data["record"]!["inForceAt"]!.GetValue<string>()).Distinct().Should().ContainSingle();
        Types(events.Take(2 + members)).Should().Equal(Enumerable.Repeat("proposal.created", members).Prepend("bundle.created").Prepend("session.created"));
        events.Skip(2).Take(members).Should().OnlyContain(e => e.Actor == "daemon" && e.Data["bundleId"]!.GetValue<string>() == bundle.BundleId);

        var state = await s.Coordinator.Client.GetStateAsync(s.SessionId);
        state.State.Compacts.Should().HaveCount(members).And.OnlyContain(c => c.Status == "in-force");
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
    }

    [Fact]
    public async Task Mode_all_aborts_on_a_decline_and_the_prepared_signature_is_void()
    {
        await using var s = await Scenario.StartAsync(Store);
        var bundle = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
        var plumber = bundle.Members[0];
        var electrician = bundle.Members[1];
        await s.CounterpartyOf(plumber).Client.SignMemberAsync(plumber.ProposalId, s.CounterpartyOf(plumber).Authority);
        var declined = await s.CounterpartyOf(electrician).Client.DeclineAsync(electrician.ProposalId, "booked");
        declined.Status.Should().Be("declined");

        var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
        after.Status.Should().Be("aborted");
        JsonNode.DeepEquals(after.Cause, JsonNode.Parse($$"""{"kind":"declined","proposalId":"{{electrician.ProposalId}}","agent":"{{electrician.Counterparty}}"}""")).Should().BeTrue(after.Cause!.ToJsonString());
        after.Members.Select(m => m.Status).Should().Equal("retired", "declined");
        Types((await s.EventsAsync()).TakeLast(3)).Should().Equal("proposal.declined", "bundle.aborted", "proposal.retired");
        (await s.Coordinator.Client.GetStateAsync(s.SessionId)).State.Compacts.Should().BeEmpty();
    }

    [Fact]
    public async Task Mode_all_at_closesAt_aborts_expired_with_a_failure_naming_the_silent_counterparty()
    {
        await using var s = await Scenario.StartAsync(Store);
        var bundle = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
        await s.CounterpartyOf(bundle.Members[0]).Client.SignMemberAsync(bundle.Members[0].ProposalId, s.CounterpartyOf(bundle.Members[0]).Authority);
        s.Clock.Advance(TimeSpan.FromDays(1));
        var events = await s.WaitForAsync(e => e.Any(x => x.Type == "bundle.aborted"));
        var tail = events.SkipWhile(e => e.Type != "bundle.aborted").ToList();
        Types(tail).Should().Equal("bundle.aborted", "failure", "proposal.retired", "proposal.retired");
        tail[0].Data["dueAt"]!.GetValue<string>().Should().Be(Pact.Core.Time.Timestamp.ToText(Scenario.ClosesAt));
        tail[0].Data["cause"]!["kind"]!.GetValue<string>().Should().Be("expired");
        tail[1].Data["code"]!.GetValue<string>().Should().Be("PACT-503");
        tail[1].Data["agent"]!.GetValue<string>().Should().Be(bundle.Members[1].Counterparty);
        tail[1].Data["transcriptHash"]!.GetValue<string>().Should().Be(tail[1].PrevHash);
    }

    [Fact]
    public async Task A_close_that_fell_due_while_the_daemon_was_down_fires_on_start()
    {
        await using var s = await Scenario.StartAsync(Store);
        var bundle = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
        await s.Host.StopAsync();
        s.Clock.Advance(TimeSpan.FromDays(2));
        await s.Host.RestartAsync();
        await s.WaitForAsync(e => e.Any(x => x.Type == "bundle.aborted"));
        (await s.Coordinator.Client.GetBundleAsync(bundle.BundleId)).Status.Should().Be("aborted");
    }

    [Fact]
    public async Task Mode_best_ranks_the_prepared_members_by_their_terms_and_records_the_ranking()
    {
        await using var s = await Scenario.StartAsync(Store, 3);
        string[] notices = ["P30D", "P10D", "P20D"];
        var terms = await s.TermsAsync(3, (i, t) => t["revocation"]!["noticePeriod"] = notices[i]);
        var bundle = await s.CreateAsync(terms, BundleSelection.Best(1, 1,
            RankingKeySpec.Ascending("isoSeconds(terms.revocation.noticePeriod)"),
            RankingKeySpec.Ascending("size(categories(terms, them))")));
        foreach (var m in bundle.Members.Take(2))
            (await s.CounterpartyOf(m).Client.SignMemberAsync(m.ProposalId, s.CounterpartyOf(m).Authority)).InForce.Should().BeFalse();
        var last = bundle.Members[2];
        (await s.CounterpartyOf(last).Client.SignMemberAsync(last.ProposalId, s.CounterpartyOf(last).Authority)).InForce.Should().BeFalse();

        var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
        after.Status.Should().Be("committed");
        after.Selected.Should().Equal(bundle.Members[1].ProposalId);
        after.Ranking!.Select(r => r!["proposalId"]!.GetValue<string>()).Should().Equal(bundle.Members[1].ProposalId, bundle.Members[2].ProposalId, bundle.Members[0].ProposalId);
        after.Members.Select(m => m.Status).Should().Equal("retired", "signed", "retired");
        var events = await s.EventsAsync();
        var committed = events.Single(e => e.Type == "bundle.committed");
        foreach (var entry in after.Ranking!)
            entry!["passport"]!["asOfSeq"]!.GetValue<long>().Should().Be(committed.Seq - 1);
        Types(events.SkipWhile(e => e.Type != "bundle.committed")).Should().Equal("bundle.committed", "compact.in-force", "proposal.retired", "proposal.retired");
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
    }

    [Fact]
    public async Task Members_are_not_withdrawn_or_countered_one_by_one_and_the_bundle_withdrawal_is_the_coordinators()
    {
        await using var s = await Scenario.StartAsync(Store);
        var terms = await s.TermsAsync(2);
        var bundle = await s.CreateAsync(terms, BundleSelection.All());
        var withdraw = () => s.Coordinator.Client.WithdrawAsync(bundle.Members[0].ProposalId);
        (await withdraw.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-301");
        var counterparty = s.CounterpartyOf(bundle.Members[0]);
        var counter = () => counterparty.Client.ProposeAsync(s.SessionId, terms[0], counterparty.Authority, replaces: bundle.Members[0].ProposalId);
        (await counter.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-301");
        var notMine = () => counterparty.Client.WithdrawBundleAsync(bundle.BundleId);
        (await notMine.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-205");

        var withdrawn = await s.Coordinator.Client.WithdrawBundleAsync(bundle.BundleId);
        withdrawn.Status.Should().Be("aborted");
        withdrawn.Cause!["kind"]!.GetValue<string>().Should().Be("withdrawn");
        withdrawn.Cause!["agent"]!.GetValue<string>().Should().Be(s.Coordinator.Did);
        var events = await s.EventsAsync();
        Types(events.TakeLast(4)).Should().Equal("bundle.withdrawn", "bundle.aborted", "proposal.retired", "proposal.retired");
        events[^4].Actor.Should().Be(s.Coordinator.Did);
        var again = () => s.Coordinator.Client.WithdrawBundleAsync(bundle.BundleId);
        (await again.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-307");
    }

    [Fact]
    public async Task A_member_that_fails_validation_answers_with_its_pointer_and_nothing_is_recorded()
    {
        await using var s = await Scenario.StartAsync(Store);
        var terms = await s.TermsAsync(2, (i, t) => { if (i == 1) t["tier"] = "platinum"; });
        var before = (await s.EventsAsync()).Count;
        var bad = () => s.CreateAsync(terms, BundleSelection.All());
        var error = (await bad.Should().ThrowAsync<PactApiException>()).Which;
        error.Status.Should().Be(422);
        error.Errors!.Should().Contain(e => e.Pointer == "/payload/members/1/terms/tier");
        (await s.EventsAsync()).Count.Should().Be(before);

        var single = await s.TermsAsync(1);
        var one = () => s.CreateAsync(single, BundleSelection.All());
        (await one.Should().ThrowAsync<PactApiException>()).Which.Errors!.Should().Contain(e => e.Pointer == "/payload/members");
        var valid = await s.TermsAsync(2);
        var unknownFunction = () => s.CreateAsync(valid, BundleSelection.Best(1, 1, RankingKeySpec.Ascending("getSeconds(now)")));
        var compile = (await unknownFunction.Should().ThrowAsync<PactApiException>()).Which;
        compile.Code.Should().Be("PACT-120");
        compile.Errors!.Single().Pointer.Should().Be("/payload/select/order/0/key");
        (await s.EventsAsync()).Count.Should().Be(before);
    }

    [Fact]
    public async Task A_suspended_session_refuses_new_bundles_and_member_signatures_and_termination_aborts_open_bundles()
    {
        await using var s = await Scenario.StartAsync(Store);
        var bundle = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
        await s.Coordinator.Client.SuspendSessionAsync(s.SessionId);
        var create = async () => await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
        (await create.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-305");
        var member = bundle.Members[0];
        var sign = () => s.CounterpartyOf(member).Client.SignMemberAsync(member.ProposalId, s.CounterpartyOf(member).Authority);
        (await sign.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-305");

        await s.Coordinator.Client.TerminateSessionAsync(s.SessionId);
        Types((await s.EventsAsync()).TakeLast(4)).Should().Equal("session.terminated", "bundle.aborted", "proposal.retired", "proposal.retired");
        var after = await s.Coordinator.Client.GetBundleAsync(bundle.BundleId);
        JsonNode.DeepEquals(after.Cause, JsonNode.Parse("""{"kind":"withdrawn","proposalId":null,"agent":null}""")).Should().BeTrue(after.Cause!.ToJsonString());
    }

    [Fact]
    public async Task A_prepared_member_holds_its_slot_and_a_second_bundle_for_it_is_refused()
    {
        await using var s = await Scenario.StartAsync(Store);
        var terms = await s.TermsAsync(2);
        var bundle = await s.CreateAsync(terms, BundleSelection.All());
        await s.CounterpartyOf(bundle.Members[0]).Client.SignMemberAsync(bundle.Members[0].ProposalId, s.CounterpartyOf(bundle.Members[0]).Authority);
        var single = () => s.Coordinator.Client.ProposeAsync(s.SessionId, terms[0], s.Coordinator.Authority);
        (await single.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-302");
        var rival = async () => await s.CreateAsync([terms[0], (await s.TermsAsync(1))[0]], BundleSelection.All());
        (await rival.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-302");
    }

    [Fact]
    public async Task The_generic_sign_call_on_a_member_it_only_prepares_says_to_use_SignMemberAsync_and_the_signature_stands()
    {
        await using var s = await Scenario.StartAsync(Store);
        var bundle = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
        var member = bundle.Members[0];

        var sign = () => s.CounterpartyOf(member).Client.SignProposalAsync(member.ProposalId, s.CounterpartyOf(member).Authority);

        (await sign.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("SignMemberAsync");
        (await s.Coordinator.Client.GetProposalAsync(member.ProposalId)).Status.Should().Be("prepared");
    }

    [Fact]
    public async Task Bundles_are_visible_to_the_participants_of_their_session_only()
    {
        await using var s = await Scenario.StartAsync(Store);
        var bundle = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
        var outsider = await Negotiator.RegisterAsync(s.Host, "Outsider", clock: s.Clock);
        var read = () => outsider.Client.GetBundleAsync(bundle.BundleId);
        (await read.Should().ThrowAsync<PactApiException>()).Which.Status.Should().Be(404);
        var withdraw = () => outsider.Client.WithdrawBundleAsync(bundle.BundleId);
        (await withdraw.Should().ThrowAsync<PactApiException>()).Which.Status.Should().Be(404);
        (await s.Others[0].Client.GetBundleAsync(bundle.BundleId)).BundleId.Should().Be(bundle.BundleId);
        _ = HttpStatusCode.OK;
    }

    [Fact]
    public async Task The_state_replayed_from_a_checkpoint_after_a_bundles_creation_shows_its_members_prepared()
    {
        await using var s = await Scenario.StartAsync(Store);
        var bundle = await s.CreateAsync(await s.TermsAsync(2), BundleSelection.All());
        var checkpoint = await s.Coordinator.Client.CheckpointAsync(s.SessionId, "after the bundle");
        var member = bundle.Members[0];
        await s.CounterpartyOf(member).Client.SignMemberAsync(member.ProposalId, s.CounterpartyOf(member).Authority);

        var replayed = await s.Coordinator.Client.GetStateAsync(s.SessionId);
        replayed.Replay.FromCheckpoint.Should().Be(checkpoint.CheckpointId);
        replayed.State.Proposals.Single(p => p.ProposalId == member.ProposalId).Status.Should().Be("prepared");
        replayed.StateHash.Should().Be((await s.Coordinator.Client.GetStateAsync(s.SessionId, at: checkpoint.StreamSeq + 1)).StateHash);
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
    }

    [Fact]
    public async Task Mode_best_at_closesAt_commits_the_prepared_or_aborts_insufficient_with_dueAt()
    {
        await using var s = await Scenario.StartAsync(Store, 3);
        var select = BundleSelection.Best(1, 1, RankingKeySpec.Ascending("isoSeconds(terms.revocation.noticePeriod)"));
        var committing = await s.CreateAsync(await s.TermsAsync(3), select);
        var member = committing.Members[1];
        await s.CounterpartyOf(member).Client.SignMemberAsync(member.ProposalId, s.CounterpartyOf(member).Authority);
        var insufficient = await s.CreateAsync(await s.TermsAsync(3), BundleSelection.Best(2, 2, RankingKeySpec.Ascending("size(categories(terms, them))")));
        var lone = insufficient.Members[0];
        await s.CounterpartyOf(lone).Client.SignMemberAsync(lone.ProposalId, s.CounterpartyOf(lone).Authority);

        s.Clock.Advance(TimeSpan.FromDays(1));
        await s.WaitForAsync(e => e.Count(x => x.Type is "bundle.committed" or "bundle.aborted") == 2);
        // The log shows a commit a moment before the daemon's state has folded it.
        for (var attempt = 0; attempt < 100 && (await s.Coordinator.Client.GetBundleAsync(insufficient.BundleId)).Status == "open"; attempt++) await Task.Delay(20);
        var committed = await s.Coordinator.Client.GetBundleAsync(committing.BundleId);
        committed.Status.Should().Be("committed");
        committed.Selected.Should().Equal(member.ProposalId);
        committed.Members.Select(m => m.Status).Should().Equal("retired", "signed", "retired");
        var aborted = await s.Coordinator.Client.GetBundleAsync(insufficient.BundleId);
        JsonNode.DeepEquals(aborted.Cause, JsonNode.Parse("""{"kind":"insufficient","proposalId":null,"agent":null}""")).Should().BeTrue();
        aborted.AbortCause.Should().Be(new Pact.Core.Contracts.Responses.BundleAbortCause("insufficient", null, null));
        aborted.RankingEntries.Should().BeNull();
        var events = await s.EventsAsync();
        events.Where(e => e.Type is "bundle.committed" or "bundle.aborted")
            .Should().OnlyContain(e => e.Data["dueAt"]!.GetValue<string>() == Pact.Core.Time.Timestamp.ToText(Scenario.ClosesAt));
        events.Should().NotContain(e => e.Type == "failure", "only mode all's expiry is a counterparty's failure");
        (await s.Coordinator.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();
    }
}

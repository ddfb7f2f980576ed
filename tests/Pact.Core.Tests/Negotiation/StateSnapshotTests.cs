using System.Collections.Immutable;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Bundles;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Core.Events;
using Pact.Core.Ids;
using Pact.Core.Json;
using Pact.Core.Lifecycle;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Core.Policies;
using Pact.Core.Terms;
using Pact.Core.Tests.Bundles;
using Pact.Core.Tests.Lifecycle;
using Xunit;

namespace Pact.Core.Tests.Negotiation;

/// <summary>
/// A state snapshot stands in for the fold of the events it covers: restored and folded on with the rest of the log,
/// it must give exactly the state the fold of the whole log gives — records, indexes and pending deadlines — on
/// random logs of every kind of event (mandates and their decisions included), cut anywhere. Its bytes are
/// deterministic and versioned.
/// </summary>
public class StateSnapshotTests
{
    private static readonly string[] Steps = ["PT6H", "P1D", "P2D", "P4D"];

    private static readonly string[] MandateEvents = [EventTypes.MandateGranted, EventTypes.MandateRevoked, EventTypes.MandateExpired, EventTypes.PolicyDecided];

    private static readonly string[] BundleEvents = [EventTypes.BundleCreated, EventTypes.BundleCommitted, EventTypes.BundleAborted];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void A_snapshot_cut_anywhere_and_folded_on_equals_the_fold_of_the_whole_log(int seed)
    {
        var log = RandomLog(seed, steps: 160);
        log.Select(e => e.Type).Distinct().Should().HaveCountGreaterThan(12, "the random log must exercise most kinds of event");
        log.Select(e => e.Type).Should().Contain(MandateEvents, "mandates are granted, revoked, expire and decide");
        log.Select(e => e.Type).Should().Contain(BundleEvents, "bundles are created, commit and abort");
        log.Should().Contain(e => e.Type == EventTypes.SessionCreated && e.Data["topic"] != null, "sessions are opened with a topic");
        var whole = Fold(log, log.Count);
        var random = new Random(seed);
        foreach (var cut in new[] { 0, 1, log.Count }.Concat(Enumerable.Range(0, 12).Select(_ => random.Next(log.Count + 1))).Distinct())
        {
            var snapshot = Fold(log, cut);
            StateSnapshot.TryDecode(snapshot.Encode(), out var restored, out var why).Should().BeTrue(why);
            restored!.Encode().Should().Equal(snapshot.Encode(), "decoding and encoding again changes nothing");
            restored.State.Sessions.Values.Select(s => (s.SessionId, s.Status, string.Join(' ', s.Participants), s.Topic))
                .Should().Equal(snapshot.State.Sessions.Values.Select(s => (s.SessionId, s.Status, string.Join(' ', s.Participants), s.Topic)));
            foreach (var (key, lifecycle) in snapshot.State.Lifecycles)
            {
                // What a restore reads beside the undecoded terms (their end, their upstream ids) is what they hold.
                var undecoded = restored.State.Lifecycles[key];
                undecoded.ExpiresAt.Should().Be(lifecycle.Terms?.Scope.Effective.Until);
                undecoded.UpstreamIds.Should().Equal((lifecycle.Terms?.Upstream ?? []).Select(u => u.CompactId));
                // Terms are encoded member by member: they must come back as the same document.
                var back = restored.State.Lifecycles[key].Terms;
                (back is null ? null : Jcs.CanonicalString(back.ToJson())).Should().Be(lifecycle.Terms is null ? null : Jcs.CanonicalString(lifecycle.Terms.ToJson()));
            }
            var folded = restored with { State = restored.State.ApplyAll(log.Skip(cut)), ThroughSeq = whole.ThroughSeq, EventHash = whole.EventHash, Heads = whole.Heads };
            folded.Encode().Should().Equal(whole.Encode(), $"cut at {cut} of {log.Count}");
            ShouldAnswerAlike(folded.State, whole.State);
            var (sessions, global) = StateSnapshot.Differences(whole, folded);
            sessions.Should().BeEmpty();
            global.Should().BeFalse();
        }
    }

    [Fact]
    public void Equal_states_encode_to_equal_bytes_whatever_order_their_events_were_folded_in()
    {
        var log = RandomLog(7, steps: 80);
        var first = Fold(log, log.Count).Encode();
        var again = Fold(log, log.Count).Encode();
        again.Should().Equal(first);
        StateSnapshot.HashOf(again).Should().Be(StateSnapshot.HashOf(first)).And.HaveLength(64);
    }

    [Fact]
    public void Another_format_version_truncated_bytes_and_trailing_bytes_are_refused_not_misread()
    {
        var body = Fold(RandomLog(8, steps: 40), 40).Encode();
        var otherVersion = (byte[])body.Clone();
        otherVersion[8] = (byte)(StateSnapshot.FormatVersion + 1);
        StateSnapshot.TryDecode(otherVersion, out _, out var why).Should().BeFalse();
        why.Should().Contain("format version");
        otherVersion[8] = (byte)(StateSnapshot.FormatVersion - 1);
        StateSnapshot.TryDecode(otherVersion, out _, out why).Should().BeFalse("an older snapshot holds no mandates: the whole log is folded instead");
        why.Should().Contain("format version");
        StateSnapshot.TryDecode(body[..(body.Length / 2)], out _, out why).Should().BeFalse();
        why.Should().NotBeNullOrEmpty();
        StateSnapshot.TryDecode([.. body, 0], out _, out why).Should().BeFalse();
        StateSnapshot.TryDecode("not a snapshot"u8.ToArray(), out _, out _).Should().BeFalse();
    }

    [Fact]
    public void Bytes_changed_anywhere_are_read_or_refused_never_thrown_even_when_several_parallel_parts_fail()
    {
        // The store's seal and hash refuse such bytes before a decode; this is the decoder's own guard behind them.
        var body = Fold(RandomLog(12, steps: 60), 60).Encode();
        var random = new Random(12);
        var refused = 0;
        for (var i = 0; i < 400; i++)
        {
            var changed = (byte[])body.Clone();
            // One byte, or a run of them across several sections (then several parallel parts fail at once).
            var (at, run) = i % 2 == 0 ? (random.Next(body.Length), 1) : (random.Next(body.Length / 2), body.Length / 3);
            for (var k = at; k < Math.Min(body.Length, at + run); k++) changed[k] ^= (byte)(1 + random.Next(255));
            var act = () => StateSnapshot.TryDecode(changed, out _, out _);
            if (!act.Should().NotThrow($"bytes changed from {at} ({run})").Which) refused++;
        }
        refused.Should().BeGreaterThan(200, "most changes do not read");
    }

    [Fact]
    public void Differences_name_the_session_whose_records_differ()
    {
        var log = RandomLog(9, steps: 80);
        var whole = Fold(log, log.Count);
        var proposal = whole.State.Proposals.Values.First();
        var altered = whole with { State = whole.State.With(proposal with { Status = proposal.Status == ProposalStatus.Open ? ProposalStatus.Declined : ProposalStatus.Open }) };
        var (sessions, global) = StateSnapshot.Differences(whole, altered);
        sessions.Should().Equal(proposal.SessionId);
        global.Should().BeFalse();
        StateSnapshot.Differences(whole, whole with { EventHash = new string('0', 64) }).Global.Should().BeTrue();
        var head = whole.Heads.First();
        StateSnapshot.Differences(whole, whole with { Heads = whole.Heads.SetItem(head.Key, head.Value with { StreamSeq = 99 }) })
            .Sessions.Should().Equal(head.Key);
    }

    [Fact]
    public void Stored_indexes_that_are_not_what_the_records_give_are_a_difference_no_session_explains()
    {
        var log = RandomLog(10, steps: 80);
        var whole = Fold(log, log.Count);
        var state = whole.State;
        var proposal = state.Proposals.Values.First();
        // The same records, one index filing a proposal under an agent it does not wait for.
        var indexes = state.Indexes with { LiveProposalIdsByCounterparty = state.Indexes.LiveProposalIdsByCounterparty.Add("did:key:zNobody", proposal.ProposalId) };
        var altered = NegotiationState.Restore(state.Tables, indexes);
        var (sessions, global) = StateSnapshot.Differences(whole, whole with { State = altered });
        sessions.Should().BeEmpty();
        global.Should().BeTrue("the records are equal, so no one session explains the difference");
        StateSnapshot.TryDecode((whole with { State = altered }).Encode(), out var restored, out var why).Should().BeTrue(why);
        StateSnapshot.Differences(whole, restored!).Global.Should().BeTrue("the snapshot stores the index as it was, not as the records give it");
    }

    [Fact]
    public void Mandates_and_their_decisions_survive_the_round_trip_and_their_loss_is_seen()
    {
        var log = RandomLog(10, steps: 120);
        var whole = Fold(log, log.Count);
        whole.State.Mandates.Should().NotBeEmpty();
        whole.State.MandateDecisions.Should().NotBeEmpty();
        StateSnapshot.TryDecode(whole.Encode(), out var restored, out var why).Should().BeTrue(why);
        ShouldAnswerAlike(restored!.State, whole.State);

        // The comparison does not rest on the snapshot's own encoding: a state without its mandates fails it.
        var withoutMandates = whole.State with { Mandates = NegotiationState.Empty.Mandates };
        FluentActions.Invoking(() => ShouldAnswerAlike(withoutMandates, whole.State)).Should().Throw<Xunit.Sdk.XunitException>();
        var withoutDecisions = whole.State with { MandateDecisions = NegotiationState.Empty.MandateDecisions };
        FluentActions.Invoking(() => ShouldAnswerAlike(withoutDecisions, whole.State)).Should().Throw<Xunit.Sdk.XunitException>();
        var mandate = whole.State.Mandates.Values.First();
        var counted = whole.State.With(mandate with { Actions = mandate.Actions + 1 });
        FluentActions.Invoking(() => ShouldAnswerAlike(counted, whole.State)).Should().Throw<Xunit.Sdk.XunitException>();

        // Differences put a mandate down to its own stream and a decision to the session of the proposal it judged.
        StateSnapshot.Differences(whole, whole with { State = counted }).Sessions.Should().Equal(mandate.MandateId);
        var (judged, _) = whole.State.MandateDecisions.First();
        StateSnapshot.Differences(whole, whole with { State = whole.State with { MandateDecisions = whole.State.MandateDecisions.Remove(judged) } })
            .Sessions.Should().Equal(whole.State.Proposal(judged)!.SessionId);
    }

    [Fact]
    public void Bundles_and_their_members_survive_the_round_trip_and_their_loss_is_seen()
    {
        var logs = Enumerable.Range(11, 4).Select(seed => RandomLog(seed, steps: 160)).ToList();
        var states = logs.Select(log => Fold(log, log.Count)).ToList();
        var bundles = states.SelectMany(s => s.State.Bundles.Values).ToList();
        bundles.Select(b => b.Select.Mode).Should().Contain([BundleMode.All, BundleMode.Best], "both modes are exercised");
        bundles.Select(b => b.Status).Should().Contain([BundleStatus.Committed, BundleStatus.Aborted], "bundles commit and abort");
        bundles.Should().Contain(b => b.Select.Mode == BundleMode.Best && b.Ranking != null, "a best bundle commits with its recorded ranking");
        // Cut where an open bundle has a prepared member (the last such point of the first log that has one).
        static bool HasOpenPrepared(NegotiationState state) => state.Bundles.Values.Any(b => b.Status == BundleStatus.Open && !b.Prepared.IsEmpty);
        var (log, cut) = logs.Select(log =>
        {
            var (state, last) = (NegotiationState.Empty, -1);
            for (var i = 0; i < log.Count; i++)
            {
                state = state.Apply(log[i]);
                if (HasOpenPrepared(state)) last = i + 1;
            }
            return (log, last);
        }).First(x => x.last > 0);
        var whole = Fold(log, cut);
        HasOpenPrepared(whole.State).Should().BeTrue();
        StateSnapshot.TryDecode(whole.Encode(), out var restored, out var why).Should().BeTrue(why);
        ShouldAnswerAlike(restored!.State, whole.State);

        // The comparison does not rest on the snapshot's own encoding: a state without its bundles, or whose member
        // forgot its bundle or its prepared countersignature, fails it.
        var withoutBundles = whole.State with { Bundles = NegotiationState.Empty.Bundles };
        FluentActions.Invoking(() => ShouldAnswerAlike(withoutBundles, whole.State)).Should().Throw<Xunit.Sdk.XunitException>();
        var member = whole.State.Proposals.Values.First(p => p.Status == ProposalStatus.Prepared);
        var unbundled = whole.State.With(member with { BundleId = null });
        FluentActions.Invoking(() => ShouldAnswerAlike(unbundled, whole.State)).Should().Throw<Xunit.Sdk.XunitException>();
        var bundle = whole.State.BundleOf(member)!;
        var unprepared = whole.State.With(bundle with { Prepared = bundle.Prepared.Remove(member.ProposalId) });
        FluentActions.Invoking(() => ShouldAnswerAlike(unprepared, whole.State)).Should().Throw<Xunit.Sdk.XunitException>();

        // Differences put a bundle down to its session.
        StateSnapshot.Differences(whole, whole with { State = unprepared }).Sessions.Should().Equal(bundle.SessionId);
    }

    /// <summary>The snapshot of the first <paramref name="count"/> events: their fold and each stream's chain head.</summary>
    private static StateSnapshot Fold(IReadOnlyList<TranscriptEvent> log, int count)
    {
        var events = log.Take(count).ToList();
        var heads = StateSnapshot.NoHeads.SetItems(events.GroupBy(e => e.Stream).Select(g => KeyValuePair.Create(g.Key, ChainHead.After(g.Last()))));
        return new StateSnapshot(count, count == 0 ? "" : events[^1].Hash, NegotiationState.Empty.ApplyAll(events), heads);
    }

    /// <summary>Every query the decisions ask, answered alike (Debug builds also check each index against a scan as it is read).</summary>
    private static void ShouldAnswerAlike(NegotiationState actual, NegotiationState expected)
    {
        // Mandates and their decisions member by member first (not through the snapshot's encoding of them).
        actual.Mandates.Values.Select(Describe).Should().Equal(expected.Mandates.Values.Select(Describe));
        actual.MandateDecisions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {d.Value.ToJsonString()}")
            .Should().Equal(expected.MandateDecisions.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {d.Value.ToJsonString()}"));
        // Bundles member by member, and each proposal's bundle and status (a member's prepared status included).
        actual.Bundles.Values.Select(Describe).Should().Equal(expected.Bundles.Values.Select(Describe));
        actual.Proposals.Values.Select(p => $"{p.ProposalId} {p.Status} {p.BundleId}").Should().Equal(expected.Proposals.Values.Select(p => $"{p.ProposalId} {p.Status} {p.BundleId}"));
        foreach (var sessionId in expected.Sessions.Keys)
            actual.OpenBundles(sessionId).Select(b => b.BundleId).Should().Equal(expected.OpenBundles(sessionId).Select(b => b.BundleId));
        foreach (var p in expected.Proposals.Values.Where(p => p.BundleId is not null))
            actual.CoordinatorRoleOf(p.ProposalId).Should().Be(expected.CoordinatorRoleOf(p.ProposalId));
        actual.PendingDeadlines().Should().Equal(expected.PendingDeadlines());
        foreach (var agent in new[] { World.Alice.Did, World.Bob.Did, World.Carol.Did })
        {
            actual.MandatesOf(agent).Select(m => m.MandateId).Should().Equal(expected.MandatesOf(agent).Select(m => m.MandateId));
            actual.LiveProposalsAwaiting(agent).Should().Equal(expected.LiveProposalsAwaiting(agent));
            actual.CompactIdsOf(agent).Should().Equal(expected.CompactIdsOf(agent));
        }
        foreach (var compactId in expected.Bindings.Keys)
        {
            actual.RevocationsOf(compactId).Should().Equal(expected.RevocationsOf(compactId));
            actual.MarkersOf(compactId).Should().Equal(expected.MarkersOf(compactId));
            actual.DependentsOf(compactId).Should().Equal(expected.DependentsOf(compactId));
            actual.Versions(compactId).Should().Equal(expected.Versions(compactId));
            actual.SlotProposals(compactId, 1).Should().Equal(expected.SlotProposals(compactId, 1));
        }
        foreach (var at in expected.Mandates.Values.Select(m => m.ExpiresAt.AddMilliseconds(-1)).Append(Lab.From))
        {
            foreach (var p in expected.Proposals.Values)
            {
                actual.ApplyingMandate(p.CounterpartyAgent, p.SessionId, p.ProposerAgent, p.CompactId, at)?.MandateId
                    .Should().Be(expected.ApplyingMandate(p.CounterpartyAgent, p.SessionId, p.ProposerAgent, p.CompactId, at)?.MandateId);
            }
        }
    }

    /// <summary>Every member of a mandate record as text, its JSON members as their text (member order included).</summary>
    private static string Describe(MandateRecord m) => string.Join(" | ",
        m.MandateId, m.MandateHash, m.Agent, m.PolicyHash,
        m.Scope.Sessions is null ? "-" : string.Join(",", m.Scope.Sessions), m.Scope.Counterparties is null ? "-" : string.Join(",", m.Scope.Counterparties),
        m.Scope.CompactIdPrefix ?? "-", m.ScopeJson.ToJsonString(), string.Join(",", m.Acknowledge), Pact.Core.Time.Timestamp.ToText(m.ExpiresAt),
        m.ExpiresAt.Offset, m.Status, m.GrantSeq, m.Grant.ToJsonString(), m.Actions);

    /// <summary>Every member of a bundle record as text, its JSON members as their text, its parsed select included.</summary>
    private static string Describe(BundleRecord b) => string.Join(" | ",
        b.BundleId, b.SessionId, b.Coordinator, b.SelectJson.ToJsonString(),
        $"{b.Select.Mode} {b.Select.Count} {b.Select.MinCount} {string.Join(",", b.Select.Order.Select(o => $"{o.Source} {o.Type} {o.Descending}"))}",
        Pact.Core.Time.Timestamp.ToText(b.CreatedAt), Pact.Core.Time.Timestamp.ToText(b.IssuedAt), Pact.Core.Time.Timestamp.ToText(b.ClosesAt), b.ClosesAt.Offset,
        string.Join(";", b.Members.Select(m => $"{m.ProposalId} {m.Payload.ToJsonString()} {m.CoordinatorRole} {m.Counterparty}")),
        b.Status,
        string.Join(";", b.Prepared.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
            $"{p.Key} {p.Value.Party} {p.Value.Agent} {p.Value.Sig} {Pact.Core.Time.Timestamp.ToText(p.Value.SignedAt)} {p.Value.PrincipalAuthorization.ToJson().ToJsonString()}")),
        b.Selected is { } selected ? string.Join(",", selected) : "-", b.Ranking?.ToJsonString() ?? "-", b.Cause?.ToJsonString() ?? "-", b.PendingDeadline);

    /// <summary>
    /// A seeded random history: sessions suspended and resumed, proposals made, signed (with and without readable
    /// terms), declined, withdrawn and acknowledged, left to expire, compacts with upstreams revoked and acknowledged,
    /// markers recorded and acknowledged, bundles of both modes created, their members countersigned (prepared) or declined, withdrawn
    /// or left to close, and time moving on so every kind of deadline fires. Refused commands append nothing.
    /// </summary>
    private static IReadOnlyList<TranscriptEvent> RandomLog(int seed, int steps)
    {
        var random = new Random(seed);
        var w = new LifecycleWorld();
        var bw = new BundleWorld(w.W);
        w.W.BundleServices = bw.Services; // a best bundle's close ranks with passports from the log
        var (a, b) = (World.Alice, World.Bob);
        var sessions = new List<string>();
        var compacts = new List<string>();
        T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
        IReadOnlyList<ProposalRecord> Live() => w.State.Proposals.Values.Where(p => p.Status.IsLive() && p.BundleId is null).ToList();
        IReadOnlyList<ProposalRecord> OpenMembers() => w.State.Proposals.Values
            .Where(p => p.Status == ProposalStatus.Open && p.BundleId is not null && w.State.Bundle(p.BundleId)!.Status == BundleStatus.Open).ToList();
        var next = 0;
        for (var step = 0; step < steps; step++)
        {
            switch (random.Next(23))
            {
                case 0 or 1:
                    {
                        var id = $"cmp_snap-{seed}-{next++}";
                        var inForce = compacts.Where(c => w.State.InForce(c) is not null).ToList();
                        var upstream = inForce.Count > 0 && random.Next(3) == 0 ? Pick(inForce) : null;
                        var from = w.Now > Lab.From ? w.Now : Lab.From;
                        var terms = Lab.Terms(id, a, b, new RevocationSpec(Mode: random.Next(3) == 0 ? "mutual" : "unilateral", AckTimeout: "P2D", NoticePeriod: "P3D"),
                            until: random.Next(2) == 0 ? null : Pact.Core.Time.Timestamp.ToText(from.AddDays(random.Next(3, 30))),
                            upstream: upstream is null ? null : [new UpstreamRef(upstream, 1, [UpstreamTrigger.Revocation, UpstreamTrigger.Expiration])]);
                        try
                        {
                            sessions.Add(w.SignCompact(a, b, terms));
                            compacts.Add(id);
                        }
                        catch (Xunit.Sdk.XunitException)
                        {
                            // Terms the machines refuse: what was appended before the refusal stays in the log.
                        }
                        break;
                    }
                case 2:
                    {
                        // Half of them with a topic: a ranking key reads it (§15), so a restore must keep it.
                        var create = w.W.CreateSessionCommand(a, [a.Did, b.Did], sessions.Count % 2 == 0 ? $"topic {seed}-{sessions.Count}" : null);
                        w.W.Session(create.SessionId, create).IsAccepted.Should().BeTrue();
                        sessions.Add(create.SessionId);
                        break;
                    }
                case 3 when sessions.Count > 0:
                    w.W.Negotiate(w.W.Propose(Pick(sessions), a, PartyRole.A, World.TermsFor($"cmp_neg-{seed}-{next++}", 1, a, b, negotiationTimeout: "P2D")));
                    break;
                case 4 when Live().Count > 0:
                    {
                        var p = Pick(Live());
                        w.W.Negotiate(random.Next(3) switch
                        {
                            0 => w.W.Sign(b, p.ProposalId),
                            1 => w.W.Decline(b, p.ProposalId),
                            _ => w.W.Withdraw(a, p.ProposalId),
                        });
                        break;
                    }
                case 5 when w.State.Proposals.Values.Any(p => p.Status == ProposalStatus.WithdrawalPending):
                    w.W.Negotiate(w.W.Ack(b, Pick(w.State.Proposals.Values.Where(p => p.Status == ProposalStatus.WithdrawalPending).ToList()).ProposalId));
                    break;
                case 6 or 7:
                    w.Advance(Pick(Steps));
                    w.Tick();
                    break;
                case 8 when compacts.Count > 0:
                    w.Run(w.Revoke(Pick(new[] { a, b }), Pick(compacts), reason: random.Next(2) == 0 ? "late" : null));
                    break;
                case 9 when w.State.Revocations.Values.Any(r => r.IsOpen):
                    {
                        var r = Pick(w.State.Revocations.Values.Where(r => r.IsOpen).ToList());
                        w.Run(w.AckRevocation(r.InitiatedBy == a.Did ? b : a, r.CompactId, r.RevocationId));
                        break;
                    }
                case 10 when compacts.Count > 0:
                    {
                        var m = w.State.Markers.Values.FirstOrDefault(m => m.Status == MarkerStatus.Recorded);
                        if (m is not null && random.Next(2) == 0) w.Run(w.AckMarker(m.RecordedBy == a.Did ? b : a, m.CompactId, m.MarkerId));
                        else w.Run(w.Marker(Pick(new[] { a, b }), Pick(compacts)));
                        break;
                    }
                case 11 when sessions.Count > 0:
                    w.W.SessionAction(Pick(sessions), a, random.Next(2) == 0 ? "suspend" : "resume");
                    break;
                case 12 or 13:
                    w.Tick();
                    GrantMandate(w, Pick(new[] { a, b }), sessions.Count > 0 ? Pick(sessions) : null, random);
                    break;
                case 14 when w.State.Mandates.Values.Any(m => m.IsActiveAt(w.Now)):
                    {
                        w.Tick();
                        var m = Pick(w.State.Mandates.Values.Where(m => m.IsActiveAt(w.Now)).ToList());
                        var revoke = new RevokeMandate(w.W.Envelope(m.Agent == a.Did ? a : b, EnvelopeTypes.MandateRevoke,
                            new JsonObject { ["mandateId"] = m.MandateId }), m.MandateId);
                        if (MandateMachine.Revoke(w.State, revoke, w.Now) is { IsAccepted: true } verdict) w.W.Append(verdict.Decision!);
                        break;
                    }
                case 15 or 16 when Live().Count > 0:
                    w.Tick();
                    DecideUnderMandate(w, Pick(Live()), random);
                    break;
                case 17 when sessions.Count > 0:
                    {
                        // Mode best picks fewer than its members (§15), so it has two or three; mode all one to three.
                        var best = random.Next(2) == 0;
                        var members = Enumerable.Range(0, random.Next(best ? 2 : 1, 4)).Select(_ => ($"cmp_bundle-{seed}-{next++}", b)).ToList();
                        var select = best
                            ? BundleWorld.Best(random.Next(1, members.Count), 1, ("terms.compactId", "string", random.Next(2) == 0 ? "asc" : "desc"))
                            : BundleWorld.All;
                        bw.Run(bw.Bundle(Pick(sessions), a, members, select, w.Now.AddDays(random.Next(2, 6))));
                        break;
                    }
                case >= 18 when OpenMembers().Count > 0:
                    {
                        var p = Pick(OpenMembers());
                        bw.Run(random.Next(8) switch
                        {
                            < 6 => bw.Sign(b, p.ProposalId),
                            6 => bw.Decline(b, p.ProposalId),
                            _ => new WithdrawBundle(w.W.Envelope(a, EnvelopeTypes.BundleWithdraw, new JsonObject { ["bundleId"] = p.BundleId }), p.BundleId!),
                        });
                        break;
                    }
            }
        }
        return w.Log;
    }

    /// <summary>A mandate granted by <paramref name="granter"/> with a random scope, acknowledge list and expiry (1 to 10 days).</summary>
    private static void GrantMandate(LifecycleWorld w, KeyPair granter, string? session, Random random)
    {
        var other = granter == World.Alice ? World.Bob : World.Alice;
        var scope = random.Next(4) switch
        {
            0 => new JsonObject(),
            1 when session is not null => new JsonObject { ["sessions"] = new JsonArray(session) },
            2 => new JsonObject { ["counterparties"] = new JsonArray(other.Did) },
            _ => new JsonObject { ["compactIdPrefix"] = "cmp_neg-" },
        };
        var fields = new JsonObject
        {
            ["policyHash"] = new string("abc"[random.Next(3)], 64),
            ["scope"] = scope,
            ["acknowledge"] = new JsonArray([.. AcknowledgeKinds.All.Where(_ => random.Next(2) == 0).Select(k => (JsonNode?)k)]),
            ["expiresAt"] = Pact.Core.Time.Timestamp.ToText(Pact.Core.Time.IsoDuration.Parse($"P{random.Next(1, 11)}D").AddTo(w.Now)),
        };
        var command = new GrantMandate(w.W.Envelope(granter, EnvelopeTypes.MandateGrant, fields), PactIds.New(PactIds.Mandate, w.Now));
        if (MandateMachine.CheckGrantState(w.State, command) is null) w.W.Append(MandateMachine.Granted(command));
    }

    /// <summary>
    /// The decision of the mandate answering for <paramref name="p"/>'s counterparty (granted first when none does, if
    /// the random scope covers the proposal): an escalation (what
    /// the pending list shows), now and then followed by a counter's second decision (counted, not shown).
    /// </summary>
    private static void DecideUnderMandate(LifecycleWorld w, ProposalRecord p, Random random)
    {
        MandateRecord? Applying() => w.State.ApplyingMandate(p.CounterpartyAgent, p.SessionId, p.ProposerAgent, p.CompactId, w.Now);
        if (Applying() is null) GrantMandate(w, p.CounterpartyAgent == World.Alice.Did ? World.Alice : World.Bob, p.SessionId, random);
        if (Applying() is not { } m) return;
        var decision = new PolicyDecision(m.PolicyHash, PolicyEffects.Escalate, random.Next(2) == 0 ? null : "rule-1", "needs a human — für Menschen", null, []);
        var passport = new JsonObject { ["agent"] = p.ProposerAgent, ["score"] = random.Next(100) };
        var decided = Decision.Of(MandateActions.Decided(p.SessionId, p.ProposalId, m, decision, passport));
        if (random.Next(4) == 0)
        {
            decided = decided.Then(Decision.Of(MandateActions.Decided(p.SessionId, PactIds.New(PactIds.Proposal, w.Now), m,
                decision with { Effect = PolicyEffects.Sign }, passport, judged: p.ProposalId)));
        }
        w.W.Append(decided);
    }
}

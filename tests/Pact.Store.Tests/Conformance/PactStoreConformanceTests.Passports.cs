using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Time;

namespace Pact.Store.Tests.Conformance;

// Passports (§16): what the store keeps as events commit must be what a full fold of the log over Core gives, at every seq.
public abstract partial class PactStoreConformanceTests
{
    [SkippableTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Passports_at_every_seq_equal_a_full_fold_of_the_log(int seed)
    {
        var generator = new PassportLogGenerator(seed);
        for (var i = 0; i < 60; i++)
        {
            // Some requests queued together, so the writer commits them as one batch.
            var together = Enumerable.Range(0, 1 + i % 3).Select(_ => Store.AppendAsync(generator.NextRequest())).ToList();
            await Task.WhenAll(together);
        }

        var log = await Store.ReadAllAsync(0, 100_000);
        log.Should().HaveCountGreaterThan(60);
        log.Should().Contain(e => e.Type == EventTypes.Failure && e.Data["agent"] != null);
        var ledger = new PassportLedger();
        foreach (var e in log)
        {
            ledger.Apply(e);
            foreach (var agent in PassportLogGenerator.Agents)
            {
                var stored = await Store.Passports.GetAsync(agent, e.Seq, e.Time, CancellationToken.None);
                Jcs.CanonicalString(stored.ToJson()).Should().Be(Jcs.CanonicalString(ledger.PassportOf(agent).ToJson()), $"seed {seed}, {agent} as of seq {e.Seq}");
            }
        }
        foreach (var agent in PassportLogGenerator.Agents)
        {
            // What a reputation provider reads as the compacts an agent entered, at the head and half-way.
            foreach (var seq in new[] { log[^1].Seq, log[^1].Seq / 2 })
            {
                var entered = log.Where(e => e.Seq <= seq && PassportEvents.PartiesEntered(e) is { } p && p.Agents.Contains(agent)).Select(e => e.Seq);
                (await Store.Passports.CompactsEnteredAsync(agent, seq, CancellationToken.None)).Should().Equal(entered, $"seed {seed}, {agent} as of seq {seq}");
            }
        }
        ledger.Agents.Should().HaveCount(PassportLogGenerator.Agents.Length, "every agent got some history");
        var counted = PassportLogGenerator.Agents.Sum(a => ledger.CountsOf(a).Failures);
        var named = log.Count(e => e.Type == EventTypes.Failure && e.Data["agent"] != null && e.Data["stage"]!.GetValue<string>() == "lifecycle" && e.Data["code"]!.GetValue<string>() == "PACT-502");
        counted.Should().BeGreaterThan(0).And.BeLessThan(named, "some lifecycle timeouts follow a mutual lapse and count for no one");
        PassportLogGenerator.Agents.Should().Contain(a => ledger.CountsOf(a).RevokedByAgent > 0 && ledger.CountsOf(a).Honored > 0 && ledger.CountsOf(a).Declined > 0);
    }

    [SkippableTheory]
    [InlineData(5)]
    [InlineData(6)]
    public async Task The_last_seq_at_or_before_an_instant_is_found_whatever_the_order_of_times_across_streams(int seed)
    {
        var generator = new PassportLogGenerator(seed);
        for (var i = 0; i < 80; i++) await Store.AppendAsync(generator.NextRequest());
        var log = await Store.ReadAllAsync(0, 100_000);
        log.Zip(log.Skip(1)).Should().Contain(p => string.CompareOrdinal(p.First.Time, p.Second.Time) > 0, "the generator goes back in time across streams");

        var instants = log.Select(e => Timestamp.Parse(e.Time))
            .SelectMany(t => new[] { t.AddMilliseconds(-1), t, t.AddMilliseconds(1) })
            .Append(DateTimeOffset.UnixEpoch).Distinct();
        foreach (var instant in instants)
        {
            var text = Timestamp.ToText(instant);
            var expected = log.Where(e => string.CompareOrdinal(e.Time, text) <= 0).Select(e => e.Seq).DefaultIfEmpty(0).Max();
            (await Store.Passports.LastSeqAtOrBeforeAsync(text, CancellationToken.None)).Should().Be(expected, $"at {text}");
        }
        (await Store.Passports.TimeOfAsync(log[^1].Seq, CancellationToken.None)).Should().Be(log[^1].Time);
        (await Store.Passports.TimeOfAsync(log[^1].Seq + 1, CancellationToken.None)).Should().BeNull();
    }

    [SkippableFact]
    public async Task A_passport_counts_the_compacts_its_agent_entered_and_how_they_ended()
    {
        await Store.AppendAsync(Request(new StreamAppend(Session, [CompactInForce()])));
        var revoked = await Store.AppendAsync(Request(new StreamAppend(Session,
        [
            new EventDraft(EventTypes.RevocationInitiated, B, new JsonObject { ["compactId"] = "cmp_1", ["version"] = 1, ["revocationId"] = "rev_1" }),
            new EventDraft(EventTypes.CompactRevoked, TranscriptEvent.DaemonActor, new JsonObject
            {
                ["compactId"] = "cmp_1", ["version"] = 1, ["revocationId"] = "rev_1", ["cause"] = "revocation",
            }),
        ])));
        var asOf = revoked.Events[^1].Time;

        var a = await Store.Passports.GetAsync(A, Store.HeadSeq, asOf, CancellationToken.None);
        a.Counts.Should().Be(new PassportCounts(1, 0, 0, 0, RevokedByCounterparty: 1, 0, 0));
        (await Store.Passports.GetAsync(B, Store.HeadSeq, asOf, CancellationToken.None)).Counts.Should().Be(new PassportCounts(1, 0, 0, RevokedByAgent: 1, 0, 0, 0));
        (await Store.Passports.GetAsync(A, 1, asOf, CancellationToken.None)).Counts.Should().Be(new PassportCounts(1, 0, Active: 1, 0, 0, 0, 0), "as of seq 1 it was in force");
        var none = await Store.Passports.GetAsync("did:key:z6MkNobody", Store.HeadSeq, asOf, CancellationToken.None);
        none.Counts.Should().Be(PassportCounts.None);
        none.ScoreHundredths.Should().Be(5000);
    }

    [SkippableFact]
    public async Task Recent_failures_come_newest_first_from_the_window_and_survive_a_reopen()
    {
        var failures = new List<TranscriptEvent>();
        for (var day = 0; day < 40; day += 3)
        {
            var request = new AppendRequest(T0.AddDays(day), [new StreamAppend(Session, [new EventDraft(EventTypes.Failure, TranscriptEvent.DaemonActor, new JsonObject
            {
                ["code"] = "PACT-502", ["stage"] = "lifecycle", ["faultDomain"] = "counterparty", ["terminality"] = "non_terminal",
                ["evidenceRefs"] = new JsonArray("event:" + new string('e', 64), "compact:" + new string('c', 64)),
                ["transcriptHash"] = new string('0', 64), ["agent"] = B,
            })])]);
            failures.AddRange((await Store.AppendAsync(request)).Events);
        }
        var asOf = failures[^1].Time;

        await ReopenAsync();

        var passport = await Store.Passports.GetAsync(B, Store.HeadSeq, asOf, CancellationToken.None);
        passport.Counts.Failures.Should().Be(failures.Count);
        passport.RecentFailures.Select(f => f.Seq).Should().Equal(failures.Where(f => RecentFailures.InWindow(f.Time, asOf)).Select(f => f.Seq).Reverse());
        passport.RecentFailures[0].EvidenceRefs.Should().Equal("event:" + new string('e', 64), "compact:" + new string('c', 64));
        var earlier = await Store.Passports.GetAsync(B, failures[2].Seq, failures[2].Time, CancellationToken.None);
        earlier.Counts.Failures.Should().Be(3);
        earlier.RecentFailures.Should().HaveCount(3);
    }
}

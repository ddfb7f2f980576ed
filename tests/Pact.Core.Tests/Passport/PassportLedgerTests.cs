using FluentAssertions;
using Pact.Core.Passport;
using static Pact.Core.Tests.Passport.PassportLog;

namespace Pact.Core.Tests.Passport;

/// <summary>Each count of §16 at its boundary, by a full fold of a hand-built log.</summary>
public class PassportLedgerTests
{
    [Fact]
    public void An_in_force_compact_counts_for_both_parties_as_entered_and_active()
    {
        var log = new PassportLog();
        log.InForce("cmp_1", Alice, Bob);

        var counts = log.Fold();
        counts[Alice].Should().Be(new PassportCounts(Compacts: 1, Honored: 0, Active: 1, 0, 0, 0, 0));
        counts[Bob].Should().Be(counts[Alice]);
        counts[Carol].Should().Be(PassportCounts.None);
    }

    [Theory]
    [InlineData("compact.expired")]
    [InlineData("compact.superseded")]
    public void Expiry_and_supersession_are_honored(string type)
    {
        var log = new PassportLog();
        log.InForce("cmp_1", Alice, Bob);
        log.Ended(type, "cmp_1");

        log.Fold()[Alice].Should().Be(new PassportCounts(1, Honored: 1, Active: 0, 0, 0, 0, 0));
        log.Fold()[Bob].Should().Be(new PassportCounts(1, Honored: 1, Active: 0, 0, 0, 0, 0));
    }

    [Fact]
    public void A_cascade_counts_as_honored()
    {
        var log = new PassportLog();
        log.InForce("cmp_1", Alice, Bob);
        log.Revoked("cmp_1", null, "upstream");

        log.Fold()[Alice].Should().Be(new PassportCounts(1, Honored: 1, Active: 0, 0, 0, 0, 0));
    }

    [Theory]
    [InlineData(Alice, Bob)]
    [InlineData(Bob, Alice)]
    public void A_revocation_counts_against_whoever_initiated_it_and_for_the_other_as_by_its_counterparty(string initiator, string other)
    {
        var log = new PassportLog();
        log.InForce("cmp_1", Alice, Bob);
        log.RevocationInitiated("rev_1", "cmp_1", initiator);
        log.Revoked("cmp_1", "rev_1", "revocation");

        var counts = log.Fold();
        counts[initiator].Should().Be(new PassportCounts(1, 0, Active: 0, RevokedByAgent: 1, RevokedByCounterparty: 0, 0, 0));
        counts[other].Should().Be(new PassportCounts(1, 0, Active: 0, RevokedByAgent: 0, RevokedByCounterparty: 1, 0, 0));
    }

    [Fact]
    public void A_lifecycle_acknowledgment_timeout_counts_against_the_agent_it_names()
    {
        var log = new PassportLog();
        var failure = log.Failure(Bob);

        var ledger = log.Fold().Ledger;
        ledger.CountsOf(Bob).Failures.Should().Be(1);
        ledger.CountsOf(Alice).Failures.Should().Be(0);
        ledger.CountedFailuresOf(Bob).Should().ContainSingle().Which.Should().BeEquivalentTo(
            new PassportFailure("PACT-502", failure.Time, failure.Seq, ["event:" + new string('e', 64), "compact:cc"]));
    }

    [Fact]
    public void A_negotiation_timeout_does_not_count()
    {
        var log = new PassportLog();
        log.Failure(Bob, code: "PACT-501", stage: "negotiation");

        log.Fold()[Bob].Should().Be(PassportCounts.None);
    }

    [Fact]
    public void A_withdrawal_acknowledgment_timeout_does_not_count()
    {
        // PACT-502 in stage negotiation: a proposal's withdrawal, not a compact the agent signed.
        var log = new PassportLog();
        log.Failure(Bob, stage: "negotiation");

        log.Fold()[Bob].Should().Be(PassportCounts.None);
    }

    [Fact]
    public void A_failure_without_agent_counts_for_no_one()
    {
        var log = new PassportLog();
        log.InForce("cmp_1", Alice, Bob);
        log.Failure(agent: null);

        var ledger = log.Fold().Ledger;
        ledger.CountsOf(Alice).Failures.Should().Be(0);
        ledger.CountsOf(Bob).Failures.Should().Be(0);
        ledger.Agents.Should().Equal(Alice, Bob);
    }

    [Fact]
    public void Silence_in_mutual_mode_is_a_refusal_not_a_fault()
    {
        var log = new PassportLog();
        log.InForce("cmp_1", Alice, Bob);
        log.RevocationInitiated("rev_1", "cmp_1", Alice);
        log.Lapsed("rev_1", "ack-timeout");
        log.Failure(Bob);

        log.Fold()[Bob].Failures.Should().Be(0);
    }

    [Fact]
    public void Only_the_failure_right_after_the_lapse_is_excused()
    {
        var log = new PassportLog();
        log.Lapsed("rev_1", "ack-timeout");
        log.Failure(Bob);
        log.Failure(Bob);

        log.Fold()[Bob].Failures.Should().Be(1);
    }

    [Fact]
    public void A_lapse_in_another_stream_excuses_nothing()
    {
        var log = new PassportLog();
        log.Append("compact.revocation.lapsed", new() { ["revocationId"] = "rev_1", ["reason"] = "ack-timeout" }, stream: "ses_other");
        log.Failure(Bob);

        log.Fold()[Bob].Failures.Should().Be(1);
    }

    [Fact]
    public void Lapses_for_other_reasons_excuse_nothing()
    {
        var log = new PassportLog();
        log.Lapsed("rev_1", "expired");
        log.Failure(Bob);

        log.Fold()[Bob].Failures.Should().Be(1);
    }

    [Fact]
    public void Declines_count_for_the_signer_and_for_a_mandates_granter()
    {
        var log = new PassportLog();
        log.Declined(Bob);
        log.Append("proposal.declined", new()
        {
            ["proposalId"] = "prp_y",
            ["reason"] = "no",
            ["mandate"] = new System.Text.Json.Nodes.JsonObject { ["mandateId"] = "mdt_1", ["grant"] = new System.Text.Json.Nodes.JsonObject { ["signer"] = Bob } },
        });
        log.Append("proposal.declined", new() { ["proposalId"] = "prp_z" }); // the daemon, under no mandate: no one

        log.Fold()[Bob].Declined.Should().Be(2);
        log.Fold().Ledger.Agents.Should().Equal(Bob);
    }

    [Fact]
    public void The_contracts_example_from_events()
    {
        var log = new PassportLog();
        for (var i = 0; i < 9; i++)
        {
            log.InForce($"cmp_h{i}", Alice, Bob);
            log.Ended(i % 2 == 0 ? "compact.expired" : "compact.superseded", $"cmp_h{i}");
        }
        log.InForce("cmp_active", Alice, Carol);
        log.InForce("cmp_r1", Alice, Bob);
        log.RevocationInitiated("rev_1", "cmp_r1", Alice);
        log.Revoked("cmp_r1", "rev_1", "revocation");
        log.InForce("cmp_r2", Carol, Alice);
        log.RevocationInitiated("rev_2", "cmp_r2", Carol);
        log.Revoked("cmp_r2", "rev_2", "revocation");
        log.Failure(Alice);
        log.Failure(Alice);
        log.Declined(Alice);
        log.Declined(Alice);
        log.Declined(Alice);

        var passport = log.Fold().Ledger.PassportOf(Alice);
        passport.Counts.Should().Be(new PassportCounts(12, 9, 1, 1, 1, 2, 3));
        passport.ScoreHundredths.Should().Be(6774);
        passport.ConfidencePercent.Should().Be(70);
        passport.AsOfSeq.Should().Be(log.Events.Count);
        passport.AsOf.Should().Be(log.Events[^1].Time);
    }

    [Fact]
    public void Events_out_of_order_are_refused()
    {
        var log = new PassportLog();
        log.Declined(Bob);
        var ledger = new PassportLedger().ApplyAll(log.Events);

        var again = () => ledger.Apply(log.Events[0]);
        again.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void An_empty_log_needs_the_time_it_is_asked_at()
    {
        var ledger = new PassportLedger();
        var passport = ledger.PassportOf(Alice, "2026-12-06T00:00:00.000Z");
        passport.AsOfSeq.Should().Be(0);
        passport.ScoreHundredths.Should().Be(5000);
        passport.ConfidencePercent.Should().Be(0);
        var noTime = () => ledger.PassportOf(Alice);
        noTime.Should().Throw<InvalidOperationException>();
    }
}

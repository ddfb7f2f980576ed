using FluentAssertions;
using Pact.Core.Passport;

namespace Pact.Core.Tests.Passport;

/// <summary>The check of §16: reasons in their order, thresholds of 0, and the sentence that names what decided.</summary>
public class PassportCheckTests
{
    private const string Agent = "did:key:z6MkAgent";
    private const string AsOf = "2026-12-06T00:00:00.000Z";

    private static AgentPassport Passport(PassportCounts counts, params PassportFailure[] recent) => new(Agent, 5120, AsOf, counts, recent);

    private static readonly PassportFailure Recent = new("PACT-502", "2026-11-30T10:00:00.000Z", 5011, ["event:" + new string('0', 64), "compact:" + new string('1', 64)]);

    // 12 compacts, 67.74, 0.7.
    private static readonly PassportCounts Example = new(12, 9, 1, 1, 1, 2, 3);

    [Fact]
    public void Both_thresholds_0_always_pass()
    {
        var verdict = PassportCheck.Judge(Passport(PassportCounts.None, Recent), new PassportRequirement(0, 0));

        verdict.Pass.Should().BeTrue();
        verdict.Reason.Should().BeNull();
        verdict.TriggeringFactor.Should().BeNull();
    }

    [Fact]
    public void Fewer_than_3_compacts_is_insufficient_history_before_anything_else()
    {
        var verdict = PassportCheck.Judge(Passport(new PassportCounts(2, 0, 2, 0, 0, 5, 0), Recent), new PassportRequirement(9000, 100));

        verdict.Reason.Should().Be(PassportReasons.InsufficientHistory);
        verdict.TriggeringFactor.Should().Be($"{Agent} has entered 2 compacts as of seq 5120; at least 3 are needed before a threshold applies.");
    }

    [Fact]
    public void A_single_threshold_other_than_0_still_needs_history()
    {
        PassportCheck.Judge(Passport(PassportCounts.None), new PassportRequirement(0, 1)).Reason.Should().Be(PassportReasons.InsufficientHistory);
        PassportCheck.Judge(Passport(PassportCounts.None), new PassportRequirement(1, 0)).Reason.Should().Be(PassportReasons.InsufficientHistory);
    }

    [Fact]
    public void A_recent_failure_comes_before_the_figures_and_is_named_with_its_date_and_evidence()
    {
        var verdict = PassportCheck.Judge(Passport(Example, Recent), new PassportRequirement(9000, 100));

        verdict.Reason.Should().Be(PassportReasons.RecentPolicyViolation);
        verdict.TriggeringFactor.Should().Be(
            $"PACT-502 failure (acknowledgment timeout) on 2026-11-30 at seq 5011, within 30 days of 2026-12-06; evidence: event:{new string('0', 64)}, compact:{new string('1', 64)}.");
    }

    [Fact]
    public void A_recent_failure_fails_even_when_the_figures_pass()
    {
        PassportCheck.Judge(Passport(Example, Recent), new PassportRequirement(1, 1)).Reason.Should().Be(PassportReasons.RecentPolicyViolation);
    }

    [Fact]
    public void A_low_score_comes_before_a_low_confidence()
    {
        var verdict = PassportCheck.Judge(Passport(Example), new PassportRequirement(6775, 71));

        verdict.Reason.Should().Be(PassportReasons.LowScore);
        verdict.TriggeringFactor.Should().Be("Score 67.74 is below the required 67.75: 9 honored, 1 active, 2 failures.");
    }

    [Fact]
    public void The_score_threshold_is_inclusive()
    {
        PassportCheck.Judge(Passport(Example), new PassportRequirement(6774, 70)).Pass.Should().BeTrue();
    }

    [Fact]
    public void A_low_confidence()
    {
        var verdict = PassportCheck.Judge(Passport(Example), new PassportRequirement(6000, 71));

        verdict.Reason.Should().Be(PassportReasons.LowConfidence);
        verdict.TriggeringFactor.Should().Be("Confidence 0.7 is below the required 0.71: 12 compacts and 2 failures, of the 20 that give full confidence.");
    }

    [Fact]
    public void Passing_carries_no_reason_and_no_factor()
    {
        var verdict = PassportCheck.Judge(Passport(Example), new PassportRequirement(6000, 50));

        verdict.Pass.Should().BeTrue();
        verdict.Reason.Should().BeNull();
        verdict.TriggeringFactor.Should().BeNull();
        verdict.Passport.Hash.Should().HaveLength(64);
    }

    [Fact]
    public void A_failure_outside_the_window_is_not_a_violation()
    {
        // The ledger and the store give only failures in the window: an old one never reaches the check.
        var log = new PassportLog { Now = DateTimeOffset.Parse("2026-10-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture) };
        for (var i = 0; i < 3; i++) log.InForce($"cmp_{i}", PassportLog.Alice, PassportLog.Bob);
        log.Failure(PassportLog.Bob);
        var ledger = new PassportLedger().ApplyAll(log.Events);

        // Exactly 30 days later the failure sits on the window's excluded start.
        var late = ledger.PassportOf(PassportLog.Bob, "2026-10-31T00:00:00.000Z");
        late.RecentFailures.Should().BeEmpty();
        PassportCheck.Judge(late, new PassportRequirement(1, 1)).Pass.Should().BeTrue();
        PassportCheck.Judge(ledger.PassportOf(PassportLog.Bob, "2026-10-30T23:59:59.999Z"), new PassportRequirement(1, 1)).Reason
            .Should().Be(PassportReasons.RecentPolicyViolation);
    }
}

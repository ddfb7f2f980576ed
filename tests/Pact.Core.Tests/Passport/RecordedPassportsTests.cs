using FluentAssertions;
using System.Text.Json.Nodes;
using Pact.Core.Passport;

namespace Pact.Core.Tests.Passport;

/// <summary>Passports recorded in events (§14 policy.decided, §15 bundle.committed) checked by their content alone.</summary>
public sealed class RecordedPassportsTests
{
    /// <summary>A hand-made passport: Bob entered three compacts, honored two, and let an acknowledgment lapse once.</summary>
    private static JsonObject Recorded()
    {
        var log = new PassportLog();
        log.InForce("cmp_1", PassportLog.Alice, PassportLog.Bob);
        log.InForce("cmp_2", PassportLog.Alice, PassportLog.Bob);
        log.InForce("cmp_3", PassportLog.Carol, PassportLog.Bob);
        log.Ended("compact.expired", "cmp_1");
        log.Ended("compact.superseded", "cmp_2");
        log.Failure(PassportLog.Bob);
        return new PassportLedger().ApplyAll(log.Events).PassportOf(PassportLog.Bob).ToJson();
    }

    private static JsonObject Decided(JsonNode? passport) => new()
    {
        ["proposalId"] = "prp_1",
        ["decision"] = "sign",
        ["passport"] = passport,
    };

    [Fact]
    public void A_recorded_passport_whose_hash_is_its_contents_holds()
    {
        var outcome = RecordedPassports.Verify(RecordedPassports.PolicyDecided, Decided(Recorded()));

        outcome.Failed.Should().BeFalse(outcome.Message);
        outcome.Checked.Should().Be(1);
    }

    [Fact]
    public void A_changed_count_no_longer_matches_the_recorded_passportHash()
    {
        var passport = Recorded();
        passport["counts"]!["failures"] = 0;

        var outcome = RecordedPassports.Verify(RecordedPassports.PolicyDecided, Decided(passport));

        outcome.Pointer.Should().Be("/data/passport");
        outcome.Message.Should().StartWith($"passportHash {passport["passportHash"]} is not the hash of the recorded passport");
    }

    [Fact]
    public void A_rehashed_passport_whose_score_is_not_the_figure_of_its_counts_is_refused()
    {
        var passport = Recorded();
        passport["score"] = 99.99;
        passport["passportHash"] = AgentPassport.HashOf(passport);

        var problem = RecordedPassports.Problem(passport);

        problem.Should().Be("The recorded score and confidence are not the figures of its counts: those give 53.85 and 0.2.");
    }

    [Theory]
    [InlineData("providers", "A recorded passport excludes providers")]
    [InlineData("passportHash", "The recorded passport carries no passportHash.")]
    [InlineData("counts", "The recorded passport is not a §16 passport document")]
    [InlineData("extra", "The recorded passport has members other than §16's.")]
    public void Malformed_recorded_passports_are_named_without_throwing(string member, string expected)
    {
        var passport = Recorded();
        switch (member)
        {
            case "providers": passport["providers"] = new JsonObject(); break;
            case "extra": passport["extra"] = 1; passport["passportHash"] = AgentPassport.HashOf(passport); break;
            default: passport.Remove(member); break;
        }

        RecordedPassports.Problem(passport).Should().StartWith(expected);
    }

    [Fact]
    public void Each_ranking_entry_of_a_committed_bundle_is_checked_and_null_passports_record_nothing()
    {
        var bad = Recorded();
        bad["asOfSeq"] = 1;
        var data = new JsonObject
        {
            ["bundleId"] = "bnd_1",
            ["ranking"] = new JsonArray(
                new JsonObject { ["proposalId"] = "prp_1", ["passport"] = Recorded() },
                new JsonObject { ["proposalId"] = "prp_2", ["passport"] = null },
                new JsonObject { ["proposalId"] = "prp_3", ["passport"] = bad }),
        };

        var outcome = RecordedPassports.Verify(RecordedPassports.BundleCommitted, data);

        outcome.Checked.Should().Be(2);
        outcome.Pointer.Should().Be("/data/ranking/2/passport");
        RecordedPassports.Verify(RecordedPassports.PolicyDecided, Decided(null)).Checked.Should().Be(0);
        RecordedPassports.Verify("compact.in-force", Decided(bad.DeepClone())).Checked.Should().Be(0, "other events record no passport");
        RecordedPassports.Problem(JsonValue.Create("a passport")).Should().Be("A recorded passport is a JSON object.");
    }
}

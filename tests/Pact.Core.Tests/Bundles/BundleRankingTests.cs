using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Bundles;
using Pact.Core.Errors;
using Pact.Core.Policies;

namespace Pact.Core.Tests.Bundles;

public class BundleRankingTests
{
    private static BundleSelect Select(int count, int minCount, params (string Key, string Type, string Direction)[] order)
    {
        var errors = new List<FieldError>();
        var select = BundleSelect.Read(BundleWorld.Best(count, minCount, order), 5, "/payload/select", errors);
        errors.Should().BeEmpty();
        return select!;
    }

    private static RankingCandidate Candidate(string id, string did, JsonObject terms, bool leftForce = false)
    {
        var facts = new PolicyProposalFacts(id, "ses_1", "cmp_x", 1, "a", null, "h", DateTimeOffset.Parse("2026-12-01T00:00:00Z"), "bnd_1");
        var input = PolicyInput.For(terms, "a", facts, new PolicyPassportFacts(5000, 0, 0, 0, 7), PolicySessionFacts.None);
        return new RankingCandidate(id, did, input, new JsonObject { ["agent"] = did }, leftForce);
    }

    private static JsonObject Terms(string notice, int categories = 1) => new()
    {
        ["revocation"] = new JsonObject { ["noticePeriod"] = notice },
        ["n"] = categories,
        ["parties"] = new JsonObject { ["b"] = new JsonObject { ["agent"] = "x" } },
    };

    [Fact]
    public void Candidates_sort_by_keys_in_order_each_in_its_direction()
    {
        var select = Select(3, 1, ("isoSeconds(terms.revocation.noticePeriod)", "int", "asc"), ("terms.n", "int", "desc"));
        var result = BundleRanking.Rank(select, [
            Candidate("prp_1", "did:z", Terms("P30D", 1)),
            Candidate("prp_2", "did:y", Terms("P10D", 1)),
            Candidate("prp_3", "did:x", Terms("P10D", 5)),
        ]);
        result.Selected.Should().Equal("prp_3", "prp_2", "prp_1");
        result.Ranking[0]!["keys"]!.ToJsonString().Should().Be("[864000,5]");
    }

    [Fact]
    public void Ties_are_broken_by_the_counterpartys_did_then_the_proposal_id()
    {
        var select = Select(3, 1, ("terms.n", "int", "asc"));
        var result = BundleRanking.Rank(select, [
            Candidate("prp_9", "did:b", Terms("P1D")),
            Candidate("prp_2", "did:b", Terms("P1D")),
            Candidate("prp_1", "did:c", Terms("P1D")),
            Candidate("prp_5", "did:a", Terms("P1D")),
        ]);
        result.Selected.Should().Equal("prp_5", "prp_2", "prp_9");
    }

    [Fact]
    public void Key_errors_wrong_types_unsafe_ints_and_upstream_are_excluded_in_member_order()
    {
        var select = Select(2, 1, ("terms.n", "int", "asc"));
        var unsafeInt = Terms("P1D");
        unsafeInt["n"] = 9007199254740993L;
        var text = Terms("P1D");
        text["n"] = "five";
        var missing = Terms("P1D");
        missing.Remove("n");
        var result = BundleRanking.Rank(select, [
            Candidate("prp_1", "did:a", missing),
            Candidate("prp_2", "did:a", text),
            Candidate("prp_3", "did:a", unsafeInt),
            Candidate("prp_4", "did:a", Terms("P1D"), leftForce: true),
            Candidate("prp_5", "did:a", Terms("P1D")),
        ]);
        result.Selected.Should().Equal("prp_5");
        result.Ranking.Select(r => r!["excluded"]?.GetValue<string>()).Should().Equal(null, "key-error", "key-type", "key-type", "upstream");
        result.Ranking[1]!["keys"].Should().BeNull();
    }

    [Fact]
    public void Fewer_than_minCount_ranked_candidates_is_insufficient()
    {
        var select = Select(2, 2, ("terms.n", "int", "asc"));
        BundleRanking.Rank(select, [Candidate("prp_1", "did:a", Terms("P1D"))]).Sufficient.Should().BeFalse();
    }

    [Fact]
    public void Timestamps_must_be_whole_milliseconds_and_strings_compare_by_code_point()
    {
        var select = Select(2, 1, ("timestamp(terms.t)", "timestamp", "desc"));
        var fine = Terms("P1D");
        fine["t"] = "2026-12-01T00:00:00.001Z";
        var later = Terms("P1D");
        later["t"] = "2026-12-02T00:00:00Z";
        var micro = Terms("P1D");
        micro["t"] = "2026-12-01T00:00:00.000001Z";
        var result = BundleRanking.Rank(select, [Candidate("prp_1", "did:a", fine), Candidate("prp_2", "did:a", micro), Candidate("prp_3", "did:a", later)]);
        result.Selected.Should().Equal("prp_3", "prp_1");
        result.Ranking[0]!["keys"]!.ToJsonString().Should().Be("""["2026-12-02T00:00:00.000Z"]""");
        result.Ranking[2]!["excluded"]!.GetValue<string>().Should().Be("key-type");

        var byCodePoint = Select(2, 1, ("terms.s", "string", "asc"));
        var emoji = Terms("P1D");
        emoji["s"] = "\U0001F600";
        var privateUse = Terms("P1D");
        privateUse["s"] = "\uE000";
        BundleRanking.Rank(byCodePoint, [Candidate("prp_1", "did:a", emoji), Candidate("prp_2", "did:a", privateUse)]).Selected.Should().Equal("prp_2", "prp_1");
    }

    [Fact]
    public void Select_shape_errors_are_PACT_101_and_a_key_that_does_not_compile_PACT_120()
    {
        var errors = new List<FieldError>();
        BundleSelect.Read(new JsonObject { ["mode"] = "best", ["count"] = 5, ["minCount"] = 0, ["order"] = new JsonArray(
            new JsonObject { ["key"] = "getSeconds(now)", ["type"] = "int", ["direction"] = "asc" }) }, 5, "/payload/select", errors).Should().BeNull();
        errors.Select(e => (e.Pointer, e.Code)).Should().Equal(
            ("/payload/select/count", "PACT-101"), ("/payload/select/minCount", "PACT-101"), ("/payload/select/order/0/key", "PACT-120"));
        errors.Clear();
        BundleSelect.Read(new JsonObject { ["mode"] = "all", ["count"] = 1 }, 5, "/payload/select", errors);
        errors.Single().Pointer.Should().Be("/payload/select/count");
    }
}

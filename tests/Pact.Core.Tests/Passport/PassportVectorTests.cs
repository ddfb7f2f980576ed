using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Json;
using Pact.Core.Passport;

namespace Pact.Core.Tests.Passport;

/// <summary>Agreement with the independently computed passport figures and document in pact-runtime-vectors.json.</summary>
public class PassportVectorTests
{
    private static JsonObject Vectors => (JsonObject)TestData.Json("pact-runtime-vectors.json");

    public static TheoryData<int> FigureCases() => [.. Enumerable.Range(0, ((JsonArray)Vectors["passportFigures"]!).Count)];

    [Theory]
    [MemberData(nameof(FigureCases))]
    public void Figures_match_every_vector(int index)
    {
        var vector = Vectors["passportFigures"]![index]!;
        var c = vector["counts"]!;
        var counts = new PassportCounts(
            c["compacts"]!.GetValue<long>(), c["honored"]!.GetValue<long>(), c["active"]!.GetValue<long>(), 0, 0, c["failures"]!.GetValue<long>(), 0);

        counts.ScoreHundredths.Should().Be(vector["scoreInt"]!.GetValue<long>());
        counts.ConfidencePercent.Should().Be(vector["confidenceInt"]!.GetValue<long>());
        // The JSON numbers are the exact quotients, written as JCS writes them.
        Jcs.FormatNumber(PassportArithmetic.AsNumber(counts.ScoreHundredths)).Should().Be(vector["score"]!.ToJsonString());
        Jcs.FormatNumber(PassportArithmetic.AsNumber(counts.ConfidencePercent)).Should().Be(vector["confidence"]!.ToJsonString());
    }

    [Fact]
    public void The_passport_document_and_its_hash_match_the_vector()
    {
        var vector = Vectors["passport"]!;
        var document = vector["document"]!.AsObject();
        var passport = AgentPassport.FromJson(document);

        Jcs.CanonicalString(passport.Content()).Should().Be(Jcs.CanonicalString(document));
        passport.Hash.Should().Be(vector["passportHash"]!.GetValue<string>());
        passport.ToJson()["passportHash"]!.GetValue<string>().Should().Be(passport.Hash);
        AgentPassport.HashOf(document).Should().Be(passport.Hash);
    }

    [Fact]
    public void The_hash_leaves_out_passportHash_and_providers()
    {
        var vector = Vectors["passport"]!;
        var served = vector["document"]!.DeepClone().AsObject();
        served["passportHash"] = "whatever it says";
        served["providers"] = new JsonObject { ["sample"] = new JsonObject { ["score"] = 12 } };

        AgentPassport.HashOf(served).Should().Be(vector["passportHash"]!.GetValue<string>());
    }

    [Fact]
    public void The_document_lists_members_in_the_contracts_order()
    {
        var passport = AgentPassport.FromJson(Vectors["passport"]!["document"]!.AsObject());

        passport.ToJson().Select(m => m.Key).Should().Equal("agent", "asOfSeq", "asOf", "score", "confidence", "counts", "recentFailures", "passportHash");
        passport.ToJson().ToJsonString().Should().Contain("\"score\":67.74,\"confidence\":0.7,");
    }
}

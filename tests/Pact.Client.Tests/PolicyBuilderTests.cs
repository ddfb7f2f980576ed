using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Client;
using Pact.Core.Json;
using Pact.Core.Policies;

namespace Pact.Client.Tests;

public class PolicyBuilderTests
{
    [Fact]
    public void The_builder_writes_the_vector_policy_byte_for_byte()
    {
        var vectors = (JsonObject)StrictJson.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "testdata", "pact-runtime-vectors.json")))!;
        var policy = new PolicyBuilder("acme-intake")
            .Decline("no-advanced", "terms.tier == 'advanced'", "Advanced-tier compacts need a human.")
            .Counter("long-notice", "isoSeconds(terms.revocation.noticePeriod) > isoSeconds('P30D')", ("/revocation/noticePeriod", "P30D"))
            .Sign("trusted-standard", "terms.tier == 'standard' && counterparty.passport.score >= 6000 && !propagates(terms, me)")
            .Build();

        Jcs.CanonicalString(policy.ToJson()).Should().Be(Jcs.CanonicalString(vectors["policy"]!["document"]));
        policy.PolicyHash.Should().Be(vectors["policy"]!["policyHash"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("double(terms.version) > 1")]
    [InlineData("terms.tier ==")]
    [InlineData("unknown == 1")]
    public void A_condition_outside_the_profile_fails_when_added(string when)
    {
        var act = () => new PolicyBuilder("p").Sign("r", when);
        act.Should().Throw<ArgumentException>().WithMessage("Rule 'r'*");
    }

    [Fact]
    public void Extends_and_the_default_are_written()
    {
        var hash = new string('a', 64);
        var json = new PolicyBuilder("p").Extends(hash).Otherwise("decline").Build().ToJson();
        json["extends"]!.AsArray().Single()!.GetValue<string>().Should().Be(hash);
        json["default"]!.GetValue<string>().Should().Be("decline");
        json.Select(m => m.Key).Should().Equal("format", "name", "extends", "rules", "default");
    }
}

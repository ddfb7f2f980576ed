using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Policies;

namespace Pact.Core.Tests.Policies;

/// <summary>Policy inputs over the kitchen-remodel terms of tests/testdata/examples.</summary>
internal static class PolicyTestInputs
{
    public static readonly DateTimeOffset CreatedAt = new(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);

    public static JsonObject KitchenTerms(bool withoutPropagation = false)
    {
        var terms = TestData.Json("examples/kitchen-remodel.terms.json").AsObject();
        if (withoutPropagation)
        {
            foreach (var role in new[] { "a", "b" })
            {
                foreach (var entry in terms["retention"]![role]!.AsArray()) entry!["propagate"] = new JsonArray();
            }
        }
        return terms;
    }

    public static PolicyInput Kitchen(string me = "b", long score = 5000, bool withoutPropagation = false, JsonObject? terms = null)
    {
        terms ??= KitchenTerms(withoutPropagation);
        var them = me == "a" ? "b" : "a";
        var proposal = new PolicyProposalFacts("prp_01JEXAMPLE0000000000000000", "ses_01JEXAMPLE0000000000000000",
            terms["compactId"]!.GetValue<string>(), terms["version"]!.GetValue<long>(), them, null, CompactCrypto.TermsHash(terms), CreatedAt, null);
        return PolicyInput.For(terms, me, proposal, new PolicyPassportFacts(score, 70, 12, 2, 5120),
            new PolicySessionFacts("ses_01JEXAMPLE0000000000000000", "Kitchen", ["did:key:a", "did:key:b"]));
    }

    public static CompiledPolicy Compile(JsonObject policy, IPolicyResolver? resolver = null)
    {
        var (compiled, error) = CompiledPolicy.Compile(policy, resolver ?? new InMemoryPolicyResolver());
        if (error is not null) throw new InvalidOperationException($"{error.Code} {string.Join("; ", error.Errors!.Select(e => e.Pointer + ": " + e.Message))}");
        return compiled!;
    }

    public static JsonObject Policy(string name, string @default, params JsonObject[] rules) => new()
    {
        ["format"] = "pact-policy/1",
        ["name"] = name,
        ["rules"] = new JsonArray(rules),
        ["default"] = @default,
    };

    public static JsonObject Rule(string id, string when, string effect) => new() { ["id"] = id, ["when"] = when, ["effect"] = effect };
}

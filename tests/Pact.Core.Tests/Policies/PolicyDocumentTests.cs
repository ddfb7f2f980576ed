using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Policies;
using static Pact.Core.Tests.Policies.PolicyTestInputs;

namespace Pact.Core.Tests.Policies;

/// <summary>Every defect of a policy document is PACT-120 at its pointer, all of them found at once.</summary>
public class PolicyDocumentTests
{
    private static List<string> Defects(JsonNode? policy, string prefix = "")
    {
        var (compiled, error) = CompiledPolicy.Compile(policy, new InMemoryPolicyResolver(), prefix);
        compiled.Should().BeNull();
        error!.Code.Should().Be("PACT-120");
        error.Errors!.Should().OnlyContain(e => e.Code == "PACT-120");
        return [.. error.Errors!.Select(e => e.Pointer)];
    }

    [Fact]
    public void Every_member_defect_is_found_with_its_pointer_under_the_given_prefix()
    {
        var policy = new JsonObject
        {
            ["format"] = "pact-policy/2",
            ["name"] = "",
            ["extends"] = new JsonArray("not-a-hash"),
            ["rules"] = new JsonArray(
                Rule("Bad Id", "true", "sign"),
                Rule("ok", "terms.tier ==", "sign"),
                Rule("no-effect", "true", "approve"),
                Rule("set-on-sign", "true", "sign").Let("set", new JsonArray()),
                Rule("counter-without-set", "true", "counter"),
                Rule("protected", "true", "counter").Let("set", new JsonArray(new JsonObject { ["pointer"] = "/parties/a/agent", ["value"] = "x" })),
                Rule("long-reason", "true", "decline").Let("reason", new string('r', 513)),
                Rule("extra", "true", "sign").Let("note", "hi")),
            ["default"] = "sign",
            ["comment"] = "unknown",
        };

        Defects(policy, "/payload/policy").Should().BeEquivalentTo(
            "/payload/policy/comment", "/payload/policy/format", "/payload/policy/name", "/payload/policy/extends/0",
            "/payload/policy/rules/0/id", "/payload/policy/rules/1/when", "/payload/policy/rules/2/effect",
            "/payload/policy/rules/3/set", "/payload/policy/rules/4/set", "/payload/policy/rules/5/set/0/pointer",
            "/payload/policy/rules/6/reason", "/payload/policy/rules/7/note", "/payload/policy/default");
    }

    [Fact]
    public void Sizes_are_limited()
    {
        Defects(new JsonArray()).Should().Equal("");
        Defects(Policy(new string('n', 129), "decline")).Should().Equal("/name");
        Defects(Policy("w", "decline", Rule("r", "true || " + new string(' ', 1020), "sign"))).Should().Equal("/rules/0/when");
        Defects(Policy("many", "decline", [.. Enumerable.Range(0, 257).Select(i => Rule($"r{i}", "true", "sign"))])).Should().Equal("/rules");
        var set = new JsonArray([.. Enumerable.Range(0, 33).Select(i => (JsonNode)new JsonObject { ["pointer"] = "/extensions/-", ["value"] = i })]);
        Defects(Policy("s", "decline", Rule("r", "true", "counter").Let("set", set))).Should().Equal("/rules/0/set");
        var extends = new JsonArray([.. Enumerable.Range(0, 9).Select(i => (JsonNode)new string((char)('a' + i % 6), 64))]);
        Defects(Policy("e", "decline").Let("extends", extends)).Should().Contain("/extends");
    }

    [Fact]
    public void The_canonical_size_is_at_most_64_KiB()
    {
        var big = Policy("big", "decline", [.. Enumerable.Range(0, 70).Select(i => Rule($"r{i}", "'" + new string('x', 1000) + "' != ''", "sign"))]);
        Defects(big).Should().Equal("");
    }

    [Fact]
    public void The_largest_allowed_policy_publishes_and_evaluates()
    {
        // 256 rules of 1,024 characters do not fit one document's 64 KiB, so they are spread along extends four deep:
        // five policies of 52 such rules (about 55 KiB each), 260 effective rules.
        var resolver = new InMemoryPolicyResolver();
        CompiledPolicy? top = null;
        for (var level = 0; level <= 4; level++)
        {
            var rules = Enumerable.Range(0, 52).Select(i => Rule($"l{level}-r{i}", LongCondition(level * 100 + i), "sign")).ToArray();
            var policy = Policy($"level-{level}", "escalate", rules);
            if (top is not null) policy = new JsonObject
            {
                ["format"] = "pact-policy/1", ["name"] = $"level-{level}", ["extends"] = new JsonArray(top.PolicyHash),
                ["rules"] = policy["rules"]!.DeepClone(), ["default"] = "escalate",
            };
            top = Compile(policy, resolver);
            resolver.Add(top);
        }
        top!.Depth.Should().Be(4);
        top.Rules.Should().HaveCount(260);
        top.Rules.Should().OnlyContain(r => r.Rule.When.Length == 1024);
        var decision = PolicyEvaluator.Evaluate(top, Kitchen()).Decision;
        decision.Effect.Should().Be("escalate");
        decision.Trace.Should().HaveCount(260).And.OnlyContain(t => t.Result == "false");
    }

    /// <summary>A false condition of exactly 1,024 characters.</summary>
    internal static string LongCondition(int seed)
    {
        var head = $"terms.compactId == '{seed}";
        return head + new string('x', 1024 - head.Length - 1) + "'";
    }
}

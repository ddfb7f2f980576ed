using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Errors;
using Pact.Core.Policies;
using static Pact.Core.Tests.Policies.PolicyTestInputs;

namespace Pact.Core.Tests.Policies;

/// <summary>§13's evaluation: first true, errors escalate, the default, composition, counters and the extension functions.</summary>
public class PolicyEvaluationTests
{
    [Theory]
    [InlineData("isoSeconds(terms.revocation.noticePeriod) == 2592000")]
    [InlineData("isoSeconds(terms.revocation.ackTimeout) == 7 * 86400")]
    [InlineData("effectiveSeconds(terms) == 365 * 86400")]
    [InlineData("categories(terms, 'b') == ['work-scope', 'work-record', 'billing-payment-record', 'warranty-information']")]
    [InlineData("categories(terms, me).size() == 4")]
    [InlineData("retains(terms, 'a', 'property-access-details') && !retains(terms, 'b', 'property-access-details')")]
    [InlineData("derives(terms, 'a', 'work-record', 'work-history-summary')")]
    [InlineData("!derives(terms, 'a', 'work-record', 'no-such-operation') && !derives(terms, 'b', 'no-such-category', 'x')")]
    [InlineData("propagates(terms, 'a') && propagates(terms, 'b')")]
    [InlineData("propagatesTo(terms, 'a', 'licensing-board') && !propagatesTo(terms, 'b', 'licensing-board')")]
    [InlineData("propagatesTo(terms, them, 'tax-authority')")]
    public void Extension_functions_on_the_kitchen_terms(string when)
    {
        var policy = Compile(Policy("fn", "decline", Rule("r", when, "sign")));
        var decision = PolicyEvaluator.Evaluate(policy, Kitchen()).Decision;
        decision.Trace.Should().ContainSingle().Which.Result.Should().Be("true", decision.Trace[0].Error);
        decision.Effect.Should().Be("sign");
    }

    [Theory]
    [InlineData("a{1001}", "at most 1000")]
    [InlineData("(a{200}){100}", "more than 5000 atoms")]
    [InlineData("(a{10}b{10}){500}", "more than 5000 atoms")]
    public void A_pattern_from_the_terms_too_costly_to_compile_escalates_the_same_way_every_time(string pattern, string why)
    {
        // The pattern is the counterparty's to choose (here in scope.outOfScope): refused by its shape alone, before any
        // compile, so live, verify and the offline verifier reach the same decision whatever the machine's load.
        var terms = KitchenTerms();
        terms["scope"]!["outOfScope"] = pattern;
        var policy = Compile(Policy("patterns", "decline", Rule("pattern", "terms.scope.interaction.matches(terms.scope.outOfScope)", "sign")));
        var first = PolicyEvaluator.Evaluate(policy, Kitchen(terms: terms));
        var again = PolicyEvaluator.Evaluate(Compile(Policy("patterns", "decline", Rule("pattern", "terms.scope.interaction.matches(terms.scope.outOfScope)", "sign"))),
            Kitchen(terms: (JsonObject)terms.DeepClone()));

        first.Decision.Effect.Should().Be("escalate");
        first.Decision.Trace.Should().ContainSingle().Which.Error.Should().Contain(why);
        again.DecisionHash.Should().Be(first.DecisionHash);
    }

    [Fact]
    public void A_pattern_from_the_terms_longer_than_1024_characters_is_an_error_and_one_within_the_bounds_matches()
    {
        var terms = KitchenTerms();
        terms["scope"]!["outOfScope"] = new string('x', 1025);
        var policy = Compile(Policy("patterns", "decline", Rule("pattern", "!terms.scope.interaction.matches(terms.scope.outOfScope)", "sign")));
        PolicyEvaluator.Evaluate(policy, Kitchen(terms: terms)).Decision.Trace[0].Error.Should().Contain("too long");
        terms["scope"]!["outOfScope"] = "(x{10}y{10}){50}";
        PolicyEvaluator.Evaluate(policy, Kitchen(terms: terms)).Decision.Effect.Should().Be("sign");
    }

    [Fact]
    public void Transition_edges_do_not_count_as_propagation()
    {
        var terms = KitchenTerms(withoutPropagation: true);
        terms["retention"]!["b"]![1]!["disposition"]!["supersession"] = new JsonObject
        {
            ["action"] = "transition", ["period"] = "P1Y", ["derive"] = new JsonArray(),
            ["propagate"] = new JsonArray(new JsonObject { ["to"] = "accountant", ["requiresCompact"] = new JsonObject { ["minTier"] = "standard" } }),
        };
        var policy = Compile(Policy("t", "decline", Rule("r", "!propagates(terms, 'b') && !propagatesTo(terms, 'b', 'accountant')", "sign")));
        PolicyEvaluator.Evaluate(policy, Kitchen(terms: terms)).Decision.Effect.Should().Be("sign");
    }

    [Theory]
    [InlineData("isoSeconds('P1.5D') > 0")]
    [InlineData("retains(terms, 'c', 'work-scope')")]
    [InlineData("terms.missing == 'x'")]
    [InlineData("terms.version / 0 == 1")]
    [InlineData("terms.parties.a")]
    public void A_rule_that_errs_or_yields_a_non_bool_escalates_with_its_id(string when)
    {
        var policy = Compile(Policy("e", "decline", Rule("first", "false", "sign"), Rule("bad", when, "sign"), Rule("never", "true", "sign")));
        var decision = PolicyEvaluator.Evaluate(policy, Kitchen()).Decision;

        decision.Effect.Should().Be("escalate");
        decision.RuleId.Should().Be("bad");
        decision.Reason.Should().BeNull();
        decision.Set.Should().BeNull();
        decision.Trace.Select(t => t.Result).Should().Equal("false", "error");
        decision.Trace[1].Error.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public void The_first_true_rule_decides_and_the_trace_stops_there()
    {
        var policy = Compile(Policy("f", "escalate",
            Rule("no", "terms.tier == 'advanced'", "sign"),
            Rule("yes", "terms.tier == 'standard'", "decline").Let("reason", "Not today."),
            Rule("later", "true", "sign")));
        var decision = PolicyEvaluator.Evaluate(policy, Kitchen()).Decision;
        decision.Effect.Should().Be("decline");
        decision.RuleId.Should().Be("yes");
        decision.Reason.Should().Be("Not today.");
        decision.Trace.Select(t => t.RuleId).Should().Equal("no", "yes");
    }

    [Theory]
    [InlineData("decline")]
    [InlineData("escalate")]
    public void With_no_rule_true_the_default_decides(string @default)
    {
        var decision = PolicyEvaluator.Evaluate(Compile(Policy("d", @default, Rule("r", "false", "sign"))), Kitchen()).Decision;
        decision.Effect.Should().Be(@default);
        decision.RuleId.Should().BeNull();
        decision.Trace.Should().ContainSingle();
    }

    [Fact]
    public void Composition_puts_extended_rules_first_counts_a_policy_reached_twice_once_and_names_the_defining_policy()
    {
        var resolver = new InMemoryPolicyResolver();
        var shared = Compile(Policy("shared", "escalate", Rule("shared-rule", "false", "sign")), resolver);
        resolver.Add(shared);
        var left = Compile(Extending(Policy("left", "escalate", Rule("left-rule", "false", "sign")), shared.PolicyHash), resolver);
        resolver.Add(left);
        var right = Compile(Extending(Policy("right", "escalate", Rule("right-rule", "false", "sign")), shared.PolicyHash), resolver);
        resolver.Add(right);

        var top = Compile(Extending(Policy("top", "decline", Rule("top-rule", "false", "sign")), left.PolicyHash, right.PolicyHash, left.PolicyHash), resolver);

        top.Rules.Select(r => r.Rule.Id).Should().Equal("shared-rule", "left-rule", "right-rule", "top-rule");
        top.Rules.Select(r => r.PolicyHash).Should().Equal(shared.PolicyHash, left.PolicyHash, right.PolicyHash, top.PolicyHash);
        top.Depth.Should().Be(2);
        var decision = PolicyEvaluator.Evaluate(top, Kitchen()).Decision;
        decision.Effect.Should().Be("decline", "the effective default is the policy's own");
        decision.Trace.Select(t => t.PolicyHash).Should().Equal(shared.PolicyHash, left.PolicyHash, right.PolicyHash, top.PolicyHash);
    }

    [Fact]
    public void Duplicate_rule_ids_in_the_composed_policy_are_refused()
    {
        var resolver = new InMemoryPolicyResolver();
        var a = Compile(Policy("a", "escalate", Rule("same", "false", "sign")), resolver);
        var b = Compile(Policy("b", "escalate", Rule("same", "true", "sign")), resolver);
        resolver.Add(a);
        resolver.Add(b);

        Refused(Extending(Policy("own", "escalate", Rule("same", "false", "sign")), a.PolicyHash), resolver).Should().Contain("/rules/0/id");
        Refused(Extending(Policy("two", "escalate"), a.PolicyHash, b.PolicyHash), resolver).Should().Contain("/extends");
        Refused(Policy("self", "escalate", Rule("x", "true", "sign"), Rule("x", "false", "sign")), resolver).Should().Contain("/rules/1/id");
    }

    [Fact]
    public void Extends_is_limited_to_published_policies_four_levels_and_1024_rules()
    {
        var resolver = new InMemoryPolicyResolver();
        Refused(Extending(Policy("x", "escalate"), new string('0', 64)), resolver).Should().Equal("/extends/0");

        var chain = Compile(Policy("level-0", "escalate", Rule("l0", "false", "sign")), resolver);
        resolver.Add(chain);
        for (var level = 1; level <= 4; level++)
        {
            chain = Compile(Extending(Policy($"level-{level}", "escalate", Rule($"l{level}", "false", "sign")), chain.PolicyHash), resolver);
            resolver.Add(chain);
        }
        chain.Depth.Should().Be(4);
        Refused(Extending(Policy("level-5", "escalate"), chain.PolicyHash), resolver).Should().Equal("/extends");

        var wide = Enumerable.Range(0, 5).Select(p =>
        {
            var rules = Enumerable.Range(0, 256).Select(i => Rule($"p{p}-r{i}", "false", "sign")).ToArray();
            var compiled = Compile(Policy($"wide-{p}", "escalate", rules), resolver);
            resolver.Add(compiled);
            return compiled.PolicyHash;
        }).ToArray();
        Compile(Extending(Policy("four-wide", "escalate"), wide[..4]), resolver).Rules.Should().HaveCount(1024);
        Refused(Extending(Policy("five-wide", "escalate"), wide), resolver).Should().Equal("/rules");
    }

    [Fact]
    public void A_counter_is_taken_when_the_patched_terms_are_valid_and_signed_by_the_same_policy()
    {
        var terms = KitchenTerms(withoutPropagation: true);
        terms["revocation"]!["noticePeriod"] = "P90D";
        var policy = Compile(Policy("c", "escalate",
            Rule("long-notice", "isoSeconds(terms.revocation.noticePeriod) > isoSeconds('P30D')", "counter")
                .Let("set", new JsonArray(new JsonObject { ["pointer"] = "/revocation/noticePeriod", ["value"] = "P30D" })),
            Rule("fine", "terms.tier == 'standard'", "sign")));

        var outcome = PolicyEvaluator.Evaluate(policy, Kitchen(terms: terms));

        outcome.Decision.Effect.Should().Be("counter");
        outcome.Decision.RuleId.Should().Be("long-notice");
        outcome.Decision.Set.Should().ContainSingle().Which.Pointer.Should().Be("/revocation/noticePeriod");
        outcome.CounterTerms!["revocation"]!["noticePeriod"]!.GetValue<string>().Should().Be("P30D");
        outcome.CounterDecision!.Effect.Should().Be("sign");
        outcome.CounterDecision.Trace.Select(t => t.Result).Should().Equal("false", "true");
        terms["revocation"]!["noticePeriod"]!.GetValue<string>().Should().Be("P90D", "the input is not changed");
    }

    [Theory]
    [InlineData("/revocation/noticePeriod", "\"P60D\"", "the patched terms are countered again, not signed")]
    [InlineData("/scope/nothing/here", "1", "the patch does not apply")]
    [InlineData("/revocation/noticePeriod", "\"P1.5D\"", "the patched terms fail §4.2")]
    public void A_counter_that_cannot_be_taken_escalates_with_the_counter_rule(string pointer, string valueJson, string because)
    {
        var terms = KitchenTerms(withoutPropagation: true);
        terms["revocation"]!["noticePeriod"] = "P90D";
        var set = new JsonArray(new JsonObject { ["pointer"] = pointer, ["value"] = JsonNode.Parse(valueJson) });
        var policy = Compile(Policy("c", "escalate",
            Rule("long-notice", "isoSeconds(terms.revocation.noticePeriod) > isoSeconds('P30D')", "counter").Let("reason", "Too long.").Let("set", set),
            Rule("fine", "terms.tier == 'standard'", "sign")));

        var outcome = PolicyEvaluator.Evaluate(policy, Kitchen(terms: terms));

        outcome.Decision.Effect.Should().Be("escalate", because);
        outcome.Decision.RuleId.Should().Be("long-notice");
        outcome.Decision.Reason.Should().Be("Too long.");
        outcome.Decision.Set.Should().ContainSingle();
        outcome.CounterTerms.Should().BeNull();
    }

    [Fact]
    public void The_daemon_supplied_check_can_refuse_a_counter()
    {
        var terms = KitchenTerms(withoutPropagation: true);
        terms["revocation"]!["noticePeriod"] = "P90D";
        var policy = Compile(Policy("c", "escalate",
            Rule("long", "isoSeconds(terms.revocation.noticePeriod) > isoSeconds('P30D')", "counter")
                .Let("set", new JsonArray(new JsonObject { ["pointer"] = "/revocation/noticePeriod", ["value"] = "P30D" })),
            Rule("fine", "true", "sign")));
        var outcome = PolicyEvaluator.Evaluate(policy, Kitchen(terms: terms), _ => [new FieldError("/parties/a/agent", PactCodes.InvalidParties, "not registered")]);
        outcome.Decision.Effect.Should().Be("escalate");
    }

    [Fact]
    public void The_input_as_json_holds_the_seven_variables()
    {
        var json = Kitchen().ToJson();
        json.Select(p => p.Key).Should().Equal("terms", "me", "them", "proposal", "counterparty", "session", "now");
        json["proposal"]!["createdAt"]!.GetValue<string>().Should().Be("2026-12-06T03:00:00.000Z");
        json["counterparty"]!["passport"]!["score"]!.GetValue<long>().Should().Be(5000);
        json["counterparty"]!["principal"]!["name"]!.GetValue<string>().Should().Be("Acme Remodeling LLC");
    }

    private static JsonObject Extending(JsonObject policy, params string[] hashes)
    {
        var copy = new JsonObject { ["format"] = policy["format"]!.DeepClone(), ["name"] = policy["name"]!.DeepClone() };
        copy["extends"] = new JsonArray([.. hashes.Select(h => (JsonNode)JsonValue.Create(h))]);
        copy["rules"] = policy["rules"]!.DeepClone();
        copy["default"] = policy["default"]!.DeepClone();
        return copy;
    }

    private static List<string> Refused(JsonObject policy, IPolicyResolver resolver)
    {
        var (compiled, error) = CompiledPolicy.Compile(policy, resolver);
        compiled.Should().BeNull();
        error!.Code.Should().Be("PACT-120");
        error.Status.Should().Be(422);
        return [.. error.Errors!.Select(e => e.Pointer)];
    }
}

internal static class PolicyJsonExtensions
{
    public static JsonObject Let(this JsonObject obj, string member, JsonNode? value)
    {
        obj[member] = value;
        return obj;
    }
}

using FluentAssertions;
using Pact.Core.Policies;
using Pact.Core.Policies.Cel;
using static Pact.Core.Tests.Policies.PolicyTestInputs;

namespace Pact.Core.Tests.Policies;

/// <summary>
/// The counted cost budget of an evaluation: a rule whose comprehensions would run for ages within the length and
/// nesting bounds is an error (escalate) after <see cref="CelCostBudget.StepsPerDecision"/> steps, the same every time.
/// </summary>
public class PolicyCostBudgetTests
{
    /// <summary><c>[0,…,9].macro(a, [0,…,9].macro(b, … innermost))</c>, <paramref name="depth"/> levels: 10^depth iterations.</summary>
    public static string Nested(int depth, string macro, string innermost)
    {
        var when = innermost;
        for (var level = depth - 1; level >= 0; level--) when = $"[0,1,2,3,4,5,6,7,8,9].{macro}({(char)('a' + level)}, {when})";
        return when;
    }

    // Without the budget these run for ~10^25 iterations: the timeout is what fails them.
    private static T Promptly<T>(Func<T> run) => Task.Run(run).WaitAsync(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();

    [Theory]
    [InlineData("exists", "false")]
    [InlineData("all", "true")]
    [InlineData("map", "a")]
    public void A_deeply_nested_comprehension_escalates_once_the_budget_is_spent(string macro, string innermost)
    {
        var when = Nested(25, macro, innermost) + (macro == "map" ? ".size() == 10" : "");
        when.Length.Should().BeLessThanOrEqualTo(PolicyLimits.WhenMax, "the rule passes every publication bound");
        var policy = Compile(Policy("deep", "decline", Rule("deep", when, "sign")));

        var first = Promptly(() => PolicyEvaluator.Evaluate(policy, Kitchen()));
        var again = Promptly(() => PolicyEvaluator.Evaluate(Compile(Policy("deep", "decline", Rule("deep", when, "sign"))), Kitchen()));

        first.Decision.Effect.Should().Be("escalate");
        first.Decision.RuleId.Should().Be("deep");
        first.Decision.Trace.Should().ContainSingle().Which.Error.Should().Contain("cost budget of 1,000,000 steps");
        again.DecisionHash.Should().Be(first.DecisionHash, "counted, not timed");
    }

    [Fact]
    public void A_decisive_operand_does_not_absorb_a_spent_budget()
    {
        var policy = Compile(Policy("deep", "decline", Rule("deep", Nested(25, "exists", "false") + " || true", "sign")));
        Promptly(() => PolicyEvaluator.Evaluate(policy, Kitchen())).Decision.Effect.Should().Be("escalate");
    }

    [Fact]
    public void The_budget_is_shared_by_the_rules_of_one_decision()
    {
        // Five levels cost about 222,000 steps: one such rule evaluates, five in a row do not.
        var five = Nested(5, "exists", "false");
        var once = Compile(Policy("one", "decline", Rule("r0", five, "sign")));
        PolicyEvaluator.Evaluate(once, Kitchen()).Decision.Should().Match<PolicyDecision>(d => d.Effect == "decline" && d.Trace.Count == 1);

        var many = Compile(Policy("many", "decline", Enumerable.Range(0, 5).Select(i => Rule($"r{i}", five, "sign")).ToArray()));
        var decision = PolicyEvaluator.Evaluate(many, Kitchen()).Decision;
        decision.Effect.Should().Be("escalate");
        decision.RuleId.Should().Be("r4");
        decision.Trace[^1].Error.Should().Contain("cost budget");
    }

    [Fact]
    public void A_rule_that_fits_the_budget_exactly_evaluates_and_one_step_less_is_an_error()
    {
        var program = PolicyEnvironment.Instance.Compile(Nested(5, "all", "true"));
        var variables = Kitchen().ToCelVariables();
        var measured = new CelCostBudget(CelCostBudget.StepsPerDecision);
        program.Evaluate(variables, measured).Should().Be(true);
        measured.Spent.Should().Be(222_220, "111,110 iterations and 11,111 lists of 10 built");

        program.Evaluate(variables, new CelCostBudget(measured.Spent)).Should().Be(true);
        program.Evaluate(variables, new CelCostBudget(measured.Spent - 1)).Should().BeOfType<CelError>();
    }
}

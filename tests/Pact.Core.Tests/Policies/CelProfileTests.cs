using System.Diagnostics;
using FluentAssertions;
using Pact.Core.Policies;
using Pact.Core.Policies.Cel;

namespace Pact.Core.Tests.Policies;

/// <summary>Each rule of §13's CEL profile, on the policy environment and the kitchen-remodel input.</summary>
public class CelProfileTests
{
    private static object? Eval(string expression) =>
        PolicyEnvironment.Instance.Compile(expression).Evaluate(PolicyTestInputs.Kitchen().ToCelVariables());

    private static string Refusal(string expression)
    {
        var act = () => PolicyEnvironment.Instance.Compile(expression);
        return act.Should().Throw<Exception>().Which.Message;
    }

    [Theory]
    [InlineData("1 + 1.0")]
    [InlineData("terms.version == 1.0")]
    [InlineData("1u == 1u")]
    [InlineData("b'abc' == b'abc'")]
    [InlineData("2.5 > 1")]
    public void Double_uint_and_bytes_literals_are_refused_so_int_and_double_never_mix(string expression) =>
        Refusal(expression).Should().Match("*not in the policy profile*");

    [Theory]
    [InlineData("double(terms.version) > 0")]
    [InlineData("uint(terms.version) > 0")]
    [InlineData("type(terms.version) == int")]
    [InlineData("now.getHours() > 3")]
    [InlineData("now.getHours('America/New_York') > 3")]
    [InlineData("timestamp('2026-01-01T00:00:00Z').getSeconds() > 0")]
    [InlineData("duration('1h').getSeconds() > 0")]
    [InlineData("[1] + [2] == [1, 2]")]
    [InlineData("google.protobuf.Timestamp{seconds: 1} < now")]
    public void Functions_and_accessors_outside_the_profile_are_refused(string expression) =>
        Refusal(expression).Should().NotBeNullOrEmpty();

    [Theory]
    [InlineData("unknownVariable == 1", "undeclared reference")]
    [InlineData("'standard' == 1", "no matching overload")]
    [InlineData("'a' - 'b' == ''", "no matching overload")]
    [InlineData("terms.tier ==", "unexpected end")]
    public void Unknown_names_type_errors_and_syntax_errors_are_refused(string expression, string why) =>
        Refusal(expression).Should().Contain(why);

    [Fact]
    public void Json_numbers_are_ints()
    {
        Eval("terms.version == 1").Should().Be(true);
        Eval("terms.version + 1").Should().Be(2L);
        Eval("counterparty.passport.score").Should().BeOfType<long>();
        CelJson.FromJson(System.Text.Json.Nodes.JsonNode.Parse("1.5")).Should().BeOfType<CelError>();
    }

    [Fact]
    public void Maps_iterate_in_JCS_key_order()
    {
        Eval("{'b': 1, 'a': 2, 'B': 3}.map(k, k)").Should().BeEquivalentTo(new object[] { "B", "a", "b" }, o => o.WithStrictOrdering());
        Eval("terms.parties.map(k, k)").Should().BeEquivalentTo(new object[] { "a", "b" }, o => o.WithStrictOrdering());
        // The terms' own member order does not matter: scope is written interaction, effective, outOfScope.
        Eval("terms.scope.map(k, k)").Should().BeEquivalentTo(new object[] { "effective", "interaction", "outOfScope" }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Strings_compare_and_size_by_code_point()
    {
        Eval("size('h\u00e9llo\U0001F600')").Should().Be(6L);
        Eval("'\U0001F600'.size()").Should().Be(1L);
        // UTF-16 ordinal order would put U+FFFF after the surrogate pair of U+1F600.
        Eval("'\U0001F600' > '\uFFFF'").Should().Be(true);
        Eval("'a' < 'b' && 'ab' > 'a'").Should().Be(true);
    }

    [Theory]
    [InlineData("duration('1ns') > duration('0s')")]
    [InlineData("duration('150ns') > duration('0s')")]
    [InlineData("duration('0.00000015s') > duration('0s')")]
    [InlineData("duration('1.0000001us') > duration('0s')")]
    [InlineData("timestamp('2026-01-01T00:00:00.000000001Z') > now")]
    public void Time_literals_finer_than_100_ns_are_refused_instead_of_rounded(string expression) =>
        Refusal(expression).Should().Contain("not a whole multiple of 100 ns");

    [Fact]
    public void Time_values_in_whole_100_ns_are_exact_and_finer_ones_made_at_run_time_are_errors()
    {
        Eval("duration('100ns') + duration('100ns') == duration('200ns')").Should().Be(true);
        Eval("duration('1.5s') == duration('1500ms')").Should().Be(true);
        Eval("timestamp('2026-01-01T00:00:00.123456700Z') < timestamp('2026-01-01T00:00:00.1234568Z')").Should().Be(true);
        // Not a literal, so judged when evaluated: an error (a policy's rule then escalates), never a rounded value.
        Eval("duration('15' + '0ns') > duration('0s')").Should().BeOfType<CelError>()
            .Which.Message.Should().Contain("not a whole multiple of 100 ns");
    }

    [Fact]
    public void A_catastrophic_regex_stays_linear()
    {
        var input = new string('a', 50_000) + "!";
        var program = PolicyEnvironment.Instance.Compile($"'{input}'.matches('^(a+)+$')");
        var watch = Stopwatch.StartNew();
        program.Evaluate(PolicyTestInputs.Kitchen().ToCelVariables()).Should().Be(false);
        // A backtracking engine takes exponential time here (2^50000 paths); the linear one a few milliseconds.
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Matches_takes_RE2_syntax()
    {
        Eval("terms.compactId.matches('^cmp_[a-z]+-[0-9]{4}-[0-9]+$')").Should().Be(true);
        // RE2's \d is ASCII: an Arabic-Indic digit is not a digit.
        Eval("'\u0663'.matches('^\\\\d$')").Should().Be(false);
        // RE2's $ without the m flag is the end of the text, not before a final newline.
        Eval("'abc\\n'.matches('abc$')").Should().Be(false);
        Eval("'x'.matches('(?P<name>x)')").Should().Be(true);
        Refusal("'x'.matches('(a')").Should().Contain("invalid regular expression");
        Refusal("'aa'.matches('(a)\\\\1')").Should().Contain("invalid regular expression");
        // RE2's bound on counted repetition, and a bound on the unfolded size, both judged from the pattern alone.
        Refusal("'a'.matches('a{1001}')").Should().Contain("at most 1000");
        Refusal("'a'.matches('(a{200}){100}')").Should().Contain("more than 5000 atoms");
        Eval("'aaa'.matches('^(a{1}){3}$') && 'a{2'.matches('^a[{]2$') && 'a{2'.matches('^a{2$')").Should().Be(true);
    }

    [Theory]
    [InlineData("9223372036854775807 + 1")]
    [InlineData("-9223372036854775808 - 1")]
    [InlineData("9223372036854775807 * 2")]
    [InlineData("-9223372036854775808 / -1")]
    [InlineData("-(-9223372036854775808)")]
    [InlineData("terms.version * 9223372036854775807 * 2")]
    public void Int_overflow_is_an_error(string expression) =>
        Eval(expression).Should().BeOfType<CelError>().Which.Message.Should().Contain("overflow");

    [Fact]
    public void Errors_are_absorbed_by_logical_operators_as_cel_spec_says()
    {
        Eval("terms.missing == 1 && false").Should().Be(false);
        Eval("false && terms.missing == 1").Should().Be(false);
        Eval("terms.missing == 1 || true").Should().Be(true);
        Eval("terms.missing == 1 || false").Should().BeOfType<CelError>();
        Eval("[1, 0].all(x, 1 / x > 0)").Should().BeOfType<CelError>();
        Eval("[0, 1].exists(x, 1 / x > 0)").Should().Be(true);
        Eval("has(terms.missing) && terms.missing == 1").Should().Be(false);
    }

    [Fact]
    public void Timestamps_and_durations_have_no_time_zones_and_write_the_protocol_form()
    {
        Eval("string(now)").Should().Be("2026-12-06T03:00:00.000Z");
        Eval("now == proposal.createdAt").Should().Be(true);
        Eval("timestamp(terms.scope.effective.until) - timestamp(terms.scope.effective.from) >= duration('8760h')").Should().Be(true);
        Eval("timestamp('2026-12-06T05:00:00+02:00') == now").Should().Be(true);
        Eval("int(timestamp('1970-01-01T00:01:00Z'))").Should().Be(60L);
        Eval("string(12) + string('x')").Should().Be("12x");
        Eval("int('42')").Should().Be(42L);
    }

    [Fact]
    public void The_macros_and_membership_work_on_terms()
    {
        Eval("terms.retention.b.all(e, has(e.disposition))").Should().Be(true);
        Eval("terms.retention.a.exists(e, e.category == 'work-record')").Should().Be(true);
        Eval("terms.retention.a.exists_one(e, e.category.startsWith('work'))").Should().Be(false);
        Eval("terms.retention.b.filter(e, size(e.propagate) > 0).map(e, e.category)").Should().BeEquivalentTo(new object[] { "billing-payment-record" });
        Eval("'contractor-and-service' in [terms.domain]").Should().Be(true);
        Eval("'a' in terms.parties").Should().Be(true);
        Eval("terms.tier != 'advanced' ? 'ok' : 'no'").Should().Be("ok");
        Eval("terms.upstream[0]").Should().BeOfType<CelError>().Which.Message.Should().Be("index out of range: terms.upstream[0]");
    }

    [Fact]
    public void Nesting_deeper_than_32_is_refused_at_publication()
    {
        var deep = new string('(', 33) + "true" + new string(')', 33);
        PolicyReader.CompileWhen(deep, out var error).Should().BeNull();
        error.Should().Contain("32");
        PolicyReader.CompileWhen(new string('(', 32) + "true" + new string(')', 32), out _).Should().NotBeNull();
    }
}

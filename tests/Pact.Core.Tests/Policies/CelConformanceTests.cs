using System.Globalization;
using System.Text;
using FluentAssertions;
using Pact.Core.Policies;
using Pact.Core.Policies.Cel;

namespace Pact.Core.Tests.Policies;

/// <summary>
/// cel-spec's own conformance cases (tests/simple/testdata, copied into tests/testdata/cel-spec) run on the profile
/// interpreter. A case inside the profile must give cel-spec's value or error; a case outside it (doubles, uints,
/// bytes, type(), messages, proto fields, bindings) must be refused at compile time, never run with another meaning.
/// </summary>
public class CelConformanceTests
{
    private static readonly CelEnvironment Environment = new([], PolicyFunctions.Profile());

    /// <summary>Where §13's profile departs from cel-spec on purpose (each is also in docs/policies.md).</summary>
    private static readonly Dictionary<string, string> ProfileDifferences = new()
    {
        ["basic/unbound_is_runtime_error"] = "unknown variables and functions are refused at publication (§13), not at run time",
        ["parse/as"] = "a receiver call on an undeclared name is refused at publication (the receiver_function_names section)",
        ["timestamps/toString_timestamp"] = "string(timestamp) yields §0's form, with exactly three fractional digits",
        ["timestamps/toString_timestamp_nanos"] = "string(timestamp) yields §0's form, with exactly three fractional digits",
        ["timestamps/add_time_to_duration_nanos_negative"] = "timestamps and durations have 100 ns resolution (.NET ticks): finer literals are refused at publication",
        ["timestamps/add_time_to_duration_nanos_positive"] = "timestamps and durations have 100 ns resolution (.NET ticks): finer literals are refused at publication",
        ["timestamps/add_duration_nanos_over"] = "timestamps and durations have 100 ns resolution (.NET ticks): finer literals are refused at publication",
        ["timestamps/add_duration_nanos_under"] = "timestamps and durations have 100 ns resolution (.NET ticks): finer literals are refused at publication",
        ["conversions/timestamp"] = "timestamp(int) is not in the profile (only timestamp(string))",
        ["lists/list_append"] = "list concatenation is not among the profile's arithmetic",
        ["lists/list_not_commutative"] = "list concatenation is not among the profile's arithmetic",
        ["lists/list_repeat"] = "list concatenation is not among the profile's arithmetic",
        ["lists/empty_empty"] = "list concatenation is not among the profile's arithmetic",
        ["lists/left_unit"] = "list concatenation is not among the profile's arithmetic",
        ["lists/right_unit"] = "list concatenation is not among the profile's arithmetic",
    };

    private static readonly string[] FileNames = ["logic", "comparisons", "integer_math", "string", "lists", "macros", "timestamps", "conversions", "basic", "parse"];

    public static TheoryData<string> Files() => [.. FileNames];

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_case_inside_the_profile_gives_cel_specs_answer(string file)
    {
        var cases = SimpleTestFile.Read(TestData.PathOf($"cel-spec/{file}.textproto"));
        var ran = 0;
        var failures = new List<string>();
        foreach (var test in cases)
        {
            if (test.NeedsEnvironment || test.Expected is Expectation.Unsupported) continue;
            if (ProfileDifferences.ContainsKey($"{file}/{test.Name}") || IsReservedReceiverCall(test)) continue;
            CelProgram program;
            try
            {
                program = Environment.Compile(test.Expr, staticTypes: !test.DisableCheck);
            }
            catch (Exception e) when (e is CelCheckException or CelSyntaxException)
            {
                // Refused: fine for a case outside the profile, wrong for one whose answer is all in profile types.
                if (test.Expected is Expectation.Value { InProfile: true } && !test.UsesOutOfProfileSyntax)
                    failures.Add($"{test.Name}: `{test.Expr}` was refused ({e.Message})");
                continue;
            }
            ran++;
            var actual = program.Evaluate([]);
            switch (test.Expected)
            {
                case Expectation.Error:
                    if (actual is not CelError) failures.Add($"{test.Name}: `{test.Expr}` gave {CelValues.Describe(actual)}, expected an error");
                    break;
                case Expectation.Value v:
                    if (actual is CelError || !CelValues.ValueEquals(actual, v.Expected))
                        failures.Add($"{test.Name}: `{test.Expr}` gave {CelValues.Describe(actual)}, expected {CelValues.Describe(v.Expected)}");
                    break;
            }
        }
        failures.Should().BeEmpty(string.Join("\n", failures));
        ran.Should().BeGreaterThan(5, "each file has cases inside the profile");
    }

    // parse.textproto's receiver_function_names: `a.break() || true` on an undeclared `a`.
    private static bool IsReservedReceiverCall(SimpleTest test) => test.DisableCheck && test.Expr.StartsWith("a.", StringComparison.Ordinal);

    [Fact]
    public void Hundreds_of_cases_run_in_all()
    {
        var total = FileNames.Sum(f => SimpleTestFile.Read(TestData.PathOf($"cel-spec/{f}.textproto"))
            .Count(t => !t.NeedsEnvironment && t.Expected is not Expectation.Unsupported && Compiles(t)));
        total.Should().BeGreaterThan(400);
    }

    private static bool Compiles(SimpleTest test)
    {
        try
        {
            Environment.Compile(test.Expr, staticTypes: !test.DisableCheck);
            return true;
        }
        catch (Exception e) when (e is CelCheckException or CelSyntaxException)
        {
            return false;
        }
    }
}

internal abstract record Expectation
{
    public sealed record Value(object? Expected, bool InProfile) : Expectation;
    public sealed record Error : Expectation;
    public sealed record Unsupported : Expectation;
}

internal sealed record SimpleTest(string Name, string Expr, bool DisableCheck, bool NeedsEnvironment, Expectation Expected)
{
    // Literals and names the profile refuses by design (double, uint, bytes, type(), messages, proto fields, dyn()).
    public bool UsesOutOfProfileSyntax =>
        System.Text.RegularExpressions.Regex.IsMatch(Expr, @"[0-9]\.[0-9]|[0-9][eE][+-]?[0-9]|[0-9][uU]\b|\bb['""]|\btype\b|\bdyn\(|\bdouble\(|\buint\(|\bbytes\(|google\.|\{\s*[a-z_]+\s*:|TestAllTypes|\.get[A-Z]|\bint_|\bsize\(b|\bNaN|\binf\b|duration\(|\bexists_one\(x, x\b|_\(|\boptional|\bnull_type|\bbool\(|\bstring\(b|\bhas\(|ms\b|\.\s*\(");
}

/// <summary>A reader for the subset of protobuf text format used by cel-spec's SimpleTestFile.</summary>
internal static class SimpleTestFile
{
    public static List<SimpleTest> Read(string path)
    {
        var root = new TextProtoParser(File.ReadAllText(path)).Message();
        var tests = new List<SimpleTest>();
        foreach (var section in root.Where(f => f.Key == "section").Select(f => (List<KeyValuePair<string, object>>)f.Value))
        {
            foreach (var test in section.Where(f => f.Key == "test").Select(f => (List<KeyValuePair<string, object>>)f.Value))
            {
                var name = (string)test.First(f => f.Key == "name").Value;
                var expr = (string)test.First(f => f.Key == "expr").Value;
                var disableCheck = test.Any(f => f.Key == "disable_check" && (string)f.Value == "true");
                var needsEnv = test.Any(f => f.Key is "bindings" or "type_env" or "container" or "check_only");
                tests.Add(new SimpleTest(name, expr, disableCheck, needsEnv, Expect(test)));
            }
        }
        return tests;
    }

    private static Expectation Expect(List<KeyValuePair<string, object>> test)
    {
        if (test.Any(f => f.Key == "eval_error")) return new Expectation.Error();
        var value = test.FirstOrDefault(f => f.Key == "value").Value as List<KeyValuePair<string, object>>;
        if (value is null) return test.Any(f => f.Key is "value") ? new Expectation.Unsupported() : new Expectation.Value(true, true);
        return ToValue(value, out var v) ? new Expectation.Value(v, true) : new Expectation.Unsupported();
    }

    private static bool ToValue(List<KeyValuePair<string, object>> value, out object? result)
    {
        result = null;
        if (value.Count != 1) return false;
        var (kind, raw) = value[0];
        switch (kind)
        {
            case "int64_value": result = long.Parse((string)raw, CultureInfo.InvariantCulture); return true;
            case "string_value": result = (string)raw; return true;
            case "bool_value": result = (string)raw == "true"; return true;
            case "null_value": result = null; return true;
            case "list_value":
                var items = new List<object?>();
                foreach (var (k, element) in (List<KeyValuePair<string, object>>)raw)
                {
                    if (k != "values" || !ToValue((List<KeyValuePair<string, object>>)element, out var item)) return false;
                    items.Add(item);
                }
                result = items.ToArray();
                return true;
            default: return false;
        }
    }
}

/// <summary>Fields of a text-format message in order; a nested message is a list, a scalar its text.</summary>
internal sealed class TextProtoParser(string text)
{
    private int _at;

    public List<KeyValuePair<string, object>> Message()
    {
        var fields = new List<KeyValuePair<string, object>>();
        while (true)
        {
            Skip();
            if (_at >= text.Length || text[_at] == '}') return fields;
            var start = _at;
            while (_at < text.Length && (char.IsLetterOrDigit(text[_at]) || text[_at] is '_' or '.' or '[' or ']' or '/')) _at++;
            var key = text[start.._at];
            Skip();
            if (text[_at] == ':') { _at++; Skip(); }
            if (text[_at] is '{' or '<')
            {
                _at++;
                var nested = Message();
                _at++;
                fields.Add(new(key, nested));
            }
            else if (text[_at] is '"' or '\'')
            {
                var sb = new StringBuilder();
                while (_at < text.Length && text[_at] is '"' or '\'')
                {
                    sb.Append(QuotedString());
                    Skip();
                }
                fields.Add(new(key, sb.ToString()));
            }
            else
            {
                start = _at;
                while (_at < text.Length && !char.IsWhiteSpace(text[_at]) && text[_at] != '}') _at++;
                fields.Add(new(key, text[start.._at]));
            }
        }
    }

    private void Skip()
    {
        while (_at < text.Length)
        {
            if (char.IsWhiteSpace(text[_at])) _at++;
            else if (text[_at] == '#') while (_at < text.Length && text[_at] != '\n') _at++;
            else return;
        }
    }

    // Text-format strings hold bytes: escapes are bytes, decoded as UTF-8 at the end.
    private string QuotedString()
    {
        var quote = text[_at++];
        var bytes = new List<byte>();
        while (text[_at] != quote)
        {
            var c = text[_at++];
            if (c != '\\')
            {
                var character = char.IsHighSurrogate(c) ? new string([c, text[_at++]]) : c.ToString();
                bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(character));
                continue;
            }
            var e = text[_at++];
            switch (e)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'v': bytes.Add(11); break;
                case 'u' or 'U':
                    var width = e == 'u' ? 4 : 8;
                    var scalar = int.Parse(text.AsSpan(_at, width), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    _at += width;
                    bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(char.ConvertFromUtf32(scalar)));
                    break;
                case 'x':
                    var hex = 0;
                    var n = 0;
                    while (n < 2 && Uri.IsHexDigit(text[_at])) { hex = hex * 16 + Convert.ToInt32(text[_at++].ToString(), 16); n++; }
                    bytes.Add((byte)hex);
                    break;
                case >= '0' and <= '7':
                    var oct = e - '0';
                    for (var k = 0; k < 2 && text[_at] is >= '0' and <= '7'; k++) oct = oct * 8 + (text[_at++] - '0');
                    bytes.Add((byte)oct);
                    break;
                default: bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(e.ToString())); break;
            }
        }
        _at++;
        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }
}

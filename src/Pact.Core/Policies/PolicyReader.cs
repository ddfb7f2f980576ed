using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pact.Core.Errors;
using Pact.Core.Json;
using Pact.Core.Policies.Cel;

namespace Pact.Core.Policies;

/// <summary>
/// Reads a policy document (§13) and finds every defect a document can have on its own: members, formats, limits,
/// and each <c>when</c> compiled under the profile. Every defect is PACT-120 at a pointer relative to the policy
/// (the caller prefixes where the policy sits, e.g. "/payload/policy"). Composition is <see cref="PolicyCompiler"/>'s.
/// </summary>
public static partial class PolicyReader
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex RuleId();

    [GeneratedRegex("^[0-9a-f]{64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Hash();

    private static readonly string[] PolicyMembers = ["format", "name", "extends", "rules", "default"];
    private static readonly string[] RuleMembers = ["id", "when", "effect", "reason", "set"];
    private static readonly string[] PatchMembers = ["pointer", "value"];

    /// <summary>The document with its rules' compiled programs (in rule order), or the defects.</summary>
    public static (PolicyDocument? Document, IReadOnlyList<CelProgram> Programs, IReadOnlyList<FieldError> Errors) Read(JsonNode? node)
    {
        var errors = new List<FieldError>();
        var programs = new List<CelProgram>();
        if (node is not JsonObject obj)
        {
            errors.Add(Error("", "A policy is a JSON object."));
            return (null, programs, errors);
        }
        Unknown(obj, PolicyMembers, "", errors);
        if (Text(obj, "format", "", errors) is { } format && format != PolicyLimits.Format)
            errors.Add(Error("/format", $"The format is \"{PolicyLimits.Format}\"."));
        var name = Text(obj, "name", "", errors);
        if (name is not null && (name.Length == 0 || CelValues.CodePointLength(name) > PolicyLimits.NameMax))
            errors.Add(Error("/name", $"A name has 1 to {PolicyLimits.NameMax} characters."));
        var extends = ReadExtends(obj, errors);
        var rules = ReadRules(obj, errors, programs);
        var @default = Text(obj, "default", "", errors);
        if (@default is not null && !PolicyEffects.Defaults.Contains(@default))
            errors.Add(Error("/default", "The default is \"decline\" or \"escalate\"."));
        if (Jcs.Canonicalize(obj).Length > PolicyLimits.CanonicalBytesMax)
            errors.Add(Error("", $"The policy's canonical form is over {PolicyLimits.CanonicalBytesMax} bytes."));
        if (errors.Count > 0 || name is null || rules is null || @default is null) return (null, [], errors);
        return (new PolicyDocument(name, rules, @default, extends), programs, errors);
    }

    /// <summary>Compiles one <c>when</c> under the profile; the message says why it is refused.</summary>
    public static CelProgram? CompileWhen(string when, out string? error)
    {
        error = null;
        try
        {
            if (CelParser.NestingDepth(when) > PolicyLimits.NestingMax)
            {
                error = $"Brackets and parentheses nest more than {PolicyLimits.NestingMax} deep.";
                return null;
            }
            var program = PolicyEnvironment.Instance.Compile(when);
            if (program.ResultType is not (CelType.Bool or CelType.Dyn))
            {
                error = $"A rule's condition yields a bool, not {program.ResultType}.";
                return null;
            }
            return program;
        }
        catch (Exception e) when (e is CelSyntaxException or CelCheckException)
        {
            error = e.Message;
            return null;
        }
    }

    public static FieldError Error(string pointer, string message) => new(pointer, PactCodes.PolicyInvalid, message);

    private static List<string>? ReadExtends(JsonObject obj, List<FieldError> errors)
    {
        if (!obj.TryGetPropertyValue("extends", out var node)) return null;
        if (node is not JsonArray array)
        {
            errors.Add(Error("/extends", "extends is a list of policy hashes."));
            return null;
        }
        if (array.Count > PolicyLimits.ExtendsMax)
            errors.Add(Error("/extends", $"A policy extends at most {PolicyLimits.ExtendsMax} policies."));
        var hashes = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue v && v.TryGetValue<string>(out var h) && Hash().IsMatch(h)) hashes.Add(h);
            else errors.Add(Error($"/extends/{i}", "A policy hash is 64 lowercase hex characters."));
        }
        return hashes;
    }

    private static List<PolicyRule>? ReadRules(JsonObject obj, List<FieldError> errors, List<CelProgram> programs)
    {
        if (!obj.TryGetPropertyValue("rules", out var node))
        {
            errors.Add(Error("/rules", "rules is required."));
            return null;
        }
        if (node is not JsonArray array)
        {
            errors.Add(Error("/rules", "rules is a list."));
            return null;
        }
        if (array.Count > PolicyLimits.RulesMax)
        {
            errors.Add(Error("/rules", $"A policy has at most {PolicyLimits.RulesMax} rules."));
            return null;
        }
        var rules = new List<PolicyRule>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            var at = $"/rules/{i}";
            var rule = ReadRule(array[i], at, errors, programs);
            if (rule is null) continue;
            if (!ids.Add(rule.Id)) errors.Add(Error(at + "/id", $"The rule id '{rule.Id}' is used twice."));
            rules.Add(rule);
        }
        return rules;
    }

    private static PolicyRule? ReadRule(JsonNode? node, string at, List<FieldError> errors, List<CelProgram> programs)
    {
        if (node is not JsonObject rule)
        {
            errors.Add(Error(at, "A rule is an object."));
            return null;
        }
        var before = errors.Count;
        Unknown(rule, RuleMembers, at, errors);
        var id = Text(rule, "id", at, errors);
        if (id is not null && !RuleId().IsMatch(id))
            errors.Add(Error(at + "/id", "A rule id matches [a-z0-9][a-z0-9-]{0,63}."));
        var when = Text(rule, "when", at, errors);
        CelProgram? program = null;
        if (when is not null)
        {
            if (when.Length == 0 || CelValues.CodePointLength(when) > PolicyLimits.WhenMax)
                errors.Add(Error(at + "/when", $"A condition has 1 to {PolicyLimits.WhenMax} characters."));
            else if ((program = CompileWhen(when, out var whyNot)) is null)
                errors.Add(Error(at + "/when", whyNot!));
        }
        var effect = Text(rule, "effect", at, errors);
        if (effect is not null && !PolicyEffects.RuleEffects.Contains(effect))
            errors.Add(Error(at + "/effect", "An effect is sign, decline, counter or escalate."));
        string? reason = null;
        if (rule.ContainsKey("reason"))
        {
            reason = Text(rule, "reason", at, errors);
            if (reason is not null && CelValues.CodePointLength(reason) > PolicyLimits.ReasonMax)
                errors.Add(Error(at + "/reason", $"A reason has at most {PolicyLimits.ReasonMax} characters."));
        }
        var set = ReadSet(rule, effect, at, errors);
        if (errors.Count > before || id is null || when is null || effect is null || program is null) return null;
        programs.Add(program);
        return new PolicyRule(id, when, effect, reason, set);
    }

    private static List<PolicyPatch>? ReadSet(JsonObject rule, string? effect, string at, List<FieldError> errors)
    {
        if (!rule.TryGetPropertyValue("set", out var node))
        {
            if (effect == PolicyEffects.Counter) errors.Add(Error(at + "/set", "A counter rule needs set."));
            return null;
        }
        if (effect != PolicyEffects.Counter)
        {
            errors.Add(Error(at + "/set", "Only a counter rule has set."));
            return null;
        }
        if (node is not JsonArray array || array.Count < PolicyLimits.SetMin || array.Count > PolicyLimits.SetMax)
        {
            errors.Add(Error(at + "/set", $"set is a list of {PolicyLimits.SetMin} to {PolicyLimits.SetMax} {{ pointer, value }}."));
            return null;
        }
        var patches = new List<PolicyPatch>();
        for (var i = 0; i < array.Count; i++)
        {
            var entryAt = $"{at}/set/{i}";
            if (array[i] is not JsonObject entry)
            {
                errors.Add(Error(entryAt, "A set entry is { pointer, value }."));
                continue;
            }
            Unknown(entry, PatchMembers, entryAt, errors);
            var pointer = Text(entry, "pointer", entryAt, errors);
            if (!entry.ContainsKey("value")) errors.Add(Error(entryAt + "/value", "value is required."));
            if (pointer is null) continue;
            if (!TermsPatch.IsValidPointer(pointer) || pointer.Length == 0)
                errors.Add(Error(entryAt + "/pointer", "pointer is an RFC 6901 JSON pointer into the terms."));
            else if (PolicyLimits.ProtectedPointers.Any(p => pointer == p || pointer.StartsWith(p + "/", StringComparison.Ordinal)))
                errors.Add(Error(entryAt + "/pointer", $"A counter may not change {pointer}."));
            else
                patches.Add(new PolicyPatch(pointer, entry["value"]?.DeepClone()));
        }
        return patches;
    }

    private static string? Text(JsonObject obj, string member, string at, List<FieldError> errors)
    {
        if (!obj.TryGetPropertyValue(member, out var node))
        {
            errors.Add(Error($"{at}/{member}", $"{member} is required."));
            return null;
        }
        if (node is JsonValue v && v.TryGetValue<string>(out var text)) return text;
        errors.Add(Error($"{at}/{member}", $"{member} is a string."));
        return null;
    }

    private static void Unknown(JsonObject obj, string[] known, string at, List<FieldError> errors)
    {
        foreach (var (key, _) in obj)
        {
            if (!known.Contains(key)) errors.Add(Error(JsonPointer.Append(at, key), $"Unknown member '{key}'."));
        }
    }
}

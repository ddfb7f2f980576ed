using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Json;
using Pact.Core.Policies.Cel;

namespace Pact.Core.Policies;

/// <summary>Finds a published policy by hash, compiled (the store and the daemon's cache supply it; null when not published).</summary>
public interface IPolicyResolver
{
    CompiledPolicy? Find(string policyHash);
}

/// <summary>A resolver over policies held in memory (tests, the SDK's offline evaluation, an export's <c>policies</c>).</summary>
public sealed class InMemoryPolicyResolver : IPolicyResolver
{
    private readonly Dictionary<string, CompiledPolicy> _policies = new(StringComparer.Ordinal);

    public CompiledPolicy? Find(string policyHash) => _policies.GetValueOrDefault(policyHash);

    public void Add(CompiledPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policies[policy.PolicyHash] = policy;
    }
}

/// <summary>A rule of the composed policy, with the policy that defines it and its compiled condition.</summary>
public sealed record EffectiveRule(PolicyRule Rule, string PolicyHash, CelProgram Program);

/// <summary>
/// A policy ready to evaluate: the document, its hash, and the effective rule list of §13's composition (for each
/// <c>extends</c> hash in order its effective rules, then its own; a policy reached twice contributes once).
/// </summary>
public sealed class CompiledPolicy
{
    internal CompiledPolicy(PolicyDocument document, JsonObject json, string policyHash, IReadOnlyList<EffectiveRule> rules,
        IReadOnlyList<string> reached, int depth, string? defect = null)
    {
        Defect = defect;
        Document = document;
        Json = json;
        PolicyHash = policyHash;
        Rules = rules;
        Reached = reached;
        Depth = depth;
    }

    public PolicyDocument Document { get; }

    /// <summary>The document exactly as published (what is hashed and served).</summary>
    public JsonObject Json { get; }

    public string PolicyHash { get; }

    public IReadOnlyList<EffectiveRule> Rules { get; }

    /// <summary>Every policy that contributes rules, in composition order, this one last.</summary>
    public IReadOnlyList<string> Reached { get; }

    /// <summary>Levels of <c>extends</c> below this policy (at most 4).</summary>
    public int Depth { get; }

    public string Default => Document.Default;

    /// <summary>
    /// Why a stored policy no longer compiles (a bound tightened after it was published), or null. Such a policy has
    /// no rules and every decision of it is <c>escalate</c> with <see cref="UnusableReason"/>, the same live, in verify
    /// and offline.
    /// </summary>
    public string? Defect { get; }

    /// <summary>The reason of an unusable policy's decision: fixed text (it is hashed), the detail stays in <see cref="Defect"/>.</summary>
    public const string UnusableReason = "The policy does not compile under this implementation's current bounds; a person decides.";

    /// <summary>
    /// Compiles a policy already published (from the store, or an export's <c>policies</c>): one that compiled when
    /// published but no longer does, or extends one that no longer does, comes back unusable (see <see cref="Defect"/>)
    /// rather than failing. Null only when a policy it extends is not available from <paramref name="resolver"/>.
    /// </summary>
    public static CompiledPolicy? CompilePublished(JsonObject json, IPolicyResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(json);
        var extends = (json["extends"] as JsonArray ?? []).Select(n => n is JsonValue v && v.TryGetValue<string>(out var h) ? h : null).ToList();
        var parents = extends.Select(h => h is null ? null : resolver.Find(h)).ToList();
        if (parents.Any(p => p is null) && extends.All(h => h is not null)) return null;
        var (compiled, error) = Compile(json, resolver);
        if (compiled is not null) return compiled;
        var hash = PolicyDocument.HashOf(json);
        var name = json["name"] is JsonValue n && n.TryGetValue<string>(out var text) ? text : "";
        var document = new PolicyDocument(name, [], PolicyEffects.Escalate, extends.OfType<string>().ToList());
        return new CompiledPolicy(document, (JsonObject)json.DeepClone(), hash, [], [hash], 0,
            string.Join("; ", error!.Errors?.Select(e => $"{e.Pointer}: {e.Message}") ?? [error.Detail ?? "does not compile"]));
    }

    /// <summary>
    /// Reads, checks and composes a policy (§13). Every defect is a 422 PACT-120 whose pointers are prefixed with
    /// <paramref name="pointerPrefix"/> (where the policy sits in the request body).
    /// </summary>
    public static (CompiledPolicy? Policy, PactError? Error) Compile(JsonNode? node, IPolicyResolver resolver, string pointerPrefix = "")
    {
        ArgumentNullException.ThrowIfNull(resolver);
        var (document, programs, errors) = PolicyReader.Read(node);
        if (document is null) return (null, Refusal(errors.Concat(UnpublishedExtends(node, resolver)), pointerPrefix));
        var json = node!.AsObject();
        var hash = PolicyDocument.HashOf(json);
        var composeErrors = new List<FieldError>();
        var rules = new List<EffectiveRule>();
        var reached = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { hash };
        var depth = 0;
        var extends = document.Extends ?? [];
        for (var i = 0; i < extends.Count; i++)
        {
            var parent = resolver.Find(extends[i]);
            if (parent is null)
            {
                composeErrors.Add(PolicyReader.Error($"/extends/{i}", $"The policy {extends[i]} is not published on this daemon."));
                continue;
            }
            if (parent.Defect is not null)
            {
                composeErrors.Add(PolicyReader.Error($"/extends/{i}", $"The policy {extends[i]} no longer compiles: {parent.Defect}"));
                continue;
            }
            depth = Math.Max(depth, parent.Depth + 1);
            foreach (var contributor in parent.Reached)
            {
                if (!seen.Add(contributor)) continue;
                reached.Add(contributor);
                rules.AddRange(parent.Rules.Where(r => r.PolicyHash == contributor));
            }
        }
        if (depth > PolicyLimits.ExtendsDepthMax)
            composeErrors.Add(PolicyReader.Error("/extends", $"extends reaches {depth} levels deep; at most {PolicyLimits.ExtendsDepthMax} are allowed."));
        var inheritedIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var inherited in rules)
        {
            if (!inheritedIds.TryAdd(inherited.Rule.Id, inherited.PolicyHash))
                composeErrors.Add(PolicyReader.Error("/extends", $"The rule id '{inherited.Rule.Id}' is defined by two extended policies."));
        }
        for (var i = 0; i < document.Rules.Count; i++)
        {
            var own = document.Rules[i];
            if (inheritedIds.ContainsKey(own.Id))
                composeErrors.Add(PolicyReader.Error($"/rules/{i}/id", $"The rule id '{own.Id}' is already defined by an extended policy."));
            rules.Add(new EffectiveRule(own, hash, programs[i]));
        }
        reached.Add(hash);
        if (rules.Count > PolicyLimits.EffectiveRulesMax)
            composeErrors.Add(PolicyReader.Error("/rules", $"The composed policy has {rules.Count} rules; at most {PolicyLimits.EffectiveRulesMax} are allowed."));
        if (composeErrors.Count > 0) return (null, Refusal(composeErrors, pointerPrefix));
        return (new CompiledPolicy(document, (JsonObject)json.DeepClone(), hash, rules, reached, depth), null);
    }

    // Reported with the document's own defects, so that one answer names every one.
    private static IEnumerable<FieldError> UnpublishedExtends(JsonNode? node, IPolicyResolver resolver)
    {
        if (node is not JsonObject obj || obj["extends"] is not JsonArray extends) yield break;
        for (var i = 0; i < extends.Count; i++)
        {
            if (extends[i] is JsonValue v && v.TryGetValue<string>(out var hash) && Encoding.Hex.IsDigest(hash) && resolver.Find(hash) is null)
                yield return PolicyReader.Error($"/extends/{i}", $"The policy {hash} is not published on this daemon.");
        }
    }

    private static PactError Refusal(IEnumerable<FieldError> errors, string prefix) =>
        PactError.FromFieldErrors("Policy is invalid", errors.Select(e => e with { Pointer = prefix + e.Pointer }));
}

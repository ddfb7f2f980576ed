using System.Text.Json.Nodes;
using Pact.Core.Policies;

namespace Pact.Client;

/// <summary>
/// Builds a <see cref="PolicyDocument"/> (§13) rule by rule, in evaluation order:
/// <code>
/// var policy = new PolicyBuilder("acme-intake")
///     .Decline("no-advanced", "terms.tier == 'advanced'", "Advanced-tier compacts need a human.")
///     .Counter("long-notice", "isoSeconds(terms.revocation.noticePeriod) > isoSeconds('P30D')", ("/revocation/noticePeriod", "P30D"))
///     .Sign("trusted-standard", "terms.tier == 'standard' &amp;&amp; counterparty.passport.score >= 6000")
///     .Build();
/// </code>
/// Each condition is compiled as it is added, so a condition outside the profile fails here, not at publication.
/// </summary>
public sealed class PolicyBuilder(string name)
{
    private readonly List<PolicyRule> _rules = [];
    private readonly List<string> _extends = [];
    private string _default = PolicyEffects.Escalate;

    /// <summary>Takes the effective rules of a published policy first (in the order extends are added).</summary>
    public PolicyBuilder Extends(string policyHash)
    {
        _extends.Add(policyHash);
        return this;
    }

    /// <summary>Signs when <paramref name="when"/> is true.</summary>
    public PolicyBuilder Sign(string id, string when, string? reason = null) => Add(new PolicyRule(id, when, PolicyEffects.Sign, reason));

    /// <summary>Declines (with <paramref name="reason"/>) when <paramref name="when"/> is true.</summary>
    public PolicyBuilder Decline(string id, string when, string? reason = null) => Add(new PolicyRule(id, when, PolicyEffects.Decline, reason));

    /// <summary>Leaves the proposal to the agent when <paramref name="when"/> is true.</summary>
    public PolicyBuilder Escalate(string id, string when, string? reason = null) => Add(new PolicyRule(id, when, PolicyEffects.Escalate, reason));

    /// <summary>A counter: the terms with each (pointer, value) added (RFC 6902 add), proposed back if the same policy signs them.</summary>
    public PolicyBuilder Counter(string id, string when, params (string Pointer, JsonNode? Value)[] set) =>
        Add(new PolicyRule(id, when, PolicyEffects.Counter, null, [.. set.Select(s => new PolicyPatch(s.Pointer, s.Value))]));

    /// <summary>A counter with a reason.</summary>
    public PolicyBuilder Counter(string id, string when, string reason, params (string Pointer, JsonNode? Value)[] set) =>
        Add(new PolicyRule(id, when, PolicyEffects.Counter, reason, [.. set.Select(s => new PolicyPatch(s.Pointer, s.Value))]));

    /// <summary>What decides when no rule is true: "decline" or "escalate" (the default).</summary>
    public PolicyBuilder Otherwise(string effect)
    {
        if (!PolicyEffects.Defaults.Contains(effect)) throw new ArgumentException("The default is \"decline\" or \"escalate\".", nameof(effect));
        _default = effect;
        return this;
    }

    /// <summary>The document; publish it with <see cref="PactClient.PublishPolicyAsync(PolicyDocument, CancellationToken)"/>.</summary>
    public PolicyDocument Build() => new(name, [.. _rules], _default, _extends.Count == 0 ? null : [.. _extends]);

    private PolicyBuilder Add(PolicyRule rule)
    {
        if (PolicyReader.CompileWhen(rule.When, out var error) is null)
            throw new ArgumentException($"Rule '{rule.Id}': {error}", nameof(rule));
        _rules.Add(rule);
        return this;
    }
}

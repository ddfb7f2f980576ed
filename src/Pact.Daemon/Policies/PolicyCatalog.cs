using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Policies;
using Pact.Store;

namespace Pact.Daemon.Policies;

/// <summary>
/// Published policies compiled once and cached by policy hash (§13: the hash names the content, so an entry never goes
/// stale). Loads a policy and, first, everything it extends from the store on a miss; serves as the composition's
/// <see cref="IPolicyResolver"/> over what is loaded.
/// </summary>
public sealed class PolicyCatalog(IPolicyStore policies) : IPolicyResolver
{
    private readonly ConcurrentDictionary<string, CompiledPolicy> _compiled = new(StringComparer.Ordinal);

    /// <summary>Compiled policies held in memory (for tests and diagnostics).</summary>
    public int CachedCount => _compiled.Count;

    public CompiledPolicy? Find(string policyHash) => _compiled.GetValueOrDefault(policyHash);

    /// <summary>The published policy, compiled; null when that hash is not published here.</summary>
    public async Task<CompiledPolicy?> GetAsync(string policyHash, CancellationToken ct)
    {
        if (_compiled.TryGetValue(policyHash, out var cached)) return cached;
        if (await policies.GetAsync(policyHash, ct) is not { } record) return null;
        await LoadExtendedAsync(record.Document, ct);
        // A stored policy compiled when published; one a later-tightened bound refuses comes back unusable (it escalates).
        var compiled = CompiledPolicy.CompilePublished(record.Document, this)
            ?? throw new InvalidOperationException($"Published policy {policyHash} extends a policy this daemon does not hold.");
        return _compiled.GetOrAdd(policyHash, compiled);
    }

    /// <summary>Reads, checks and composes a policy from a request, its defects as PACT-120 under <paramref name="pointerPrefix"/>.</summary>
    public async Task<(CompiledPolicy? Policy, PactError? Error)> CompileAsync(JsonNode? policy, string pointerPrefix, CancellationToken ct)
    {
        await LoadExtendedAsync(policy, ct);
        return CompiledPolicy.Compile(policy, this, pointerPrefix);
    }

    /// <summary>Keeps a policy just published (it is already compiled).</summary>
    public void Remember(CompiledPolicy policy) => _compiled.TryAdd(policy.PolicyHash, policy);

    // Loads every well-formed extends hash that is published, so the synchronous composition finds them.
    private async Task LoadExtendedAsync(JsonNode? policy, CancellationToken ct)
    {
        if (policy is not JsonObject obj || obj["extends"] is not JsonArray extends) return;
        foreach (var item in extends.Take(PolicyLimits.ExtendsMax))
        {
            if (item is JsonValue v && v.TryGetValue<string>(out var hash) && Core.Encoding.Hex.IsDigest(hash)) await GetAsync(hash, ct);
        }
    }
}

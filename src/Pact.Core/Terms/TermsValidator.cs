using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Identity;
using Pact.Core.Negotiation;
using Pact.Core.Stdlib;

namespace Pact.Core.Terms;

/// <summary>What the daemon knows about a compact named in <c>upstream</c>: the version now in force and its two agents.</summary>
public sealed record UpstreamInfo(long InForceVersion, string AgentA, string AgentB)
{
    public bool HasParty(string agentDid) => AgentA == agentDid || AgentB == agentDid;
}

/// <summary>
/// The daemon's side of validation. A null function skips its check (an SDK checking terms offline has
/// no registry); the daemon must supply both.
/// </summary>
/// <param name="IsRegisteredAgent">true when the did is a registered agent (PACT-106).</param>
/// <param name="InForceVersion">for (compactId, version): the compact's in-force version and parties, or null when the
/// compact is unknown, not visible to the proposer or has no version in force (PACT-108).</param>
/// <param name="Proposer">the did of the agent proposing the terms; it must be a party of every upstream compact (PACT-108).</param>
/// <param name="ProposedAt">when the terms are proposed: their negotiationTimeout must then end on a real instant
/// (<see cref="ProposalExpiry.Problem"/>); null when nobody proposes them now.</param>
public sealed record TermsValidationContext(
    Func<string, bool>? IsRegisteredAgent = null,
    Func<string, long, UpstreamInfo?>? InForceVersion = null,
    string? Proposer = null,
    DateTimeOffset? ProposedAt = null)
{
    /// <summary>Checks what the terms alone decide; registration and upstream state are not looked at.</summary>
    public static TermsValidationContext Offline { get; } = new();
}

/// <summary>
/// The semantic checks of §4.2 and the tier rules of §4.5 (PACT-102…108) on terms that passed
/// <see cref="TermsReader"/>. Finds every violation, sorted by pointer then code.
/// </summary>
public static class TermsValidator
{
    public const string Title = "Terms are invalid";

    /// <summary>Read (PACT-101), and only if that succeeds, validate (PACT-102…108); all errors in one 422.</summary>
    /// <param name="pointerPrefix">where the terms sit in the request body (e.g. "/payload/terms"), prefixed to every pointer.</param>
    public static (CompactTerms? Terms, PactError? Error) ReadAndValidate(JsonNode? node, TermsValidationContext context, string pointerPrefix = "")
    {
        var (terms, readErrors) = TermsReader.Read(node);
        if (terms is null) return (null, PactError.FromFieldErrors(Title, Prefixed(readErrors, pointerPrefix)));
        var errors = Validate(terms, context);
        return errors.Count == 0 ? (terms, null) : (null, PactError.FromFieldErrors(Title, Prefixed(errors, pointerPrefix)));
    }

    public static IReadOnlyList<FieldError> Validate(CompactTerms terms, TermsValidationContext context)
    {
        var errors = new List<FieldError>();
        CheckVocabulary(terms, errors);
        CheckDispositionsPresent(terms, errors);
        CheckTierRules(terms, errors);
        CheckParties(terms, context, errors);
        if (terms.Scope.Effective.IsEmpty)
            errors.Add(new FieldError("/scope/effective", PactCodes.EmptyEffectiveInterval, "The effective interval is empty: 'from' must be before 'until'."));
        CheckUpstream(terms, context, errors);
        if (context.ProposedAt is { } at && ProposalExpiry.Problem(terms.NegotiationTimeoutDuration, at) is { } unreachable) errors.Add(unreachable);
        return TermsReader.Sorted(errors);
    }

    /// <summary>
    /// True when an <c>extensions</c> entry points at the node or one of its ancestors, which lifts the tier
    /// rules there (§4.5). Pointers compare token by token, so "/retention/a/1" does not cover "/retention/a/10".
    /// </summary>
    public static bool IsCoveredByExtension(CompactTerms terms, string pointer) =>
        terms.Extensions.Any(e => pointer == e.Pointer || pointer.StartsWith(e.Pointer + "/", StringComparison.Ordinal));

    /// <summary>The node the advanced tier's principal rule is about; an extension covering it waives the rule for that party.</summary>
    public static string PrincipalPointer(PartyRole role) => $"/parties/{role.ToWire()}/principal";

    private static IEnumerable<FieldError> Prefixed(IEnumerable<FieldError> errors, string prefix) =>
        prefix.Length == 0 ? errors : errors.Select(e => e with { Pointer = prefix + e.Pointer });

    private static void CheckVocabulary(CompactTerms terms, List<FieldError> errors)
    {
        var library = StandardLibrary.Find(terms.Stdlib);
        if (library is null)
            errors.Add(new FieldError("/stdlib", PactCodes.UnknownVocabulary, $"No standard library '{terms.Stdlib}' is known here."));

        var inlineCategories = terms.Definitions.Categories.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var inlineRecipients = terms.Definitions.Recipients.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var inlineOperations = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var op in terms.Definitions.Operations) inlineOperations.TryAdd(op.Id, op.OperatesOn);

        // Under a pin this daemon does not know, only inline ("x-") ids can be judged; the pin itself is the error.
        bool Judged(string id) => library is not null || id.StartsWith("x-", StringComparison.Ordinal);
        bool IsCategory(string id) => inlineCategories.Contains(id) || library?.IsCategory(id) == true || !Judged(id);
        bool IsRecipient(string id) => inlineRecipients.Contains(id) || library?.IsRecipient(id) == true || !Judged(id);
        IReadOnlyList<string>? OperatesOn(string id) =>
            inlineOperations.TryGetValue(id, out var on) ? on : library?.Operation(id)?.OperatesOn;

        for (var i = 0; i < terms.Definitions.Operations.Count; i++)
        {
            var op = terms.Definitions.Operations[i];
            for (var j = 0; j < op.OperatesOn.Count; j++)
            {
                if (!IsCategory(op.OperatesOn[j]))
                    errors.Add(Unknown($"/definitions/operations/{i}/operatesOn/{j}", "category", op.OperatesOn[j]));
            }
        }

        void CheckDerive(IReadOnlyList<string> derive, string category, string pointer)
        {
            for (var k = 0; k < derive.Count; k++)
            {
                var on = OperatesOn(derive[k]);
                if (on is null)
                {
                    if (Judged(derive[k])) errors.Add(Unknown($"{pointer}/{k}", "operation", derive[k]));
                }
                else if (!on.Contains(category, StringComparer.Ordinal))
                    errors.Add(new FieldError($"{pointer}/{k}", PactCodes.OperationCategoryMismatch,
                        $"Operation '{derive[k]}' does not operate on '{category}' (it reads only {string.Join(", ", on)})."));
            }
        }

        void CheckEdges(IReadOnlyList<PropagationEdge> edges, string pointer)
        {
            for (var k = 0; k < edges.Count; k++)
            {
                if (!IsRecipient(edges[k].To)) errors.Add(Unknown($"{pointer}/{k}/to", "recipient", edges[k].To));
            }
        }

        foreach (var (pointer, entry) in Entries(terms))
        {
            if (!IsCategory(entry.Category)) errors.Add(Unknown($"{pointer}/category", "category", entry.Category));
            CheckDerive(entry.Derive, entry.Category, $"{pointer}/derive");
            CheckEdges(entry.Propagate, $"{pointer}/propagate");
            foreach (var (e, rule) in entry.Disposition.Present())
            {
                var at = $"{pointer}/disposition/{e.ToWire()}";
                if (rule.Derive is not null) CheckDerive(rule.Derive, entry.Category, $"{at}/derive");
                if (rule.Propagate is not null) CheckEdges(rule.Propagate, $"{at}/propagate");
            }
        }
    }

    private static FieldError Unknown(string pointer, string kind, string id) =>
        new(pointer, PactCodes.UnknownVocabulary, $"'{id}' is neither a {kind} of the pinned standard library nor defined in 'definitions'.");

    private static void CheckDispositionsPresent(CompactTerms terms, List<FieldError> errors)
    {
        foreach (var (pointer, entry) in Entries(terms))
        {
            foreach (var e in Enum.GetValues<LifecycleEvent>())
            {
                if (e == LifecycleEvent.Upstream && terms.Upstream.Count == 0) continue;
                if (entry.Disposition[e] is null)
                    errors.Add(new FieldError($"{pointer}/disposition/{e.ToWire()}", PactCodes.MissingDisposition,
                        $"Category '{entry.Category}' says nothing about what happens to it on {e.ToWire()}."));
            }
        }
    }

    private static readonly Time.IsoDuration MinimalMaxPeriod = Time.IsoDuration.Parse("P90D");

    /// <summary>Categories the minimal tier lets a party keep beyond the compact: the agreed scope and dispute evidence.</summary>
    private static readonly string[] MinimalKeepable = ["work-scope", "dispute-records"];

    private static void CheckTierRules(CompactTerms terms, List<FieldError> errors)
    {
        void Broken(string pointer, string message)
        {
            if (!IsCoveredByExtension(terms, pointer))
                errors.Add(new FieldError(pointer, PactCodes.TierRuleBroken, message + " (no extension covers this)."));
        }

        void CheckPeriod(string? period, string pointer)
        {
            if (period is not null && Time.IsoDuration.Parse(period).ComparableSeconds > MinimalMaxPeriod.ComparableSeconds)
                Broken(pointer, $"The minimal tier allows periods up to P90D, not {period}");
        }

        foreach (var (pointer, entry) in Entries(terms))
        {
            var edges = new List<(string Pointer, PropagationEdge Edge)>();
            for (var k = 0; k < entry.Propagate.Count; k++) edges.Add(($"{pointer}/propagate/{k}", entry.Propagate[k]));
            foreach (var (e, rule) in entry.Disposition.Present())
            {
                for (var k = 0; k < (rule.Propagate?.Count ?? 0); k++)
                    edges.Add(($"{pointer}/disposition/{e.ToWire()}/propagate/{k}", rule.Propagate![k]));
            }

            if (terms.Tier == Tier.Minimal)
            {
                var keepable = MinimalKeepable.Contains(entry.Category, StringComparer.Ordinal);
                foreach (var (at, _) in edges) Broken(at, "The minimal tier allows no propagation");
                CheckPeriod(entry.Retain.Period, $"{pointer}/retain/period");
                if (entry.Retain.Mode == RetainMode.Indefinite && !keepable)
                    Broken($"{pointer}/retain/mode", $"The minimal tier allows indefinite retention only of {string.Join(" and ", MinimalKeepable)}");
                foreach (var (e, rule) in entry.Disposition.Present())
                {
                    var at = $"{pointer}/disposition/{e.ToWire()}";
                    CheckPeriod(rule.Period, $"{at}/period");
                    // For the other categories this also rules out retain-indefinitely.
                    if (!keepable && rule.Action != DispositionAction.Delete)
                        Broken($"{at}/action", $"The minimal tier deletes '{entry.Category}' on {e.ToWire()}, not {rule.Action.ToWire()}");
                }
            }
            else
            {
                foreach (var (at, edge) in edges)
                {
                    if (edge.MinTier < Tier.Standard)
                        Broken($"{at}/requiresCompact/minTier", $"A {terms.Tier.ToWire()} compact propagates only to recipients bound by a standard compact or better, not {edge.MinTier.ToWire()}");
                }
            }
        }

        if (terms.Tier == Tier.Advanced)
        {
            foreach (var role in Enum.GetValues<PartyRole>())
            {
                // Both principals authorize by signature in the advanced tier, so both must be did:keys.
                if (!DidKey.IsValid(terms.Parties[role].Principal.Id))
                    Broken(PrincipalPointer(role), $"The advanced tier needs party {role.ToWire()}'s principal to be a did:key that signs the terms");
            }
        }
    }

    private static void CheckParties(CompactTerms terms, TermsValidationContext context, List<FieldError> errors)
    {
        if (terms.Parties.A.Agent == terms.Parties.B.Agent)
            errors.Add(new FieldError("/parties/b/agent", PactCodes.InvalidParties, "The two parties must be different agents."));
        if (context.IsRegisteredAgent is null) return;
        foreach (var role in Enum.GetValues<PartyRole>())
        {
            var agent = terms.Parties[role].Agent;
            if (!context.IsRegisteredAgent(agent))
                errors.Add(new FieldError($"/parties/{role.ToWire()}/agent", PactCodes.InvalidParties, $"{agent} is not a registered agent."));
        }
    }

    private static void CheckUpstream(CompactTerms terms, TermsValidationContext context, List<FieldError> errors)
    {
        if (context.InForceVersion is null) return;
        for (var i = 0; i < terms.Upstream.Count; i++)
        {
            var up = terms.Upstream[i];
            var info = context.InForceVersion(up.CompactId, up.Version);
            if (info is null)
            {
                errors.Add(new FieldError($"/upstream/{i}/compactId", PactCodes.InvalidUpstream, $"Compact {up.CompactId} has no version in force."));
                continue;
            }
            if (info.InForceVersion != up.Version)
                errors.Add(new FieldError($"/upstream/{i}/version", PactCodes.InvalidUpstream,
                    $"Version {up.Version} of {up.CompactId} is not the one in force (that is version {info.InForceVersion})."));
            if (context.Proposer is not null && !info.HasParty(context.Proposer))
                errors.Add(new FieldError($"/upstream/{i}", PactCodes.InvalidUpstream, $"The proposer is not a party of {up.CompactId}."));
        }
    }

    private static IEnumerable<(string Pointer, RetentionEntry Entry)> Entries(CompactTerms terms)
    {
        foreach (var role in Enum.GetValues<PartyRole>())
        {
            var slice = terms.Retention[role];
            for (var i = 0; i < slice.Count; i++) yield return ($"/retention/{role.ToWire()}/{i}", slice[i]);
        }
    }
}

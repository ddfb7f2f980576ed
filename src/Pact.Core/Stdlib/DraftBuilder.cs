using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Ids;
using Pact.Core.Terms;

namespace Pact.Core.Stdlib;

/// <summary>Which library categories each side's slice gets; a null side gets every category of the library.</summary>
public sealed record DraftCategories(IReadOnlyList<string>? A = null, IReadOnlyList<string>? B = null)
{
    public IReadOnlyList<string>? this[PartyRole role] => role == PartyRole.A ? A : B;
}

/// <summary>The body of <c>POST /v1/compacts/draft</c> (§4.4).</summary>
public sealed record DraftRequest(Tier Tier, string Domain, Parties Parties, Scope Scope, DraftCategories? Categories = null, string? CompactId = null)
{
    private static readonly string[] Required = ["tier", "domain", "parties", "scope"];
    private static readonly string[] Sides = ["a", "b"];

    /// <summary>
    /// Reads the request body. Parties and scope are held to the terms schema (PACT-101 with the body's
    /// pointers); unknown members are ignored, as in every unsigned body (§0).
    /// </summary>
    public static (DraftRequest? Request, PactError? Error) FromJson(JsonNode? body)
    {
        var r = new SchemaReader([]);
        if (body is not JsonObject obj)
        {
            r.Fail("", "The body must be an object { tier, domain, parties, scope, categories?, compactId? }.");
            return (null, PactError.FromFieldErrors(DraftBuilder.Title, r.Errors));
        }
        foreach (var name in Required)
        {
            if (!obj.ContainsKey(name)) r.Fail("/" + name, $"Member '{name}' is required.");
        }
        var tier = SchemaReader.MemberValue(obj, "tier", "", r.Enum<Tier>);
        var domain = SchemaReader.Member(obj, "domain", "", (n, p) => r.String(n, p, 1, 128));
        var parties = SchemaReader.Member(obj, "parties", "", (n, p) => TermsReader.ReadParties(r, n, p));
        var scope = SchemaReader.Member(obj, "scope", "", (n, p) => TermsReader.ReadScope(r, n, p));
        var compactId = SchemaReader.Member(obj, "compactId", "", r.CompactId);
        DraftCategories? categories = null;
        if (obj.TryGetPropertyValue("categories", out var categoriesNode))
        {
            var c = r.Object(categoriesNode, "/categories", [], Sides);
            categories = new DraftCategories(
                SchemaReader.Member(c, "a", "/categories", (n, p) => r.Strings(n, p, r.Id, unique: true)),
                SchemaReader.Member(c, "b", "/categories", (n, p) => r.Strings(n, p, r.Id, unique: true)));
        }
        if (r.Errors.Count > 0 || tier is null || domain is null || parties is null || scope is null)
            return (null, PactError.FromFieldErrors(DraftBuilder.Title, r.Errors));
        return (new DraftRequest(tier.Value, domain, parties, scope, categories, compactId), null);
    }
}

/// <summary>
/// Builds complete, explicit, unsigned terms from a tier's defaults, as the library file's <c>draft</c> rule
/// says: acp 0.1, version 1, no predecessor, the request's tier, domain, parties and scope, the library's
/// pin, for each side the requested categories (all of them when the side is left out) in library order with
/// the tier's category defaults, the tier's revocation and negotiation timeout, and no upstream, definitions
/// or extensions. The compact id is the request's, or "cmp_" and a fresh ULID.
/// </summary>
public static class DraftBuilder
{
    public const string Title = "Draft request is invalid";
    public const string CompactIdPrefix = "cmp_";

    public static (JsonObject? Terms, PactError? Error) Build(JsonNode? body, DateTimeOffset now)
    {
        var (request, error) = DraftRequest.FromJson(body);
        return request is null ? (null, error) : Build(request, now);
    }

    public static (JsonObject? Terms, PactError? Error) Build(DraftRequest request, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        var library = StandardLibrary.ForDomain(request.Domain);
        if (library is null)
            errors.Add(new FieldError("/domain", PactCodes.UnknownVocabulary, $"No standard library covers the domain '{request.Domain}'."));
        if (request.CompactId is not null && !SchemaReader.CompactIdPattern().IsMatch(request.CompactId))
            errors.Add(new FieldError("/compactId", PactCodes.InvalidPayload, "Must be a compact id: \"cmp_\" followed by 8 to 64 of A-Z, a-z, 0-9, '_' and '-'."));
        if (library is null) return (null, PactError.FromFieldErrors(Title, errors));

        var defaults = library.Tier(request.Tier).Defaults;
        var slices = new Dictionary<PartyRole, List<RetentionEntry>>();
        foreach (var role in Enum.GetValues<PartyRole>())
        {
            var requested = request.Categories?[role];
            if (requested is not null)
            {
                for (var j = 0; j < requested.Count; j++)
                {
                    if (!library.IsCategory(requested[j]))
                        errors.Add(new FieldError($"/categories/{role.ToWire()}/{j}", PactCodes.UnknownVocabulary,
                            $"'{requested[j]}' is not a category of {library.Id}."));
                }
            }
            // Library order, whatever order the request listed them in.
            slices[role] = library.Categories
                .Where(c => requested is null || requested.Contains(c.Id, StringComparer.Ordinal))
                .Select(c => defaults.For(c.Id) ?? throw new InvalidOperationException($"Tier {request.Tier.ToWire()} of {library.Id} has no defaults for {c.Id}."))
                .ToList();
        }
        if (errors.Count > 0) return (null, PactError.FromFieldErrors(Title, errors));

        var terms = new CompactTerms(
            CompactTerms.AcpVersion,
            request.CompactId ?? PactIds.New(CompactIdPrefix, now),
            Version: 1,
            Predecessor: null,
            request.Tier,
            request.Domain,
            library.Id,
            request.Parties,
            request.Scope,
            new Retention(slices[PartyRole.A], slices[PartyRole.B]),
            defaults.Revocation,
            Upstream: [],
            Definitions.Empty,
            Extensions: [],
            defaults.NegotiationTimeout);
        var json = terms.ToJson();

        // A request built in code rather than read from JSON could carry parties or a scope the schema refuses.
        var (_, readErrors) = TermsReader.Read(json);
        return readErrors.Count > 0 ? (null, PactError.FromFieldErrors(Title, readErrors)) : (json, null);
    }
}

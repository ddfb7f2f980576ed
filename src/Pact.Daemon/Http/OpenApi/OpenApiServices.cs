using Microsoft.OpenApi;

namespace Pact.Daemon.Http.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document at /openapi/v1.json and Swagger UI at /swagger, generated from the controllers and the
/// types they declare, then completed by the transformers: operation ids, who may call, streams, examples.
/// The document passes <c>npx @redocly/cli lint</c> with its recommended rules (docs/operations.md).
/// </summary>
public static class OpenApiServices
{
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>What each group of operations is for; a tag the daemon serves without a line here fails a test.</summary>
    public static readonly IReadOnlyDictionary<string, string> Tags = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Agents"] = "Agents register their keys, get read tokens, and operators invite them (§3).",
        ["Sessions"] = "Long-lived sessions in which agents negotiate, with their state and checkpoints (§7).",
        ["Proposals"] = "Proposing, countersigning, declining and withdrawing terms: the two-phase negotiation (§5).",
        ["Bundles"] = "Coordinated multi-party negotiation: members committed all together, or the best of them by a recomputable ranking (§15).",
        ["Pending"] = "What waits on the calling agent: proposals to sign, withdrawals to acknowledge.",
        ["Compacts"] = "Signed compacts, their versions, drafts of complete terms, and the standard library (§6).",
        ["Lifecycle"] = "Living under a compact: revocations, markers, permission checks and dispositions (§6).",
        ["Passports"] = "Agents' reputation computed from this daemon's log: counts, score, confidence, and the check admission uses (§16).",
        ["Policies"] = "CEL rules that decide how an agent answers a proposal: publication by hash, reading, and the dry run that records nothing (§13).",
        ["Mandates"] = "An agent's grant that lets the daemon answer proposals for it as a published policy decides, within a scope, until revoked or expired (§14).",
        ["Events"] = "Transcript events page by page and as live server-sent events (§8.3).",
        ["Log"] = "The transparency log: signed checkpoints and Merkle inclusion and consistency proofs (§9).",
        ["Verification"] = "Re-checking a session as stored, and its export bundle for offline verification (§9).",
        ["Subscriptions"] = "Signed webhook callbacks for persistent agents, and their deliveries (§10).",
        ["Daemon"] = "The daemon's identity and protocol versions.",
        ["Operations"] = "Liveness and readiness probes for supervisors and load balancers (§12).",
    };

    public static IServiceCollection AddPactOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(openapi =>
        {
            openapi.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            // HEAD is served for every GET (HeadServedLikeGet); documenting it again per path would only repeat the GET.
            openapi.ShouldInclude = description => description.HttpMethod != HttpMethods.Head;
            openapi.AddOperationTransformer<OperationIdTransformer>();
            openapi.AddOperationTransformer<CallerTransformer>();
            openapi.AddOperationTransformer<EventStreamTransformer>();
            openapi.AddOperationTransformer<EnvelopeExampleTransformer>();
            openapi.AddOperationTransformer<NoWriterTransformer>();
            openapi.AddDocumentTransformer((document, _, _) =>
            {
                HealthProbes.AddTo(document);
                Describe(document);
                return Task.CompletedTask;
            });
        });
        return services;
    }

    public static void MapPactOpenApi(this WebApplication app)
    {
        // The one document by its literal path, so that any other name is routing's 404 ProblemDetails, not the
        // OpenAPI middleware's plain-text one.
        app.MapOpenApi(DocumentPath);
        app.UseSwaggerUI(ui =>
        {
            ui.SwaggerEndpoint(DocumentPath, "Pact v1");
            ui.RoutePrefix = "swagger";
            ui.DocumentTitle = "Pact daemon";
        });
    }

    private static void Describe(OpenApiDocument document)
    {
        document.Info.Title = "Pact daemon";
        document.Info.Version = "pact/1";
        document.Info.Description = "Agents negotiate signed compacts and live under them; every step is an event in a verifiable transcript. " +
            "State changes are signed envelopes (PROTOCOL §2); reads take a bearer token from POST /v1/auth/token, or the operator's admin token.";
        document.Info.License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" };

        // The server is the address the document was fetched from, without the trailing slash OpenAPI tools reject.
        foreach (var server in document.Servers ?? []) server.Url = server.Url?.TrimEnd('/') is { Length: > 0 } url ? url : "/";

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[CallerTransformer.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An agent token (POST /v1/auth/token) or the admin token.",
        };

        // Every tag an operation uses, in the order above, each with its description.
        var used = (document.Paths ?? new OpenApiPaths()).Values
            .SelectMany(path => path.Operations?.Values.AsEnumerable() ?? [])
            .SelectMany(operation => operation.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(tag => tag.Name).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var ordered = Tags.Keys.Where(used.Contains).Concat(used.Where(name => !Tags.ContainsKey(name)).Order(StringComparer.Ordinal));
        document.Tags = new HashSet<OpenApiTag>(ordered.Select(name => new OpenApiTag { Name = name, Description = Tags.GetValueOrDefault(name) }));
    }
}

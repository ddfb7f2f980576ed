using System.Net.Http;
using Microsoft.OpenApi;

namespace Pact.Daemon.Http.OpenApi;

/// <summary>
/// /healthz and /readyz are ASP.NET health-check endpoints, which the API explorer does not see; this adds them to
/// the document by hand, with the bodies <see cref="HealthEndpoints"/> writes.
/// </summary>
internal static class HealthProbes
{
    public static void AddTo(OpenApiDocument document)
    {
        document.Paths ??= new OpenApiPaths();
        document.Paths["/healthz"] = Probe(document, "health.live", "Liveness: the process answers.",
            "200 while the process runs. `status` is `ok`, or `degraded` when a session failed its checks at start (a restart would not help; the admin token sees which).",
            unavailable: null);
        document.Paths["/readyz"] = Probe(document, "health.ready", "Readiness: the start-up replay is done and the store takes a write.",
            "200 with `status` (`ready` or `degraded`) and `headSeq`, the global seq of the newest event.",
            unavailable: "Not ready yet, or the store refuses writes: a ProblemDetails with code PACT-503 and the reason.");
    }

    private static OpenApiPathItem Probe(OpenApiDocument document, string operationId, string summary, string ok, string? unavailable)
    {
        var responses = new OpenApiResponses
        {
            ["200"] = new OpenApiResponse
            {
                Description = ok,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
                },
            },
        };
        if (unavailable is not null)
        {
            responses["503"] = new OpenApiResponse
            {
                Description = unavailable,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object } },
                },
            };
        }
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    OperationId = operationId,
                    Summary = summary,
                    Description = "Public: no token is needed.",
                    Tags = new HashSet<OpenApiTagReference> { new("Operations", document) },
                    Security = [],
                    Responses = responses,
                },
            },
        };
    }
}

using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Pact.Daemon.Auth;

namespace Pact.Daemon.Http.OpenApi;

/// <summary>
/// Names every operation <c>{resource}.{action}</c> ("sessions.create", "proposals.sign"): stable across builds,
/// unique because a controller's action names are, and shaped like the envelope types clients already know.
/// </summary>
public sealed class OperationIdTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor is ControllerActionDescriptor action)
            operation.OperationId = OperationId(action.ControllerName, action.ActionName);
        return Task.CompletedTask;
    }

    public static string OperationId(string controller, string action) =>
        $"{char.ToLowerInvariant(controller[0])}{controller[1..]}.{char.ToLowerInvariant(action[0])}{action[1..]}";
}

/// <summary>
/// Says per operation how a caller proves who it is. Reads under <see cref="RequirePolicyAttribute"/> take the
/// bearer token; a signed envelope authenticates itself in the body (§2), and the rest is public: both carry an
/// empty security requirement so that no client sends, or is asked for, a token it does not need.
/// </summary>
public sealed class CallerTransformer : IOpenApiOperationTransformer
{
    public const string BearerScheme = "bearer";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var policy = metadata.OfType<RequirePolicyAttribute>().FirstOrDefault();
        if (policy is not null)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
            if (policy.Policy == PactAuthorization.Operator) Append(operation, "Caller: the operator's admin token.");
            return Task.CompletedTask;
        }
        operation.Security = [];
        var signed = context.Description.ParameterDescriptions.Any(p => p.Type == typeof(SignedEnvelope));
        Append(operation, signed
            ? "Caller: the envelope's signer; no token is needed."
            : "Public: no token is needed.");
        return Task.CompletedTask;
    }

    internal static void Append(OpenApiOperation operation, string text) =>
        operation.Description = string.IsNullOrEmpty(operation.Description) ? text : operation.Description + "\n\n" + text;
}

/// <summary>
/// Documents the live streams (§8.3) as what they are, <c>text/event-stream</c>, with the two ways to resume:
/// the <c>Last-Event-ID</c> header a reconnecting EventSource sends, and the <c>after</c> query parameter.
/// </summary>
public sealed class EventStreamTransformer : IOpenApiOperationTransformer
{
    public const string MediaType = "text/event-stream";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var produces = context.Description.ActionDescriptor.EndpointMetadata.OfType<Microsoft.AspNetCore.Mvc.ProducesAttribute>()
            .Any(p => p.ContentTypes.Contains(MediaType));
        if (!produces || operation.Responses?.TryGetValue("200", out var ok) != true || ok is not OpenApiResponse response) return Task.CompletedTask;

        response.Description = "An endless text/event-stream: first `retry: 2000`, then one message per event " +
            "(`id:` the event's position, `event:` its type, `data:` the stored event as one line of JSON), and `: ping` comments while idle.";
        response.Content = new Dictionary<string, OpenApiMediaType>
        {
            [MediaType] = new()
            {
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                Example = JsonValue.Create("retry: 2000\n\nid: 1\nevent: session.created\ndata: {\"seq\":1,\"streamSeq\":1,…}\n\n"),
            },
        };

        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "after",
            In = ParameterLocation.Query,
            Description = "Start after this event id, or `head` for new events only. Ignored when Last-Event-ID is sent. Default: from the first event.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^([0-9]+|head)$" },
        });
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = "Last-Event-ID",
            In = ParameterLocation.Header,
            Description = "The id of the last event received; a reconnecting EventSource sends it, and the stream resumes right after it.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^([0-9]+|head)$" },
        });
        return Task.CompletedTask;
    }
}

/// <summary>
/// Documents the answer every write may get when the daemon runs as several instances (ADR 0013): a standby forwards
/// writes to the writer, and with none reachable answers 503 PACT-503 with Retry-After. Which requests are forwarded is
/// <see cref="Instances.WriterForwarding.MayWrite(string, PathString)"/>'s rule, so the document cannot drift from it.
/// </summary>
public sealed class NoWriterTransformer : IOpenApiOperationTransformer
{
    public const string ProblemSchema = "ProblemBody";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var method = context.Description.HttpMethod ?? HttpMethods.Get;
        if (!Instances.WriterForwarding.MayWrite(method, "/" + context.Description.RelativePath)) return Task.CompletedTask;
        operation.Responses ??= [];
        operation.Responses["503"] = new OpenApiResponse
        {
            Description = "PACT-503: this instance is a standby and no instance holding the writer role could be reached. " +
                "Retry after the Retry-After seconds; a signed request retried with the same nonce is answered as before if it did commit.",
            Headers = new Dictionary<string, IOpenApiHeader>
            {
                ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before retrying.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } },
            },
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemSchema, context.Document) },
            },
        };
        return Task.CompletedTask;
    }
}

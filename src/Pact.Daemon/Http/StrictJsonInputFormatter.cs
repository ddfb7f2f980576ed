using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Formatters;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Pact.Core.Errors;
using Pact.Core.Json;
using Pact.Daemon.Hosting;

namespace Pact.Daemon.Http;

/// <summary>
/// Reads every JSON body through <see cref="StrictJson"/>: duplicate keys, invalid UTF-8 and lone
/// surrogates are refused (400 PACT-100) instead of being normalized by the default reader. Envelopes
/// keep the parsed value so their payload is verified exactly as sent.
/// </summary>
public sealed class StrictJsonInputFormatter : InputFormatter
{
    public StrictJsonInputFormatter()
    {
        SupportedMediaTypes.Add(MediaTypeHeaderValue.Parse("application/json"));
        SupportedMediaTypes.Add(MediaTypeHeaderValue.Parse("application/*+json"));
        SupportedMediaTypes.Add(MediaTypeHeaderValue.Parse("text/json"));
    }

    protected override bool CanReadType(Type type) => true;

    public override async Task<InputFormatterResult> ReadRequestBodyAsync(InputFormatterContext context)
    {
        var node = await ReadBodyAsync(context.HttpContext.Request, context.HttpContext.RequestAborted);
        if (context.ModelType == typeof(SignedEnvelope))
        {
            var maxTerms = context.HttpContext.RequestServices.GetRequiredService<IOptions<PactOptions>>().Value.Limits.MaxTermsBytes;
            if (TermsTooLarge(node, maxTerms)) throw new PactProblemException(new PactError(PactCodes.BodyTooLarge, 413, "Terms too large",
                $"Terms are limited to {maxTerms} bytes in canonical form."));
            return await InputFormatterResult.SuccessAsync(new SignedEnvelope(node));
        }
        if (context.ModelType.IsAssignableFrom(typeof(JsonObject)) && node is JsonObject) return await InputFormatterResult.SuccessAsync(node);
        // A JSON document that is not an object (null, an array, a number) where an object is read: say so plainly
        // (422, like any other shape error) rather than with the serializer's type names or as a missing body.
        if (context.ModelType == typeof(JsonObject))
            throw new PactProblemException(PactError.InvalidPayload("The body must be a JSON object.", ""));
        try
        {
            return await InputFormatterResult.SuccessAsync(node.Deserialize(context.ModelType, PactJson.Options));
        }
        catch (JsonException e)
        {
            throw new PactProblemException(PactError.InvalidPayload($"The body does not have the expected shape: {e.Message}", e.Path is { } p ? p.TrimStart('$').Replace('.', '/') : ""));
        }
    }

    /// <summary>
    /// Reads the whole body into a pooled buffer, consuming Kestrel's pipe as it goes (Kestrel stops reading from the
    /// socket while more than its request buffer is left unconsumed, and still cuts off a body over the limit), and
    /// parses it from there.
    /// </summary>
    private static async Task<JsonNode?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        var reader = request.BodyReader;
        // A declared length is already within the limit (BodyLimitMiddleware); a chunked body starts small and grows.
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and <= int.MaxValue ? (int)request.ContentLength : 4096);
        var length = 0;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(ct);
                if (read.IsCanceled) throw new OperationCanceledException("The request body's read was cancelled.", ct);
                foreach (var segment in read.Buffer)
                {
                    if (length + segment.Length > buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Max(Math.Min(2L * buffer.Length, Array.MaxLength), length + segment.Length));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    segment.Span.CopyTo(buffer.AsSpan(length));
                    length += segment.Length;
                }
                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted) break;
            }
            if (length == 0) throw new InvalidJsonException("The request body is empty; send a JSON document.");
            return StrictJson.Parse(buffer.AsSpan(0, length), JsonLimits.RequestDepth);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The terms' own limit (§11: 256 KiB) is a limit of the body, so it is judged with the body, before any
    /// envelope check. Terms that cannot be put in canonical form are left to the later checks.
    /// </summary>
    private static bool TermsTooLarge(JsonNode? body, int maxTermsBytes)
    {
        if (body is not JsonObject envelope || envelope["payload"] is not JsonObject payload || payload["terms"] is not { } terms) return false;
        try
        {
            return Jcs.Canonicalize(terms).Length > maxTermsBytes;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or InvalidJsonException)
        {
            return false;
        }
    }
}

/// <summary>
/// A signed request body, { payload, signer, sig } (§2). The members are described for the OpenAPI
/// document; the daemon reads the raw parsed value.
/// </summary>
[Microsoft.AspNetCore.Mvc.ModelBinding.Validation.ValidateNever] // checked by the envelope authenticator, not by MVC
public sealed class SignedEnvelope
{
    public SignedEnvelope()
    {
    }

    internal SignedEnvelope(JsonNode? raw)
    {
        Raw = raw;
    }

    /// <summary>The signed payload: type, aud, issuedAt, nonce and the type's own members.</summary>
    public JsonObject? Payload { get; init; }

    /// <summary>The signer's did:key.</summary>
    public string? Signer { get; init; }

    /// <summary>base64url Ed25519 signature over "pact-msg-v1\n" ‖ JCS(payload).</summary>
    public string? Sig { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    internal JsonNode? Raw { get; }
}

using Pact.Core.Errors;
using Pact.Daemon.Http;

namespace Pact.Daemon.Instances;

/// <summary>
/// On a standby, every request that may write (any method but GET, HEAD and OPTIONS, under /v1) goes to the writer
/// verbatim — method, path, query, headers (Authorization and the signature headers among them) and body bytes — and
/// the writer's answer comes back as it is: the writer authenticates and decides, so forwarding adds no trust. With no
/// writer to reach, the answer is 503 PACT-503 with Retry-After; a signed request retried with the same nonce is then a
/// §2 replay if the first attempt did commit.
/// </summary>
public sealed class WriterForwarding(InstanceRole role, ILogger<WriterForwarding> logger) : IDisposable
{
    /// <summary>Set on a forwarded request: an instance that is not the writer either answers 503 rather than forward it again.</summary>
    public const string ForwardedHeader = "Pact-Forwarded-By-Standby";

    // Hop-by-hop headers (RFC 9110 §7.6.1) and what HttpClient sets itself; everything else passes unchanged.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Content-Length",
    };

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    })
    { Timeout = TimeSpan.FromSeconds(100) };

    public static bool MayWrite(HttpRequest request) => MayWrite(request.Method, request.Path);

    /// <summary>Any method but GET, HEAD and OPTIONS, under /v1 (also what the OpenAPI document says may answer 503).</summary>
    public static bool MayWrite(string method, PathString path) =>
        !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method) && !HttpMethods.IsOptions(method)
        && path.StartsWithSegments("/v1", StringComparison.Ordinal);

    /// <summary>The middleware: forwards on a standby, passes everything else on.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (role.IsWriter || !MayWrite(context.Request))
        {
            await next(context);
            return;
        }
        if (context.Request.Headers.ContainsKey(ForwardedHeader))
        {
            await NoWriterAsync(context, "The request was forwarded to an instance that does not hold the writer role either.");
            return;
        }
        var writer = await role.WriterUrlAsync(context.RequestAborted);
        if (writer is null)
        {
            await NoWriterAsync(context, "No instance holds the writer role yet.");
            return;
        }
        using var request = ToWriter(context, new Uri(writer));
        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !context.RequestAborted.IsCancellationRequested))
        {
            logger.LogWarning(e, "Could not forward {Method} {Path} to the writer at {Writer}", context.Request.Method, context.Request.Path, writer);
            await NoWriterAsync(context, "The instance holding the writer role could not be reached; retry (a signed request with the same nonce is answered as before if it did commit).");
            return;
        }
        using (response)
        {
            await CopyBackAsync(response, context);
        }
    }

    private static HttpRequestMessage ToWriter(HttpContext context, Uri writer)
    {
        var incoming = context.Request;
        var target = new Uri(writer, incoming.PathBase.Add(incoming.Path) + incoming.QueryString.ToUriComponent());
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), target);
        if (incoming.ContentLength > 0 || incoming.Headers.TransferEncoding.Count > 0) request.Content = new StreamContent(incoming.Body);
        foreach (var (name, values) in incoming.Headers)
        {
            if (NotForwarded.Contains(name) || name.Equals("Host", StringComparison.OrdinalIgnoreCase)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                request.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        // The Host the client asked for, so the writer judges it (PACT-421) as the standby would have.
        request.Headers.Host = incoming.Host.Value;
        if (context.Connection.RemoteIpAddress is { } client) request.Headers.TryAddWithoutValidation("X-Forwarded-For", client.ToString());
        request.Headers.TryAddWithoutValidation(ForwardedHeader, "1");
        return request;
    }

    private static async Task CopyBackAsync(HttpResponseMessage response, HttpContext context)
    {
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (NotForwarded.Contains(name)) continue;
            context.Response.Headers[name] = values.ToArray();
        }
        if (response.Content.Headers.ContentLength is { } length) context.Response.ContentLength = length;
        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    private static Task NoWriterAsync(HttpContext context, string detail) =>
        Problems.WriteAsync(context, new PactError(PactCodes.NotReady, StatusCodes.Status503ServiceUnavailable, "No writer", detail), TimeSpan.FromSeconds(1));

    public void Dispose() => _client.Dispose();
}

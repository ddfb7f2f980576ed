using Microsoft.AspNetCore.Http.Features;

namespace Pact.Daemon.Http;

/// <summary>
/// Refuses a body whose declared length is over the limit before routing or the content type are looked at (413
/// is the first answer of §11's order, before 415 and 100). Kestrel alone refuses such a body only when something
/// reads it, which a request with a content type that is not JSON never does. A body without a declared length is
/// still cut off by Kestrel as it is read.
/// </summary>
public sealed class BodyLimitMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature?.MaxRequestBodySize is { } max && context.Request.ContentLength is { } length && length > max)
        {
            // A body up to twice the limit is read and dropped, so a client still sending gets the answer rather than a
            // reset connection; anything larger is refused without reading it.
            if (length <= 2 * max && !feature.IsReadOnly)
            {
                feature.MaxRequestBodySize = null;
                await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            }
            await Problems.WriteAsync(context, Problems.ForStatus(413));
            return;
        }
        await next(context);
    }
}

using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Pact.Daemon.WebConsole;

/// <summary>
/// The console at <c>/console</c>: static pages embedded in the daemon's assembly (nothing fetched from elsewhere at
/// run time), which read the same REST API and SSE streams as any client and verify what they show in the browser.
/// </summary>
public static class ConsoleEndpoints
{
    public const string Prefix = "/console";

    /// <summary>Scripts, styles and connections only from the daemon itself; no framing; no inline script.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public static WebApplication UsePactConsole(this WebApplication app)
    {
        var files = new ManifestEmbeddedFileProvider(typeof(ConsoleEndpoints).Assembly, "WebConsole/wwwroot");
        app.UseWhen(http => http.Request.Path.StartsWithSegments(Prefix), console =>
        {
            console.Use((http, next) =>
            {
                // Relative links in the page resolve against /console/, not /.
                if (http.Request.Path.Value is Prefix)
                {
                    http.Response.Redirect(Prefix + "/");
                    return Task.CompletedTask;
                }
                var headers = http.Response.Headers;
                headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
                headers[HeaderNames.XContentTypeOptions] = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // The pages change with the daemon's version; a stale script against a newer API helps nobody.
                headers[HeaderNames.CacheControl] = "no-cache";
                return next(http);
            });
            console.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files, RequestPath = Prefix });
            console.UseStaticFiles(new StaticFileOptions { FileProvider = files, RequestPath = Prefix });
        });
        return app;
    }
}

using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Pact.Core.Errors;
using Pact.Daemon.Hosting;

namespace Pact.Daemon.Http;

/// <summary>
/// The HTTP side: Kestrel's limits, the reverse proxy, the rate limiter, ProblemDetails, the health checks and the
/// controllers with their strict JSON input. The order these run in is <see cref="PactApp"/>'s pipeline.
/// </summary>
public static class HttpServices
{
    public static IServiceCollection AddPactHttp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<PactOptions>>((kestrel, pact) =>
        {
            kestrel.Limits.MaxRequestBodySize = pact.Value.Limits.MaxBodyBytes;
            kestrel.AddServerHeader = false;
        });
        services.AddHttpContextAccessor();
        services.AddPactReverseProxy(configuration);
        services.AddPactRateLimiting();
        services.AddPactProblems();
        services.AddPactHealthChecks();
        services.AddPactControllers();
        return services;
    }

    private static void AddPactControllers(this IServiceCollection services) =>
        services.AddControllers(mvc =>
            {
                // The strict reader is the only one: no other formatter may accept a body it would refuse.
                mvc.InputFormatters.Clear();
                mvc.InputFormatters.Add(new StrictJsonInputFormatter());
                mvc.Conventions.Add(new HeadServedLikeGet());
                // Bodies are JSON only: MVC's form readers would parse a form-encoded body before the action could
                // refuse it (415), and the jQuery one throws on a key with an unclosed bracket (a 500).
                for (var i = mvc.ValueProviderFactories.Count - 1; i >= 0; i--)
                {
                    if (mvc.ValueProviderFactories[i] is Microsoft.AspNetCore.Mvc.ModelBinding.FormValueProviderFactory
                        or Microsoft.AspNetCore.Mvc.ModelBinding.JQueryFormValueProviderFactory
                        or Microsoft.AspNetCore.Mvc.ModelBinding.FormFileValueProviderFactory)
                        mvc.ValueProviderFactories.RemoveAt(i);
                }
            })
            .ConfigureApiBehaviorOptions(api =>
            {
                // Body-less client errors (415, …) go through the status-code pages, which answer with PACT codes.
                api.SuppressMapClientErrors = true;
                api.InvalidModelStateResponseFactory = context =>
                {
                    var message = context.ModelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage).FirstOrDefault(m => !string.IsNullOrEmpty(m))
                        ?? "The request body is missing or malformed.";
                    return Problems.ActionResult(new PactError(PactCodes.InvalidJson, 400, "Body is not valid JSON", message));
                };
            });
}

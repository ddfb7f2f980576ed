using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ActionConstraints;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Routing;

namespace Pact.Daemon.Http;

/// <summary>
/// Every GET action also answers HEAD (RFC 9110 §9.3.2): the same status and headers, and Kestrel sends no body.
/// The live streams are included; <see cref="Streaming.EventStreamer"/> ends a HEAD after the headers.
/// </summary>
public sealed class HeadServedLikeGet : IActionModelConvention
{
    public void Apply(ActionModel action)
    {
        foreach (var selector in action.Selectors)
        {
            var methods = selector.EndpointMetadata.OfType<HttpMethodMetadata>().FirstOrDefault();
            if (methods is null || !methods.HttpMethods.Contains(HttpMethods.Get) || methods.HttpMethods.Contains(HttpMethods.Head)) continue;
            var both = methods.HttpMethods.Append(HttpMethods.Head).ToArray();
            selector.EndpointMetadata.Remove(methods);
            selector.EndpointMetadata.Add(new HttpMethodMetadata(both, methods.AcceptCorsPreflight));
            for (var i = 0; i < selector.ActionConstraints.Count; i++)
            {
                if (selector.ActionConstraints[i] is HttpMethodActionConstraint) selector.ActionConstraints[i] = new HttpMethodActionConstraint(both);
            }
        }
    }
}

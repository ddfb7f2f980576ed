namespace Pact.Core.Json;

/// <summary>
/// One nesting limit for the whole path. A request body may nest <see cref="RequestDepth"/> levels; everything the
/// daemon stores and serves wraps such a value in at most a few more (an event, its data, an export bundle, a
/// webhook body), so every reader and writer after the door accepts <see cref="DocumentDepth"/>. A value accepted
/// at the door can therefore always be served back.
/// </summary>
public static class JsonLimits
{
    /// <summary>The deepest request body accepted; deeper is 400 PACT-100 before anything else is looked at.</summary>
    public const int RequestDepth = 64;

    /// <summary>What stored events, responses, exports, SSE and webhook bodies may nest: the request depth and room for the wrappers.</summary>
    public const int DocumentDepth = 2 * RequestDepth;
}

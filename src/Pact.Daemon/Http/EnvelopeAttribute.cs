namespace Pact.Daemon.Http;

/// <summary>Marks an action whose body is a signed envelope of this type, so the OpenAPI document shows an example.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EnvelopeAttribute(string type) : Attribute
{
    public string Type { get; } = type;
}

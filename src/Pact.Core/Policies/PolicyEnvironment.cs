using Pact.Core.Policies.Cel;

namespace Pact.Core.Policies;

/// <summary>The CEL environment of §13: the input variables in slot order, and the profile's functions.</summary>
public static class PolicyEnvironment
{
    /// <summary>The variables, in the order <see cref="PolicyInput.ToCelVariables"/> fills them.</summary>
    public static readonly IReadOnlyList<(string Name, CelType Type)> Variables =
    [
        ("terms", CelType.Map), ("me", CelType.String), ("them", CelType.String), ("proposal", CelType.Map),
        ("counterparty", CelType.Map), ("session", CelType.Map), ("now", CelType.Timestamp),
    ];

    public static readonly CelEnvironment Instance = new(Variables, PolicyFunctions.Profile());
}

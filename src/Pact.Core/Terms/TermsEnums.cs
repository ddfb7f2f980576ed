using System.Collections.Frozen;
using System.Text;

namespace Pact.Core.Terms;

/// <summary>Compact tiers, in their order (§4.5): a comparison of values is a comparison of tiers.</summary>
public enum Tier
{
    Minimal,
    Standard,
    Advanced,
}

/// <summary>The two sides of a compact, "a" and "b" on the wire.</summary>
public enum PartyRole
{
    A,
    B,
}

public enum PrincipalKind
{
    Human,
    Organization,
    Agent,
}

public enum RevocationMode
{
    Unilateral,
    Conditional,
    Mutual,
}

public enum RetainMode
{
    Period,
    Effective,
    UntilMarker,
    Indefinite,
}

/// <summary>What a retention period is counted from: inForceAt, scope.effective.from or the scheduled until.</summary>
public enum RetainAnchor
{
    InForce,
    EffectiveStart,
    EffectiveEnd,
}

public enum DispositionAction
{
    Delete,
    Retain,
    Transition,
    RetainIndefinitely,
}

/// <summary>The lifecycle events a disposition answers to; the names of the members of a retention entry's "disposition".</summary>
public enum LifecycleEvent
{
    Revocation,
    Expiration,
    Supersession,
    Upstream,
}

/// <summary>What of an upstream compact's fate a dependent compact follows ("on").</summary>
public enum UpstreamTrigger
{
    Revocation,
    Expiration,
}

/// <summary>
/// Wire spelling of the terms enumerations: the member name in kebab case ("UntilMarker" is "until-marker",
/// "A" is "a"). One rule for all of them keeps the mapping impossible to get out of step.
/// </summary>
public static class Wire
{
    public static string ToWire<T>(this T value) where T : struct, Enum =>
        Names<T>.ToName.TryGetValue(value, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(value), value, "Not a defined value.");

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        value = default;
        return text is not null && Names<T>.FromName.TryGetValue(text, out value);
    }

    public static T Parse<T>(string text) where T : struct, Enum =>
        TryParse<T>(text, out var value) ? value : throw new FormatException($"'{text}' is not a {typeof(T).Name} name.");

    /// <summary>Every wire name of the enumeration, in declaration order.</summary>
    public static IReadOnlyList<string> AllNames<T>() where T : struct, Enum => Names<T>.Ordered;

    public static PartyRole Other(this PartyRole role) => role == PartyRole.A ? PartyRole.B : PartyRole.A;

    private static class Names<T> where T : struct, Enum
    {
        public static readonly IReadOnlyList<string> Ordered = Enum.GetValues<T>().Select(v => Kebab(v.ToString())).ToArray();
        public static readonly FrozenDictionary<T, string> ToName = Enum.GetValues<T>().ToFrozenDictionary(v => v, v => Kebab(v.ToString()));
        public static readonly FrozenDictionary<string, T> FromName = Enum.GetValues<T>().ToFrozenDictionary(v => Kebab(v.ToString()), v => v, StringComparer.Ordinal);
    }

    private static string Kebab(string pascal)
    {
        var sb = new StringBuilder(pascal.Length + 4);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsAsciiLetterUpper(c))
            {
                if (i > 0) sb.Append('-');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}

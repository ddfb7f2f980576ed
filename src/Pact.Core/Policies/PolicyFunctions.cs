using Pact.Core.Policies.Cel;
using Pact.Core.Time;

namespace Pact.Core.Policies;

/// <summary>
/// §13's extension functions over the CEL value of the terms. A role other than "a" or "b", a malformed member or an
/// invalid duration is an error value (the rule then escalates), never an exception.
/// </summary>
public static class PolicyFunctions
{
    /// <summary>The profile: cel-spec's kept standard functions plus these extensions.</summary>
    public static CelFunctionSet Profile() => CelFunctionSet.Standard()
        .Global("isoSeconds", CelType.Int, a => IsoSeconds((string)a[0]!), CelType.String)
        .Global("effectiveSeconds", CelType.Int, a => EffectiveSeconds(a[0]), CelType.Map)
        .Global("categories", CelType.List, a => Categories(a[0], a[1]), CelType.Map, CelType.String)
        .Global("retains", CelType.Bool, a => Retains(a[0], a[1], a[2]), CelType.Map, CelType.String, CelType.String)
        .Global("derives", CelType.Bool, a => Derives(a[0], a[1], a[2], a[3]), CelType.Map, CelType.String, CelType.String, CelType.String)
        .Global("propagates", CelType.Bool, a => PropagatesTo(a[0], a[1], recipient: null), CelType.Map, CelType.String)
        .Global("propagatesTo", CelType.Bool, a => PropagatesTo(a[0], a[1], a[2]), CelType.Map, CelType.String, CelType.String);

    /// <summary>An ISO duration in seconds by §0's comparison rule (Y = 366 d, M = 31 d).</summary>
    public static object IsoSeconds(string duration) =>
        IsoDuration.TryParse(duration, out var d) ? d.ComparableSeconds : new CelError($"invalid duration '{duration}'");

    /// <summary><c>until − from</c> of <c>scope.effective</c> in whole seconds, rounded down.</summary>
    public static object EffectiveSeconds(object? terms)
    {
        if (Member(terms, "scope") is not CelMap scope || Member(scope, "effective") is not CelMap effective)
            return new CelError("effectiveSeconds: the terms have no scope.effective");
        if (Member(effective, "from") is not string from || !Timestamp.TryParse(from, out var start) ||
            Member(effective, "until") is not string until || !Timestamp.TryParse(until, out var end))
            return new CelError("effectiveSeconds: scope.effective needs 'from' and 'until' timestamps");
        return (long)Math.Floor((end - start).TotalSeconds);
    }

    public static object Categories(object? terms, object? role)
    {
        var slice = Slice(terms, role);
        if (slice is CelError) return slice;
        var names = new List<object?>();
        foreach (var entry in (IReadOnlyList<object?>)slice)
        {
            if (Member(entry, "category") is not string category) return new CelError("categories: a retention entry has no category");
            names.Add(category);
        }
        return names.ToArray();
    }

    public static object Retains(object? terms, object? role, object? category)
    {
        var entry = Entry(terms, role, category);
        return entry is CelError ? entry : CelValues.Bool(entry is not null);
    }

    public static object Derives(object? terms, object? role, object? category, object? operation)
    {
        var entry = Entry(terms, role, category);
        if (entry is CelError) return entry;
        if (entry is null) return CelValues.False;
        return CelValues.Bool(Member(entry, "derive") is IReadOnlyList<object?> derive && derive.Any(o => o is string s && s == (string)operation!));
    }

    /// <summary>Any entry of the role's slice with a <c>propagate</c> edge (to <paramref name="recipient"/> when given); <c>transition</c> edges do not count.</summary>
    public static object PropagatesTo(object? terms, object? role, object? recipient)
    {
        var slice = Slice(terms, role);
        if (slice is CelError) return slice;
        foreach (var entry in (IReadOnlyList<object?>)slice)
        {
            if (Member(entry, "propagate") is not IReadOnlyList<object?> edges) continue;
            if (recipient is null ? edges.Count > 0 : edges.Any(e => Member(e, "to") is string to && to == (string)recipient))
                return CelValues.True;
        }
        return CelValues.False;
    }

    private static object Slice(object? terms, object? role)
    {
        if (role is not ("a" or "b")) return new CelError($"a role is \"a\" or \"b\", not {CelValues.Describe(role)}");
        if (Member(terms, "retention") is not CelMap retention || Member(retention, (string)role) is not IReadOnlyList<object?> slice)
            return new CelError($"the terms have no retention.{role}");
        return slice;
    }

    // The role's entry for the category, null when the slice has none.
    private static object? Entry(object? terms, object? role, object? category)
    {
        var slice = Slice(terms, role);
        if (slice is CelError) return slice;
        foreach (var entry in (IReadOnlyList<object?>)slice)
        {
            if (Member(entry, "category") is string c && c == (string)category!) return entry;
        }
        return null;
    }

    private static object? Member(object? map, string key) => map is CelMap m && m.TryGet(key, out var value) ? value : null;
}

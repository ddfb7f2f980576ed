namespace Pact.Core.Policies.Cel;

/// <summary>
/// The comprehension macros of cel-spec: over a list's elements or a map's keys (in JCS order). <c>all</c> and
/// <c>exists</c> fold with <c>&amp;&amp;</c> and <c>||</c>, so a decisive element absorbs another's error;
/// <c>exists_one</c>, <c>map</c> and <c>filter</c> are strict. Each iteration costs a step of the
/// <see cref="CelCostBudget"/>; a spent budget ends the loop at once (no element absorbs it).
/// </summary>
internal static class CelComprehensions
{
    public static object? Run(string macro, object? range, int slot, CelEval? predicate, CelEval? transform, object?[] frame)
    {
        IReadOnlyList<object?> items;
        switch (range)
        {
            case CelError: return range;
            case IReadOnlyList<object?> list: items = list; break;
            case CelMap map: items = map.Keys; break;
            default: return new CelError($"{macro}() applies to a list or a map, not {CelValues.TypeName(range)}");
        }
        return macro switch
        {
            "all" => Fold(items, slot, predicate!, frame, decisive: false),
            "exists" => Fold(items, slot, predicate!, frame, decisive: true),
            "exists_one" => ExistsOne(items, slot, predicate!, frame),
            "filter" => Filter(items, slot, predicate!, frame),
            _ => Map(items, slot, predicate, transform!, frame),
        };
    }

    private static object? Fold(IReadOnlyList<object?> items, int slot, CelEval predicate, object?[] frame, bool decisive)
    {
        object? firstError = null;
        foreach (var item in items)
        {
            if (CelCostBudget.Charge(frame, 1) is { } over) return over;
            frame[slot] = item;
            switch (predicate(frame))
            {
                case bool b when b == decisive: return CelValues.Bool(decisive);
                case bool: break;
                case CelError e: firstError ??= e; break;
                case var other: firstError ??= CelOperators.NoOverload(decisive ? "exists " : "all ", other); break;
            }
        }
        return firstError ?? CelValues.Bool(!decisive);
    }

    private static object? ExistsOne(IReadOnlyList<object?> items, int slot, CelEval predicate, object?[] frame)
    {
        var count = 0;
        foreach (var item in items)
        {
            if (CelCostBudget.Charge(frame, 1) is { } over) return over;
            frame[slot] = item;
            switch (predicate(frame))
            {
                case true: count++; break;
                case false: break;
                case CelError e: return e;
                case var other: return CelOperators.NoOverload("exists_one ", other);
            }
        }
        return CelValues.Bool(count == 1);
    }

    private static object? Filter(IReadOnlyList<object?> items, int slot, CelEval predicate, object?[] frame)
    {
        var kept = new List<object?>();
        foreach (var item in items)
        {
            if (CelCostBudget.Charge(frame, 1) is { } over) return over;
            frame[slot] = item;
            switch (predicate(frame))
            {
                case true: kept.Add(item); break;
                case false: break;
                case CelError e: return e;
                case var other: return CelOperators.NoOverload("filter ", other);
            }
        }
        return kept.ToArray();
    }

    private static object? Map(IReadOnlyList<object?> items, int slot, CelEval? predicate, CelEval transform, object?[] frame)
    {
        var mapped = new List<object?>(items.Count);
        foreach (var item in items)
        {
            if (CelCostBudget.Charge(frame, 1) is { } over) return over;
            frame[slot] = item;
            if (predicate is not null)
            {
                switch (predicate(frame))
                {
                    case true: break;
                    case false: continue;
                    case CelError e: return e;
                    case var other: return CelOperators.NoOverload("map ", other);
                }
            }
            var value = transform(frame);
            if (value is CelError) return value;
            mapped.Add(value);
        }
        return mapped.ToArray();
    }
}

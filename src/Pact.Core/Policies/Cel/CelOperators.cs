namespace Pact.Core.Policies.Cel;

/// <summary>
/// Runtime semantics of the profile's operators (cel-spec langdef.md): checked int arithmetic, timestamps and
/// durations, code-point string order, membership. Every failure is a <see cref="CelError"/> value.
/// </summary>
internal static class CelOperators
{
    // Timestamps lie in [0001-01-01, 9999-12-31T23:59:59.9999999Z]; durations within int64 nanoseconds (about ±292
    // years), as cel-go and cel-spec's conformance cases (sub_time_duration_over) have them.
    internal static readonly TimeSpan MaxDuration = TimeSpan.FromTicks(long.MaxValue / 100);

    public static CelError NoOverload(string op, object? a, object? b) =>
        new($"no such overload: {CelValues.TypeName(a)} {op} {CelValues.TypeName(b)}");

    public static CelError NoOverload(string op, object? a) => new($"no such overload: {op}{CelValues.TypeName(a)}");

    public static object? Add(object? a, object? b) => (a, b) switch
    {
        (CelError, _) => a,
        (_, CelError) => b,
        (long x, long y) => Checked(() => checked(x + y)),
        (string x, string y) => x + y,
        (DateTimeOffset t, TimeSpan d) => AddToTimestamp(t, d),
        (TimeSpan d, DateTimeOffset t) => AddToTimestamp(t, d),
        (TimeSpan x, TimeSpan y) => DurationOf(() => x + y),
        _ => NoOverload("+", a, b),
    };

    public static object? Subtract(object? a, object? b) => (a, b) switch
    {
        (CelError, _) => a,
        (_, CelError) => b,
        (long x, long y) => Checked(() => checked(x - y)),
        (DateTimeOffset x, DateTimeOffset y) => DurationOf(() => x - y),
        (DateTimeOffset t, TimeSpan d) => d == TimeSpan.MinValue ? Overflow() : AddToTimestamp(t, -d),
        (TimeSpan x, TimeSpan y) => DurationOf(() => x - y),
        _ => NoOverload("-", a, b),
    };

    public static object? Multiply(object? a, object? b) => (a, b) switch
    {
        (CelError, _) => a,
        (_, CelError) => b,
        (long x, long y) => Checked(() => checked(x * y)),
        _ => NoOverload("*", a, b),
    };

    public static object? Divide(object? a, object? b) => (a, b) switch
    {
        (CelError, _) => a,
        (_, CelError) => b,
        (long, 0L) => new CelError("division by zero"),
        (long x, long y) => x == long.MinValue && y == -1 ? Overflow() : x / y,
        _ => NoOverload("/", a, b),
    };

    public static object? Modulo(object? a, object? b) => (a, b) switch
    {
        (CelError, _) => a,
        (_, CelError) => b,
        (long, 0L) => new CelError("modulus by zero"),
        (long x, long y) => x == long.MinValue && y == -1 ? Overflow() : x % y,
        _ => NoOverload("%", a, b),
    };

    public static object? Negate(object? a) => a switch
    {
        CelError => a,
        long x => x == long.MinValue ? Overflow() : -x,
        _ => NoOverload("-", a),
    };

    public static object? Not(object? a) => a switch
    {
        CelError => a,
        bool x => CelValues.Bool(!x),
        _ => NoOverload("!", a),
    };

    public static object? Equal(object? a, object? b) =>
        a is CelError ? a : b is CelError ? b : CelValues.Bool(CelValues.ValueEquals(a, b));

    public static object? NotEqual(object? a, object? b) =>
        a is CelError ? a : b is CelError ? b : CelValues.Bool(!CelValues.ValueEquals(a, b));

    /// <summary>&lt; &lt;= &gt; &gt;= on two values of one orderable type; <paramref name="test"/> maps the comparison's sign to the answer.</summary>
    public static object? Relation(string op, object? a, object? b, Func<int, bool> test)
    {
        if (a is CelError) return a;
        if (b is CelError) return b;
        int? sign = (a, b) switch
        {
            (long x, long y) => x.CompareTo(y),
            (string x, string y) => CelValues.CompareCodePoints(x, y),
            (bool x, bool y) => x.CompareTo(y),
            (DateTimeOffset x, DateTimeOffset y) => x.UtcTicks.CompareTo(y.UtcTicks),
            (TimeSpan x, TimeSpan y) => x.CompareTo(y),
            _ => null,
        };
        return sign is { } s ? CelValues.Bool(test(Math.Sign(s))) : NoOverload(op, a, b);
    }

    public static object? In(object? element, object? container)
    {
        if (element is CelError) return element;
        switch (container)
        {
            case CelError: return container;
            case IReadOnlyList<object?> list:
                foreach (var item in list) if (CelValues.ValueEquals(element, item)) return CelValues.True;
                return CelValues.False;
            case CelMap map:
                return CelValues.Bool(element is not null && map.ContainsKey(element));
            default:
                return NoOverload("in", element, container);
        }
    }

    public static object? Index(object? operand, object? index, string describe)
    {
        if (operand is CelError) return operand;
        if (index is CelError) return index;
        switch (operand)
        {
            case IReadOnlyList<object?> list:
                if (index is not long i) return NoOverload("[]", operand, index);
                return i >= 0 && i < list.Count ? list[(int)i] : new CelError($"index out of range: {describe}");
            case CelMap map:
                return index is not null && map.TryGet(index, out var value) ? value : new CelError($"no such key: {describe}");
            default:
                return NoOverload("[]", operand, index);
        }
    }

    public static object? Select(object? operand, string field, string describe) => operand switch
    {
        CelError => operand,
        CelMap map => map.TryGet(field, out var value) ? value : new CelError($"no such key: {describe}"),
        _ => new CelError($"type '{CelValues.TypeName(operand)}' does not support field selection: {describe}"),
    };

    public static object? Has(object? operand, string field, string describe) => operand switch
    {
        CelError => operand,
        CelMap map => CelValues.Bool(map.ContainsKey(field)),
        _ => new CelError($"has() applies to a map, not {CelValues.TypeName(operand)}: {describe}"),
    };

    public static CelError Overflow() => new("return error for overflow");

    private static object Checked(Func<long> operation)
    {
        try
        {
            return operation();
        }
        catch (OverflowException)
        {
            return Overflow();
        }
    }

    private static object AddToTimestamp(DateTimeOffset t, TimeSpan d)
    {
        try
        {
            return t.Add(d);
        }
        catch (ArgumentOutOfRangeException)
        {
            return new CelError("timestamp out of range");
        }
    }

    private static object DurationOf(Func<TimeSpan> operation)
    {
        try
        {
            var d = operation();
            return d > MaxDuration || d < -MaxDuration ? new CelError("duration out of range") : d;
        }
        catch (OverflowException)
        {
            return new CelError("duration out of range");
        }
    }
}

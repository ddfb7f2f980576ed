namespace Pact.Core.Policies.Cel;

/// <summary>
/// A counted bound on the work of an evaluation: each comprehension iteration, each function call, and each element
/// or character of a list, map or string built or scanned costs steps. Counted, never timed, so the same input runs
/// out at the same step on every machine (live, GET verify and the offline verifier decide alike). Once spent, every
/// further charge fails and the program's result is the budget's error whatever a decisive operand would have said.
/// </summary>
public sealed class CelCostBudget(long steps)
{
    /// <summary>
    /// Steps allowed for one policy decision (all its rules together). Generous for real rules — a comprehension over
    /// a 1,000-element list nested in another is 10^6 — and, at tens of nanoseconds a step, well under a second.
    /// </summary>
    public const long StepsPerDecision = 1_000_000;

    private CelError? _exceeded;

    public long Limit { get; } = steps;

    public long Spent { get; private set; }

    public CelError? Exceeded => _exceeded;

    internal CelError? Charge(long cost)
    {
        if (_exceeded is not null) return _exceeded;
        Spent += cost;
        if (Spent > Limit) _exceeded = new CelError($"the evaluation exceeded its cost budget of {Limit:N0} steps");
        return _exceeded;
    }

    /// <summary>The budget rides in the frame's last slot (see <see cref="CelProgram.Evaluate"/>).</summary>
    internal static CelError? Charge(object?[] frame, long cost) => ((CelCostBudget)frame[^1]!).Charge(cost);

    /// <summary>What a built value costs: its elements, entries or characters.</summary>
    internal static long SizeOf(object? value) => value switch
    {
        string s => s.Length,
        IReadOnlyList<object?> list => list.Count,
        CelMap map => map.Keys.Count,
        _ => 0,
    };
}

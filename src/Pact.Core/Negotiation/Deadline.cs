namespace Pact.Core.Negotiation;

/// <summary>
/// Deadline kinds in the order §8.2 lists them; deadlines reached together fire in (dueAt, kind, id)
/// order (§0). Negotiation produces the first two; the others are the compact lifecycle's and are
/// listed so a timer service can merge both sources with one comparer.
/// </summary>
public enum DeadlineKind
{
    ProposalExpiry = 1,
    WithdrawalEscalation = 2,
    RevocationEscalation = 3,
    RevocationEffective = 4,
    MarkerEffective = 5,
    CompactExpiry = 6,
    MandateExpiry = 7,
}

/// <summary>A deadline D for the resource <paramref name="Id"/>; reached when the daemon's time ≥ D.</summary>
public sealed record Deadline(DateTimeOffset DueAt, DeadlineKind Kind, string Id) : IComparable<Deadline>
{
    public bool IsReached(DateTimeOffset now) => now >= DueAt;

    public int CompareTo(Deadline? other)
    {
        if (other is null) return 1;
        var c = DueAt.CompareTo(other.DueAt);
        if (c != 0) return c;
        c = Kind.CompareTo(other.Kind);
        return c != 0 ? c : string.CompareOrdinal(Id, other.Id);
    }

    public static bool operator <(Deadline left, Deadline right) => left.CompareTo(right) < 0;

    public static bool operator >(Deadline left, Deadline right) => left.CompareTo(right) > 0;

    public static bool operator <=(Deadline left, Deadline right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Deadline left, Deadline right) => left.CompareTo(right) >= 0;
}

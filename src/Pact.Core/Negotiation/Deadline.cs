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

    /// <summary>A bundle's close (§15): kind 1b, after every 1a (<see cref="ProposalExpiry"/>) due at the same instant.</summary>
    BundleClose = 101,
}

/// <summary>The firing order of kinds (§8.2): 1a, 1b, then 2, 3, … in their listed order.</summary>
public static class DeadlineKinds
{
    /// <summary>A number that sorts the kinds as §8.2 lists them (kind n as 10·n, 1b as 15).</summary>
    public static int FiringRank(this DeadlineKind kind) => kind == DeadlineKind.BundleClose ? 15 : (int)kind * 10;
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
        c = Kind.FiringRank().CompareTo(other.Kind.FiringRank());
        return c != 0 ? c : string.CompareOrdinal(Id, other.Id);
    }

    public static bool operator <(Deadline left, Deadline right) => left.CompareTo(right) < 0;

    public static bool operator >(Deadline left, Deadline right) => left.CompareTo(right) > 0;

    public static bool operator <=(Deadline left, Deadline right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Deadline left, Deadline right) => left.CompareTo(right) >= 0;
}

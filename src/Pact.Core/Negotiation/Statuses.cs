namespace Pact.Core.Negotiation;

/// <summary>A proposal's status (§5). Wire names via <see cref="WireNames"/>.</summary>
public enum ProposalStatus
{
    Open,
    WithdrawalPending,
    Signed,
    Declined,
    Countered,
    Expired,
    Withdrawn,
    Retired,

    /// <summary>A bundle member countersigned and waiting for its bundle's commit (§15); it holds its slot.</summary>
    Prepared,
}

/// <summary>The status of one compact version (§6.1).</summary>
public enum CompactVersionStatus
{
    InForce,
    Superseded,
    Revoked,
    Expired,
}

/// <summary>The protocol's spelling of the enumerations above.</summary>
public static class WireNames
{
    public static string ToWire(this ProposalStatus status) => status switch
    {
        ProposalStatus.Open => "open",
        ProposalStatus.WithdrawalPending => "withdrawal-pending",
        ProposalStatus.Signed => "signed",
        ProposalStatus.Declined => "declined",
        ProposalStatus.Countered => "countered",
        ProposalStatus.Expired => "expired",
        ProposalStatus.Withdrawn => "withdrawn",
        ProposalStatus.Retired => "retired",
        ProposalStatus.Prepared => "prepared",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParseProposalStatus(string? text, out ProposalStatus status)
    {
        foreach (var s in Enum.GetValues<ProposalStatus>())
        {
            if (s.ToWire() == text)
            {
                status = s;
                return true;
            }
        }
        status = default;
        return false;
    }

    public static string ToWire(this CompactVersionStatus status) => status switch
    {
        CompactVersionStatus.InForce => "in-force",
        CompactVersionStatus.Superseded => "superseded",
        CompactVersionStatus.Revoked => "revoked",
        CompactVersionStatus.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParseCompactVersionStatus(string? text, out CompactVersionStatus status)
    {
        foreach (var s in Enum.GetValues<CompactVersionStatus>())
        {
            if (s.ToWire() == text)
            {
                status = s;
                return true;
            }
        }
        status = default;
        return false;
    }

    /// <summary>Statuses after which a proposal's (compactId, version) slot can never be used again (PACT-303).</summary>
    public static bool BurnsSlot(this ProposalStatus status) =>
        status is ProposalStatus.Declined or ProposalStatus.Expired or ProposalStatus.Withdrawn or ProposalStatus.Retired;

    /// <summary>Open, withdrawal-pending or prepared (a bundle member, §15): the proposal occupies its slot.</summary>
    public static bool HoldsSlot(this ProposalStatus status) => status.IsLive() || status == ProposalStatus.Prepared;

    /// <summary>Open or withdrawal-pending: the proposal still occupies its slot and has deadlines.</summary>
    public static bool IsLive(this ProposalStatus status) =>
        status is ProposalStatus.Open or ProposalStatus.WithdrawalPending;
}

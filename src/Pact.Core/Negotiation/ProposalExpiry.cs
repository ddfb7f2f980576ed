using Pact.Core.Errors;
using Pact.Core.Time;

namespace Pact.Core.Negotiation;

/// <summary>
/// When a proposal made at an instant expires (§5): that instant + <c>negotiationTimeout</c>, or never. A timeout that
/// reaches past year 9999 names no real instant, so the terms are refused at the door like a timestamp that is no real
/// instant (§4.2, PACT-101 at <c>/negotiationTimeout</c>) — never an exception from the calendar arithmetic.
/// </summary>
public static class ProposalExpiry
{
    public const string Pointer = "/negotiationTimeout";

    /// <summary>False when <paramref name="createdAt"/> + <paramref name="timeout"/> is no real instant; a null timeout expires never (null).</summary>
    public static bool TryCompute(IsoDuration? timeout, DateTimeOffset createdAt, out DateTimeOffset? expiresAt)
    {
        expiresAt = null;
        if (timeout is null) return true;
        if (!timeout.TryAddTo(createdAt, out var at)) return false;
        expiresAt = at;
        return true;
    }

    /// <summary>The expiry of terms already judged by <see cref="Problem"/> at this instant.</summary>
    public static DateTimeOffset? Of(IsoDuration? timeout, DateTimeOffset createdAt) =>
        TryCompute(timeout, createdAt, out var expiresAt)
            ? expiresAt
            : throw new InvalidOperationException($"negotiationTimeout {timeout} from {Timestamp.ToText(createdAt)} was not refused at creation.");

    /// <summary>PACT-101 at <c>/negotiationTimeout</c> (relative to the terms) when the proposal's expiry would be no real instant.</summary>
    public static FieldError? Problem(IsoDuration? timeout, DateTimeOffset createdAt) =>
        TryCompute(timeout, createdAt, out _)
            ? null
            : new FieldError(Pointer, PactCodes.InvalidPayload,
                $"negotiationTimeout {timeout} from {Timestamp.ToText(createdAt)} ends after year 9999: no real instant.");
}

namespace Pact.Core.Compliance;

/// <summary>The answer codes of the compliance check (§6.3).</summary>
public static class ComplianceCodes
{
    public const string Allowed = "ALLOWED";
    public const string CompactNotInForce = "COMPACT_NOT_IN_FORCE";
    public const string NotYetEffective = "NOT_YET_EFFECTIVE";
    public const string SuspendedLifecycleGap = "SUSPENDED_LIFECYCLE_GAP";
    public const string NotInRetention = "NOT_IN_RETENTION";
    public const string RetentionElapsed = "RETENTION_ELAPSED";
    public const string Disposed = "DISPOSED";
    public const string OperationNotAllowed = "OPERATION_NOT_ALLOWED";
    public const string RecipientNotAllowed = "RECIPIENT_NOT_ALLOWED";
    public const string RecipientCompactRequired = "RECIPIENT_COMPACT_REQUIRED";
}

/// <summary>The eight steps of §6.3, in evaluation order; a failing step's name is the answer's <c>dimension</c>.</summary>
public static class ComplianceSteps
{
    public const string CompactStatus = "compact-status";
    public const string Effective = "effective";
    public const string LifecycleGap = "lifecycle-gap";
    public const string Retention = "retention";
    public const string RetentionPeriod = "retention-period";
    public const string Derivation = "derivation";
    public const string Propagation = "propagation";
    public const string RecipientCompact = "recipient-compact";

    public static IReadOnlyList<string> All { get; } =
        [CompactStatus, Effective, LifecycleGap, Retention, RetentionPeriod, Derivation, Propagation, RecipientCompact];
}

/// <summary>One evaluated step: <c>result</c> is "pass", "fail", or "skip" (the step does not apply to the action).</summary>
public sealed record TraceStep(string Step, string Result, string Detail)
{
    public const string Pass = "pass";
    public const string Fail = "fail";
    public const string Skip = "skip";
}

/// <summary>
/// The check's answer (§6.3), and the body of <c>POST /v1/compacts/{id}/check</c> as it is:
/// <c>{ allowed, code, dimension, explanation, trace, compactHash, version, at }</c> (written with PactJson's options).
/// <see cref="Trace"/> holds the steps in order up to and including the first failure (all eight when allowed). <see cref="Dimension"/> is the failing step's name, null when allowed.
/// </summary>
public sealed record ComplianceDecision(
    bool Allowed,
    string Code,
    string? Dimension,
    string Explanation,
    IReadOnlyList<TraceStep> Trace,
    string CompactHash,
    long Version,
    DateTimeOffset At);

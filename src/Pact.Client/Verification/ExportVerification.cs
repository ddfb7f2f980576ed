namespace Pact.Client.Verification;

/// <summary>The names of the checks <see cref="ExportVerifier"/> reports, in the order it runs them.</summary>
public static class ExportChecks
{
    /// <summary><c>format</c> is not <c>pact-export/1</c>.</summary>
    public const string Format = "format";

    /// <summary>The bundle's <c>daemon</c> block names another key, id or an invalid origin than the trusted key.</summary>
    public const string Daemon = "daemon";

    /// <summary>The log's signed note does not open with the trusted key, or <c>log</c> disagrees with it.</summary>
    public const string Note = "note";

    /// <summary>An event is not an event (missing or mistyped member).</summary>
    public const string Event = "event";

    /// <summary>An event is out of place: wrong stream, streamSeq not contiguous from 1, or seq not increasing.</summary>
    public const string StreamSeq = Pact.Core.Events.EventChain.StreamSeqCheck;

    /// <summary>An event's prevHash is not the previous event's hash.</summary>
    public const string PrevHash = Pact.Core.Events.EventChain.PrevHashCheck;

    /// <summary>An event does not hash to its <c>hash</c>.</summary>
    public const string Hash = Pact.Core.Events.EventChain.HashCheck;

    /// <summary>An event has no valid inclusion proof in the signed tree.</summary>
    public const string Proof = "proof";

    /// <summary>An envelope in <c>data.envelope</c> does not verify or was not signed by the event's actor.</summary>
    public const string EnvelopeSignature = Pact.Core.TransparencyLog.EventSignatures.EnvelopeSignature;

    /// <summary>A compact signature or principal authorization does not verify (or its record is malformed).</summary>
    public const string CompactSignature = Pact.Core.TransparencyLog.EventSignatures.CompactSignature;

    /// <summary>The daemon's in-force signature of a compact record does not verify under the trusted key.</summary>
    public const string InForceSignature = Pact.Core.TransparencyLog.EventSignatures.InForceSignature;

    /// <summary>A passport recorded in an event (policy.decided, bundle.committed) does not hold: its passportHash or figures are not its content's.</summary>
    public const string Passport = Pact.Core.Passport.RecordedPassports.Check;

    /// <summary><c>compacts</c> is not exactly the records the events put in force.</summary>
    public const string Compacts = "compacts";

    /// <summary>A session checkpoint does not match its event or the replayed state.</summary>
    public const string Checkpoint = "checkpoint";

    /// <summary>A <c>bundle.committed</c> does not recompute from the events (§15): its ranking or selection.</summary>
    public const string BundleRanking = Pact.Core.Bundles.BundleRankingVerifier.Check;

    /// <summary><c>session</c> is not the state the events fold to.</summary>
    public const string State = "state";

    /// <summary>
    /// An action under a mandate (§14) is not backed by the bundle's <c>mandates</c>: its stream is missing or does not
    /// chain, hash or prove into the log, or the mandate was revoked or expired before the action, or names another hash.
    /// </summary>
    public const string Mandate = Pact.Core.Mandates.MandateStreams.Check;

    /// <summary>A <c>policy.decided</c> does not recompute from the transcript and the bundle's <c>policies</c> (§14).</summary>
    public const string PolicyDecision = Pact.Core.Mandates.DecisionReplay.Check;

    /// <summary>
    /// An act under a mandate (§14) does not carry out a recorded decision: no earlier <c>policy.decided</c> for its proposal
    /// under that mandate has its decisionHash, or that decision's effect is not the act's (or an acknowledgment names one).
    /// </summary>
    public const string MandateDecision = Pact.Core.Mandates.DecisionReplay.ActCheck;

    /// <summary>The grant an act under a mandate carries is not its answering agent's, or does not cover the act's session, compact or counterparty (§14).</summary>
    public const string MandateAuthority = Pact.Core.Mandates.DecisionReplay.AuthorityCheck;
}

/// <summary>Where verification stands, reported as it goes.</summary>
/// <param name="Stage">"events", "compacts", "checkpoints" or "state".</param>
/// <param name="Done">Items of this stage checked so far.</param>
/// <param name="Total">Items of this stage.</param>
public sealed record ExportVerificationProgress(string Stage, long Done, long Total);

/// <summary>The first thing that did not hold.</summary>
/// <param name="Check">One of <see cref="ExportChecks"/>.</param>
/// <param name="Pointer">A JSON pointer into the bundle at what failed.</param>
/// <param name="Message">What was wrong.</param>
/// <param name="Seq">The event's global seq, when the failure is at an event.</param>
/// <param name="StreamSeq">The event's streamSeq, when the failure is at an event.</param>
public sealed record ExportFailure(string Check, string Pointer, string Message, long? Seq = null, long? StreamSeq = null);

/// <summary>
/// Something the verifier did not judge, with why: neither verified nor failed. A mandate signature to a verifier that
/// knows only §0–§12 (<see cref="ExportVerification.Unverifiable"/>), or a check the bundle does not hold enough for
/// (<see cref="ExportVerification.NotChecked"/>).
/// </summary>
/// <param name="Check">One of <see cref="ExportChecks"/>.</param>
/// <param name="Pointer">A JSON pointer into the bundle at what was not judged.</param>
/// <param name="Reason">Why it was not.</param>
/// <param name="Seq">The event's global seq, when it is at an event.</param>
/// <param name="StreamSeq">The event's streamSeq, when it is at an event.</param>
public sealed record ExportUnjudged(string Check, string Pointer, string Reason, long? Seq = null, long? StreamSeq = null);

/// <summary>How to verify.</summary>
public sealed record ExportVerifierOptions
{
    /// <summary>The default: every section of the contract, Part II (§13–§16) included.</summary>
    public static ExportVerifierOptions Default { get; } = new();

    /// <summary>
    /// Verify as a verifier that knows only PROTOCOL §0–§12 would: a signature made under a mandate (one with a
    /// <c>signer</c>) is reported <see cref="ExportVerification.Unverifiable"/>, never invalid (§4.3, §14), and the
    /// Part II checks (recorded passports, bundle rankings, mandates and decisions) are reported
    /// <see cref="ExportVerification.NotChecked"/>. Everything of §0–§12 is verified as usual.
    /// </summary>
    public bool CoreSectionsOnly { get; init; }
}

/// <summary>The outcome of verifying an export bundle.</summary>
/// <param name="Ok">True when every check held.</param>
/// <param name="SessionId">The session the events belong to, once read.</param>
/// <param name="EventsChecked">Events checked, up to and including a failing one.</param>
/// <param name="ProofsChecked">Inclusion proofs that verified.</param>
/// <param name="SignaturesChecked">Ed25519 signatures verified: the note, envelopes, compact, principal and in-force signatures.</param>
/// <param name="TreeSize">The signed tree size the proofs were checked against, once the note opened.</param>
/// <param name="FirstFailure">The first failure, or null when <paramref name="Ok"/>.</param>
public sealed record ExportVerification(bool Ok, string? SessionId, long EventsChecked, long ProofsChecked, long SignaturesChecked, long? TreeSize, ExportFailure? FirstFailure)
{
    /// <summary>Signatures made under a mandate that were not checked because the verifier knows only §0–§12 (<see cref="ExportVerifierOptions.CoreSectionsOnly"/>), in event order.</summary>
    public IReadOnlyList<ExportUnjudged> Unverifiable { get; init; } = [];

    /// <summary>
    /// Checks left undone, in event order: what the bundle cannot settle (a decision's recorded passport beyond its agent and
    /// asOfSeq when the bundle does not hold the whole log up to that seq) and, for a §0–§12 verifier, every Part II check.
    /// </summary>
    public IReadOnlyList<ExportUnjudged> NotChecked { get; init; } = [];
}

namespace Pact.Core.Contracts.Responses;

/// <summary>
/// <c>GET /v1/sessions/{id}/verify</c> (§7): what re-checking the stored events found. A check that does not hold is
/// still a 200, with <paramref name="Ok"/> false and <paramref name="FirstError"/> naming it.
/// </summary>
/// <param name="EventsChecked">Events whose place, link and hash were checked.</param>
/// <param name="SignaturesChecked">Envelope, compact, in-force and note signatures checked.</param>
/// <param name="Head">The last event verification reached, or null when it read none.</param>
/// <param name="From">The session checkpoint it started from, or null from the first event.</param>
/// <param name="Log">The signed log checkpoint the head was proved in, when it got that far.</param>
public sealed record VerifyReport(
    bool Ok, long EventsChecked, long SignaturesChecked, VerifiedHead? Head, string? From, VerifiedLog? Log, VerificationFailure? FirstError);

/// <summary>The last event verification reached: its global seq, place in the stream and hash.</summary>
public sealed record VerifiedHead(long Seq, long StreamSeq, string Hash);

/// <summary>The signed log checkpoint the head was proved in.</summary>
public sealed record VerifiedLog(long TreeSize, string RootHash);

/// <summary>The first thing verification found wrong, at one event.</summary>
/// <param name="Check">hash, prev-hash, stream-seq, envelope-signature, compact-signature, in-force-signature, passport, policy-decision, mandate-decision, mandate-authority or inclusion.</param>
public sealed record VerificationFailure(long Seq, long StreamSeq, string Check, string Message);

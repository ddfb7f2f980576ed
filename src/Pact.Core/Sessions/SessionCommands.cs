using System.Text.Json.Nodes;

namespace Pact.Core.Sessions;

/// <summary>
/// A session request that passed the envelope checks of §2. <see cref="Envelope"/> is the accepted envelope
/// as parsed JSON; it is stored as <c>data.envelope</c>, and its <c>signer</c> acts.
/// </summary>
public abstract record SessionCommand(JsonObject Envelope)
{
    public string Signer => Envelope["signer"]?.GetValue<string>()
        ?? throw new ArgumentException("The envelope has no signer.", nameof(Envelope));
}

/// <summary>
/// session.create; <paramref name="SessionId"/> is daemon-generated. Registration of the participants, and the
/// passport <paramref name="Admission"/> when the request carries one, are the caller's checks.
/// </summary>
public sealed record CreateSession(
    JsonObject Envelope, string SessionId, IReadOnlyList<string> Participants, string? Topic = null, JsonNode? Metadata = null,
    Passport.PassportRequirement? Admission = null)
    : SessionCommand(Envelope);

public sealed record SuspendSession(JsonObject Envelope) : SessionCommand(Envelope);

public sealed record ResumeSession(JsonObject Envelope) : SessionCommand(Envelope);

/// <summary>session.terminate: also retires every open or withdrawal-pending proposal.</summary>
public sealed record TerminateSession(JsonObject Envelope) : SessionCommand(Envelope)
{
    /// <summary>The aborts of the session's open bundles (§15), recorded right after session.terminated; they retire their members.</summary>
    public Negotiation.Decision BundleAborts { get; init; } = Negotiation.Decision.Empty;
}

/// <summary>session.checkpoint; <paramref name="CheckpointId"/> is daemon-generated.</summary>
public sealed record CheckpointSession(JsonObject Envelope, string CheckpointId, string? Label = null) : SessionCommand(Envelope);

using Pact.Core.Events;

namespace Pact.Core.Contracts.Responses;

/// <summary>A page of <c>GET /v1/sessions/{id}/events</c> (§8.3), in streamSeq order; <paramref name="Next"/> is the <c>after</c> of the next page, null at the end.</summary>
public sealed record EventPage(IReadOnlyList<TranscriptEvent> Events, long? Next);

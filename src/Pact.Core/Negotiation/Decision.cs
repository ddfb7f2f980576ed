using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Pact.Core.Errors;
using Pact.Core.Events;

namespace Pact.Core.Negotiation;

/// <summary>One decided event and the stream (session id) it must be appended to.</summary>
public sealed record StreamEvent(string Stream, EventDraft Draft);

/// <summary>
/// What a decision records: events in append order. One operation may touch several streams (signing
/// version n+1 records supersession in version n's session); the appender keeps this order within each
/// stream and appends the whole decision atomically.
/// </summary>
public sealed record Decision(ImmutableArray<StreamEvent> Events)
{
    public static Decision Empty { get; } = new(ImmutableArray<StreamEvent>.Empty);

    public bool IsEmpty => Events.IsDefaultOrEmpty;

    /// <summary>The drafts of one stream, in order.</summary>
    public IReadOnlyList<EventDraft> For(string stream) =>
        Events.Where(e => e.Stream == stream).Select(e => e.Draft).ToList();

    /// <summary>The streams touched, in order of first appearance.</summary>
    public IReadOnlyList<string> Streams => Events.Select(e => e.Stream).Distinct().ToList();

    public Decision Then(Decision next) => new(Events.AddRange(next.Events));

    public static Decision Of(params StreamEvent[] events) => new(events.ToImmutableArray());
}

/// <summary>The answer of a <c>Decide</c>: either a <see cref="Decision"/> to append or a refusal.</summary>
public sealed record Verdict
{
    private Verdict(Decision? decision, PactError? error)
    {
        Decision = decision;
        Error = error;
    }

    public Decision? Decision { get; }

    public PactError? Error { get; }

    [MemberNotNullWhen(true, nameof(Decision))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsAccepted => Decision is not null;

    public static Verdict Accept(Decision decision) => new(decision, null);

    public static Verdict Refuse(PactError error) => new(null, error);

    public static implicit operator Verdict(Decision decision) => Accept(decision);

    public static implicit operator Verdict(PactError error) => Refuse(error);
}

using Pact.Core.Sessions;
using Pact.Core.Negotiation;
using Microsoft.AspNetCore.Mvc;
using Pact.Daemon.Auth;
using Microsoft.Extensions.Options;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Daemon.Hosting;
using Pact.Daemon.Streaming;
using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>Reading and streaming transcript events (§8.3).</summary>
public sealed class EventsController(ResourceVisibility visibility, IPactStore store, ISessionReadModel sessions, EventStreamer streamer, IOptions<PactOptions> options) : PactControllerBase
{
    /// <summary>A page of a session's events in streamSeq order; <c>next</c> is the <c>after</c> of the next page, null at the end.</summary>
    [HttpGet("/v1/sessions/{sessionId}/events")]
    [ProducesResponseType(typeof(EventPage), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> List(string sessionId, [FromQuery] long after = 0, [FromQuery] int limit = 100, CancellationToken ct = default)
    {
        var caller = Reader;
        var session = await sessions.GetAsync(sessionId, ct);
        if (session is null || !visibility.CanSeeSession(caller, session.Participants)) return Problem(PactError.NotFound($"Session {sessionId}"));
        if (after < 0 || limit < 1) return Problem(PactError.InvalidPayload("'after' must be ≥ 0 and 'limit' ≥ 1.", "/after"));
        limit = Math.Min(limit, options.Value.Limits.MaxPageSize);
        var events = await store.ReadStreamAsync(sessionId, after, limit + 1, ct);
        var page = events.Take(limit).ToList();
        return Json(200, new EventPage(page, events.Count > limit ? page[^1].StreamSeq : null));
    }

    /// <summary>Live SSE of one session (id = streamSeq), resuming after Last-Event-ID, ?after=n, or ?after=head.</summary>
    [HttpGet("/v1/sessions/{sessionId}/events/stream")]
    [Produces("text/event-stream")]
    [ProducesResponseType(StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task StreamSession(string sessionId)
    {
        var ct = HttpContext.RequestAborted;
        var caller = Reader;
        var session = await sessions.GetAsync(sessionId, ct);
        if (session is null || !visibility.CanSeeSession(caller, session.Participants))
        {
            await Problem(PactError.NotFound($"Session {sessionId}")).ExecuteAsync(HttpContext);
            return;
        }
        var (start, atHead, error) = EventStreamer.StartPosition(Request);
        if (error is not null)
        {
            await Problem(PactError.InvalidPayload(error, "/after")).ExecuteAsync(HttpContext);
            return;
        }
        await streamer.StreamAsync(HttpContext,
            e => e.Stream == sessionId,
            e => e.StreamSeq,
            async (after, limit, token) =>
            {
                var page = await store.ReadStreamAsync(sessionId, after, limit, token);
                return new EventStreamer.BacklogPage(page, page.Count > 0 ? page[^1].StreamSeq : after, page.Count < limit);
            },
            async token => (await store.GetStreamHeadAsync(sessionId, token))?.StreamSeq ?? 0,
            start, atHead);
    }

    /// <summary>Live SSE of every stream the caller may read (id = global seq); <c>types</c> filters by exact type or prefix.*.</summary>
    [HttpGet("/v1/events/stream")]
    [Produces("text/event-stream")]
    [ProducesResponseType(StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task StreamAll([FromQuery] string? types = null)
    {
        var ct = HttpContext.RequestAborted;
        var caller = Reader;
        var (start, atHead, error) = EventStreamer.StartPosition(Request);
        if (error is not null)
        {
            await Problem(PactError.InvalidPayload(error, "/after")).ExecuteAsync(HttpContext);
            return;
        }
        var typeFilter = TypeFilter.Parse(types);
        var visible = new VisibleStreams(caller, visibility, sessions);
        await visible.LoadAsync(ct);
        await streamer.StreamAsync(HttpContext,
            e => visible.Observe(e) && typeFilter.Matches(e.Type),
            e => e.Seq,
            async (after, limit, token) =>
            {
                // The agent-wide backlog is the global log filtered to the caller's sessions and types.
                var page = await store.ReadAllAsync(after, limit, token);
                var events = page.Where(e => visible.Observe(e) && typeFilter.Matches(e.Type)).ToList();
                return new EventStreamer.BacklogPage(events, page.Count > 0 ? page[^1].Seq : after, page.Count < limit);
            },
            _ => Task.FromResult(store.HeadSeq),
            start, atHead);
    }
}

/// <summary>The streams an agent may read, kept current as sessions naming it are created.</summary>
internal sealed class VisibleStreams(Caller caller, ResourceVisibility visibility, ISessionReadModel sessions)
{
    private HashSet<string> _streams = new(StringComparer.Ordinal);

    public async Task LoadAsync(CancellationToken ct)
    {
        if (caller.Agent is not null) _streams = await sessions.SessionsOfAsync(caller.Agent, ct);
        _streams.UnionWith(visibility.MandateStreamsOf(caller));
    }

    public bool Observe(TranscriptEvent e)
    {
        if (caller.IsAdmin) return true;
        // A session created since the load: Core says who takes part in it, as the session read model does.
        if (e.Type == EventTypes.SessionCreated && visibility.CanSeeSession(caller, SessionState.Created(e).Participants))
        {
            lock (_streams) _streams.Add(e.Stream);
        }
        // A mandate granted since the load: its stream is its granter's (§14).
        if (e.Type == EventTypes.MandateGranted && e.Actor == caller.Agent)
        {
            lock (_streams) _streams.Add(e.Stream);
        }
        lock (_streams) return _streams.Contains(e.Stream);
    }
}

using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Json;

namespace Pact.Client;

public sealed partial class PactClient
{
    /// <summary>Pass as <c>after</c> to a tail to start with the next new event instead of a position.</summary>
    public const long FromHead = -1;

    // A daemon that skips events again and again has a bug; after this many reconnections the tail says so.
    private const int MaxGapRetries = 3;

    /// <summary>
    /// Follows a session's events live over SSE (<c>GET /v1/sessions/{id}/events/stream</c>, §8.3): the stored
    /// events after <paramref name="after"/>, then each new one as it is appended. A dropped or silent connection is
    /// reopened after the daemon's <c>retry:</c> delay with <c>Last-Event-ID</c> = the last streamSeq delivered, so
    /// every event is yielded exactly once and in order; a gap in streamSeq is refused rather than passed on.
    /// The enumeration ends only through <paramref name="cancellationToken"/> or an error that retrying cannot cure.
    /// </summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="after">
    /// Start after this streamSeq; null or 0 for the whole stream; <see cref="FromHead"/> for new events only
    /// (the head is read from the session first, so nothing between that read and the connection is missed).
    /// </param>
    /// <param name="cancellationToken">Stops the tail.</param>
    /// <exception cref="PactApiException">The daemon refused the stream (e.g. 404), or a 401 persisted after a token refresh.</exception>
    public async IAsyncEnumerable<TranscriptEvent> TailSessionAsync(
        string sessionId,
        long? after = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var start = after ?? 0;
        if (start == FromHead)
            start = (await GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false)).Head?.StreamSeq ?? 0;
        if (start < 0) throw new ArgumentOutOfRangeException(nameof(after), "A stream position is 0 or more, or FromHead.");
        var events = TailAsync($"v1/sessions/{Segment(sessionId)}/events/stream", null, start, fromHead: false, contiguous: true, e => e.StreamSeq, null, cancellationToken);
        await foreach (var e in events.ConfigureAwait(false)) yield return e;
    }

    /// <summary>
    /// Follows every stream this agent may read over SSE (<c>GET /v1/events/stream</c>, §8.3), ids being the global
    /// <c>seq</c>. Reconnects like <see cref="TailSessionAsync"/>, never yielding an event twice; seq may jump, since
    /// events of other streams and other types are not shown.
    /// </summary>
    /// <param name="types">Event type filters (exact, or <c>prefix.*</c>), sent comma-separated; all types when null or empty.</param>
    /// <param name="after">
    /// Start after this seq; null or 0 for everything; <see cref="FromHead"/> for new events only (if the first connection
    /// drops before any event arrived, the next one starts at the head again, so events in between can be missed).
    /// </param>
    /// <param name="cancellationToken">Stops the tail.</param>
    /// <exception cref="PactApiException">The daemon refused the stream, or a 401 persisted after a token refresh.</exception>
    public IAsyncEnumerable<TranscriptEvent> TailAllAsync(IEnumerable<string>? types = null, long? after = null, CancellationToken cancellationToken = default) =>
        TailAll(types, after, null, cancellationToken);

    /// <summary>
    /// <see cref="TailAllAsync(IEnumerable{string}?, long?, CancellationToken)"/>, calling <paramref name="onConnected"/> each
    /// time the daemon has accepted a connection to the stream (first and after every reconnection). With
    /// <see cref="FromHead"/>, an event appended after the first call is certain to be delivered: a program can
    /// announce that it is listening at that moment.
    /// </summary>
    /// <param name="types">Event type filters (exact, or <c>prefix.*</c>); all types when null or empty.</param>
    /// <param name="after">Start after this seq; null or 0 for everything; <see cref="FromHead"/> for new events only.</param>
    /// <param name="onConnected">Called, on the enumerating thread, when a connection is open; it should return quickly.</param>
    /// <param name="cancellationToken">Stops the tail.</param>
    /// <exception cref="PactApiException">The daemon refused the stream, or a 401 persisted after a token refresh.</exception>
    public IAsyncEnumerable<TranscriptEvent> TailAllAsync(IEnumerable<string>? types, long? after, Action onConnected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onConnected);
        return TailAll(types, after, onConnected, cancellationToken);
    }

    private IAsyncEnumerable<TranscriptEvent> TailAll(IEnumerable<string>? types, long? after, Action? onConnected, CancellationToken cancellationToken)
    {
        var filter = types is null ? null : string.Join(",", types);
        if (string.IsNullOrEmpty(filter)) filter = null;
        var fromHead = after == FromHead;
        if (!fromHead && after < 0) throw new ArgumentOutOfRangeException(nameof(after), "A stream position is 0 or more, or FromHead.");
        return TailAsync("v1/events/stream", filter, fromHead ? null : after ?? 0, fromHead, contiguous: false, e => e.Seq, onConnected, cancellationToken);
    }

    /// <param name="path">The stream's path.</param>
    /// <param name="types">The types filter, or null.</param>
    /// <param name="startAfter">The id to start after, or null when starting at the head.</param>
    /// <param name="fromHead">Start at the head (<c>?after=head</c>).</param>
    /// <param name="contiguous">Ids must follow each other without gaps (a session stream).</param>
    /// <param name="idOf">The SSE id of an event.</param>
    /// <param name="onConnected">Called each time a connection is accepted, or null.</param>
    /// <param name="cancellationToken">Stops the tail.</param>
    /// <param name="access">Whose token reads: the agent's (or the admin token without a key), or the admin token only.</param>
    private async IAsyncEnumerable<TranscriptEvent> TailAsync(
        string path,
        string? types,
        long? startAfter,
        bool fromHead,
        bool contiguous,
        Func<TranscriptEvent, long> idOf,
        Action? onConnected,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        Access access = Access.Reader)
    {
        var last = startAfter;               // the id of the last event delivered (or the start position)
        var reconnectDelay = _options.DefaultReconnectDelay;
        TimeSpan? retryAfter = null;         // a 429/503 answer's own wait, used once
        var failures = 0;                    // connections in a row that ended without a new event
        var connected = false;               // a first connection was made: later ones resume by Last-Event-ID
        var refreshed = false;
        var gaps = 0;                        // connections in a row that ended on a gap
        Exception? lastError = null;

        while (true)
        {
            if (failures > 0)
            {
                if (_options.MaxReconnectAttempts is { } max && failures > max)
                    throw new IOException($"The event stream {path} failed {failures} times in a row without delivering an event.", lastError);
                await Task.Delay(retryAfter ?? ReconnectWait(reconnectDelay, failures), Clock, cancellationToken).ConfigureAwait(false);
                retryAfter = null;
            }

            string? after = null;
            string? lastEventId = null;
            if (!connected) after = fromHead ? "head" : last is > 0 ? Num(last.Value) : null;
            else if (last is not null) lastEventId = Num(last.Value);
            else if (fromHead) after = "head";

            using var request = new HttpRequestMessage(HttpMethod.Get, WithQuery(path, ("types", types), ("after", after)));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            request.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
            if (lastEventId is not null) request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
            request.Headers.Authorization = await AuthorizationAsync(access, cancellationToken).ConfigureAwait(false);

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                lastError = e;
                failures++;
                continue;
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    var status = (int)response.StatusCode;
                    if (status == 401 && !refreshed && CanRefresh(access))
                    {
                        refreshed = true;
                        InvalidateToken();
                        continue;
                    }
                    var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    var error = PactApiException.FromResponse(status, response.ReasonPhrase, text, RetryAfter(response));
                    if (!IsTransientStatus(status)) throw error;
                    lastError = error;
                    retryAfter = error.RetryAfter;
                    failures++;
                    continue;
                }
                refreshed = false;
                connected = true;
                onConnected?.Invoke();

                var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using var stream = new IdleTimeoutStream(body, _options.StreamIdleTimeout, Clock);
                var parser = SseParser.Create(stream);
                var progressed = false;
                await using var items = parser.EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                while (true)
                {
                    bool moved;
                    try
                    {
                        moved = await items.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is TimeoutException || IsTransient(e, cancellationToken))
                    {
                        lastError = e;
                        moved = false;
                    }
                    if (parser.ReconnectionInterval > TimeSpan.Zero) reconnectDelay = parser.ReconnectionInterval;
                    if (!moved) break;

                    var ev = ParseStreamEvent(items.Current.Data);
                    var id = idOf(ev);
                    if (last is { } seen && id <= seen) continue; // already delivered before a reconnection
                    if (contiguous && last is { } previous && id != previous + 1)
                    {
                        // The daemon promises no gaps; resume from what we have rather than pass one on.
                        lastError = new InvalidDataException($"The event stream {path} jumped from {previous} to {id}.");
                        if (++gaps > MaxGapRetries) throw lastError;
                        break;
                    }
                    last = id;
                    progressed = true;
                    gaps = 0;
                    yield return ev;
                }
                failures = progressed ? 1 : failures + 1;
            }
        }
    }

    /// <summary>The wait before reconnection number <paramref name="failures"/>: the daemon's delay, doubled for each further failure in a row.</summary>
    private TimeSpan ReconnectWait(TimeSpan delay, int failures)
    {
        var cap = Math.Max(delay.Ticks, _options.MaxRetryDelay.Ticks);
        var ticks = delay.Ticks * Math.Pow(2, Math.Min(failures - 1, 20));
        return TimeSpan.FromTicks((long)Math.Min(ticks, cap));
    }

    private static TranscriptEvent ParseStreamEvent(string data)
    {
        JsonNode? node;
        try
        {
            node = StrictJson.Parse(data);
        }
        catch (InvalidJsonException e)
        {
            throw new InvalidDataException($"An SSE message's data is not JSON: {e.Message}", e);
        }
        if (node is not JsonObject obj) throw new InvalidDataException("An SSE message's data is not a JSON object.");
        try
        {
            return TranscriptEvent.FromJson(obj);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or InvalidCastException)
        {
            throw new InvalidDataException($"An event lacks a member of §8.1 or has one of the wrong type: {e.Message}", e);
        }
    }
}

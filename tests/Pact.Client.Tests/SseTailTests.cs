using System.Text;
using System.Threading.Channels;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Pact.Client.Tests.Support;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Time;

namespace Pact.Client.Tests;

/// <summary>The SSE tail against a real Kestrel that plays a scripted stream, connection by connection.</summary>
public class SseTailTests
{
    private static readonly List<TranscriptEvent> Chain = ClientRequestTests.EventChain("ses_1", 6);

    // A safety net so a broken client fails the test instead of hanging it.
    private static CancellationTokenSource Guard() => new(TimeSpan.FromSeconds(30));

    /// <summary>One connection's script: what the server writes, given the connection's request.</summary>
    private delegate Task Script(HttpContext ctx);

    private static async Task<ScriptedDaemon> StartStreamAsync(string pattern, IReadOnlyList<Script> connections, TimeProvider? clock = null)
    {
        var n = 0;
        return await ScriptedDaemon.StartAsync((app, _) =>
        {
            app.MapGet("/v1/sessions/{id}", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 200, ClientRequestTests.SessionJson("active")));
            app.MapGet(pattern, async (HttpContext ctx) =>
            {
                var i = Interlocked.Increment(ref n) - 1;
                if (i >= connections.Count)
                {
                    await HangAsync(ctx);
                    return;
                }
                await connections[i](ctx);
            });
        }, clock);
    }

    private static async Task BeginAsync(HttpContext ctx, string retry = "10")
    {
        ctx.Response.ContentType = "text/event-stream";
        await WriteAsync(ctx, $"retry: {retry}\n\n");
    }

    private static async Task WriteAsync(HttpContext ctx, string text)
    {
        await ctx.Response.WriteAsync(text, Encoding.UTF8);
        await ctx.Response.Body.FlushAsync();
    }

    private static string Message(TranscriptEvent e, long id) => $"id: {id}\nevent: {e.Type}\ndata: {e.ToJson().ToJsonString()}\n\n";

    private static Task SendAsync(HttpContext ctx, params int[] streamSeqs) =>
        WriteAsync(ctx, string.Concat(streamSeqs.Select(s => Message(Chain[s - 1], s))));

    private static async Task HangAsync(HttpContext ctx)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The client went away: the end of this connection.
        }
    }

    private static async Task<List<TranscriptEvent>> TakeAsync(IAsyncEnumerable<TranscriptEvent> tail, int count, Delivered? delivered = null)
    {
        var list = new List<TranscriptEvent>();
        await foreach (var e in tail)
        {
            list.Add(e);
            delivered?.Mark(e.StreamSeq);
            if (list.Count == count) break;
        }
        return list;
    }

    /// <summary>
    /// Lets a server script wait until the client has yielded an event. Kestrel's Abort drops output still
    /// buffered, so a script kills the connection only once the client provably holds what came before.
    /// </summary>
    private sealed class Delivered
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<long, TaskCompletionSource> _marks = new();

        private TaskCompletionSource Of(long streamSeq) =>
            _marks.GetOrAdd(streamSeq, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public void Mark(long streamSeq) => Of(streamSeq).TrySetResult();

        public Task WhenAsync(long streamSeq) => Of(streamSeq).Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Dropped_stream_resumes_with_Last_Event_ID_and_yields_each_event_once_in_order()
    {
        var delivered = new Delivered();
        await using var daemon = await StartStreamAsync("/v1/sessions/{id}/events/stream",
        [
            async ctx =>
            {
                await BeginAsync(ctx);
                await SendAsync(ctx, 1, 2, 3);
                // Half a message, then the stream ends: the partial event must not surface.
                await WriteAsync(ctx, "id: 4\nevent: test.event\ndata: {\"seq\":10");
            },
            async ctx =>
            {
                await BeginAsync(ctx);
                await SendAsync(ctx, 3, 4, 5); // 3 again: an overlap the client must not repeat
                await WriteAsync(ctx, ": ping\n\n");
                await delivered.WhenAsync(5);
                ctx.Abort(); // and now an abrupt reset
            },
            async ctx =>
            {
                await BeginAsync(ctx);
                await SendAsync(ctx, 6);
                await HangAsync(ctx);
            },
        ]);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());
        using var guard = Guard();

        var events = await TakeAsync(client.TailSessionAsync("ses_1", cancellationToken: guard.Token), 6, delivered);

        events.Select(e => e.StreamSeq).Should().Equal(1, 2, 3, 4, 5, 6);
        events.Select(e => e.Hash).Should().Equal(Chain.Select(e => e.Hash));
        var connections = daemon.RequestsTo("/v1/sessions/ses_1/events/stream");
        connections.Should().HaveCount(3);
        connections.Select(c => c.Header("Last-Event-ID")).Should().Equal(null, "3", "5");
        connections.Should().OnlyContain(c => c.Header("Authorization") == "Bearer token-1" && c.Header("Accept") == "text/event-stream");
    }

    [Fact]
    public async Task Tail_after_a_position_asks_for_it_and_skips_anything_at_or_before_it()
    {
        await using var daemon = await StartStreamAsync("/v1/sessions/{id}/events/stream",
        [
            async ctx =>
            {
                await BeginAsync(ctx);
                await SendAsync(ctx, 2, 3, 4);
                await HangAsync(ctx);
            },
        ]);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());
        using var guard = Guard();

        var events = await TakeAsync(client.TailSessionAsync("ses_1", after: 2, guard.Token), 2);

        events.Select(e => e.StreamSeq).Should().Equal(3, 4);
        daemon.RequestsTo("/v1/sessions/ses_1/events/stream").Single().Query.Should().Be("?after=2");
    }

    [Fact]
    public async Task Tail_from_head_starts_after_the_sessions_head()
    {
        await using var daemon = await StartStreamAsync("/v1/sessions/{id}/events/stream",
        [
            async ctx =>
            {
                await BeginAsync(ctx);
                await SendAsync(ctx, 5);
                await HangAsync(ctx);
            },
        ]);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());
        using var guard = Guard();

        var events = await TakeAsync(client.TailSessionAsync("ses_1", PactClient.FromHead, guard.Token), 1);

        events.Single().StreamSeq.Should().Be(5);
        daemon.RequestsTo("/v1/sessions/ses_1/events/stream").Single().Query.Should().Be("?after=4", "SessionJson's head is streamSeq 4");
    }

    [Fact]
    public async Task Reconnection_waits_exactly_the_retry_the_daemon_sent()
    {
        var clock = new TimerWatchingTimeProvider(Timestamp.Parse("2026-11-21T12:00:00.000Z"));
        await using var daemon = await StartStreamAsync("/v1/sessions/{id}/events/stream",
        [
            async ctx =>
            {
                await BeginAsync(ctx, retry: "1234");
                await SendAsync(ctx, 1); // and the stream ends
            },
            async ctx =>
            {
                await BeginAsync(ctx, retry: "1234");
                await SendAsync(ctx, 2);
                await HangAsync(ctx);
            },
        ], clock);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate(), new PactClientOptions { TimeProvider = clock });
        using var guard = Guard();
        var received = Channel.CreateUnbounded<TranscriptEvent>();
        var pump = Task.Run(async () =>
        {
            await foreach (var e in client.TailSessionAsync("ses_1", cancellationToken: guard.Token)) await received.Writer.WriteAsync(e);
        });

        (await received.Reader.ReadAsync(guard.Token)).StreamSeq.Should().Be(1);
        await clock.WhenTimerArmedAsync(TimeSpan.FromMilliseconds(1234)).WaitAsync(guard.Token);
        daemon.RequestsTo("/v1/sessions/ses_1/events/stream").Should().HaveCount(1, "the client waits for the clock before reconnecting");
        clock.Advance(TimeSpan.FromMilliseconds(1234));
        (await received.Reader.ReadAsync(guard.Token)).StreamSeq.Should().Be(2);

        daemon.RequestsTo("/v1/sessions/ses_1/events/stream").Select(c => c.Header("Last-Event-ID")).Should().Equal(null, "1");
        await guard.CancelAsync();
        await pump.Invoking(p => p).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Silent_connection_is_taken_as_dead_and_reopened()
    {
        var clock = new TimerWatchingTimeProvider(Timestamp.Parse("2026-11-21T12:00:00.000Z"));
        await using var daemon = await StartStreamAsync("/v1/sessions/{id}/events/stream",
        [
            async ctx =>
            {
                await BeginAsync(ctx, retry: "10");
                await SendAsync(ctx, 1);
                await HangAsync(ctx); // no pings: a half-open connection
            },
            async ctx =>
            {
                await BeginAsync(ctx, retry: "10");
                await SendAsync(ctx, 2);
                await HangAsync(ctx);
            },
        ], clock);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate(), new PactClientOptions { TimeProvider = clock, StreamIdleTimeout = TimeSpan.FromSeconds(45) });
        using var guard = Guard();
        var received = Channel.CreateUnbounded<TranscriptEvent>();
        var pump = Task.Run(async () =>
        {
            await foreach (var e in client.TailSessionAsync("ses_1", cancellationToken: guard.Token)) await received.Writer.WriteAsync(e);
        });

        (await received.Reader.ReadAsync(guard.Token)).StreamSeq.Should().Be(1);
        await clock.WhenTimerArmedAsync(TimeSpan.FromSeconds(45)).WaitAsync(guard.Token);
        clock.Advance(TimeSpan.FromSeconds(45));
        await clock.WhenTimerArmedAsync(TimeSpan.FromMilliseconds(10)).WaitAsync(guard.Token);
        clock.Advance(TimeSpan.FromMilliseconds(10));
        (await received.Reader.ReadAsync(guard.Token)).StreamSeq.Should().Be(2);

        daemon.RequestsTo("/v1/sessions/ses_1/events/stream").Select(c => c.Header("Last-Event-ID")).Should().Equal(null, "1");
        await guard.CancelAsync();
        await pump.Invoking(p => p).Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task Stream_refused_with_401_is_reopened_once_with_a_new_token()
    {
        await using var daemon = await StartStreamAsync("/v1/sessions/{id}/events/stream",
        [
            ctx => ScriptedDaemon.WriteJsonAsync(ctx, 401, new System.Text.Json.Nodes.JsonObject { ["code"] = "PACT-207", ["title"] = "Bad token", ["status"] = 401 }, "application/problem+json"),
            async ctx =>
            {
                await BeginAsync(ctx);
                await SendAsync(ctx, 1, 2);
                await HangAsync(ctx);
            },
        ]);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());
        using var guard = Guard();

        var events = await TakeAsync(client.TailSessionAsync("ses_1", cancellationToken: guard.Token), 2);

        events.Select(e => e.StreamSeq).Should().Equal(1, 2);
        daemon.RequestsTo("/v1/sessions/ses_1/events/stream").Select(c => c.Header("Authorization")).Should().Equal("Bearer token-1", "Bearer token-2");
    }

    [Fact]
    public async Task Stream_of_an_invisible_session_fails_at_once()
    {
        await using var daemon = await StartStreamAsync("/v1/sessions/{id}/events/stream",
        [
            ctx => ScriptedDaemon.WriteJsonAsync(ctx, 404, new System.Text.Json.Nodes.JsonObject { ["code"] = "PACT-404", ["title"] = "Not found", ["status"] = 404 }, "application/problem+json"),
        ]);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());
        using var guard = Guard();

        var act = () => TakeAsync(client.TailSessionAsync("ses_1", cancellationToken: guard.Token), 1);

        (await act.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be(PactCodes.NotFound);
        daemon.RequestsTo("/v1/sessions/ses_1/events/stream").Should().HaveCount(1);
    }

    [Fact]
    public async Task Session_stream_that_keeps_skipping_an_event_is_refused_not_passed_on()
    {
        await using var daemon = await StartStreamAsync("/v1/sessions/{id}/events/stream",
            Enumerable.Repeat<Script>(async ctx =>
            {
                await BeginAsync(ctx, retry: "1");
                await SendAsync(ctx, 1, 3);
                await HangAsync(ctx);
            }, 10).ToList());
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());
        using var guard = Guard();
        var seen = new List<long>();

        var act = async () =>
        {
            await foreach (var e in client.TailSessionAsync("ses_1", cancellationToken: guard.Token)) seen.Add(e.StreamSeq);
        };

        await act.Should().ThrowAsync<InvalidDataException>().WithMessage("*jumped from 1 to 3*");
        seen.Should().Equal(1);
        daemon.RequestsTo("/v1/sessions/ses_1/events/stream").Select(c => c.Header("Last-Event-ID")).Should().Equal(null, "1", "1", "1");
    }

    [Fact]
    public async Task Global_tail_filters_by_type_and_resumes_by_seq_across_gaps()
    {
        // Global ids are seq; other streams' events are not shown, so seq jumps.
        var delivered = new Delivered();
        await using var daemon = await StartStreamAsync("/v1/events/stream",
        [
            async ctx =>
            {
                await BeginAsync(ctx);
                await WriteAsync(ctx, Message(Chain[0], Chain[0].Seq) + Message(Chain[2], Chain[2].Seq));
                await delivered.WhenAsync(3);
                ctx.Abort();
            },
            async ctx =>
            {
                await BeginAsync(ctx);
                await WriteAsync(ctx, Message(Chain[2], Chain[2].Seq) + Message(Chain[5], Chain[5].Seq));
                await HangAsync(ctx);
            },
        ]);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());
        using var guard = Guard();

        var events = await TakeAsync(client.TailAllAsync(["proposal.*", "test.event"], cancellationToken: guard.Token), 3, delivered);

        events.Select(e => e.Seq).Should().Equal(101, 103, 106);
        var connections = daemon.RequestsTo("/v1/events/stream");
        connections.Select(c => QueryHelpers.ParseQuery(c.Query)["types"].ToString()).Should().Equal("proposal.*,test.event", "proposal.*,test.event");
        connections.Select(c => c.Header("Last-Event-ID")).Should().Equal(null, "103");
    }

    [Fact]
    public async Task Global_tail_from_head_asks_for_the_head()
    {
        await using var daemon = await StartStreamAsync("/v1/events/stream",
        [
            async ctx =>
            {
                await BeginAsync(ctx);
                await WriteAsync(ctx, Message(Chain[4], Chain[4].Seq));
                await HangAsync(ctx);
            },
        ]);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());
        using var guard = Guard();

        var events = await TakeAsync(client.TailAllAsync(after: PactClient.FromHead, cancellationToken: guard.Token), 1);

        events.Single().Seq.Should().Be(105);
        daemon.RequestsTo("/v1/events/stream").Single().Query.Should().Be("?after=head");
    }

    [Fact]
    public async Task Global_tail_reports_each_accepted_connection_before_its_events()
    {
        var log = new List<string>();
        var delivered = new Delivered();
        await using var daemon = await StartStreamAsync("/v1/events/stream",
        [
            async ctx =>
            {
                await BeginAsync(ctx);
                await WriteAsync(ctx, Message(Chain[0], Chain[0].Seq));
                await delivered.WhenAsync(1);
                ctx.Abort();
            },
            ctx =>
            {
                ctx.Response.StatusCode = 503;
                return Task.CompletedTask;
            },
            async ctx =>
            {
                await BeginAsync(ctx);
                await WriteAsync(ctx, Message(Chain[1], Chain[1].Seq));
                await HangAsync(ctx);
            },
        ]);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate(), new PactClientOptions { RetryDelay = TimeSpan.Zero, MaxRetryDelay = TimeSpan.FromMilliseconds(50) });
        using var guard = Guard();

        await foreach (var e in client.TailAllAsync(null, PactClient.FromHead, () => log.Add("connected"), guard.Token))
        {
            log.Add("event " + e.Seq);
            delivered.Mark(e.StreamSeq);
            if (log.Count == 4) break;
        }

        log.Should().Equal(["connected", "event 101", "connected", "event 102"], "a refused reconnection is not a connection");
    }
}

using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests;

public class StreamingTests(DaemonFixture daemon) : IClassFixture<DaemonFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task The_session_stream_sends_the_backlog_then_live_events_in_order_in_the_exact_wire_format()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var session = await a.CreateSessionAsync(b);
        await a.PostAsync($"/v1/sessions/{session}/suspend", "session.suspend", new JsonObject { ["sessionId"] = session });

        using var sse = await SseReader.OpenAsync(daemon.Host, $"/v1/sessions/{session}/events/stream", await b.TokenAsync());
        (await sse.ReadLineAsync()).Should().Be("retry: 2000");
        var first = await sse.NextEventAsync(Patience);
        first.Id.Should().Be("1");
        first.Type.Should().Be("session.created");
        TranscriptEvent.FromJson((JsonObject)JsonNode.Parse(first.Data)!).RecomputeHash().Should().Be(JsonNode.Parse(first.Data)!["hash"]!.GetValue<string>());
        (await sse.NextEventAsync(Patience)).Type.Should().Be("session.suspended");

        await a.PostAsync($"/v1/sessions/{session}/resume", "session.resume", new JsonObject { ["sessionId"] = session });
        var live = await sse.NextEventAsync(Patience);
        live.Id.Should().Be("3");
        live.Type.Should().Be("session.resumed");
    }

    [Fact]
    public async Task Resuming_with_Last_Event_ID_continues_after_it_without_gap_or_duplicate()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var session = await a.CreateSessionAsync(b);
        for (var i = 0; i < 2; i++)
        {
            await a.PostAsync($"/v1/sessions/{session}/suspend", "session.suspend", new JsonObject { ["sessionId"] = session });
            await a.PostAsync($"/v1/sessions/{session}/resume", "session.resume", new JsonObject { ["sessionId"] = session });
        }

        using var sse = await SseReader.OpenAsync(daemon.Host, $"/v1/sessions/{session}/events/stream", await b.TokenAsync(), lastEventId: "2");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++) ids.Add((await sse.NextEventAsync(Patience)).Id);
        ids.Should().Equal("3", "4", "5");

        // Events committed while the subscriber is connected follow with the next ids.
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                await a.PostAsync($"/v1/sessions/{session}/suspend", "session.suspend", new JsonObject { ["sessionId"] = session });
                await a.PostAsync($"/v1/sessions/{session}/resume", "session.resume", new JsonObject { ["sessionId"] = session });
            }
        });
        for (var i = 0; i < 10; i++) ids.Add((await sse.NextEventAsync(Patience)).Id);
        await writes;
        ids.Select(long.Parse).Should().Equal(Enumerable.Range(3, 13).Select(i => (long)i));
    }

    [Fact]
    public async Task After_head_starts_with_the_next_new_event()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var session = await a.CreateSessionAsync(b);
        using var sse = await SseReader.OpenAsync(daemon.Host, $"/v1/sessions/{session}/events/stream?after=head", await b.TokenAsync());
        await sse.ReadLineAsync();
        await a.PostAsync($"/v1/sessions/{session}/suspend", "session.suspend", new JsonObject { ["sessionId"] = session });
        (await sse.NextEventAsync(Patience)).Id.Should().Be("2");
    }

    [Fact]
    public async Task The_agent_wide_stream_carries_only_the_callers_sessions_with_global_ids_and_type_filters()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var c = await daemon.RegisteredAgentAsync();
        using var sse = await SseReader.OpenAsync(daemon.Host, "/v1/events/stream?after=head&types=session.suspended,session.c*", await c.TokenAsync());
        await sse.ReadLineAsync();

        var hidden = await a.CreateSessionAsync(b);
        await a.PostAsync($"/v1/sessions/{hidden}/suspend", "session.suspend", new JsonObject { ["sessionId"] = hidden });
        var mine = await a.CreateSessionAsync(c);
        await c.PostAsync($"/v1/sessions/{mine}/suspend", "session.suspend", new JsonObject { ["sessionId"] = mine });

        var suspended = await sse.NextEventAsync(Patience);
        suspended.Type.Should().Be("session.suspended");
        var e = JsonNode.Parse(suspended.Data)!;
        e["stream"]!.GetValue<string>().Should().Be(mine);
        suspended.Id.Should().Be(e["seq"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_non_participant_cannot_subscribe()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var outsider = await daemon.RegisteredAgentAsync();
        var session = await a.CreateSessionAsync(b);
        var reply = await outsider.GetAsync($"/v1/sessions/{session}/events/stream");
        reply.Code.Should().Be("PACT-404");
    }
}

/// <summary>Reads a text/event-stream response line by line, as a subscriber on the wire would.</summary>
internal sealed class SseReader : IDisposable
{
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseReader(HttpClient http, HttpResponseMessage response, StreamReader reader)
    {
        _http = http;
        _response = response;
        _reader = reader;
    }

    public static async Task<SseReader> OpenAsync(DaemonHost host, string path, string token, string? lastEventId = null)
    {
        var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        return new SseReader(http, response, new StreamReader(await response.Content.ReadAsStreamAsync()));
    }

    public async Task<string?> ReadLineAsync() => await _reader.ReadLineAsync();

    public async Task<(string Id, string Type, string Data)> NextEventAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? id = null, type = null, data = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("The stream ended.");
            if (line.Length == 0)
            {
                if (data is not null) return (id!, type!, data);
                continue;
            }
            if (line.StartsWith(':')) continue;
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
        }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
        _http.Dispose();
    }
}

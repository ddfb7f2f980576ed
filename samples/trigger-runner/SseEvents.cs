using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Pact.Samples.WebhookReceiver;

namespace Pact.Samples.TriggerRunner;

/// <summary>One server-sent event.</summary>
public sealed record SseMessage(string? Id, string? Event, string Data);

/// <summary>
/// Follows GET /v1/events/stream (§8.3): starts with the next new event, and after a dropped connection
/// resumes with Last-Event-ID so that no event is missed or repeated.
/// </summary>
public static class SseEvents
{
    /// <summary>Parses text/event-stream: id, event and data lines, a blank line ends a message, ':' lines are comments.</summary>
    public static async IAsyncEnumerable<SseMessage> ParseAsync(TextReader reader, [EnumeratorCancellation] CancellationToken ct)
    {
        string? id = null, type = null;
        var data = new List<string>();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Count > 0) yield return new SseMessage(id, type, string.Join('\n', data));
                type = null;
                data.Clear();
                continue;
            }
            if (line[0] == ':') continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data.Add(value); break;
            }
        }
    }

    /// <summary>Transcript events the agent may read, of the given types, from now on; reconnects until cancelled.</summary>
    /// <param name="connected">Called each time the stream is open (the daemon has taken the subscription).</param>
    public static async IAsyncEnumerable<JsonObject> FollowAsync(PactAgentClient agent, IReadOnlyList<string> types, Action<string> log, Action? connected, [EnumeratorCancellation] CancellationToken ct)
    {
        string? lastId = null;
        while (!ct.IsCancellationRequested)
        {
            var query = "/v1/events/stream?types=" + Uri.EscapeDataString(string.Join(',', types)) + (lastId is null ? "&after=head" : "");
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(query, UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await agent.TokenAsync(ct));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            if (lastId is not null) request.Headers.Add("Last-Event-ID", lastId);
            HttpResponseMessage? response = null;
            try
            {
                response = await agent.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
                if (response.StatusCode != HttpStatusCode.OK)
                    log($"event stream answered {(int)response.StatusCode}; retrying");
            }
            catch (HttpRequestException e)
            {
                log($"event stream unreachable ({e.Message}); retrying");
            }
            if (response is { StatusCode: HttpStatusCode.OK })
            {
                using (response)
                {
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
                    connected?.Invoke();
                    var messages = ParseAsync(reader, ct).GetAsyncEnumerator(ct);
                    try
                    {
                        while (true)
                        {
                            SseMessage message;
                            try
                            {
                                if (!await messages.MoveNextAsync()) break;
                                message = messages.Current;
                            }
                            catch (IOException e)
                            {
                                log($"event stream dropped ({e.Message}); resuming after {lastId}");
                                break;
                            }
                            lastId = message.Id ?? lastId;
                            if (JsonNode.Parse(message.Data) is JsonObject transcriptEvent) yield return transcriptEvent;
                        }
                    }
                    finally
                    {
                        await messages.DisposeAsync();
                    }
                }
            }
            else
            {
                response?.Dispose();
            }
            // The daemon asks for "retry: 2000"; wait as long before reconnecting.
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
        }
    }
}

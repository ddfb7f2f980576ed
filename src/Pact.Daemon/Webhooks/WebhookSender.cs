using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Daemon.Hosting;
using Pact.Daemon.Telemetry;
using Pact.Store;

namespace Pact.Daemon.Webhooks;

/// <summary>
/// One delivery attempt on the wire (§10): the body read from the transcript, the signed Standard Webhooks headers,
/// the per-attempt deadline, and an <see cref="AttemptResult"/> saying how it ended. When and whether to attempt is
/// the <see cref="WebhookDispatcher"/>'s business; the HTTP client comes from <see cref="WebhookHttp"/>.
/// </summary>
public sealed class WebhookSender(HttpClient http, IPactStore store, IOptions<WebhookOptions> settings, TimeProvider time) : IDisposable
{
    private static readonly string UserAgent = "Pact-Daemon/" + DaemonIdentity.ProductVersion + " (webhooks)";
    private readonly TimeSpan _timeout = TimeSpan.FromSeconds(Math.Max(1, settings.Value.TimeoutSeconds));

    /// <summary>The body of a delivery: { type, timestamp: the event's time, data: the event }.</summary>
    public static byte[] Body(TranscriptEvent e) =>
        System.Text.Encoding.UTF8.GetBytes(new JsonObject
        {
            ["type"] = e.Type,
            ["timestamp"] = e.Time,
            ["data"] = e.ToJson(),
        }.ToJsonString(PactJson.Options));

    /// <summary>The <c>webhook-id</c> of the delivery of the event at <paramref name="seq"/>: the same on every attempt, so receivers can deduplicate.</summary>
    public static string WebhookId(long seq) => "evt_" + seq.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The body of the delivery of the event at <paramref name="seq"/>. Throws <see cref="TranscriptIntegrityException"/>
    /// or <see cref="InvalidOperationException"/> when the transcript cannot provide it: the attempt cannot be prepared.
    /// </summary>
    public async Task<byte[]> ReadBodyAsync(long seq, CancellationToken ct)
    {
        var e = await store.GetBySeqAsync(seq, ct)
            ?? throw new InvalidOperationException($"A delivery names seq {seq}, which is not in the transcript.");
        return Body(e);
    }

    /// <summary>Sends one signed attempt and says how it ended; only shutdown (<paramref name="ct"/>) makes it throw.</summary>
    public async Task<AttemptResult> PostAsync(DeliveryTarget target, byte[] key, string webhookId, DateTimeOffset attemptedAt, byte[] body, CancellationToken ct)
    {
        var timestamp = attemptedAt.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Callback) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(key, webhookId, timestamp, body));

        using var span = PactTelemetry.ActivitySource.StartActivity(PactTelemetry.Spans.WebhookDelivery);
        span?.SetTag("pact.webhook.id", webhookId);
        span?.SetTag("pact.subscription.id", target.SubscriptionId);
        AttemptResult result;
        using var deadline = new CancellationTokenSource(_timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            var retryAfter = status is 429 or 503 ? RetrySchedule.ParseRetryAfter(response.Headers.RetryAfter?.ToString(), time.GetUtcNow()) : null;
            result = new AttemptResult(status, retryAfter, status is >= 200 and < 300 ? null : $"HTTP {status}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            result = new AttemptResult(null, null, $"no response within {_timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException failure)
        {
            result = new AttemptResult(null, null, Describe(failure));
        }
        if (result.HttpStatus is { } answered) span?.SetTag("http.response.status_code", answered);
        if (!result.Succeeded) span.Refused(result.Error ?? "failed");
        return result;
    }

    public void Dispose() => http.Dispose();

    private static string Describe(HttpRequestException failure)
    {
        for (Exception? inner = failure; inner is not null; inner = inner.InnerException)
        {
            if (inner is WebhookAddressRefusedException refused) return refused.Message;
            if (inner is SocketException socket) return "connection failed: " + socket.SocketErrorCode;
        }
        return failure.Message;
    }
}

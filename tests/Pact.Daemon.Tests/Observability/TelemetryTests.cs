using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Pact.Daemon.Telemetry;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Daemon.Tests.Webhooks;

namespace Pact.Daemon.Tests.Observability;

/// <summary>
/// The "Pact" spans and metrics, read through OpenTelemetry's in-memory exporter. The source and meter are
/// process-wide, so spans are picked by the test's own trace and metrics are checked as lower bounds.
/// </summary>
[Collection(ProcessWideMeters.Name)]
public class TelemetryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>
    /// What the daemon exported. Spans end on many threads (the store's writer, webhook lanes), hence the lock.
    /// <paramref name="recordEveryTrace"/> sets Pact:Telemetry:RecordAllTraces, as an OTLP endpoint would by default;
    /// without it the daemon records only traces a caller sampled.
    /// </summary>
    private sealed class Exported(bool recordEveryTrace = false)
    {
        private readonly LockedList<Activity> _spans = new();

        public List<Metric> Metrics { get; } = [];

        public void AddTo(WebApplicationBuilder builder)
        {
            // The Prometheus reader only collects when scraped, so ForceFlush (which these tests assert) would report false.
            builder.Configuration["Pact:Telemetry:Prometheus"] = "false";
            if (recordEveryTrace) builder.Configuration["Pact:Telemetry:RecordAllTraces"] = "true";
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
            builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(Metrics));
        }

        public Activity[] SpansOf(ActivityTraceId trace) => _spans.Snapshot().Where(s => s.TraceId == trace).ToArray();

        public Activity? SpanNamed(string name, Func<Activity, bool> where) => _spans.Snapshot().FirstOrDefault(s => s.DisplayName == name && where(s));

        /// <summary>Sum of a counter (or count of a histogram) over the points whose tags include <paramref name="tags"/>; 0 before any measurement.</summary>
        public double Total(DaemonHost host, string name, params (string Key, string Value)[] tags)
        {
            host.Services.GetRequiredService<MeterProvider>().ForceFlush().Should().BeTrue();
            var metric = Metrics.LastOrDefault(m => m.Name == name);
            if (metric is null) return 0; // nothing measured yet
            double total = 0;
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var pointTags = new Dictionary<string, object?>();
                foreach (var tag in point.Tags) pointTags[tag.Key] = tag.Value;
                if (!tags.All(t => Equals(pointTags.GetValueOrDefault(t.Key), t.Value))) continue;
                total += metric.MetricType switch
                {
                    MetricType.LongSum or MetricType.LongSumNonMonotonic => point.GetSumLong(),
                    MetricType.Histogram => point.GetHistogramCount(),
                    _ => throw new NotSupportedException(metric.MetricType.ToString()),
                };
            }
            return total;
        }
    }

    /// <summary>
    /// The test's own trace: the client propagates it (traceparent) and the daemon's spans join it. Marked
    /// sampled, as an upstream caller's would be, since the daemon's sampler follows its parent.
    /// </summary>
    private static Activity TestTrace() => new Activity("test") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.Start();

    private static async Task<(TestAgent A, TestAgent B)> TwoAgentsAsync(HttpClient http)
    {
        var daemonId = await TestAgent.DaemonIdOf(http);
        var a = new TestAgent(http, daemonId);
        var b = new TestAgent(http, daemonId);
        await a.RegisterAsync();
        await b.RegisterAsync();
        return (a, b);
    }

    [Fact]
    public async Task A_signed_request_is_one_trace_authenticate_then_decide_then_append_then_notify()
    {
        var exported = new Exported();
        await using var host = await DaemonHost.StartAsync(configure: exported.AddTo);
        using var http = host.CreateHttpClient();
        var (a, b) = await TwoAgentsAsync(http);
        using var sse = await SseReader.OpenAsync(host, "/v1/events/stream?after=head", await b.TokenAsync());

        ActivityTraceId trace;
        using (var root = TestTrace())
        {
            trace = root.TraceId;
            await a.CreateSessionAsync(b);
        }
        (await sse.NextEventAsync(Patience)).Type.Should().Be("session.created", "the notify step fans the event out");

        Activity[] spans = [];
        await WebhookTestKit.UntilAsync(() => Task.FromResult((spans = exported.SpansOf(trace)).Any(s => s.DisplayName == PactTelemetry.Spans.Notify)),
            "the notify span");
        var server = spans.Single(s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore");
        var authenticate = spans.Single(s => s.DisplayName == PactTelemetry.Spans.Authenticate);
        var decide = spans.Single(s => s.DisplayName == PactTelemetry.Spans.Decide);
        var append = spans.Single(s => s.DisplayName == PactTelemetry.Spans.Append);
        var notify = spans.Single(s => s.DisplayName == PactTelemetry.Spans.Notify);

        foreach (var step in new[] { authenticate, decide, append }) step.ParentSpanId.Should().Be(server.SpanId, step.DisplayName + " runs within the request");
        notify.ParentSpanId.Should().Be(append.SpanId, "the writer's fan-out continues the append that committed the events");
        authenticate.StartTimeUtc.Should().BeOnOrBefore(decide.StartTimeUtc);
        decide.StartTimeUtc.Should().BeOnOrBefore(append.StartTimeUtc);
        append.StartTimeUtc.Should().BeOnOrBefore(notify.StartTimeUtc);
        authenticate.GetTagItem("pact.envelope.type").Should().Be("session.create");
        append.GetTagItem("pact.events").Should().Be(1);
        notify.GetTagItem("pact.subscribers").Should().Be(1);

        exported.Total(host, "pact.commands", ("type", "session.create"), ("outcome", "accepted")).Should().BeGreaterThanOrEqualTo(1);
        exported.Total(host, "pact.events.appended").Should().BeGreaterThanOrEqualTo(1);
        exported.Total(host, "pact.transcript.batch.requests").Should().BeGreaterThanOrEqualTo(1, "the store records each commit's batch size");
        exported.Total(host, "pact.sse.subscribers").Should().BeGreaterThanOrEqualTo(1, "the stream above is open");
        exported.Total(host, "http.server.request.duration").Should().BeGreaterThanOrEqualTo(1, "ASP.NET Core's metrics are collected too");
    }

    [Fact]
    public async Task A_refused_step_marks_its_span_with_the_PACT_code()
    {
        var exported = new Exported();
        await using var host = await DaemonHost.StartAsync(configure: exported.AddTo);
        using var http = host.CreateHttpClient();
        var stranger = new TestAgent(http, await TestAgent.DaemonIdOf(http));

        ActivityTraceId trace;
        using (var root = TestTrace())
        {
            trace = root.TraceId;
            (await stranger.PostAsync("/v1/auth/token", "auth.token")).Code.Should().Be("PACT-202");
        }

        Activity? authenticate = null;
        await WebhookTestKit.UntilAsync(() => Task.FromResult((authenticate = exported.SpansOf(trace).SingleOrDefault(s => s.DisplayName == PactTelemetry.Spans.Authenticate)) is not null), "the authenticate span");
        authenticate!.Status.Should().Be(ActivityStatusCode.Error);
        authenticate.GetTagItem("pact.code").Should().Be("PACT-202");
        exported.SpansOf(trace).Should().NotContain(s => s.DisplayName == PactTelemetry.Spans.Decide, "nothing is decided for a refused envelope");
    }

    [Fact]
    public async Task Without_an_exporter_a_request_no_caller_sampled_records_no_span_but_keeps_its_trace_id()
    {
        var exported = new Exported();
        await using var host = await DaemonHost.StartAsync(configure: exported.AddTo);
        // A client that sends no traceparent (the in-process HttpClient is otherwise traced by the daemon's own provider),
        // so the daemon's root sampler decides.
        using var untraced = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator() })
        {
            BaseAddress = host.BaseAddress,
        };
        var stranger = new TestAgent(untraced, await TestAgent.DaemonIdOf(untraced));

        var refused = await stranger.PostAsync("/v1/auth/token", "auth.token");
        refused.Code.Should().Be("PACT-202");
        var traceId = refused.Json!["traceId"]!.GetValue<string>();
        traceId.Should().MatchRegex("^[0-9a-f]{32}$", "the unrecorded request still has a W3C trace id");

        // A sampled request afterwards is recorded, so the exporter is live and the first one was left out on purpose.
        ActivityTraceId sampled;
        using (var root = TestTrace())
        {
            sampled = root.TraceId;
            using var traced = host.CreateHttpClient();
            (await new TestAgent(traced, stranger.DaemonId, stranger.Key).PostAsync("/v1/auth/token", "auth.token")).Code.Should().Be("PACT-202");
        }
        await WebhookTestKit.UntilAsync(() => Task.FromResult(exported.SpansOf(sampled).Any(s => s.DisplayName == PactTelemetry.Spans.Authenticate)), "the sampled request's span");
        exported.SpansOf(ActivityTraceId.CreateFromString(traceId)).Should().BeEmpty("nobody asked for that trace and no exporter is configured");
    }

    [Fact]
    public async Task A_webhook_delivery_has_its_span_with_the_HTTP_call_inside_and_counts_its_outcome()
    {
        var exported = new Exported(recordEveryTrace: true); // a delivery starts its own trace
        await using var host = await DaemonHost.StartAsync(configure: exported.AddTo);
        await using var receiver = await WebhookReceiver.StartAsync();
        using var http = host.CreateHttpClient();
        var (a, b) = await TwoAgentsAsync(http);
        var (subscription, _) = await WebhookTestKit.SubscribeAsync(a, receiver.Url);
        await a.CreateSessionAsync(b);

        await WebhookTestKit.UntilAsync(() => Task.FromResult(receiver.Received.Count >= 1), "the delivery");
        Activity? delivery = null;
        await WebhookTestKit.UntilAsync(() => Task.FromResult((delivery = exported.SpanNamed(PactTelemetry.Spans.WebhookDelivery,
            s => Equals(s.GetTagItem("pact.subscription.id"), subscription))) is not null), "the delivery span");
        delivery!.Status.Should().NotBe(ActivityStatusCode.Error);
        delivery.GetTagItem("http.response.status_code").Should().Be(204);
        exported.SpansOf(delivery.TraceId).Should().Contain(s => s.Kind == ActivityKind.Client && s.ParentSpanId == delivery.SpanId,
            "the HTTP client instrumentation records the POST inside the delivery span");

        await WebhookTestKit.UntilAsync(() => Task.FromResult(exported.Total(host, "pact.webhooks.deliveries", ("outcome", "succeeded")) >= 1), "the outcome counter");
    }
}

/// <summary>A list the exporter may add to from any thread while the test reads it.</summary>
internal sealed class LockedList<T> : ICollection<T>
{
    private readonly List<T> _items = [];

    public T[] Snapshot()
    {
        lock (_items) return [.. _items];
    }

    public void Add(T item)
    {
        lock (_items) _items.Add(item);
    }

    public void Clear()
    {
        lock (_items) _items.Clear();
    }

    public bool Contains(T item)
    {
        lock (_items) return _items.Contains(item);
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_items) _items.CopyTo(array, arrayIndex);
    }

    public bool Remove(T item)
    {
        lock (_items) return _items.Remove(item);
    }

    public int Count
    {
        get
        {
            lock (_items) return _items.Count;
        }
    }

    public bool IsReadOnly => false;

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Snapshot()).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Tests that read the daemon's own instruments run alone. Those instruments live on the process-wide "Pact" meter and a
/// meter provider listens by name, so the hosts of tests running beside them move the same counters: an SSE stream
/// another test closed once took the subscriber count this test reads to −1.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeters
{
    public const string Name = "process-wide meters";
}


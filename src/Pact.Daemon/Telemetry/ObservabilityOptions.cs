using System.ComponentModel.DataAnnotations;

namespace Pact.Daemon.Telemetry;

/// <summary>Traces and metrics, bound from "Pact:Telemetry".</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string Section = "Pact:Telemetry";

    /// <summary>OTLP endpoint (e.g. http://localhost:4317); traces and metrics are exported only when set.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// Serve the Pact and ASP.NET metrics for Prometheus at <c>/metrics</c>: null (the default) while the daemon is
    /// loopback-only, to anyone who can reach it; true also when exposed, to the admin token only; false never.
    /// </summary>
    public bool? Prometheus { get; set; }

    /// <summary>
    /// Record the traces the daemon starts itself (requests without a traceparent, webhook deliveries, timers): true
    /// records them, false does not. A caller's traceparent decides for its own request either way. Null (the default)
    /// records them when an OTLP endpoint is set: without an exporter nobody reads the spans, and recording every
    /// request's spans costs about 3 KiB of allocation per append and a few per cent of the append rate (docs/performance.md).
    /// </summary>
    public bool? RecordAllTraces { get; set; }

    /// <summary>Whether the traces the daemon starts itself are recorded: <see cref="RecordAllTraces"/>, or by default whether spans are exported.</summary>
    public bool RecordsRootTraces => RecordAllTraces ?? OtlpUri is not null;

    /// <summary>The OTLP endpoint as a URI; null when none is set or it is not an http(s) URL (start-up then refuses it).</summary>
    public Uri? OtlpUri =>
        Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrEmpty(OtlpEndpoint) && OtlpUri is null)
            yield return new ValidationResult("{0} must be an http(s) URL, e.g. http://localhost:4317.", [nameof(OtlpEndpoint)]);
    }
}

/// <summary>The console log, bound from "Pact:Logging".</summary>
public sealed class LoggingOptions
{
    public const string Section = "Pact:Logging";

    /// <summary>Console log format: Text (default, for people) or Json (one compact JSON object per line, for collectors).</summary>
    [EnumDataType(typeof(LogFormat), ErrorMessage = "{0} must be Text or Json.")]
    public LogFormat Format { get; set; } = LogFormat.Text;
}

public enum LogFormat
{
    Text,
    Json,
}

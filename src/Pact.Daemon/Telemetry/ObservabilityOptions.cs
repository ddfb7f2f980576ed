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
    /// Record every trace (true), or only those a caller sampled through its traceparent (false). Null (the default)
    /// records every trace when an OTLP endpoint is set and only sampled ones otherwise: without an exporter nobody reads
    /// the spans, and recording them cost about 7 % of the append rate (docs/performance.md).
    /// </summary>
    public bool? RecordAllTraces { get; set; }

    /// <summary>Whether root spans are recorded: <see cref="RecordAllTraces"/>, or by default whether spans are exported.</summary>
    public bool RecordsAllTraces => RecordAllTraces ?? OtlpUri is not null;

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

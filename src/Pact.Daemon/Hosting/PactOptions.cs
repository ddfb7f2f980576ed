namespace Pact.Daemon.Hosting;

/// <summary>
/// The daemon's settings, bound from the "Pact" configuration section: appsettings.json,
/// PACT_-prefixed environment variables (PACT_Pact__DataDirectory or PACT_DATA_DIRECTORY style via
/// the mapping in Program) and the command line (--Pact:DataDirectory=…).
/// </summary>
public sealed class PactOptions
{
    public const string Section = "Pact";

    /// <summary>The settings as configured, read when services are registered.</summary>
    public static PactOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<PactOptions>() ?? new PactOptions();

    /// <summary>Where the SQLite transcript, the daemon key and the admin token live.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The log origin: the key name in signed checkpoints and the daemon's public name.</summary>
    public string Origin { get; set; } = "localhost/pact";

    /// <summary>Operator token; generated into the data directory on first start when not set.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Allow registration without an invite even when listening beyond loopback.</summary>
    public bool OpenRegistration { get; set; }

    /// <summary>SQLite synchronous mode: FULL (default, every commit fsynced) or NORMAL.</summary>
    public string Synchronous { get; set; } = "FULL";

    public LimitOptions Limits { get; set; } = new();

    public TelemetryOptions Telemetry { get; set; } = new();

    public LoggingOptions Logging { get; set; } = new();

    /// <summary>The reverse proxy in front of the daemon, if any (docs/operations.md, "Behind a reverse proxy").</summary>
    public ReverseProxyOptions ReverseProxy { get; set; } = new();

    /// <summary>Webhook delivery (§10): callback address policy, timeout, retry schedule.</summary>
    public Pact.Daemon.Webhooks.WebhookOptions Webhooks { get; set; } = new();
}

public sealed class LimitOptions
{
    /// <summary>Largest request body in bytes (§11: 1 MiB).</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest serialized terms in bytes (§11: 256 KiB).</summary>
    public int MaxTermsBytes { get; set; } = 256 * 1024;

    /// <summary>Requests per agent (or per client address when anonymous) per window.</summary>
    public int RequestsPerWindow { get; set; } = 600;

    public int RateWindowSeconds { get; set; } = 10;

    /// <summary>
    /// Envelopes whose signature fails to verify, per client address per window. Past it, the address's signed
    /// requests are refused (429) before their signature is checked, so a flood of forgeries cannot buy a
    /// verification each. Valid signatures never spend it.
    /// </summary>
    public int InvalidSignaturesPerWindow { get; set; } = 100;

    /// <summary>Events an SSE subscriber may fall behind by before it is disconnected (it then resumes).</summary>
    public int SseBufferEvents { get; set; } = 1024;

    /// <summary>Seconds between SSE heartbeat comments.</summary>
    public int SseHeartbeatSeconds { get; set; } = 15;

    /// <summary>Largest page a list endpoint returns.</summary>
    public int MaxPageSize { get; set; } = 1000;
}

public sealed class TelemetryOptions
{
    /// <summary>OTLP endpoint (e.g. http://localhost:4317); traces and metrics are exported only when set.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// Serve the Pact and ASP.NET metrics for Prometheus at <c>/metrics</c>: null (the default) while the daemon is
    /// loopback-only, to anyone who can reach it; true also when exposed, to the admin token only; false never.
    /// </summary>
    public bool? Prometheus { get; set; }
}

public sealed class ReverseProxyOptions
{
    /// <summary>
    /// IP addresses of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed. Naming any
    /// declares the daemon exposed even though it listens on loopback: registration needs an invite, callbacks
    /// to loopback are refused and the loopback Host check is off, as when it listens beyond loopback.
    /// </summary>
    public IList<string> KnownProxies { get; } = [];
}

public sealed class LoggingOptions
{
    /// <summary>Console log format: Text (default, for people) or Json (one compact JSON object per line, for collectors).</summary>
    public LogFormat Format { get; set; } = LogFormat.Text;
}

public enum LogFormat
{
    Text,
    Json,
}

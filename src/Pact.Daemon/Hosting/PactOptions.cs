using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Pact.Core.TransparencyLog;

namespace Pact.Daemon.Hosting;

/// <summary>
/// The daemon's settings, bound from the "Pact" configuration section: appsettings.json, PACT_-prefixed environment
/// variables (PACT_DATADIRECTORY, PACT_LIMITS__MAXBODYBYTES, …, mapped in <see cref="PactApp"/>) and the command line
/// (--Pact:DataDirectory=…). The sections one feature owns are that feature's: Pact:Telemetry and Pact:Logging
/// (<c>Telemetry/ObservabilityOptions</c>), Pact:ReverseProxy (<c>Http/ReverseProxyOptions</c>), Pact:Webhooks
/// (<c>Webhooks/WebhookOptions</c>). Every one is checked at start (<see cref="Settings"/>).
/// </summary>
public sealed class PactOptions : IValidatableObject
{
    public const string Section = "Pact";

    /// <summary>Where the SQLite transcript, the daemon key and the admin token live.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "{0} must name a directory.")]
    public string DataDirectory { get; set; } = "data";

    /// <summary>The log origin: the key name in signed checkpoints and the daemon's public name.</summary>
    public string Origin { get; set; } = "localhost/pact";

    /// <summary>Operator token; generated into the data directory on first start when not set.</summary>
    public string? AdminToken { get; set; }

    /// <summary>Allow registration without an invite even when listening beyond loopback.</summary>
    public bool OpenRegistration { get; set; }

    /// <summary>SQLite synchronous mode: FULL (default, every commit fsynced) or NORMAL.</summary>
    [RegularExpression("(?i)^(FULL|NORMAL)$", ErrorMessage = "{0} must be FULL or NORMAL.")]
    public string Synchronous { get; set; } = "FULL";

    /// <summary>
    /// Events appended between two state snapshots (besides the one written at each clean stop): a start after a crash
    /// folds at most about this many events besides the snapshot (docs/operations.md, "Restarts and state snapshots").
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = "{0} must be at least {1}.")]
    public int SnapshotEveryEvents { get; set; } = 50_000;

    /// <summary>Sizes and rates several features share.</summary>
    [ValidateObjectMembers]
    public LimitOptions Limits { get; set; } = new();

    /// <summary>Where the transcript is kept (Pact:Store): the SQLite file in the data directory, or a PostgreSQL database.</summary>
    [ValidateObjectMembers]
    public StoreSettings Store { get; set; } = new();

    /// <summary>This instance among several on one PostgreSQL database (Pact:Instance, ADR 0013).</summary>
    public InstanceSettings Instance { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // The origin signs every log checkpoint (§9): a name a note cannot carry would fail each second, not at start.
        if (!SignedNote.IsValidKeyName(Origin))
            yield return new ValidationResult("{0} must be a name without spaces, '+' or control characters, e.g. example.org/pact.", [nameof(Origin)]);
    }
}

/// <summary>The transcript store, bound from "Pact:Store" (PACT_STORE__PROVIDER, PACT_STORE__CONNECTIONSTRING).</summary>
public sealed class StoreSettings : IValidatableObject
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary><c>sqlite</c> (the embedded default: pact.db in the data directory) or <c>postgres</c>.</summary>
    [RegularExpression("^(sqlite|postgres)$", ErrorMessage = "{0} must be sqlite or postgres.")]
    public string Provider { get; set; } = Sqlite;

    /// <summary>The Npgsql connection string of the PostgreSQL database (host, port, database, user, password); only for <c>postgres</c>.</summary>
    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == Postgres && string.IsNullOrWhiteSpace(ConnectionString))
            yield return new ValidationResult("{0} must be set when Provider is postgres, e.g. Host=db;Database=pact;Username=pact;Password=….", [nameof(ConnectionString)]);
    }
}

/// <summary>This instance among several sharing one PostgreSQL database, bound from "Pact:Instance" (PACT_INSTANCE__URL).</summary>
public sealed class InstanceSettings
{
    /// <summary>
    /// The base URL other instances forward writes to while this one is the writer (e.g. http://10.0.0.5:7700); by
    /// default the first address the server listens on, a wildcard host replaced by the machine's name.
    /// </summary>
    [Url]
    public string? Url { get; set; }
}

/// <summary>Sizes and rates (§11), bound from "Pact:Limits".</summary>
public sealed class LimitOptions : IValidatableObject
{
    private const string Positive = "{0} must be at least {1}.";

    /// <summary>The largest body limit a setting may ask for: a body is read whole into memory to be parsed strictly.</summary>
    public const long MaxBodyBytesCeiling = 1L << 30;

    /// <summary>Largest request body in bytes (§11: 1 MiB).</summary>
    [Range(1L, long.MaxValue, ErrorMessage = Positive)]
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest serialized terms in bytes (§11: 256 KiB).</summary>
    [Range(1, int.MaxValue, ErrorMessage = Positive)]
    public int MaxTermsBytes { get; set; } = 256 * 1024;

    /// <summary>Requests per agent (or per client address when anonymous) per window.</summary>
    [Range(1, int.MaxValue, ErrorMessage = Positive)]
    public int RequestsPerWindow { get; set; } = 600;

    [Range(1, int.MaxValue, ErrorMessage = Positive)]
    public int RateWindowSeconds { get; set; } = 10;

    /// <summary>
    /// Envelopes whose signature fails to verify, per client address per window. Past it, the address's signed
    /// requests are refused (429) before their signature is checked, so a flood of forgeries cannot buy a
    /// verification each. Valid signatures never spend it.
    /// </summary>
    [Range(1, int.MaxValue, ErrorMessage = Positive)]
    public int InvalidSignaturesPerWindow { get; set; } = 100;

    /// <summary>Events an SSE subscriber may fall behind by before it is disconnected (it then resumes).</summary>
    [Range(1, int.MaxValue, ErrorMessage = Positive)]
    public int SseBufferEvents { get; set; } = 1024;

    /// <summary>Seconds between SSE heartbeat comments.</summary>
    [Range(1, int.MaxValue, ErrorMessage = Positive)]
    public int SseHeartbeatSeconds { get; set; } = 15;

    /// <summary>Largest page a list endpoint returns.</summary>
    [Range(1, int.MaxValue, ErrorMessage = Positive)]
    public int MaxPageSize { get; set; } = 1000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxBodyBytes > MaxBodyBytesCeiling)
            yield return new ValidationResult($"{{0}} must be at most {MaxBodyBytesCeiling} (1 GiB): a request body is read whole into memory to be parsed strictly.", [nameof(MaxBodyBytes)]);
    }
}

namespace Pact.Client;

/// <summary>Settings of a <see cref="PactClient"/>; the defaults suit a daemon on the same machine.</summary>
public sealed record PactClientOptions
{
    /// <summary>The clock for <c>issuedAt</c>, token expiry and every wait. Tests inject their own.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The operator's admin token, used by <see cref="PactClient.CreateInviteAsync"/> and, for a client without an agent key, for reads.</summary>
    public string? AdminToken { get; init; }

    /// <summary>How many times a request is sent in all when the network fails or the daemon answers 429, 502, 503 or 504.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>The wait before the first resend; each later one doubles it (a Retry-After answer overrides it).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest single wait between resends or reconnections.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// An envelope is resent only while its <c>issuedAt</c> is younger than this; past it the daemon would refuse
    /// it as stale and no longer remember the original answer (§2 allows 300 s; the rest is margin for clock skew).
    /// </summary>
    public TimeSpan ResendWindow { get; init; } = TimeSpan.FromSeconds(240);

    /// <summary>A cached bearer token is replaced when it has less than this left before its expiry.</summary>
    public TimeSpan TokenRefreshMargin { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The reconnection delay of an event stream until the daemon sends its own <c>retry:</c>.</summary>
    public TimeSpan DefaultReconnectDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>An event stream that delivers nothing, not even a ping, for this long is taken as dead and reopened (the daemon pings every 15 s).</summary>
    public TimeSpan StreamIdleTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>How many reconnections in a row without a new event an event stream tries before giving up; null for no limit.</summary>
    public int? MaxReconnectAttempts { get; init; }
}

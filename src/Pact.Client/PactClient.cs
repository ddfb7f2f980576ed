using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Envelopes;
using Pact.Core.Json;

namespace Pact.Client;

/// <summary>The status and JSON body of a successful answer.</summary>
/// <param name="Status">The HTTP status (2xx).</param>
/// <param name="Body">The parsed body, or null when it was empty.</param>
public sealed record PactResponse(HttpStatusCode Status, JsonNode? Body);

/// <summary>
/// A typed client of the pact/1 HTTP API for one agent identity. It discovers the daemon (for <c>aud</c>),
/// signs every state-changing request as an envelope, obtains and refreshes its bearer token for reads, and
/// turns every non-2xx answer into a <see cref="PactApiException"/>.
/// </summary>
/// <remarks>
/// Paths are resolved against <see cref="HttpClient.BaseAddress"/>, which should end with '/'
/// (e.g. <c>http://127.0.0.1:7771/</c>). The client does not own the <see cref="HttpClient"/>.
/// </remarks>
public sealed partial class PactClient
{
    private const string JsonMediaType = "application/json";
    private static readonly MediaTypeHeaderValue JsonContentType = new(JsonMediaType) { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly AgentKey? _key;
    private readonly PactClientOptions _options;
    private DaemonInfo? _daemon;
    private BearerToken? _token;

    /// <summary>Creates a client.</summary>
    /// <param name="http">An HttpClient whose BaseAddress is the daemon.</param>
    /// <param name="key">The agent's key; null for a client that only reads (with the admin token) or uses public endpoints.</param>
    /// <param name="options">Settings; defaults when null.</param>
    public PactClient(HttpClient http, AgentKey? key = null, PactClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null) throw new ArgumentException("The HttpClient needs a BaseAddress (the daemon's URL).", nameof(http));
        _http = http;
        _key = key;
        _options = options ?? new PactClientOptions();
        if (_options.MaxAttempts < 1) throw new ArgumentException("MaxAttempts must be at least 1.", nameof(options));
    }

    /// <summary>The agent's key, or null.</summary>
    public AgentKey? Key => _key;

    /// <summary>The agent's did:key, or null for a client without a key.</summary>
    public string? AgentId => _key?.Did;

    /// <summary>The settings in use.</summary>
    public PactClientOptions Options => _options;

    private TimeProvider Clock => _options.TimeProvider;

    private AgentKey RequireKey() =>
        _key ?? throw new InvalidOperationException("This operation signs an envelope and needs a PactClient created with an AgentKey.");

    // ---------------------------------------------------------------- discovery, envelopes, tokens

    /// <summary><c>GET /v1/daemon</c>: the daemon's identity; remembered for the <c>aud</c> of later envelopes.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<DaemonInfo> GetDaemonAsync(CancellationToken cancellationToken = default)
    {
        var info = Read<DaemonInfo>(await GetAsync("v1/daemon", Access.Public, cancellationToken).ConfigureAwait(false));
        _daemon = info;
        return info;
    }

    /// <summary>The daemon's did:key, asked for once and then remembered.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<string> GetDaemonIdAsync(CancellationToken cancellationToken = default) =>
        (_daemon ?? await GetDaemonAsync(cancellationToken).ConfigureAwait(false)).DaemonId;

    /// <summary>
    /// Signs an envelope of the given type with the agent's key: <c>aud</c> = the daemon, <c>issuedAt</c> = now by
    /// <see cref="PactClientOptions.TimeProvider"/>, a fresh nonce, and the type-specific <paramref name="fields"/>.
    /// </summary>
    /// <param name="type">The payload type, e.g. <see cref="EnvelopeTypes.SessionCreate"/>.</param>
    /// <param name="fields">The type-specific members; copied, not kept.</param>
    /// <param name="cancellationToken">Cancels the daemon discovery, if it is needed.</param>
    public async Task<Envelope> CreateEnvelopeAsync(string type, JsonObject? fields = null, CancellationToken cancellationToken = default)
    {
        var key = RequireKey();
        var aud = await GetDaemonIdAsync(cancellationToken).ConfigureAwait(false);
        return Envelope.Sign(key.KeyPair, type, aud, Clock.GetUtcNow(), fields);
    }

    /// <summary>Signs an envelope carrying a payload record: its type and members as the daemon checks them.</summary>
    /// <param name="payload">The type-specific members.</param>
    /// <param name="cancellationToken">Cancels the daemon discovery, if it is needed.</param>
    /// <typeparam name="T">The payload record, e.g. <see cref="SessionCreatePayload"/>.</typeparam>
    public async Task<Envelope> CreateEnvelopeAsync<T>(T payload, CancellationToken cancellationToken = default) where T : IEnvelopePayload<T>
    {
        ArgumentNullException.ThrowIfNull(payload);
        var key = RequireKey();
        var aud = await GetDaemonIdAsync(cancellationToken).ConfigureAwait(false);
        return Envelope.Sign(key.KeyPair, aud, Clock.GetUtcNow(), payload);
    }

    /// <summary>
    /// POSTs a signed envelope. When the network fails, or the daemon answers 429, 502, 503 or 504, the
    /// <em>identical</em> envelope is sent again (never re-signed): the daemon answers a resend with the original
    /// response (§2). Resending stops after <see cref="PactClientOptions.MaxAttempts"/> or once the envelope is
    /// older than <see cref="PactClientOptions.ResendWindow"/>.
    /// </summary>
    /// <param name="path">The path relative to the daemon's base address, e.g. "v1/sessions".</param>
    /// <param name="envelope">The signed envelope.</param>
    /// <param name="cancellationToken">Cancels the request and any wait.</param>
    /// <exception cref="PactApiException">The daemon refused the envelope.</exception>
    public Task<PactResponse> SendEnvelopeAsync(string path, Envelope envelope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        // Serialized once: every attempt carries the same bytes.
        var body = Jcs.Canonicalize(envelope.ToJson());
        var resendUntil = envelope.IssuedAt + _options.ResendWindow;
        return SendAsync(
            () =>
            {
                var content = new ByteArrayContent(body);
                content.Headers.ContentType = JsonContentType;
                return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            },
            Access.Public,
            resendUntil,
            cancellationToken);
    }

    /// <summary>
    /// The agent's bearer token for reads (<c>POST /v1/auth/token</c>), kept until it comes within
    /// <see cref="PactClientOptions.TokenRefreshMargin"/> of its expiry and then replaced.
    /// </summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<BearerToken> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        var cached = _token;
        if (cached is not null && Clock.GetUtcNow() < cached.ExpiresAt - _options.TokenRefreshMargin) return cached;
        var envelope = await CreateEnvelopeAsync(new AuthTokenPayload(), cancellationToken).ConfigureAwait(false);
        var token = Read<BearerToken>(await SendEnvelopeAsync("v1/auth/token", envelope, cancellationToken).ConfigureAwait(false));
        _token = token;
        return token;
    }

    /// <summary>Forgets the cached bearer token, so the next read obtains a new one.</summary>
    public void InvalidateToken() => _token = null;

    // ---------------------------------------------------------------- transport

    private enum Access
    {
        /// <summary>No Authorization header.</summary>
        Public,

        /// <summary>The agent's bearer token, or the admin token for a client without a key.</summary>
        Reader,

        /// <summary>The admin token.</summary>
        Admin,
    }

    private async Task<AuthenticationHeaderValue?> AuthorizationAsync(Access access, CancellationToken cancellationToken)
    {
        switch (access)
        {
            case Access.Reader when _key is not null:
                return new AuthenticationHeaderValue("Bearer", (await GetTokenAsync(cancellationToken).ConfigureAwait(false)).Token);
            case Access.Reader when _options.AdminToken is not null:
            case Access.Admin when _options.AdminToken is not null:
                return new AuthenticationHeaderValue("Bearer", _options.AdminToken);
            case Access.Admin:
                throw new InvalidOperationException("This operation needs the admin token (PactClientOptions.AdminToken).");
            default:
                return null;
        }
    }

    /// <summary>True when a 401 may be cured by a fresh agent token.</summary>
    private bool CanRefresh(Access access) => access == Access.Reader && _key is not null;

    private Task<PactResponse> GetAsync(string path, Access access, CancellationToken cancellationToken, string? accept = null) =>
        SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept ?? JsonMediaType));
                return request;
            },
            access,
            null,
            cancellationToken);

    private Task<PactResponse> DeleteAsync(string path, Access access, CancellationToken cancellationToken) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, path), access, null, cancellationToken);

    private Task<PactResponse> PostJsonAsync(string path, JsonObject body, Access access, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        return SendAsync(
            () =>
            {
                var content = new ByteArrayContent(bytes);
                content.Headers.ContentType = JsonContentType;
                return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
            },
            access,
            null,
            cancellationToken);
    }

    /// <summary>
    /// Sends a request built afresh for each attempt, resending on transient failures (until
    /// <paramref name="resendUntil"/> when given) and once more with a new token after a 401.
    /// </summary>
    private async Task<PactResponse> SendAsync(Func<HttpRequestMessage> build, Access access, DateTimeOffset? resendUntil, CancellationToken cancellationToken)
    {
        var refreshed = false;
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? wait;
            using (var request = build())
            {
                request.Headers.Authorization = await AuthorizationAsync(access, cancellationToken).ConfigureAwait(false);
                HttpResponseMessage response;
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (IsTransient(e, cancellationToken) && CanResend(attempt, resendUntil, Backoff(attempt)))
                {
                    await Task.Delay(Backoff(attempt), Clock, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                using (response)
                {
                    var status = (int)response.StatusCode;
                    if (response.IsSuccessStatusCode)
                    {
                        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                        return new PactResponse(response.StatusCode, bytes.Length == 0 ? null : StrictJson.Parse(bytes));
                    }
                    if (status == 401 && !refreshed && CanRefresh(access))
                    {
                        // The token may have expired or the daemon restarted with new secrets: one fresh try.
                        refreshed = true;
                        InvalidateToken();
                        continue;
                    }
                    var retryAfter = RetryAfter(response);
                    wait = retryAfter ?? Backoff(attempt);
                    if (!(IsTransientStatus(status) && CanResend(attempt, resendUntil, wait.Value)))
                    {
                        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                        throw PactApiException.FromResponse(status, response.ReasonPhrase, text, retryAfter);
                    }
                }
            }
            await Task.Delay(wait.Value, Clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private bool CanResend(int attempt, DateTimeOffset? resendUntil, TimeSpan wait) =>
        attempt < _options.MaxAttempts && (resendUntil is null || Clock.GetUtcNow() + wait < resendUntil.Value);

    private TimeSpan Backoff(int attempt)
    {
        var ticks = _options.RetryDelay.Ticks * Math.Pow(2, Math.Min(attempt - 1, 20));
        return TimeSpan.FromTicks((long)Math.Min(ticks, _options.MaxRetryDelay.Ticks));
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header is null) return null;
        var delay = header.Delta ?? (header.Date is { } date ? date - Clock.GetUtcNow() : null);
        if (delay is null) return null;
        if (delay < TimeSpan.Zero) return TimeSpan.Zero;
        return delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }

    private static bool IsTransientStatus(int status) => status is 429 or 502 or 503 or 504;

    /// <summary>A failure after which the same request may succeed: the connection broke or timed out, not the caller's cancellation.</summary>
    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        HttpRequestException h => h.HttpRequestError is HttpRequestError.Unknown or HttpRequestError.ConnectionError
            or HttpRequestError.NameResolutionError or HttpRequestError.ResponseEnded or HttpRequestError.HttpProtocolError
            or HttpRequestError.ProxyTunnelError,
        IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // HttpClient.Timeout
        _ => false,
    };

    // ---------------------------------------------------------------- JSON helpers

    private static T Read<T>(PactResponse response) => Read<T>(response.Body);

    private static T Read<T>(JsonNode? node)
    {
        if (node is null) throw new InvalidDataException($"The daemon answered with an empty body where a {typeof(T).Name} was expected.");
        try
        {
            return node.Deserialize<T>(PactJson.Options)
                ?? throw new InvalidDataException($"The daemon answered null where a {typeof(T).Name} was expected.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The daemon's answer is not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }

    private static JsonObject ReadObject(PactResponse response) =>
        response.Body as JsonObject ?? throw new InvalidDataException("The daemon's answer is not a JSON object.");

    private static string Segment(string id) => Uri.EscapeDataString(id);

    private static string WithQuery(string path, params (string Name, string? Value)[] query)
    {
        var sb = new StringBuilder(path);
        var first = true;
        foreach (var (name, value) in query)
        {
            if (value is null) continue;
            sb.Append(first ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }
        return sb.ToString();
    }

    private static string Num(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A body member set only when it has a value: optional members are left out, not sent as null.</summary>
    private static void SetIfNotNull(JsonObject obj, string name, JsonNode? value)
    {
        if (value is not null) obj[name] = value;
    }
}

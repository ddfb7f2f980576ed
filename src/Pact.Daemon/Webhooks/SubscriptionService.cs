using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Core.Ids;
using Pact.Core.Json;
using Pact.Core.Time;
using Pact.Daemon.Application;
using Pact.Daemon.Auth;
using Pact.Daemon.Http;
using Pact.Daemon.Telemetry;
using Pact.Store;

namespace Pact.Daemon.Webhooks;

/// <summary>Creating subscriptions (a signed subscription.create) and the owner-or-operator rule for everything else (§10, §3).</summary>
public sealed partial class SubscriptionService(
    EnvelopeAuthenticator authenticator, INonceStore nonces, IPactStore store, IWebhookOutbox webhooks,
    WebhookSecrets secrets, AddressPolicy policy, ResourceVisibility visibility)
{
    public const int MaxCallbackLength = 2048;
    public const int MaxDescriptionLength = 1000;
    public const int MaxFilterEntries = 1000;

    /// <summary>The member of a remembered response that holds the sealed secret in place of the secret itself.</summary>
    private const string SealedSecretMember = "sealedSecret";

    public static PayloadShape CreateSpec => SubscriptionCreatePayload.Shape;

    /// <summary>
    /// The path of <see cref="CommandRunner"/>, except that the response remembered with the nonce (§2) holds
    /// the secret sealed, not in clear: an identical resend still gets the secret back, and the database never
    /// holds it readable.
    /// </summary>
    public async Task<IResult> CreateAsync(SignedEnvelope body, CancellationToken ct)
    {
        var auth = await authenticator.AuthenticateAsync(body, CreateSpec, null, false, ct);
        if (auth.Refusal is { } refusal) return refusal;
        if (auth.Replay is not null) return Replay(auth.Replay);
        var envelope = auth.Envelope!;
        try
        {
            var outcome = await CreateCoreAsync(envelope, ct);
            PactTelemetry.Commands.Add(1, new KeyValuePair<string, object?>("type", CreateSpec.Type), new KeyValuePair<string, object?>("outcome", outcome.Error?.Code ?? "accepted"));
            return outcome.ToResult();
        }
        catch (DuplicateNonceException)
        {
            var stored = await nonces.FindAsync(envelope.Signer, envelope.Envelope.Nonce, ct);
            if (stored is not null && stored.PayloadHash == envelope.PayloadHash) return Replay(stored);
            return Problems.Result(NonceRefusals.Reused(envelope.Envelope.Nonce));
        }
    }

    private async Task<CommandOutcome> CreateCoreAsync(AuthenticatedEnvelope auth, CancellationToken ct)
    {
        var payload = auth.Payload;
        var callback = payload["callback"]!.GetValue<string>();
        var errors = ValidateCallback(callback, policy).ToList();
        var (types, sessions) = ReadFilter(payload["filter"], errors);
        var description = payload["description"]?.GetValue<string>();
        if (description is { Length: > MaxDescriptionLength })
            errors.Add(Error("/payload/description", $"'description' is longer than {MaxDescriptionLength} characters."));
        if (errors.Count > 0) return PactError.FromFieldErrors("Invalid subscription", errors);
        // A filter naming a session is a reference like any other: one the signer cannot see is not found (§10, §3).
        var signer = new Caller(auth.Signer, false);
        if (sessions?.FirstOrDefault(s => !visibility.CanSeeInSession(signer, s)) is { } invisible)
            return PactError.NotFound($"Session {invisible}");

        var id = PactIds.New(PactIds.Subscription, auth.Now);
        var key = WebhookSecrets.NewSigningKey();
        var secret = WebhookSecrets.Format(key);
        var sealedSecret = secrets.Seal(key, id);
        var draft = new SubscriptionRecord(id, auth.Signer, callback, types, sessions, description, Timestamp.ToText(auth.Now), 0,
            SubscriptionRecord.Active, null, null, 0);
        return await store.WriteAsync(transaction =>
        {
            // A new subscription receives what comes after the log as this transaction sees it.
            var record = draft with { AfterSeq = transaction.HeadSeq };
            transaction.InsertSubscription(record, sealedSecret);
            var view = record.ToResponse();
            transaction.RememberNonce(new NonceRecord(auth.Signer, auth.Envelope.Nonce, auth.Envelope.IssuedAt, auth.PayloadHash, 201, Sealed(view, sealedSecret)));
            return CommandOutcome.Ok(201, SubscriptionCreated.Of(view, secret));
        }, ct);
    }

    /// <summary>The subscription when the caller owns it or is the operator; otherwise 404 as if it did not exist (§3).</summary>
    public async Task<(SubscriptionRecord? Subscription, PactError? Error)> FindAsync(Caller caller, string subscriptionId, CancellationToken ct)
    {
        var record = PactIds.IsDaemonId(subscriptionId, PactIds.Subscription) ? await webhooks.GetAsync(subscriptionId, ct) : null;
        if (record is null || !ResourceVisibility.CanSeeSubscription(caller, record.Owner)) return (null, PactError.NotFound($"Subscription {subscriptionId}"));
        return (record, null);
    }

    /// <summary>Deletes the subscription and its outbox; no delivery starts for it once this returns.</summary>
    public async Task<bool> DeleteAsync(string subscriptionId, CancellationToken ct)
    {
        return await webhooks.DeleteAsync(subscriptionId, ct);
    }

    /// <summary>Refusals of a callback URL: http/https, absolute, no credentials or fragment, and a literal address the policy allows.</summary>
    public static IEnumerable<FieldError> ValidateCallback(string callback, AddressPolicy policy)
    {
        const string pointer = "/payload/callback";
        if (callback.Length > MaxCallbackLength)
        {
            yield return Error(pointer, $"'callback' is longer than {MaxCallbackLength} characters.");
            yield break;
        }
        if (!Uri.TryCreate(callback, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            yield return Error(pointer, "'callback' must be an absolute http or https URL.");
            yield break;
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
            yield return Error(pointer, "'callback' must not carry credentials; authenticate deliveries by their signature.");
        if (!string.IsNullOrEmpty(uri.Fragment))
            yield return Error(pointer, "'callback' must not have a fragment.");
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal))
        {
            if (policy.Refusal(literal) is { } reason) yield return Error(pointer, $"'callback' is refused: {reason}.");
        }
        else if (!policy.AllowsLoopback && LoopbackHostMiddleware.IsLoopbackHost(uri.Host))
        {
            yield return Error(pointer, $"'callback' is refused: {uri.Host} is a loopback name and loopback callbacks are not allowed on this daemon.");
        }
    }

    /// <summary>Reads filter { types?, sessions? }: types exact or "prefix.*", sessions ses_ ids; empty lists are refused (leave the member out to match all).</summary>
    public static (List<string>? Types, List<string>? Sessions) ReadFilter(JsonNode? filter, List<FieldError> errors)
    {
        if (filter is not JsonObject members) return (null, null);
        List<string>? types = null, sessions = null;
        foreach (var (name, value) in members)
        {
            var pointer = JsonPointer.Append("/payload/filter", name);
            switch (name)
            {
                case "types":
                    types = ReadList(value, pointer, TypePattern().IsMatch, "an event type or a prefix ending in .* (e.g. compact.in-force, proposal.*)", errors);
                    break;
                case "sessions":
                    sessions = ReadList(value, pointer, s => PactIds.IsDaemonId(s, PactIds.Session), "a session id (ses_…)", errors);
                    break;
                default:
                    errors.Add(Error(pointer, $"'{name}' is not a member of a subscription filter (types, sessions)."));
                    break;
            }
        }
        return (types, sessions);
    }

    private static List<string>? ReadList(JsonNode? value, string pointer, Func<string, bool> valid, string what, List<FieldError> errors)
    {
        if (value is null) return null;
        if (value is not JsonArray array)
        {
            errors.Add(Error(pointer, $"'{pointer[(pointer.LastIndexOf('/') + 1)..]}' must be an array."));
            return null;
        }
        if (array.Count == 0) errors.Add(Error(pointer, "An empty list matches nothing; leave the member out to match everything."));
        if (array.Count > MaxFilterEntries) errors.Add(Error(pointer, $"At most {MaxFilterEntries} entries are allowed."));
        var items = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue v && v.TryGetValue<string>(out var s) && valid(s)) items.Add(s);
            else errors.Add(Error(JsonPointer.Append(pointer, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"Each entry must be {what}."));
        }
        return items.Distinct(StringComparer.Ordinal).ToList();
    }

    private IResult Replay(StoredResponse stored)
    {
        if (StrictJson.Parse(stored.Body) is JsonObject body && body[SealedSecretMember] is JsonValue sealedValue)
        {
            var view = body.Deserialize<Subscription>(PactJson.Options)!;
            var key = secrets.Open(sealedValue.GetValue<string>(), view.SubscriptionId);
            return CommandOutcome.Ok(stored.Status, SubscriptionCreated.Of(view, WebhookSecrets.Format(key))).ToResult();
        }
        return CommandOutcome.Json(stored.Status, stored.Body);
    }

    /// <summary>
    /// The response as remembered with the nonce: the subscription with the sealed secret right after its id, where
    /// the answer has the secret (the database never holds the secret readable).
    /// </summary>
    private static string Sealed(Subscription view, string sealedSecret)
    {
        var result = new JsonObject();
        foreach (var (name, node) in JsonSerializer.SerializeToNode(view, PactJson.Options)!.AsObject().ToList())
        {
            result[name] = node?.DeepClone();
            if (name == "subscriptionId") result[SealedSecretMember] = sealedSecret;
        }
        return result.ToJsonString(PactJson.Options);
    }

    private static FieldError Error(string pointer, string message) => new(pointer, PactCodes.InvalidPayload, message);

    [GeneratedRegex(@"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*(\.\*)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex TypePattern();
}

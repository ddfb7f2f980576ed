using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Pact.Daemon.Auth;
using Microsoft.Extensions.Options;
using Pact.Core.Errors;
using Pact.Daemon.Hosting;
using Pact.Daemon.Http;
using Pact.Daemon.Webhooks;

using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>Webhook subscriptions of persistent agents and their deliveries (§10).</summary>
public sealed class SubscriptionsController(SubscriptionService service, IWebhookOutbox webhooks, WebhookDispatcher dispatcher, IOptions<PactOptions> options) : PactControllerBase
{
    /// <summary>
    /// Subscribes the signer's callback to future events of its sessions (subscription.create envelope). The
    /// response is the only place the signing secret ("whsec_…") is ever shown.
    /// </summary>
    [HttpPost("/v1/subscriptions")]
    [Envelope("subscription.create")]
    [ProducesResponseType(typeof(SubscriptionCreatedBody), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public Task<IResult> Create([FromBody] SignedEnvelope body, CancellationToken ct) => service.CreateAsync(body, ct);

    /// <summary>The caller's subscriptions (every one for the admin token), in id order; pass <c>next</c> as <c>after</c>.</summary>
    [HttpGet("/v1/subscriptions")]
    [ProducesResponseType(typeof(SubscriptionPageBody), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> List([FromQuery] string? after, [FromQuery] int limit = 100, CancellationToken ct = default)
    {
        var caller = Reader;
        if (limit < 1) return Problem(PactError.InvalidPayload("'limit' must be at least 1.", "/limit"));
        limit = Math.Min(limit, options.Value.Limits.MaxPageSize);
        var rows = await webhooks.ListAsync(caller.IsAdmin ? null : caller.Agent, after, limit + 1, ct);
        var page = rows.Take(limit).ToList();
        return JsonResult(200, new JsonObject
        {
            ["subscriptions"] = new JsonArray(page.Select(s => (JsonNode)s.ToJson()).ToArray()),
            ["next"] = rows.Count > limit ? page[^1].SubscriptionId : null,
        });
    }

    /// <summary>One subscription of the caller (any for the admin token).</summary>
    [HttpGet("/v1/subscriptions/{subscriptionId}")]
    [ProducesResponseType(typeof(SubscriptionBody), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Get(string subscriptionId, CancellationToken ct)
    {
        var caller = Reader;
        var (subscription, error) = await service.FindAsync(caller, subscriptionId, ct);
        return error is not null ? Problem(error) : JsonResult(200, subscription!.ToJson());
    }

    /// <summary>Deletes a subscription with its pending deliveries (bearer token of the owner, or the admin token).</summary>
    [HttpDelete("/v1/subscriptions/{subscriptionId}")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Delete(string subscriptionId, CancellationToken ct)
    {
        var caller = Reader;
        var (_, error) = await service.FindAsync(caller, subscriptionId, ct);
        if (error is not null) return Problem(error);
        return await service.DeleteAsync(subscriptionId, ct) ? Results.NoContent() : Problem(PactError.NotFound($"Subscription {subscriptionId}"));
    }

    /// <summary>The subscription's deliveries in seq order: status, attempts made, last HTTP status, when, and when next.</summary>
    [HttpGet("/v1/subscriptions/{subscriptionId}/deliveries")]
    [ProducesResponseType(typeof(DeliveryPageBody), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Deliveries(string subscriptionId, [FromQuery] long after = 0, [FromQuery] string? status = null, [FromQuery] int limit = 100, CancellationToken ct = default)
    {
        var caller = Reader;
        var (_, error) = await service.FindAsync(caller, subscriptionId, ct);
        if (error is not null) return Problem(error);
        if (after < 0 || limit < 1) return Problem(PactError.InvalidPayload("'after' must be ≥ 0 and 'limit' ≥ 1.", "/after"));
        if (status is not null and not (DeliveryRecord.Pending or DeliveryRecord.Succeeded or DeliveryRecord.Failed))
            return Problem(PactError.InvalidPayload("'status' is pending, succeeded or failed.", "/status"));
        limit = Math.Min(limit, options.Value.Limits.MaxPageSize);
        var rows = await webhooks.ListDeliveriesAsync(subscriptionId, after, status, limit + 1, ct);
        var page = rows.Take(limit).ToList();
        return JsonResult(200, new JsonObject
        {
            ["deliveries"] = new JsonArray(page.Select(d => (JsonNode)d.ToJson()).ToArray()),
            ["next"] = rows.Count > limit ? page[^1].Seq : null,
        });
    }

    /// <summary>Attempts a delivery again now, whatever its status; the outcome shows in the deliveries list.</summary>
    [HttpPost("/v1/subscriptions/{subscriptionId}/deliveries/{deliveryId}/retry")]
    [ProducesResponseType(typeof(DeliveryBody), StatusCodes.Status202Accepted)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Retry(string subscriptionId, string deliveryId, CancellationToken ct)
    {
        var caller = Reader;
        var (_, error) = await service.FindAsync(caller, subscriptionId, ct);
        if (error is not null) return Problem(error);
        var delivery = await webhooks.GetDeliveryAsync(subscriptionId, deliveryId, ct);
        if (delivery is null) return Problem(PactError.NotFound($"Delivery {deliveryId}"));
        dispatcher.AttemptNow(delivery);
        return JsonResult(202, delivery.ToJson());
    }
}

/// <summary>A subscription's filter: exact types or "prefix.*", and session ids; null matches all.</summary>
public sealed record SubscriptionFilterBody(IReadOnlyList<string>? Types, IReadOnlyList<string>? Sessions);

/// <summary>A subscription as the API shows it (never with its secret).</summary>
public sealed record SubscriptionBody(string SubscriptionId, string Owner, string Callback, SubscriptionFilterBody Filter, string? Description,
    string CreatedAt, long AfterSeq, string Status, string? DisabledReason, string? DisabledAt, int ConsecutiveFailures);

/// <summary>201 of subscription.create: the subscription and, only here, its secret.</summary>
public sealed record SubscriptionCreatedBody(string SubscriptionId, string Secret, string Owner, string Callback, SubscriptionFilterBody Filter, string? Description,
    string CreatedAt, long AfterSeq, string Status);

/// <summary>A page of subscriptions.</summary>
public sealed record SubscriptionPageBody(IReadOnlyList<SubscriptionBody> Subscriptions, string? Next);

/// <summary>One event's delivery to a subscription.</summary>
public sealed record DeliveryBody(string DeliveryId, string SubscriptionId, string WebhookId, long Seq, string Type, string Stream, int Attempt,
    string Status, int? HttpStatus, string? Error, string? At, string? NextAttemptAt, string CreatedAt);

/// <summary>A page of deliveries.</summary>
public sealed record DeliveryPageBody(IReadOnlyList<DeliveryBody> Deliveries, long? Next);

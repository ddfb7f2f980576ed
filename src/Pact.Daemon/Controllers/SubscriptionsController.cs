using Microsoft.AspNetCore.Mvc;
using Pact.Daemon.Application;
using Pact.Daemon.Auth;
using Microsoft.Extensions.Options;
using Pact.Core.Contracts.Responses;
using Pact.Core.Errors;
using Pact.Daemon.Hosting;
using Pact.Daemon.Http;
using Pact.Daemon.Webhooks;

using Pact.Store;

namespace Pact.Daemon.Controllers;

/// <summary>Webhook subscriptions of persistent agents and their deliveries (§10).</summary>
public sealed class SubscriptionsController(
    SubscriptionService service, IWebhookOutbox webhooks, WebhookDispatcher dispatcher, TranscriptQuarantine quarantine, IOptions<PactOptions> options) : PactControllerBase
{
    /// <summary>
    /// Subscribes the signer's callback to future events of its sessions (subscription.create envelope). The
    /// response is the only place the signing secret ("whsec_…") is ever shown.
    /// </summary>
    [HttpPost("/v1/subscriptions")]
    [Envelope("subscription.create")]
    [ProducesResponseType(typeof(SubscriptionCreated), StatusCodes.Status201Created)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    public Task<IResult> Create([FromBody] SignedEnvelope body, CancellationToken ct) => service.CreateAsync(body, ct);

    /// <summary>The caller's subscriptions (every one for the admin token), in id order; pass <c>next</c> as <c>after</c>.</summary>
    [HttpGet("/v1/subscriptions")]
    [ProducesResponseType(typeof(SubscriptionPage), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> List([FromQuery] string? after, [FromQuery] int limit = 100, CancellationToken ct = default)
    {
        var caller = Reader;
        if (limit < 1) return Problem(PactError.InvalidPayload("'limit' must be at least 1.", "/limit"));
        limit = Math.Min(limit, options.Value.Limits.MaxPageSize);
        quarantine.ThrowIfUnreadable(null);
        var rows = await webhooks.ListAsync(caller.IsAdmin ? null : caller.Agent, after, limit + 1, ct);
        var page = rows.Take(limit).ToList();
        return Json(200, new SubscriptionPage([.. page.Select(s => s.ToResponse())], rows.Count > limit ? page[^1].SubscriptionId : null));
    }

    /// <summary>One subscription of the caller (any for the admin token).</summary>
    [HttpGet("/v1/subscriptions/{subscriptionId}")]
    [ProducesResponseType(typeof(Subscription), StatusCodes.Status200OK)]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status401Unauthorized, "application/problem+json")]
    [ProducesResponseType(typeof(ProblemBody), StatusCodes.Status404NotFound, "application/problem+json")]
    [RequirePolicy(PactAuthorization.Reader)]
    public async Task<IResult> Get(string subscriptionId, CancellationToken ct)
    {
        var caller = Reader;
        var (subscription, error) = await service.FindAsync(caller, subscriptionId, ct);
        if (error is not null) return Problem(error);
        quarantine.ThrowIfUnreadable(null);
        return Json(200, subscription!.ToResponse());
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
        if (error is null) quarantine.ThrowIfUnreadable(null);
        if (error is not null) return Problem(error);
        return await service.DeleteAsync(subscriptionId, ct) ? Results.NoContent() : Problem(PactError.NotFound($"Subscription {subscriptionId}"));
    }

    /// <summary>The subscription's deliveries in seq order: status, attempts made, last HTTP status, when, and when next.</summary>
    [HttpGet("/v1/subscriptions/{subscriptionId}/deliveries")]
    [ProducesResponseType(typeof(DeliveryPage), StatusCodes.Status200OK)]
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
        return Json(200, new DeliveryPage([.. page.Select(d => d.ToResponse())], rows.Count > limit ? page[^1].Seq : null));
    }

    /// <summary>Attempts a delivery again now, whatever its status; the outcome shows in the deliveries list.</summary>
    [HttpPost("/v1/subscriptions/{subscriptionId}/deliveries/{deliveryId}/retry")]
    [ProducesResponseType(typeof(WebhookDelivery), StatusCodes.Status202Accepted)]
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
        return Json(202, delivery.ToResponse());
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Client;

namespace Pact.Cli.Commands;

/// <summary><c>pact subscribe | subscriptions list|show|delete | deliveries [retry]</c>: webhook subscriptions (§10, docs/webhooks.md).</summary>
internal static class SubscriptionCommands
{
    public static IEnumerable<Command> Build(CliContext c) => [Subscribe(c), Subscriptions(c), Deliveries(c)];

    private static Argument<string> SubscriptionIdArgument() => new("subscriptionId") { Description = "The subscription id (sub_…)." };

    private static Command Subscribe(CliContext c)
    {
        var callback = new Option<string>("--callback") { Description = "The http(s) URL the daemon POSTs each event to.", Required = true, HelpName = "url" };
        callback.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } text &&
                !(Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
                r.AddError($"--callback '{text}' is not an absolute http(s) URL.");
        });
        var types = new Option<string[]>("--types")
        {
            Description = "Only these event types, exact or prefix.* (comma-separated or repeated). Default: every type.",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "types",
        };
        var sessions = new Option<string[]>("--sessions")
        {
            Description = "Only these sessions (ses_…, comma-separated or repeated). Default: every session of the agent.",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "ids",
        };
        var description = new Option<string>("--description") { Description = "A note for yourself (at most 1000 characters).", HelpName = "text" };
        var command = c.NewCommand("subscribe", """
            Subscribe a webhook (signed subscription.create): the daemon POSTs each future event of this agent's
            sessions that matches the filters to the callback, signed with a secret (Standard Webhooks). The secret is
            printed once, now: no command can show it again. Give it to the receiver, which verifies every delivery.

            Examples:
              pact subscribe --callback https://agent.example/pact-hook --types 'compact.*,proposal.signed'
              pact subscribe --callback http://127.0.0.1:8787/webhooks --sessions ses_01J... --description "dev receiver" --json
            """).With(callback, types, sessions, description);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Agent);
            var created = await client.CreateSubscriptionAsync(inv.Get(callback)!, SplitList(inv.Get(types)), SplitList(inv.Get(sessions)), inv.Get(description), inv.CancellationToken);
            if (inv.Json)
            {
                var json = Output.ToJsonObject(created.Subscription);
                json.Insert(1, "secret", created.Secret);
                inv.Out.Json(json);
            }
            else
            {
                var s = created.Subscription;
                inv.Out.Fields("Subscription created",
                [
                    ("subscriptionId", s.SubscriptionId),
                    ("secret", created.Secret),
                    ("callback", s.Callback),
                    ("types", FilterText(s.Filter?.Types)),
                    ("sessions", FilterText(s.Filter?.Sessions)),
                    ("afterSeq", s.AfterSeq.ToString(CultureInfo.InvariantCulture)),
                ]);
            }
            c.Stderr.WriteLine(
                "warning: the secret is shown only now; store it where the receiver can read it (it verifies every delivery). " +
                "If it is lost, create a new subscription and delete this one.");
        });
        return command;
    }

    private static Command Subscriptions(CliContext c)
    {
        var subscriptions = c.NewCommand("subscriptions", """
            List, show and delete this agent's webhook subscriptions (the operator with --admin-token and no key file: all).

            Examples:
              pact subscriptions list
              pact subscriptions show sub_01J...
              pact subscriptions delete sub_01J...
            """);

        var list = c.NewCommand("list", """
            List the subscriptions, every page: id, status, callback, filters, consecutive failures.

            Examples:
              pact subscriptions list
              pact subscriptions list --json
            """);
        c.Handle(list, async inv =>
        {
            var client = inv.Client(Access.Reader);
            var all = new List<Subscription>();
            string? after = null;
            do
            {
                var page = await client.ListSubscriptionsAsync(after, null, inv.CancellationToken);
                all.AddRange(page.Subscriptions);
                // A cursor that does not move would loop forever.
                after = page.Next is { } next && next != after ? next : null;
            }
            while (after is not null);
            if (inv.Json)
            {
                inv.Out.Json(new { subscriptions = all });
                return;
            }
            inv.Out.Table("Subscriptions", ["subscription", "status", "callback", "types", "sessions", "failures"], all.Select(s => (IReadOnlyList<string?>)
            [
                s.SubscriptionId, StatusText(s), s.Callback, FilterText(s.Filter?.Types), FilterText(s.Filter?.Sessions),
                s.ConsecutiveFailures.ToString(CultureInfo.InvariantCulture),
            ]));
        });

        var showId = SubscriptionIdArgument();
        var show = c.NewCommand("show", """
            Show one subscription (never its secret).

            Example:
              pact subscriptions show sub_01J...
            """).With(showId);
        c.Handle(show, async inv =>
        {
            var s = await inv.Client(Access.Reader).GetSubscriptionAsync(inv.Get(showId)!, inv.CancellationToken);
            if (inv.Json) inv.Out.Json(s);
            else WriteSubscription(inv.Out, s);
        });

        var deleteId = SubscriptionIdArgument();
        var delete = c.NewCommand("delete", """
            Delete a subscription with its queued deliveries; nothing more is sent to its callback.

            Example:
              pact subscriptions delete sub_01J...
            """).With(deleteId);
        c.Handle(delete, async inv =>
        {
            var id = inv.Get(deleteId)!;
            await inv.Client(Access.Reader).DeleteSubscriptionAsync(id, inv.CancellationToken);
            if (inv.Json) inv.Out.Json(new JsonObject { ["subscriptionId"] = id, ["deleted"] = true });
            else inv.Out.Line($"Deleted subscription {id}.");
        });

        return subscriptions.With(list, show, delete);
    }

    private static Command Deliveries(CliContext c)
    {
        // Optional at parse time so that 'deliveries retry …' parses; required when listing (checked below).
        var id = new Argument<string>("subscriptionId") { Description = "The subscription whose deliveries to list (sub_…).", Arity = ArgumentArity.ZeroOrOne };
        var status = new Option<string>("--status") { Description = "Only deliveries in this status.", HelpName = "status" };
        status.AcceptOnlyFromAmong("pending", "succeeded", "failed");
        var after = new Option<long?>("--after") { Description = "Start after this seq.", HelpName = "seq" };
        after.Minimum(0);
        var deliveries = c.NewCommand("deliveries", """
            List a subscription's deliveries, every page, in seq order: the event, attempts made, status, last HTTP
            status or error, when the last attempt was and when the next is due. 'deliveries retry' attempts one again now.

            Examples:
              pact deliveries sub_01J...
              pact deliveries sub_01J... --status failed --json
              pact deliveries retry sub_01J... dlv_01J...
            """).With(id, status, after);
        deliveries.Validators.Add(r =>
        {
            if (r.GetResult(id) is not { Tokens.Count: > 0 }) r.AddError("Name the subscription whose deliveries to list (sub_…).");
        });
        c.Handle(deliveries, async inv =>
        {
            var client = inv.Client(Access.Reader);
            var all = new List<WebhookDelivery>();
            var cursor = inv.Get(after);
            while (true)
            {
                var page = await client.ListDeliveriesAsync(inv.Get(id)!, inv.Get(status), cursor, null, inv.CancellationToken);
                all.AddRange(page.Deliveries);
                if (page.Next is not { } next || next == cursor) break;
                cursor = next;
            }
            if (inv.Json)
            {
                inv.Out.Json(new { deliveries = all });
                return;
            }
            inv.Out.Table("Deliveries", ["delivery", "seq", "type", "stream", "status", "attempt", "http", "at", "next", "error"], all.Select(d => (IReadOnlyList<string?>)
            [
                d.DeliveryId, d.Seq.ToString(CultureInfo.InvariantCulture), d.Type, d.Stream, d.Status, d.Attempt.ToString(CultureInfo.InvariantCulture),
                d.HttpStatus?.ToString(CultureInfo.InvariantCulture), Output.Time(d.At), Output.Time(d.NextAttemptAt), d.Error,
            ]));
        });

        var retryId = SubscriptionIdArgument();
        var deliveryId = new Argument<string>("deliveryId") { Description = "The delivery to attempt again (dlv_…)." };
        var retry = c.NewCommand("retry", """
            Attempt a delivery again right away, whatever its status (it counts as an attempt). The outcome shows in
            'pact deliveries' a moment later.

            Example:
              pact deliveries retry sub_01J... dlv_01J...
            """).With(retryId, deliveryId);
        c.Handle(retry, async inv =>
        {
            var d = await inv.Client(Access.Reader).RetryDeliveryAsync(inv.Get(retryId)!, inv.Get(deliveryId)!, inv.CancellationToken);
            if (inv.Json)
            {
                inv.Out.Json(d);
                return;
            }
            inv.Out.Fields($"Delivery {d.DeliveryId} is being attempted again",
            [
                ("webhookId", d.WebhookId),
                ("event", $"#{d.Seq.ToString(CultureInfo.InvariantCulture)} {d.Type} in {d.Stream}"),
                ("attempts so far", d.Attempt.ToString(CultureInfo.InvariantCulture)),
                ("status", d.Status),
                ("last error", d.Error),
            ]);
        });
        return deliveries.With(retry);
    }

    internal static void WriteSubscription(Output output, Subscription s) =>
        output.Fields($"Subscription {s.SubscriptionId}",
        [
            ("status", StatusText(s)),
            ("owner", s.Owner),
            ("callback", s.Callback),
            ("types", FilterText(s.Filter?.Types)),
            ("sessions", FilterText(s.Filter?.Sessions)),
            ("description", s.Description),
            ("createdAt", Output.Time(s.CreatedAt)),
            ("afterSeq", s.AfterSeq.ToString(CultureInfo.InvariantCulture)),
            ("consecutiveFailures", s.ConsecutiveFailures.ToString(CultureInfo.InvariantCulture)),
            ("disabledAt", Output.Time(s.DisabledAt)),
        ]);

    private static string StatusText(Subscription s) => s.DisabledReason is { } reason ? $"{s.Status} ({reason})" : s.Status;

    private static string FilterText(IReadOnlyList<string>? values) => values is null ? "(all)" : string.Join(",", values);

    internal static string[]? SplitList(string[]? values) =>
        values is null || values.Length == 0
            ? null
            : values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
}

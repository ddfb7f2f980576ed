using System.CommandLine;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Contracts.Responses;

namespace Pact.Cli.Commands;

/// <summary><c>pact mandate grant | revoke | list | show</c> (§14).</summary>
internal static class MandateCommands
{
    public static Command Build(CliContext c)
    {
        var mandate = c.NewCommand("mandate", """
            Let the daemon answer proposals addressed to this agent while it is away, as a published policy decides,
            within a scope, until revoked or expired; and read those grants back.

            Examples:
              pact mandate grant 751674e1...375c --counterparty did:key:z6Mk... --acknowledge withdrawal,marker --expires-in P30D
              pact mandate list
              pact mandate show mnd_01J...
              pact mandate revoke mnd_01J...
            """);
        mandate.Subcommands.Add(Grant(c));
        mandate.Subcommands.Add(Revoke(c));
        mandate.Subcommands.Add(List(c));
        mandate.Subcommands.Add(Show(c));
        return mandate;
    }

    private static Command Grant(CliContext c)
    {
        var policy = new Argument<string>("policyHash") { Description = "A policy published on this daemon." };
        var sessions = new Option<string[]>("--session") { Description = "Only proposals in this session (repeatable).", HelpName = "sessionId", AllowMultipleArgumentsPerToken = true };
        var counterparties = new Option<string[]>("--counterparty") { Description = "Only proposals by this agent (repeatable).", HelpName = "did", AllowMultipleArgumentsPerToken = true };
        var prefix = new Option<string>("--compact-id-prefix") { Description = "Only compact ids starting with this.", HelpName = "prefix" };
        var acknowledge = new Option<string>("--acknowledge") { Description = "Kinds to acknowledge: withdrawal, marker, revocation, mutual-revocation (comma-separated).", HelpName = "kinds" };
        var expiresIn = new Option<string>("--expires-in") { Description = "How long the mandate lasts, an ISO duration (at most P1Y). Default: P30D.", HelpName = "duration" };
        var command = c.NewCommand("grant", """
            Grant a mandate (signed mandate.grant envelope). Without --session, --counterparty or --compact-id-prefix it
            covers every proposal addressed to this agent. Counterparties see the grant (and its scope) in every action
            taken under it.

            Example:
              pact mandate grant 751674e1...375c --counterparty did:key:z6Mk... --acknowledge withdrawal,marker --expires-in P30D
            """).With(policy, sessions, counterparties, prefix, acknowledge, expiresIn);
        c.Handle(command, async inv =>
        {
            var scope = new JsonObject();
            if (inv.Get(sessions) is { Length: > 0 } s) scope["sessions"] = new JsonArray([.. s.Select(x => (JsonNode?)x)]);
            if (inv.Get(counterparties) is { Length: > 0 } p) scope["counterparties"] = new JsonArray([.. p.Select(x => (JsonNode?)x)]);
            if (inv.Get(prefix) is { } compactIdPrefix) scope["compactIdPrefix"] = compactIdPrefix;
            var kinds = (inv.Get(acknowledge) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var duration = inv.Get(expiresIn) ?? "P30D";
            if (!Pact.Core.Time.IsoDuration.IsValid(duration)) throw new UsageException($"--expires-in '{duration}' is not an ISO duration like P30D.");
            var expiresAt = Pact.Core.Time.IsoDuration.Parse(duration).AddTo(Pact.Core.Time.Timestamp.Truncate(DateTimeOffset.UtcNow));
            var granted = await inv.Client(Access.Agent).GrantMandateAsync(inv.Get(policy)!, scope, kinds, expiresAt, cancellationToken: inv.CancellationToken);
            Write(inv, "Granted mandate", granted);
        });
        return command;
    }

    private static Command Revoke(CliContext c)
    {
        var id = new Argument<string>("mandateId") { Description = "The mandate (mnd_…)." };
        var command = c.NewCommand("revoke", """
            Revoke a mandate this agent granted (signed mandate.revoke envelope); from this commit on it answers nothing.

            Example:
              pact mandate revoke mnd_01J...
            """).With(id);
        c.Handle(command, async inv => Write(inv, "Revoked mandate", await inv.Client(Access.Agent).RevokeMandateAsync(inv.Get(id)!, inv.CancellationToken)));
        return command;
    }

    private static Command List(CliContext c)
    {
        var command = c.NewCommand("list", """
            This agent's mandates, oldest first, with their status and the number of actions taken under each.

            Example:
              pact mandate list --json
            """);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Agent);
            var all = new List<MandateResource>();
            string? after = null;
            do
            {
                var page = await client.ListMandatesAsync(after, 100, inv.CancellationToken);
                all.AddRange(page.Mandates);
                after = page.Next;
            }
            while (after is not null);
            if (inv.Json)
            {
                inv.Out.Json(all);
                return;
            }
            inv.Out.Table("Mandates", ["mandateId", "status", "policy", "expiresAt", "actions"], all.Select(m => (IReadOnlyList<string?>)
                [m.MandateId, m.Status, Output.Abbreviate(m.PolicyHash), Pact.Core.Time.Timestamp.ToText(m.ExpiresAt), NegotiationCommands.Num(m.Actions)]));
        });
        return command;
    }

    private static Command Show(CliContext c)
    {
        var id = new Argument<string>("mandateId") { Description = "The mandate (mnd_…)." };
        var command = c.NewCommand("show", """
            One mandate: its policy, scope, acknowledgments, expiry, status and actions (the grant envelope with --json).

            Example:
              pact mandate show mnd_01J...
            """).With(id);
        c.Handle(command, async inv => Write(inv, "Mandate", await inv.Client(Access.Agent).GetMandateAsync(inv.Get(id)!, inv.CancellationToken)));
        return command;
    }

    private static void Write(Invocation inv, string title, MandateResource m)
    {
        if (inv.Json)
        {
            inv.Out.Json(m);
            return;
        }
        inv.Out.Fields(title, [("mandateId", m.MandateId), ("status", m.Status), ("policyHash", m.PolicyHash), ("mandateHash", m.MandateHash),
            ("scope", m.Scope.Count == 0 ? "(every proposal addressed to this agent)" : m.Scope.ToJsonString()),
            ("acknowledge", m.Acknowledge.Count == 0 ? "(nothing)" : string.Join(", ", m.Acknowledge)),
            ("expiresAt", Pact.Core.Time.Timestamp.ToText(m.ExpiresAt)), ("actions", NegotiationCommands.Num(m.Actions))]);
    }
}

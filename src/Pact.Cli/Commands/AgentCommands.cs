using System.CommandLine;
using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Client;
using Pact.Core.Contracts;

namespace Pact.Cli.Commands;

/// <summary><c>pact agent register | show | invite | pending</c>.</summary>
internal static class AgentCommands
{
    public static Command Build(CliContext c)
    {
        var agent = c.NewCommand("agent", """
            Register the agent of a key file with the daemon, and look agents up.

            Examples:
              pact agent register --principal-name "Acme Builders" --principal-kind organization
              pact agent show did:key:z6Mk...
              pact agent pending
            """);
        agent.Subcommands.Add(Register(c));
        agent.Subcommands.Add(Show(c));
        agent.Subcommands.Add(Invite(c));
        agent.Subcommands.Add(Pending(c));
        return agent;
    }

    private static Command Register(CliContext c)
    {
        var principalName = new Option<string>("--principal-name") { Description = "The principal's readable name.", Required = true, HelpName = "name" };
        var principalKind = new Option<string>("--principal-kind") { Description = "Whom the agent acts for.", Required = true, HelpName = "kind" };
        principalKind.AcceptOnlyFromAmong(PrincipalKinds.Human, PrincipalKinds.Organization, PrincipalKinds.Agent);
        var principalId = new Option<string>("--principal-id")
        {
            Description = "The principal's id: its did:key (needed for principal-signature authorizations) or an opaque id. Default: the did of --principal-key, else the agent's own did.",
            HelpName = "id",
        };
        var principalKey = new Option<string>("--principal-key")
        {
            Description = "The principal's key file (path or name); its did:key becomes the principal id.",
            HelpName = "file|name",
        };
        var displayName = new Option<string>("--display-name") { Description = "The agent's display name.", HelpName = "name" };
        var invite = new Option<string>("--invite") { Description = "A one-time registration code (needed when the daemon is not open).", HelpName = "code" };
        var command = c.NewCommand("register", """
            Register the agent of the key file (signed agent.register envelope). Registering again is harmless:
            the daemon answers with the existing record.

            Examples:
              pact agent register --principal-name "Acme Builders" --principal-kind organization
              pact keys new --name acme-principal
              pact agent register --key alice --principal-key acme-principal --principal-name "Acme" --principal-kind organization
              pact agent register --principal-name Bob --principal-kind human --invite 7fK2...
            """).With(principalName, principalKind, principalId, principalKey, displayName, invite);
        command.Validators.Add(r =>
        {
            if (r.GetResult(principalId) is not null && r.GetResult(principalKey) is not null)
                r.AddError("Give --principal-id or --principal-key, not both.");
        });
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Agent);
            var id = inv.Get(principalId);
            if (inv.Get(principalKey) is { } pk) id = CliContext.LoadKey(c.KeyPathOf(pk), "principal key", "--principal-key").Did;
            id ??= client.AgentId!;
            var principal = new Principal(id, inv.Get(principalKind)!, inv.Get(principalName)!);
            var registration = await client.RegisterAsync(principal, inv.Get(displayName), inv.Get(invite), inv.CancellationToken);
            if (inv.Json) inv.Out.Json(registration.Agent);
            else WriteAgent(inv.Out, registration.Created ? "Registered agent" : "Agent already registered", registration.Agent);
        });
        return command;
    }

    private static Command Show(CliContext c)
    {
        var did = new Argument<string>("did") { Description = "The agent's did:key (or a key name). Default: the agent of --key.", Arity = ArgumentArity.ZeroOrOne };
        var command = c.NewCommand("show", """
            Show a registered agent (public: no token needed).

            Examples:
              pact agent show
              pact agent show did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK --json
            """).With(did);
        c.Handle(command, async inv =>
        {
            var value = inv.Get(did);
            var agentId = value is null ? inv.LoadKey().Did : ResolveDid(c, value, "the agent argument");
            var record = await inv.Client(Access.Public).GetAgentAsync(agentId, inv.CancellationToken);
            if (inv.Json) inv.Out.Json(record);
            else WriteAgent(inv.Out, "Agent", record);
        });
        return command;
    }

    private static Command Invite(CliContext c)
    {
        var expiresIn = new Option<string>("--expires-in") { Description = "How long the code stays valid, an ISO 8601 duration (e.g. P1D). Default: the daemon's.", HelpName = "duration" };
        expiresIn.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } d && !Pact.Core.Time.IsoDuration.IsValid(d)) r.AddError($"'{d}' is not an ISO 8601 duration such as P1D or PT12H.");
        });
        var command = c.NewCommand("invite", """
            Create a one-time registration code (needs the admin token).

            Example:
              pact agent invite --admin-token $TOKEN --expires-in P1D
            """).With(expiresIn);
        c.Handle(command, async inv =>
        {
            if (c.AdminTokenOf(inv.Parse) is null) throw new UsageException("Creating an invite needs the admin token: pass --admin-token or set PACT_ADMIN_TOKEN.");
            var created = await inv.Client(Access.Public).CreateInviteAsync(inv.Get(expiresIn), inv.CancellationToken);
            if (inv.Json) inv.Out.Json(created);
            else inv.Out.Fields("Invite", [("code", created.Code), ("expiresAt", Output.Time(created.ExpiresAt))]);
        });
        return command;
    }

    private static Command Pending(CliContext c)
    {
        var command = c.NewCommand("pending", """
            What waits on this agent (§14's pending list): proposals addressed to it that it may sign or decline,
            withdrawals of proposals addressed to it, and the other party's revocations and markers waiting for its
            acknowledgment, each with its deadline and hashes in full; then 'items', all of them as one list in
            deadline order (none last), with kind, id, session, compact, deadline, the bundle a proposal belongs to,
            and the decision a mandate escalated to the agent as its effect, rule and reason (--json: the whole decision).

            Example:
              pact agent pending --key bob
            """);
        c.Handle(command, async inv =>
        {
            var pending = await inv.Client(Access.Agent).GetPendingAsync(inv.CancellationToken);
            if (inv.Json)
            {
                inv.Out.Json(pending);
                return;
            }
            foreach (var (name, value) in Output.ToJsonObject(pending))
            {
                if (value is not JsonArray list) continue;
                if (name == "items") WriteItems(inv.Out, pending.Items);
                else inv.Out.ObjectTable(name, list, abbreviate: false);
            }
        });
        return command;
    }

    /// <summary>
    /// The pending items with an escalated decision read as columns — its effect, the rule that decided (or "(default)")
    /// and the rule's reason — instead of the decision's JSON in one cell; --json has the whole decision, trace included.
    /// </summary>
    private static void WriteItems(Output output, IReadOnlyList<PendingItem> items) => output.Table("items",
        ["kind", "id", "sessionId", "compactId", "deadline", "bundleId", "effect", "rule", "reason"],
        items.Select(i => (IReadOnlyList<string?>)
        [
            i.Kind, i.Id, i.SessionId, i.CompactId, Output.Time(i.Deadline), i.BundleId,
            Output.Text(i.Decision?["effect"]),
            i.Decision is null ? null : Output.Text(i.Decision["ruleId"]) ?? "(default)",
            Output.Text(i.Decision?["reason"]),
        ]));

    internal static void WriteAgent(Output output, string title, AgentInfo record) => output.Fields(title,
    [
        ("agentId", record.AgentId),
        ("displayName", record.DisplayName),
        ("principal", $"{record.Principal.Name} ({record.Principal.Kind})"),
        ("principalId", record.Principal.Id),
        ("registeredAt", Output.Time(record.RegisteredAt)),
    ]);

    /// <summary>A did:key as given, or the did of a key file named by its name or path (<paramref name="option"/> names it in errors).</summary>
    internal static string ResolveDid(CliContext c, string value, string option) =>
        value.StartsWith("did:", StringComparison.Ordinal) ? value : CliContext.LoadKey(c.KeyPathOf(value), "key", option).Did;
}

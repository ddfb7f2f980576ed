using System.CommandLine;
using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Client;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Cli.Commands;

/// <summary><c>pact session create | show | list | suspend | resume | terminate</c>.</summary>
internal static class SessionCommands
{
    public static Command Build(CliContext c)
    {
        var session = c.NewCommand("session", """
            Open and manage sessions: the shared rooms in which agents negotiate, each with its own transcript.

            Examples:
              pact session create --with did:key:z6Mk... --topic "kitchen remodel"
              pact session list --status active
              pact session show ses_01J...
              pact session suspend ses_01J...
            """);
        session.Subcommands.Add(Create(c));
        session.Subcommands.Add(Show(c));
        session.Subcommands.Add(List(c));
        session.Subcommands.Add(Transition(c, "suspend", "Suspend an active session: no new proposals, signatures, declines or counters until it resumes; timers keep running."));
        session.Subcommands.Add(Transition(c, "resume", "Resume a suspended session."));
        session.Subcommands.Add(Transition(c, "terminate", "Terminate a session for good; its open proposals are retired (compacts outlive it)."));
        return session;
    }

    private static Argument<string> SessionIdArgument() => new("sessionId") { Description = "The session id (ses_…)." };

    private static Command Create(CliContext c)
    {
        var with = new Option<string[]>("--with")
        {
            Description = "The other participants: did:keys, or names of local key files. Repeat or list several.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
            HelpName = "did",
        };
        var topic = new Option<string>("--topic") { Description = "What the session is about.", HelpName = "text" };
        var metadata = new Option<string>("--metadata") { Description = "Free-form metadata, a JSON object.", HelpName = "json" };
        metadata.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } text && ParseObject(text) is null) r.AddError("--metadata must be a JSON object, e.g. '{\"ref\":\"SOW-17\"}'.");
        });
        var command = c.NewCommand("create", """
            Open a session between this agent and the others (signed session.create). Prints the session id.

            Examples:
              pact session create --with did:key:z6MkB... --topic "kitchen remodel"
              pact session create --key alice --with bob carol --metadata '{"ref":"SOW-17"}'
            """).With(with, topic, metadata);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Agent);
            var participants = new List<string> { client.AgentId! };
            foreach (var value in inv.Get(with)!)
            {
                var did = AgentCommands.ResolveDid(c, value, "--with");
                if (!participants.Contains(did)) participants.Add(did);
            }
            var meta = inv.Get(metadata) is { } text ? ParseObject(text) : null;
            var created = await client.CreateSessionAsync(participants, inv.Get(topic), meta, inv.CancellationToken);
            if (inv.Json) inv.Out.Json(created);
            else inv.Out.Fields("Session created", [("sessionId", created.SessionId), ("participants", string.Join(", ", participants))]);
        });
        return command;
    }

    private static Command Show(CliContext c)
    {
        var id = SessionIdArgument();
        var command = c.NewCommand("show", """
            Show a session: status, participants, proposals, compacts, stream head and checkpoints.

            Examples:
              pact session show ses_01J...
              pact session show ses_01J... --json
            """).With(id);
        c.Handle(command, async inv =>
        {
            var session = await inv.Client(Access.Reader).GetSessionAsync(inv.Get(id)!, inv.CancellationToken);
            if (inv.Json) inv.Out.Json(session);
            else WriteSession(inv.Out, session, details: true);
        });
        return command;
    }

    private static Command List(CliContext c)
    {
        var participant = new Option<string>("--participant") { Description = "Only sessions with this participant (did:key or key name).", HelpName = "did" };
        var status = new Option<string>("--status") { Description = "Only sessions in this status.", HelpName = "status" };
        status.AcceptOnlyFromAmong("active", "suspended", "terminated");
        var command = c.NewCommand("list", """
            List the sessions this agent can see (the operator with --admin-token and no key file: all), every page.

            Examples:
              pact session list
              pact session list --status active --json
            """).With(participant, status);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Reader);
            var who = inv.Get(participant) is { } p ? AgentCommands.ResolveDid(c, p, "--participant") : null;
            var all = new List<SessionView>();
            string? after = null;
            do
            {
                var page = await client.ListSessionsAsync(who, inv.Get(status), after, null, inv.CancellationToken);
                all.AddRange(page.Sessions);
                // A cursor that does not move would loop forever.
                after = page.Next is { } next && next != after ? next : null;
            }
            while (after is not null);
            if (inv.Json)
            {
                inv.Out.Json(new { sessions = all });
                return;
            }
            inv.Out.Table("Sessions", ["session", "status", "topic", "participants", "head"], all.Select(s => (IReadOnlyList<string?>)
            [
                s.SessionId, s.Status, s.Topic, string.Join(", ", s.Participants.Select(Output.ShortDid)), s.Head?.StreamSeq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ]));
        });
        return command;
    }

    private static Command Transition(CliContext c, string action, string summary)
    {
        var id = SessionIdArgument();
        var command = c.NewCommand(action, $"""
            {summary}
            Signed session.{action} envelope; any participant may send it.

            Example:
              pact session {action} ses_01J...
            """).With(id);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Agent);
            var sessionId = inv.Get(id)!;
            var session = action switch
            {
                "suspend" => await client.SuspendSessionAsync(sessionId, inv.CancellationToken),
                "resume" => await client.ResumeSessionAsync(sessionId, inv.CancellationToken),
                _ => await client.TerminateSessionAsync(sessionId, inv.CancellationToken),
            };
            if (inv.Json) inv.Out.Json(session);
            else WriteSession(inv.Out, session, details: false);
        });
        return command;
    }

    internal static void WriteSession(Output output, SessionView s, bool details)
    {
        output.Fields($"Session {s.SessionId}",
        [
            ("status", s.Status),
            ("topic", s.Topic),
            ("participants", string.Join(", ", s.Participants)),
            ("head", s.Head is { } h ? $"{h.StreamSeq} {h.Hash}" : null),
            ("metadata", s.Metadata?.ToJsonString()),
        ]);
        if (!details) return;
        output.ObjectTable("Proposals", s.Proposals);
        output.ObjectTable("Compacts", s.Compacts);
        output.ObjectTable("Checkpoints", s.Checkpoints);
    }

    private static JsonObject? ParseObject(string text)
    {
        try
        {
            return StrictJson.Parse(text) as JsonObject;
        }
        catch (Exception e) when (e is InvalidJsonException or System.Text.Json.JsonException)
        {
            return null;
        }
    }
}

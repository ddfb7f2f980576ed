using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Events;
using Spectre.Console;

namespace Pact.Cli.Commands;

/// <summary><c>pact tail | events | checkpoint | state</c>: reading and following transcripts (§7, §8.3).</summary>
internal static class TranscriptCommands
{
    // Members too large or too nested for one row; --json shows them.
    private static readonly HashSet<string> Hidden = ["envelope", "record"];

    public static IEnumerable<Command> Build(CliContext c) => [Tail(c), Events(c), Checkpoint(c), State(c), Verify(c), Export(c)];

    private static Argument<string> SessionIdArgument() => new("sessionId") { Description = "The session id (ses_…)." };

    private static Command Tail(CliContext c)
    {
        var session = new Argument<string>("sessionId") { Description = "The session to follow (ses_…); omit with --all.", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Follow every stream this agent may read (ids are the global seq)." };
        var types = new Option<string[]>("--types")
        {
            Description = "With --all: only these event types, exact or prefix.* (comma-separated or repeated).",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "types",
        };
        var fresh = new Option<bool>("--new") { Description = "Start with the next new event instead of the start of the stream." };
        var after = new Option<long?>("--after") { Description = "Start after this position (streamSeq, or seq with --all).", HelpName = "n" };
        after.Minimum(0);
        var command = c.NewCommand("tail", """
            Follow a session's transcript live (SSE): one row per event with its streamSeq and global #seq, time, type,
            actor and key data. Starts with the stored events (or --new / --after), then waits for new ones; a dropped
            connection resumes where it stopped, without gaps or repeats. Ctrl+C stops (exit 0).
            With --json: one event per line, exactly as the daemon sent it.

            Examples:
              pact tail ses_01J...
              pact tail ses_01J... --new --json | jq -c 'select(.type == "compact.in-force")'
              pact tail --all --types 'proposal.*,compact.in-force'
            """).With(session, all, types, fresh, after);
        command.Validators.Add(r =>
        {
            var hasSession = r.GetResult(session) is { Tokens.Count: > 0 };
            var isAll = r.GetValue(all);
            if (hasSession == isAll) r.AddError("Name one session to follow, or pass --all (not both).");
            if (!isAll && r.GetResult(types) is { Implicit: false }) r.AddError("--types filters --all only.");
            if (r.GetValue(fresh) && r.GetResult(after) is { Implicit: false }) r.AddError("Give --new or --after, not both.");
        });
        c.Handle(command, async inv =>
        {
            inv.CancelIsSuccess = true;
            var client = inv.Client(Access.Reader, streaming: true);
            var start = inv.Get(fresh) ? PactClient.FromHead : inv.Get(after);
            var isAll = inv.Get(all);
            var events = isAll
                ? client.TailAllAsync(SplitList(inv.Get(types)), start, inv.CancellationToken)
                : client.TailSessionAsync(inv.Get(session)!, start, inv.CancellationToken);
            if (!inv.Json)
                c.Stderr.WriteLine(isAll ? "Following every readable stream; Ctrl+C stops." : $"Following {inv.Get(session)}; Ctrl+C stops.");
            try
            {
                await foreach (var e in events.WithCancellation(inv.CancellationToken))
                {
                    if (inv.Json) inv.Out.JsonLine(e.ToJson());
                    else WriteRow(inv.Out, e, isAll);
                    inv.Out.Flush();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException && inv.CancellationToken.IsCancellationRequested)
            {
                // A stream torn down by Ctrl+C may fail with an I/O error rather than a cancellation.
                throw new OperationCanceledException("Stopped.", e, inv.CancellationToken);
            }
        });
        return command;
    }

    private static Command Events(CliContext c)
    {
        var id = SessionIdArgument();
        var after = new Option<long>("--after") { Description = "Start after this streamSeq.", HelpName = "n" };
        after.Minimum(0);
        var pageSize = new Option<int?>("--page-size") { Description = "Events per request (default: the daemon's).", HelpName = "n" };
        pageSize.Minimum(1);
        var command = c.NewCommand("events", """
            Print a session's stored events, fetching every page. With --json: one event per line (JSON Lines),
            with hashes and envelopes, ready for jq or an offline check.

            Examples:
              pact events ses_01J...
              pact events ses_01J... --after 10 --json > events.jsonl
            """).With(id, after, pageSize);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Reader);
            // Rows, not a table: the data column is free text that a table squeezes, and rows can stream page by page.
            await foreach (var e in client.GetAllEventsAsync(inv.Get(id)!, inv.Get(after), inv.Get(pageSize), inv.CancellationToken))
            {
                if (inv.Json) inv.Out.JsonLine(e.ToJson());
                else WriteRow(inv.Out, e, includeStream: false);
            }
        });
        return command;
    }

    private static Command Checkpoint(CliContext c)
    {
        var id = SessionIdArgument();
        var label = new Option<string>("--label") { Description = "A label for the checkpoint.", HelpName = "text" };
        var command = c.NewCommand("checkpoint", """
            Record a checkpoint of the session state (session.checkpoint): a snapshot that replay starts from.

            Example:
              pact checkpoint ses_01J... --label "after signing"
            """).With(id, label);
        c.Handle(command, async inv =>
        {
            var created = await inv.Client(Access.Agent).CheckpointAsync(inv.Get(id)!, inv.Get(label), inv.CancellationToken);
            if (inv.Json) inv.Out.Json(created);
            else inv.Out.Fields("Checkpoint recorded",
            [
                ("checkpointId", created.CheckpointId),
                ("streamSeq", NegotiationCommands.Num(created.StreamSeq)),
                ("stateHash", created.StateHash),
                ("treeSize", NegotiationCommands.Num(created.TreeSize)),
            ]);
        });
        return command;
    }

    private static Command Verify(CliContext c)
    {
        var session = new Argument<string>("sessionId") { Description = "The session to verify online (ses_…); omit with --bundle.", Arity = ArgumentArity.ZeroOrOne };
        var from = new Option<string>("--from") { Description = "Online: start from this session checkpoint (chk_…).", HelpName = "checkpointId" };
        var bundle = new Option<string>("--bundle") { Description = "Offline: an export bundle file (from `pact export`).", HelpName = "file" };
        var daemonKey = new Option<string>("--daemon-key") { Description = "Offline: the daemon's public key (base64url), obtained out of band; the only thing trusted.", HelpName = "b64u" };
        var coreOnly = new Option<bool>("--core-sections-only")
        {
            Description = "Offline: verify as a verifier that knows only PROTOCOL §0–§12 — mandate signatures are reported unverifiable, Part II checks not checked.",
        };
        var command = c.NewCommand("verify", """
            Verify a transcript. Online: the daemon re-checks the session's hash chain, every envelope, compact and
            in-force signature, and the head's inclusion in the latest signed checkpoint. Offline: check an export
            bundle here, trusting nothing but the daemon key you give (note signature, inclusion proofs, hashes and
            links, signatures, replayed state), with a progress bar for large bundles. A bundle commit that depends on
            a compact negotiated in another session is printed as a warning, not recomputed (the export does not hold
            that session; online verification recomputes it).
            Exit code 5 when verification fails; the first failure is printed.

            Examples:
              pact verify ses_01J...
              pact verify ses_01J... --from chk_01J...
              pact verify --bundle ses.export.json --daemon-key 0uKddfTbzMtHHUdkVENCuj-JUBrJ-_NHbGx6k2z4ByY
              pact verify --bundle ses.export.json --daemon-key 0uKd... --core-sections-only
            """).With(session, from, bundle, daemonKey, coreOnly);
        command.Validators.Add(r =>
        {
            var online = r.GetResult(session) is { Tokens.Count: > 0 };
            var offline = r.GetResult(bundle) is { Implicit: false };
            if (online == offline) r.AddError("Name a session to verify online, or give --bundle (not both).");
            if (offline && r.GetResult(daemonKey) is not { Implicit: false }) r.AddError("--bundle needs --daemon-key: the key you trust.");
            if (offline && r.GetResult(from) is { Implicit: false }) r.AddError("--from applies to online verification only.");
            if (!offline && r.GetResult(coreOnly) is { Implicit: false }) r.AddError("--core-sections-only applies to offline verification (--bundle) only.");
        });
        c.Handle(command, async inv =>
        {
            if (inv.Get(bundle) is { } file)
            {
                if (!Pact.Core.Encoding.Base64Url.TryDecode(inv.Get(daemonKey), out var key) || key.Length != 32)
                    throw new UsageException("--daemon-key must be a base64url Ed25519 public key (32 bytes).");
                var node = Pact.Core.Json.StrictJson.Parse(await File.ReadAllBytesAsync(file, inv.CancellationToken)) as JsonObject
                    ?? throw new UsageException($"{file} does not hold a JSON object.");
                var result = VerifyOffline(inv, node, key, new ExportVerifierOptions { CoreSectionsOnly = inv.Get(coreOnly) });
                if (inv.Json) inv.Out.Json(result);
                else inv.Out.Fields(BundleTitle(result),
                [
                    ("session", result.SessionId),
                    ("events", NegotiationCommands.Num(result.EventsChecked)),
                    ("proofs", NegotiationCommands.Num(result.ProofsChecked)),
                    ("signatures", NegotiationCommands.Num(result.SignaturesChecked)),
                    ("treeSize", result.TreeSize is { } t ? NegotiationCommands.Num(t) : null),
                    ("unverifiable", result.Unverifiable.Count > 0 ? Unjudged(result.Unverifiable) : null),
                    ("notChecked", result.NotChecked.Count > 0 ? Unjudged(result.NotChecked) : null),
                    ("firstFailure", result.FirstFailure is { } f ? Output.Text(Output.ToJsonObject(f)) : null),
                ]);
                if (!result.Ok) inv.ExitCode = ExitCodes.VerificationFailed;
                return;
            }
            var report = await inv.Client(Access.Reader).VerifyAsync(inv.Get(session)!, inv.Get(from), inv.CancellationToken);
            if (inv.Json) inv.Out.Json(report);
            else inv.Out.Fields(report.Ok ? "Transcript verified" : "Transcript does NOT verify",
            [
                ("events", NegotiationCommands.Num(report.EventsChecked)),
                ("signatures", NegotiationCommands.Num(report.SignaturesChecked)),
                ("head", report.Head is { } head ? Output.Text(Output.ToJsonObject(head)) : null),
                ("firstError", report.FirstError is { } error ? Output.Text(Output.ToJsonObject(error)) : null),
            ]);
            if (!report.Ok) inv.ExitCode = ExitCodes.VerificationFailed;
        });
        return command;
    }

    /// <summary>A bundle that verifies with checks left undone says so in its title, not only in the lines below.</summary>
    private static string BundleTitle(ExportVerification result) => result switch
    {
        { Ok: false } => "Bundle does NOT verify",
        { NotChecked.Count: > 0 } or { Unverifiable.Count: > 0 } => "Bundle verified, with checks not carried out (see notChecked, unverifiable)",
        _ => "Bundle verified",
    };

    /// <summary>What was not judged, one line each: where, then why.</summary>
    private static string Unjudged(IReadOnlyList<ExportUnjudged> items) =>
        string.Join(Environment.NewLine, items.Select(u => $"{u.Pointer} ({u.Check}): {u.Reason}"));

    private static ExportVerification VerifyOffline(Invocation inv, JsonObject bundle, byte[] key, ExportVerifierOptions options)
    {
        if (!inv.Out.Rich || inv.Json) return ExportVerifier.Verify(bundle, key, options: options);
        ExportVerification? result = null;
        AnsiConsole.Progress().Start(progress =>
        {
            var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
            var reporter = new Progress<ExportVerificationProgress>(p =>
            {
                if (!tasks.TryGetValue(p.Stage, out var task)) tasks[p.Stage] = task = progress.AddTask(p.Stage, maxValue: Math.Max(1, p.Total));
                task.Value = p.Done;
            });
            result = ExportVerifier.Verify(bundle, key, reporter, options);
        });
        return result!;
    }

    private static Command Export(CliContext c)
    {
        var id = SessionIdArgument();
        var output = new Option<string>("--output", "-o") { Description = "Write the bundle to this file (default: standard output).", HelpName = "file" };
        var command = c.NewCommand("export", """
            Export a session as a self-contained bundle (pact-export/1): events, compacts, checkpoints, a signed log
            checkpoint and inclusion proofs — everything `pact verify --bundle` needs offline. See docs/export-format.md.

            Example:
              pact export ses_01J... -o ses.export.json
            """).With(id, output);
        c.Handle(command, async inv =>
        {
            var bundle = await inv.Client(Access.Reader).ExportSessionAsync(inv.Get(id)!, inv.CancellationToken);
            if (inv.Get(output) is { } file)
            {
                await File.WriteAllTextAsync(file, Output.Indented(bundle), inv.CancellationToken);
                if (!inv.Json) inv.Out.Line($"Wrote {file} ({bundle.Events.Count} events).");
            }
            else inv.Out.Json(bundle);
        });
        return command;
    }

    private static Command State(CliContext c)
    {
        var id = SessionIdArgument();
        var at = new Option<long?>("--at") { Description = "The state after this streamSeq (default: the head), replayed from the nearest checkpoint.", HelpName = "k" };
        at.Minimum(1);
        var command = c.NewCommand("state", """
            Show the session state (status, participants, proposals, compacts) now or after event k, with its state hash
            and how replay computed it.

            Examples:
              pact state ses_01J...
              pact state ses_01J... --at 3 --json
            """).With(id, at);
        c.Handle(command, async inv =>
        {
            var view = await inv.Client(Access.Reader).GetStateAsync(inv.Get(id)!, inv.Get(at), inv.CancellationToken);
            if (inv.Json)
            {
                inv.Out.Json(view);
                return;
            }
            var s = view.State;
            inv.Out.Fields($"State of {s.SessionId} at {NegotiationCommands.Num(view.At)}",
            [
                ("stateHash", view.StateHash),
                ("status", s.Status),
                ("topic", s.Topic),
                ("participants", string.Join(", ", s.Participants)),
                ("replay", view.Replay is { } r
                    ? $"{NegotiationCommands.Num(r.EventsApplied)} event(s) applied after {r.FromCheckpoint ?? "the start"}"
                    : null),
            ]);
            inv.Out.ObjectTable("Proposals", s.Proposals);
            inv.Out.ObjectTable("Compacts", s.Compacts);
        });
        return command;
    }

    /// <summary>One event as one line: position, time, type, actor and the data members worth a glance.</summary>
    internal static void WriteRow(Output output, TranscriptEvent e, bool includeStream)
    {
        var position = includeStream
            ? $"#{NegotiationCommands.Num(e.Seq)} {e.Stream}/{NegotiationCommands.Num(e.StreamSeq)}"
            : $"{NegotiationCommands.Num(e.StreamSeq),4} #{NegotiationCommands.Num(e.Seq)}";
        var actor = Output.ShortDid(e.Actor);
        var details = Details(e.Data);
        var plain = $"{position}  {e.Time}  {e.Type,-22} {actor,-13}  {details}".TrimEnd();
        var color = e.Type switch
        {
            "failure" => "red",
            _ when e.Type.StartsWith("compact.", StringComparison.Ordinal) => "green",
            _ when e.Type.StartsWith("proposal.", StringComparison.Ordinal) => "yellow",
            _ => "aqua",
        };
        var markup = $"[grey]{Markup.Escape(position)}[/]  [dim]{Markup.Escape(e.Time)}[/]  [{color}]{Markup.Escape(e.Type.PadRight(22))}[/] " +
            $"[blue]{Markup.Escape(actor.PadRight(13))}[/]  {Markup.Escape(details)}";
        output.Markup(markup, plain);
    }

    /// <summary>The event data's members as name=value, hashes and dids shortened, the envelope and full records left out.</summary>
    internal static string Details(JsonObject data)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in data)
        {
            if (value is null || Hidden.Contains(name)) continue;
            if (sb.Length > 0) sb.Append(' ');
            sb.Append(name).Append('=').Append(value switch
            {
                JsonArray a when a.Count > 4 => $"[{a.Count.ToString(CultureInfo.InvariantCulture)}]",
                _ => Output.Scalar(value),
            });
        }
        return sb.ToString();
    }

    private static string[]? SplitList(string[]? values) =>
        values is null || values.Length == 0
            ? null
            : values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
}

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Core.Json;
using Pact.Core.Passport;

namespace Pact.Cli.Commands;

/// <summary><c>pact passport &lt;agent&gt; [--check …]</c> and <c>pact passport verify</c>: reputation from the log (§16).</summary>
internal static class PassportCommands
{
    public static Command Build(CliContext c)
    {
        var agent = AgentArgument();
        var asOf = new Option<string>("--as-of") { Description = "The passport as of the last event at or before this instant (RFC 3339, or a date); not in the future.", HelpName = "time" };
        asOf.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } text && CompactCommands.ParseInstant(text) is null)
                r.AddError($"'{text}' is not a time: use RFC 3339 (2026-12-01T09:00:00.000Z) or a date (2026-12-01).");
        });
        var asOfSeq = AsOfSeqOption("The passport over the log up to this global seq. Default: the last committed event.");
        var check = new Option<bool>("--check") { Description = "Also judge the passport against --min-score and --min-confidence (the daemon's check)." };
        var minScore = new Option<string>("--min-score") { Description = "With --check: the least score, 0 to 100 with at most two decimals (60, 67.5). Default: 0.", HelpName = "score" };
        minScore.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } text && ScoreHundredths(text) is null)
                r.AddError($"--min-score '{text}' is not a score: a number of at least 0 with at most two decimals, such as 60 or 67.5.");
        });
        var minConfidence = new Option<long>("--min-confidence") { Description = "With --check: the least confidence in percent (50 is a confidence of 0.5). Default: 0.", HelpName = "percent" };
        minConfidence.Minimum(0);
        var command = c.NewCommand("passport", """
            Show an agent's passport (§16): the compacts it entered and how they ended, the acknowledgment timeouts
            counted against it, the score and confidence computed from them, its recent failures and the
            passportHash anyone can recompute from the log. Any reader may ask about any registered agent.
            With --check, the daemon also judges it against thresholds and says which figure decided; the exit
            code is 0 either way ('pass' under --json). 'pact passport verify' recomputes a passport from the log.

            Examples:
              pact passport did:key:z6Mk...
              pact passport bob --as-of 2026-12-01
              pact passport bob --as-of-seq 5120 --json
              pact passport bob --check --min-score 60 --min-confidence 50
            """).With(agent, asOf, asOfSeq, check, minScore, minConfidence, Verify(c));
        command.Validators.Add(r =>
        {
            if (r.GetResult(asOf) is { Implicit: false } && r.GetResult(asOfSeq) is { Implicit: false }) r.AddError("Give --as-of or --as-of-seq, not both.");
            var thresholds = r.GetResult(minScore) is { Implicit: false } || r.GetResult(minConfidence) is { Implicit: false };
            if (thresholds && !r.GetValue(check)) r.AddError("--min-score and --min-confidence are thresholds of --check: add --check.");
            if (r.GetValue(check) && r.GetResult(asOf) is { Implicit: false })
                r.AddError("The daemon's check judges as of a seq: use --as-of-seq with --check (pact passport <agent> --as-of … shows the seq).");
        });
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Reader);
            var did = AgentCommands.ResolveDid(c, inv.Get(agent)!, "the agent argument");
            var instant = inv.Get(asOf) is { } text ? Pact.Core.Time.Timestamp.Parse(CompactCommands.ParseInstant(text)!) : (DateTimeOffset?)null;
            var passport = await client.GetPassportAsync(did, inv.Get(asOfSeq), instant, inv.CancellationToken);
            PassportCheckResponse? verdict = null;
            if (inv.Get(check))
            {
                // The same prefix as the passport shown, even if events were committed in between.
                var seq = passport.AsOfSeq > 0 ? passport.AsOfSeq : (long?)null;
                verdict = await client.CheckPassportAsync(did, ScoreHundredths(inv.Get(minScore) ?? "0")!.Value, inv.Get(minConfidence), seq, inv.CancellationToken);
            }
            if (inv.Json)
            {
                if (verdict is null) inv.Out.Json(passport);
                else inv.Out.Json(new JsonObject { ["passport"] = Output.ToJsonObject(passport), ["check"] = Output.ToJsonObject(verdict) });
                return;
            }
            if (verdict is not null) WriteVerdict(inv.Out, verdict);
            WritePassport(inv.Out, passport);
        });
        return command;
    }

    private static Command Verify(CliContext c)
    {
        var agent = AgentArgument();
        var asOfSeq = AsOfSeqOption("The seq to audit. Default: the last committed event.");
        var log = new Option<string>("--log")
        {
            Description = "Fold this file instead of reading the log from the daemon: JSON Lines of events in seq order from seq 1 (as 'pact tail --all --json' prints them).",
            HelpName = "file",
        };
        var command = c.NewCommand("verify", """
            Audit a passport: fetch it from the daemon, then recompute it here with the Pact Core fold over the log
            itself — read from the daemon's event stream with the admin token (the one that reads every stream), or
            from a file — never from the daemon's passport tables, and compare the passportHash. Also checks that the served
            passportHash is the hash of the served content. Exit code 5 when they differ, naming the first figure.

            Examples:
              pact passport verify bob --admin-token $TOKEN
              pact passport verify did:key:z6Mk... --as-of-seq 5120 --admin-token $TOKEN
              pact passport verify bob --as-of-seq 5120 --log log.jsonl
            """).With(agent, asOfSeq, log);
        c.Handle(command, async inv =>
        {
            var file = inv.Get(log);
            if (file is null && c.AdminTokenOf(inv.Parse) is null)
                throw new UsageException("An audit folds every event of the log: pass --admin-token (or set PACT_ADMIN_TOKEN), the token that reads every stream, or give --log FILE.");
            // With the admin token the client reads as the operator, whatever key file there is; the log may take long to read.
            var client = inv.Client(file is null ? Access.Public : Access.Reader, streaming: file is null);
            var did = AgentCommands.ResolveDid(c, inv.Get(agent)!, "the agent argument");
            var served = await client.GetPassportAsync(did, inv.Get(asOfSeq), cancellationToken: inv.CancellationToken);
            var events = file is not null
                ? Pact.Client.Verification.PassportAudit.ReadJsonLines(file, inv.CancellationToken)
                : client.ReadLogAsync(served.AsOfSeq, inv.CancellationToken);
            var audit = await Pact.Client.Verification.PassportAudit.CompareAsync(served, events, inv.CancellationToken);
            if (inv.Json) inv.Out.Json(audit);
            else
            {
                inv.Out.Markup(audit.Ok ? "[green]Passport verified[/]" : "[red]Passport does NOT verify[/]", audit.Ok ? "Passport verified" : "Passport does NOT verify");
                inv.Out.Fields($"Audit of {audit.Agent} as of seq {Num(audit.AsOfSeq)}",
                [
                    ("eventsFolded", Num(audit.EventsFolded)),
                    ("servedHash", audit.ServedHash),
                    ("recomputedHash", audit.RecomputedHash),
                    ("firstDifference", audit.FirstDifference),
                ]);
            }
            if (!audit.Ok) inv.ExitCode = ExitCodes.VerificationFailed;
        });
        return command;
    }

    private static Argument<string> AgentArgument() =>
        new("agent") { Description = "The agent's did:key, or the name of a local key file (bob = ~/.pact/keys/bob.json)." };

    private static Option<long?> AsOfSeqOption(string description)
    {
        var option = new Option<long?>("--as-of-seq") { Description = description, HelpName = "seq" };
        option.Minimum(1);
        return option;
    }

    private static void WriteVerdict(Output output, PassportCheckResponse verdict)
    {
        var required = $"score {Figure(verdict.MinScoreRequired)} and confidence {Figure(verdict.MinConfidenceRequired)}";
        if (verdict.Pass) output.Markup($"[green]PASS[/]: meets {required}", $"PASS: meets {required}");
        else output.Markup($"[red]DOES NOT PASS[/] ({verdict.Reason}): needs {required}", $"DOES NOT PASS ({verdict.Reason}): needs {required}");
        if (verdict.TriggeringFactor is { } why) output.Line("  " + why);
    }

    private static void WritePassport(Output output, PassportResponse p)
    {
        var n = p.Counts;
        var history = n.Compacts + n.Failures;
        output.Fields($"Passport of {p.Agent}",
        [
            ("as of", p.AsOfSeq == 0 ? $"{p.AsOf} (before the first event)" : $"seq {Num(p.AsOfSeq)}, {p.AsOf}"),
            ("score", $"{Jcs.FormatNumber(p.Score)} of 100" + (history == 0 ? " (no history)" : "")),
            ("confidence", $"{Jcs.FormatNumber(p.Confidence)} of 1 — " + (history >= PassportArithmetic.FullConfidenceHistory
                ? $"{Num(history)} compacts and failures, full confidence from {PassportArithmetic.FullConfidenceHistory}"
                : $"{Num(history)} of the {PassportArithmetic.FullConfidenceHistory} compacts and failures that give full confidence")),
            ("compacts", $"{Num(n.Compacts)} entered: {Num(n.Honored)} honored, {Num(n.Active)} active, " +
                $"{Num(n.RevokedByAgent)} revoked by this agent, {Num(n.RevokedByCounterparty)} by a counterparty"),
            ("failures", $"{Num(n.Failures)} acknowledgment {(n.Failures == 1 ? "timeout" : "timeouts")} it owed under its compacts"),
            ("declined", $"{Num(n.Declined)} {(n.Declined == 1 ? "proposal" : "proposals")} (not held against it)"),
            ("passportHash", p.PassportHash),
        ]);
        output.Table($"Recent failures (the {RecentFailures.WindowDays} days up to {p.AsOf[..10]})", ["code", "at", "seq", "evidence"],
            p.RecentFailures.Select(f => (IReadOnlyList<string?>)[f.Code, f.At, Num(f.Seq), string.Join(", ", f.EvidenceRefs)]));
    }

    /// <summary>A score as typed (60, 67.5, 67.74) in hundredths, or null when it is not one.</summary>
    internal static long? ScoreHundredths(string text)
    {
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var score)) return null;
        var hundredths = score * 100;
        return hundredths == decimal.Truncate(hundredths) && hundredths <= long.MaxValue ? (long)hundredths : null;
    }

    /// <summary>Hundredths or percent as the figure a person reads: 6000 → 60, 50 → 0.5.</summary>
    private static string Figure(long hundredths) => Jcs.FormatNumber(PassportArithmetic.AsNumber(hundredths));

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}

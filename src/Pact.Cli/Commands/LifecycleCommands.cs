using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Core.Encoding;

namespace Pact.Cli.Commands;

/// <summary><c>pact revoke | mark | ack | check | dispositions</c>: living under a compact (§6).</summary>
internal static class LifecycleCommands
{

    public static IEnumerable<Command> Build(CliContext c) => [Revoke(c), Mark(c), Ack(c), Check(c), Dispositions(c)];

    private static Argument<string> CompactIdArgument() => new("compactId") { Description = "The compact id (cmp_…)." };

    private static Command Revoke(CliContext c)
    {
        var id = CompactIdArgument();
        var version = new Option<long?>("--version") { Description = "The version to revoke. Default: the current one.", HelpName = "n" };
        version.Minimum(1);
        var reason = new Option<string>("--reason") { Description = "Why, for the transcript.", HelpName = "text" };
        var condition = new Option<string>("--condition") { Description = "For a conditional revocation: one of the conditions the terms list.", HelpName = "id" };
        var emergency = new Option<bool>("--emergency") { Description = "Take effect at once, skipping the notice period (only where the terms allow it)." };
        var command = c.NewCommand("revoke", """
            Start revoking a compact version in force (compact.revoke). The compact stays in force until the
            revocation is active: after the notice period, once the other party acknowledges with the printed
            initiation hash, or once the acknowledgment deadline passes (in mutual mode the revocation then lapses).

            Examples:
              pact revoke cmp_kitchen-2026 --reason "Project cancelled"
              pact revoke cmp_kitchen-2026 --version 2 --emergency --reason "Data breach"
            """).With(id, version, reason, condition, emergency);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Agent);
            var compactId = inv.Get(id)!;
            var v = inv.Get(version) ?? (await client.GetCompactAsync(compactId, inv.CancellationToken)).CurrentVersion;
            var revocation = await client.RevokeAsync(compactId, v, inv.Get(reason), inv.Get(condition), inv.Get(emergency), inv.CancellationToken);
            if (inv.Json)
            {
                inv.Out.Json(revocation);
                return;
            }
            inv.Out.Fields($"Revocation of {compactId} version {v.ToString(CultureInfo.InvariantCulture)}", Members(revocation));
            inv.Out.Line($"The other party acknowledges with: pact ack {compactId} {revocation.RevocationId} --hash {revocation.InitiationHash}");
        });
        return command;
    }

    private static Command Mark(CliContext c)
    {
        var id = CompactIdArgument();
        var marker = new Argument<string>("marker") { Description = "The marker, as the terms' until-marker retention names it (e.g. work-complete)." };
        var command = c.NewCommand("mark", """
            Record a marker on a compact (compact.marker). It takes effect when the other party acknowledges it,
            or when the acknowledgment timeout passes, and applies to every version from then on.

            Example:
              pact mark cmp_kitchen-2026 work-complete
            """).With(id, marker);
        c.Handle(command, async inv =>
        {
            var compactId = inv.Get(id)!;
            var recorded = await inv.Client(Access.Agent).RecordMarkerAsync(compactId, inv.Get(marker)!, inv.CancellationToken);
            if (inv.Json)
            {
                inv.Out.Json(recorded);
                return;
            }
            inv.Out.Fields($"Marker on {compactId}", Members(recorded));
            inv.Out.Line($"The other party acknowledges with: pact ack {compactId} {recorded.MarkerId} --hash {recorded.InitiationHash}");
        });
        return command;
    }

    private static Command Ack(CliContext c)
    {
        var id = CompactIdArgument();
        var target = new Argument<string>("id") { Description = "What to acknowledge: a revocation (rev_…) or a marker (mrk_…)." };
        target.Validators.Add(r =>
        {
            var value = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (!value.StartsWith("rev_", StringComparison.Ordinal) && !value.StartsWith("mrk_", StringComparison.Ordinal))
                r.AddError($"'{value}' is neither a revocation id (rev_…) nor a marker id (mrk_…).");
        });
        var hash = new Option<string>("--hash") { Description = "The initiation hash (the hash of the initiating event), as printed by revoke/mark and shown by 'pact agent pending'.", Required = true, HelpName = "hex" };
        hash.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } h && !Hex.IsDigest(h)) r.AddError($"'{h}' is not a SHA-256 digest (64 lowercase hex characters).");
        });
        var command = c.NewCommand("ack", """
            Acknowledge the other party's revocation (compact.revoke.ack) or marker (compact.marker.ack), naming its
            initiation hash. A revocation becomes active at the later of now and its effectiveAt; a marker takes effect.

            Examples:
              pact ack cmp_kitchen-2026 rev_01J... --hash 3f2a...
              pact ack cmp_kitchen-2026 mrk_01J... --hash 9c1d...
            """).With(id, target, hash);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Agent);
            var compactId = inv.Get(id)!;
            var which = inv.Get(target)!;
            var isRevocation = which.StartsWith("rev_", StringComparison.Ordinal);
            var answer = isRevocation
                ? Output.ToJsonObject(await client.AcknowledgeRevocationAsync(compactId, which, inv.Get(hash)!, inv.CancellationToken))
                : Output.ToJsonObject(await client.AcknowledgeMarkerAsync(compactId, which, inv.Get(hash)!, inv.CancellationToken));
            if (inv.Json) inv.Out.Json(answer);
            else inv.Out.Fields(isRevocation ? $"Revocation {which}" : $"Marker {which}", Members(answer));
        });
        return command;
    }

    private static Command Check(CliContext c)
    {
        var id = CompactIdArgument();
        var party = new Option<string>("--party") { Description = "Whose slice: a or b.", Required = true, HelpName = "a|b" };
        party.AcceptOnlyFromAmong("a", "b");
        var action = new Option<string>("--action") { Description = "What the party wants to do with the category.", Required = true, HelpName = "action" };
        action.AcceptOnlyFromAmong("retain", "derive", "propagate");
        var category = new Option<string>("--category") { Description = "The category id (e.g. work-record).", Required = true, HelpName = "id" };
        var operation = new Option<string>("--operation") { Description = "For derive: the operation id.", HelpName = "id" };
        var recipient = new Option<string>("--recipient") { Description = "For propagate: the recipient id.", HelpName = "id" };
        var recipientTier = new Option<string>("--recipient-tier") { Description = "For propagate: the tier of the compact the recipient holds.", HelpName = "tier" };
        recipientTier.AcceptOnlyFromAmong("minimal", "standard", "advanced");
        var version = new Option<long?>("--version") { Description = "A version other than the current one.", HelpName = "n" };
        version.Minimum(1);
        var at = new Option<string>("--at") { Description = "An instant other than now (RFC 3339, or a date).", HelpName = "time" };
        at.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } text && CompactCommands.ParseInstant(text) is null)
                r.AddError($"'{text}' is not a time: use RFC 3339 (2027-01-15T09:00:00.000Z) or a date (2027-01-15).");
        });
        var command = c.NewCommand("check", """
            Ask whether a party may retain, derive from or propagate a category now (or at --at), and why: the
            daemon's compliance decision with the failing dimension, an explanation and the trace of every step.
            Exit code 0 either way; the decision is in the output ('allowed' under --json).

            Examples:
              pact check cmp_kitchen-2026 --party b --action retain --category property-access-details
              pact check cmp_kitchen-2026 --party a --action derive --category work-record --operation aggregate-statistics
              pact check cmp_kitchen-2026 --party a --action propagate --category work-record --recipient licensing-board --recipient-tier standard --json
            """).With(id, party, action, category, operation, recipient, recipientTier, version, at);
        c.Handle(command, async inv =>
        {
            var when = inv.Get(at) is { } text ? CompactCommands.ParseInstant(text) : null;
            var decision = await inv.Client(Access.Reader).CheckAsync(inv.Get(id)!, inv.Get(party)!, inv.Get(action)!, inv.Get(category)!,
                inv.Get(operation), inv.Get(recipient), inv.Get(recipientTier), inv.Get(version), when, inv.CancellationToken);
            if (inv.Json)
            {
                inv.Out.Json(decision);
                return;
            }
            var code = decision.Code ?? (decision.Allowed ? "ALLOWED" : "DENIED");
            inv.Out.Markup(decision.Allowed ? $"[green]{code}[/]" : $"[red]{code}[/]", code);
            inv.Out.Fields("Decision",
            [
                ("explanation", decision.Explanation),
                ("dimension", decision.Dimension),
                ("version", decision.Version.ToString(CultureInfo.InvariantCulture)),
                ("compactHash", decision.CompactHash),
                ("at", Output.Time(decision.At)),
            ]);
            inv.Out.ObjectTable("Trace", decision.Trace);
        });
        return command;
    }

    private static Command Dispositions(CliContext c)
    {
        var id = CompactIdArgument();
        var command = c.NewCommand("dispositions", """
            Show, per party and category, the duty in force now: delete (since when), retain-until a date,
            transition with its remaining rights, indefinite, or none yet — and whether a pending revocation
            suspends the party's use of its slice.

            Example:
              pact dispositions cmp_kitchen-2026
            """).With(id);
        c.Handle(command, async inv =>
        {
            var report = await inv.Client(Access.Reader).GetDispositionsAsync(inv.Get(id)!, inv.CancellationToken);
            if (inv.Json)
            {
                inv.Out.Json(report);
                return;
            }
            inv.Out.Fields($"Dispositions of {report.CompactId} version {report.Version.ToString(CultureInfo.InvariantCulture)}",
            [
                ("status", report.Status),
                ("governedBy", report.GovernedBy),
                ("endedAt", Output.Time(report.EndedAt)),
                ("at", Output.Time(report.At)),
            ]);
            foreach (var (side, duties) in new[] { ("a", report.Parties.A), ("b", report.Parties.B) })
            {
                inv.Out.Table($"Party {side}", ["category", "duty", "until", "since", "basis", "suspended", "rights"], duties.Select(d => (IReadOnlyList<string?>)
                [
                    d.Category,
                    d.Duty,
                    Output.Time(d.Until),
                    Output.Time(d.Since),
                    d.Basis,
                    d.Suspended ? "yes" : "no",
                    Rights(d),
                ]));
            }
        });
        return command;
    }

    /// <summary>A transition's remaining rights: derive operations and propagate recipients.</summary>
    private static string? Rights(DutyInfo duty)
    {
        var parts = new List<string>();
        if (duty.Derive is { Count: > 0 } derive) parts.Add("derive " + string.Join(", ", derive));
        if (duty.Propagate is { Count: > 0 } propagate) parts.Add("propagate to " + string.Join(", ", propagate.Select(p => p.To)));
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }

    /// <summary>Every member of a resource, in full (hashes included: they are copied into acknowledgments).</summary>
    private static IEnumerable<(string, string?)> Members(JsonObject resource) =>
        resource.Select(p => (p.Key, Output.Text(p.Value)));

    private static IEnumerable<(string, string?)> Members<T>(T resource) => Members(Output.ToJsonObject(resource));
}

using System.CommandLine;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Contracts.Responses;
using Pact.Core.Time;

namespace Pact.Cli.Commands;

/// <summary><c>pact bundle create | show | withdraw</c> (§15).</summary>
internal static class BundleCommands
{
    public static Command Build(CliContext c)
    {
        var bundle = c.NewCommand("bundle", """
            Negotiate with several counterparties at once: commit every member atomically (all), or the best of them
            by ranking keys that anyone can recompute from the transcript (best). Counterparties sign their member
            with 'pact sign'; a member is then prepared until its bundle commits or aborts.

            Examples:
              pact bundle create ses_01J... --terms plumbing.json --terms electrical.json --closes-at 2026-12-08T12:00:00.000Z --principal-key gc-principal
              pact bundle create ses_01J... --terms a.json --terms b.json --terms c.json --best 1 --rank "int:asc:isoSeconds(terms.revocation.noticePeriod)" --closes-at ... --principal-key gc-principal
              pact bundle show bnd_01J...
              pact bundle withdraw bnd_01J...
            """);
        bundle.Subcommands.Add(Create(c));
        bundle.Subcommands.Add(Show(c));
        bundle.Subcommands.Add(Withdraw(c));
        return bundle;
    }

    private static Argument<string> BundleIdArgument() => new("bundleId") { Description = "The bundle id (bnd_…)." };

    private static Command Create(CliContext c)
    {
        var session = new Argument<string>("sessionId") { Description = "The session the members are negotiated in (ses_…)." };
        var terms = new Option<string[]>("--terms")
        {
            Description = "A member's terms file (JSON); repeat for each member, 2 to 16, in member order.",
            Required = true,
            HelpName = "file",
        };
        var closesAt = new Option<string>("--closes-at") { Description = "When the bundle closes (a timestamp).", Required = true, HelpName = "timestamp" };
        var best = new Option<int?>("--best") { Description = "Mode best: commit the best COUNT members (fewer than the members). Without it: mode all.", HelpName = "count" };
        var minCount = new Option<int?>("--min-count") { Description = "Mode best: abort with fewer ranked members than this (default 1).", HelpName = "count" };
        var keys = new Option<string[]>("--rank")
        {
            Description = "Mode best: a ranking key TYPE:DIRECTION:CEL, e.g. int:asc:isoSeconds(terms.revocation.noticePeriod); repeat, 1 to 4, in order.",
            HelpName = "type:direction:cel",
        };
        var authority = new NegotiationCommands.AuthorityOptions();
        var command = c.NewCommand("create", """
            Create a bundle (signed bundle.create): signs each member's terms as this agent's party (the coordinator must
            be a party of every member) with the principal's authorization. Without --best every member commits or none
            does; with --best the prepared members are ranked by the keys at --closes-at (or once every member answered).

            Examples:
              pact bundle create ses_01J... --terms plumbing.json --terms electrical.json --closes-at 2026-12-08T12:00:00.000Z --principal-key gc-principal
              pact bundle create ses_01J... --terms a.json --terms b.json --terms c.json --best 1 --rank "int:asc:isoSeconds(terms.revocation.noticePeriod)" --rank "int:asc:size(categories(terms, them))" --closes-at 2026-12-08T12:00:00.000Z --policy-hash 9f86…
            """).With(session, terms, closesAt, best, minCount, keys);
        authority.AddTo(command);
        c.Handle(command, async inv =>
        {
            if (!Timestamp.TryParse(inv.Get(closesAt), out var closes)) throw new CliException("--closes-at must be a timestamp like 2026-12-08T12:00:00.000Z.");
            var select = inv.Get(best) is { } count ? Best(count, inv.Get(minCount) ?? 1, inv.Get(keys) ?? []) : BundleSelection.All();
            var members = (inv.Get(terms) ?? []).Select(path => NegotiationCommands.ReadJsonObject(c, path, "terms")).ToList();
            var created = await inv.Client(Access.Agent).CreateBundleAsync(inv.Get(session)!, members, authority.Resolve(c, inv), select, closes, inv.CancellationToken);
            Print(inv, created, "Bundle created");
        });
        return command;
    }

    private static JsonObject Best(int count, int minCount, string[] keys)
    {
        if (keys.Length == 0) throw new CliException("--best needs at least one --rank TYPE:DIRECTION:CEL.");
        return BundleSelection.Best(count, minCount, [.. keys.Select(k =>
        {
            var parts = k.Split(':', 3);
            if (parts.Length != 3 || parts[0] is not ("int" or "string" or "timestamp") || parts[1] is not ("asc" or "desc"))
                throw new CliException($"--rank '{k}' is not TYPE:DIRECTION:CEL with TYPE int, string or timestamp and DIRECTION asc or desc.");
            return new RankingKeySpec(parts[2], parts[0], parts[1] == "desc");
        })]);
    }

    private static Command Show(CliContext c)
    {
        var id = BundleIdArgument();
        var command = c.NewCommand("show", """
            Show a bundle: its status, its members' statuses as a table (with who prepared each countersigned member: the
            agent itself, or the daemon under its mandate) and, once settled, the ranking or the cause.

            Examples:
              pact bundle show bnd_01J...
              pact bundle show bnd_01J... --json | jq .ranking
            """).With(id);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Reader);
            var bundle = await client.GetBundleAsync(inv.Get(id)!, inv.CancellationToken);
            // --json prints the resource as §15 writes it; the table also says who prepared each member (the agent or its mandate).
            Print(inv, bundle, null, inv.Json ? null : await client.GetMemberCountersignaturesAsync(bundle, inv.CancellationToken));
        });
        return command;
    }

    private static Command Withdraw(CliContext c)
    {
        var id = BundleIdArgument();
        var command = c.NewCommand("withdraw", """
            Withdraw a bundle (signed bundle.withdraw, the coordinator only): it aborts and its members are retired;
            prepared signatures are void.

            Example:
              pact bundle withdraw bnd_01J...
            """).With(id);
        c.Handle(command, async inv => Print(inv, await inv.Client(Access.Agent).WithdrawBundleAsync(inv.Get(id)!, inv.CancellationToken), "Bundle withdrawn"));
        return command;
    }

    private static void Print(Invocation inv, BundleView bundle, string? title, IReadOnlyList<MemberCountersignature>? countersignatures = null)
    {
        if (inv.Json)
        {
            inv.Out.Json(bundle);
            return;
        }
        inv.Out.Fields(title ?? $"Bundle {bundle.BundleId}",
        [
            ("bundleId", bundle.BundleId),
            ("session", bundle.SessionId),
            ("coordinator", bundle.Coordinator),
            ("status", bundle.Status),
            ("mode", Output.Text(bundle.Select["mode"])),
            ("closesAt", Output.Time(bundle.ClosesAt)),
            ("cause", bundle.Cause is { } cause
                ? $"{Output.Text(cause["kind"])} (proposal {Output.Text(cause["proposalId"]) ?? "-"}, agent {Output.Text(cause["agent"]) ?? "-"})"
                : null),
        ]);
        var selected = bundle.Selected ?? [];
        // The preparedBy column only when the countersignatures were read (bundle show), not for a withdrawal's answer.
        var preparedBy = countersignatures?.ToDictionary(x => x.ProposalId, x => x.PreparedBy, StringComparer.Ordinal);
        string[] extra = preparedBy is null ? [] : ["preparedBy"];
        inv.Out.Table("Members", ["proposalId", "compactId", "counterparty", "status", .. extra, "selected"], bundle.Members.Select(m => (IReadOnlyList<string?>)
            [m.ProposalId, m.CompactId, Output.ShortDid(m.Counterparty), m.Status,
             .. preparedBy is null ? Array.Empty<string?>() : [preparedBy.GetValueOrDefault(m.ProposalId) ?? ""],
             selected.Contains(m.ProposalId) ? "yes" : ""]));
        if (bundle.Ranking is { } ranking)
        {
            inv.Out.Table("Ranking", ["rank", "proposalId", "keys", "excluded", "score"], ranking.Select((r, i) => (IReadOnlyList<string?>)
                [r?["excluded"] is null ? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-", Output.Text(r?["proposalId"]),
                 r?["keys"]?.ToJsonString(), Output.Text(r?["excluded"]), Output.Scalar(r?["passport"]?["score"])]));
        }
    }
}

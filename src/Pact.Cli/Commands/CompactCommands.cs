using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Client;
using Pact.Core.Time;

namespace Pact.Cli.Commands;

/// <summary><c>pact compact draft | show | list</c>.</summary>
internal static class CompactCommands
{
    public const string DefaultDomain = "contractor-and-service";

    public static Command Build(CliContext c)
    {
        var compact = c.NewCommand("compact", """
            Draft compact terms from a tier's defaults, and list and show signed compacts.

            Examples:
              pact compact draft --b-agent bob --interaction "Kitchen remodel" --from 2026-12-01 --until 2027-12-01 -o terms.json
              pact compact list --status in-force
              pact compact show cmp_kitchen-2026
              pact compact show cmp_kitchen-2026 --version 1 --json
            """);
        compact.Subcommands.Add(Draft(c));
        compact.Subcommands.Add(Show(c));
        compact.Subcommands.Add(List(c));
        return compact;
    }

    private static Command Draft(CliContext c)
    {
        var tier = new Option<string>("--tier") { Description = "The tier whose defaults fill the terms.", DefaultValueFactory = _ => "standard", HelpName = "tier" };
        tier.AcceptOnlyFromAmong("minimal", "standard", "advanced");
        var domain = new Option<string>("--domain") { Description = "The standard library domain.", DefaultValueFactory = _ => DefaultDomain, HelpName = "domain" };
        var aAgent = new Option<string>("--a-agent") { Description = "Party a's agent: did:key or key name. Default: the agent of --key.", HelpName = "did" };
        var bAgent = new Option<string>("--b-agent") { Description = "Party b's agent: did:key or key name.", Required = true, HelpName = "did" };
        var from = new Option<string>("--from") { Description = "When the compact takes effect (RFC 3339, or a date: 2026-12-01 = midnight UTC).", Required = true, HelpName = "time" };
        var until = new Option<string>("--until") { Description = "When it ends (same forms as --from).", Required = true, HelpName = "time" };
        var interaction = new Option<string>("--interaction") { Description = "What the parties will do together (scope.interaction).", Required = true, HelpName = "text" };
        var categoriesA = new Option<string[]>("--a-categories") { Description = "Category ids for party a's slice (default: all); comma-separated or repeated.", AllowMultipleArgumentsPerToken = true, HelpName = "ids" };
        var categoriesB = new Option<string[]>("--b-categories") { Description = "Category ids for party b's slice (default: all).", AllowMultipleArgumentsPerToken = true, HelpName = "ids" };
        var compactId = new Option<string>("--compact-id") { Description = "The compact id (cmp_ + 8-64 of A-Z a-z 0-9 _ -). Default: the daemon's choice.", HelpName = "id" };
        var output = new Option<string>("--output", "-o") { Description = "Write the terms to this file instead of stdout.", HelpName = "file" };
        foreach (var time in new[] { from, until })
        {
            time.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<string>() is { } text && ParseInstant(text) is null)
                    r.AddError($"'{text}' is not a time: use RFC 3339 (2026-12-01T09:00:00.000Z) or a date (2026-12-01).");
            });
        }
        var command = c.NewCommand("draft", """
            Ask the daemon for complete, explicit, unsigned terms built from a tier's defaults (POST /v1/compacts/draft).
            The parties' principals are taken from their agent registrations. Edit the file if you like, then propose it.

            Examples:
              pact compact draft --b-agent did:key:z6MkB... --interaction "Kitchen remodel per SOW-17" \
                  --from 2026-12-01 --until 2027-12-01 --compact-id cmp_kitchen-2026 -o terms.json
              pact compact draft --tier minimal --a-agent alice --b-agent bob --interaction "One-off quote" \
                  --from 2026-12-01 --until 2026-12-31 --b-categories work-scope,contact-details
            """).With(tier, domain, aAgent, bAgent, from, until, interaction, categoriesA, categoriesB, compactId, output);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Reader);
            var a = inv.Get(aAgent) is { } av ? AgentCommands.ResolveDid(c, av, "--a-agent")
                : client.AgentId ?? throw new UsageException("Name party a with --a-agent (there is no key file to default to).");
            var b = AgentCommands.ResolveDid(c, inv.Get(bAgent)!, "--b-agent");
            var parties = new JsonObject
            {
                ["a"] = await PartyAsync(client, a, inv.CancellationToken),
                ["b"] = await PartyAsync(client, b, inv.CancellationToken),
            };
            var scope = new JsonObject
            {
                ["interaction"] = inv.Get(interaction),
                ["effective"] = new JsonObject
                {
                    ["from"] = ParseInstant(inv.Get(from)!),
                    ["until"] = ParseInstant(inv.Get(until)!),
                },
            };
            JsonObject? categories = null;
            var ca = Ids(inv.Get(categoriesA));
            var cb = Ids(inv.Get(categoriesB));
            if (ca is not null || cb is not null)
            {
                categories = [];
                if (ca is not null) categories["a"] = new JsonArray(ca.Select(x => (JsonNode?)x).ToArray());
                if (cb is not null) categories["b"] = new JsonArray(cb.Select(x => (JsonNode?)x).ToArray());
            }
            var terms = (await client.DraftAsync(inv.Get(tier)!, inv.Get(domain)!, parties, scope, categories, inv.Get(compactId), inv.CancellationToken)).Terms;
            if (inv.Get(output) is not { } path)
            {
                inv.Out.Json(terms);
                return;
            }
            await File.WriteAllTextAsync(path, Output.Indented(terms) + "\n", inv.CancellationToken);
            var summary = new JsonObject
            {
                ["path"] = Path.GetFullPath(path),
                ["compactId"] = terms["compactId"]?.DeepClone(),
                ["tier"] = terms["tier"]?.DeepClone(),
                ["termsHash"] = CompactSigning.TermsHash(terms),
            };
            if (inv.Json) inv.Out.Json(summary);
            else inv.Out.Fields("Terms drafted", summary.Select(p => (p.Key, Output.Scalar(p.Value))));
        });
        return command;
    }

    private static Command Show(CliContext c)
    {
        var id = new Argument<string>("compactId") { Description = "The compact id (cmp_…)." };
        var version = new Option<int?>("--version") { Description = "Show this version's signed compact record instead of the overview.", HelpName = "n" };
        version.Minimum(1);
        var command = c.NewCommand("show", """
            Show a compact: its parties, status, versions and history; with --version, that version's signed record
            (terms, both signatures, the daemon's attestation, compactHash).

            Examples:
              pact compact show cmp_kitchen-2026
              pact compact show cmp_kitchen-2026 --version 1 --json > compact-v1.json
            """).With(id, version);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Reader);
            if (inv.Get(version) is { } v)
            {
                var record = await client.GetCompactVersionAsync(inv.Get(id)!, v, inv.CancellationToken);
                if (inv.Json) inv.Out.Json(record);
                else WriteRecord(inv.Out, record);
                return;
            }
            var compact = await client.GetCompactAsync(inv.Get(id)!, inv.CancellationToken);
            if (inv.Json)
            {
                inv.Out.Json(compact);
                return;
            }
            inv.Out.Fields($"Compact {compact.CompactId}",
            [
                ("status", compact.Status),
                ("currentVersion", compact.CurrentVersion.ToString(CultureInfo.InvariantCulture)),
                ("party a", PartyText(compact.Parties.A)),
                ("party b", PartyText(compact.Parties.B)),
            ]);
            inv.Out.Table("Versions", ["version", "status", "compactHash", "session"], compact.Versions.Select(x => (IReadOnlyList<string?>)
                [x.Version.ToString(CultureInfo.InvariantCulture), x.Status, x.CompactHash, x.SessionId]));
            inv.Out.ObjectTable("History", compact.History);
        });
        return command;
    }

    private static Command List(CliContext c)
    {
        var status = new Option<string>("--status") { Description = "Only compacts whose current version has this status (e.g. in-force, revoked).", HelpName = "status" };
        var command = c.NewCommand("list", """
            List the compacts this agent is a party to, every page, each at its current version (the operator with
            --admin-token and no key file: all compacts).

            Examples:
              pact compact list
              pact compact list --status in-force --json
            """).With(status);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Reader);
            var all = new List<CompactSummary>();
            string? after = null;
            do
            {
                var page = await client.ListCompactsAsync(inv.Get(status), after, null, inv.CancellationToken);
                all.AddRange(page.Compacts);
                // A cursor that does not move would loop forever.
                after = page.Next is { } next && next != after ? next : null;
            }
            while (after is not null);
            if (inv.Json)
            {
                inv.Out.Json(new { compacts = all });
                return;
            }
            inv.Out.Table("Compacts", ["compact", "version", "status", "session", "party a", "party b", "compactHash"], all.Select(x => (IReadOnlyList<string?>)
            [
                x.CompactId, x.CurrentVersion.ToString(CultureInfo.InvariantCulture), x.Status, x.SessionId,
                x.Parties is null ? null : Output.ShortDid(x.Parties.A), x.Parties is null ? null : Output.ShortDid(x.Parties.B), Output.Abbreviate(x.CompactHash),
            ]));
        });
        return command;
    }

    internal static void WriteRecord(Output output, CompactRecordInfo record)
    {
        var terms = record.Terms;
        output.Fields($"Compact {Output.Scalar(terms?["compactId"])} version {Output.Scalar(terms?["version"])}",
        [
            ("compactHash", record.CompactHash),
            ("termsHash", record.TermsHash),
            ("tier", Output.Scalar(terms?["tier"])),
            ("inForceAt", Output.Time(record.InForceAt)),
            ("party a", PartyText(terms?["parties"]?["a"])),
            ("party b", PartyText(terms?["parties"]?["b"])),
            ("effective", $"{Output.Scalar(terms?["scope"]?["effective"]?["from"])} – {Output.Scalar(terms?["scope"]?["effective"]?["until"])}"),
            ("interaction", Output.Scalar(terms?["scope"]?["interaction"])),
        ]);
        WriteSignatures(output, record.Signatures);
    }

    /// <summary>Compact signatures: who signed for which party, when, and how the principal authorized it.</summary>
    internal static void WriteSignatures(Output output, IReadOnlyList<CompactSignatureInfo>? signatures) =>
        output.Table("Signatures", ["party", "agent", "signedAt", "authorization"], (signatures ?? []).Select(sig =>
        {
            var auth = sig.PrincipalAuthorization;
            var how = auth?.Method switch
            {
                "principal-signature" => $"principal-signature by {auth.Principal}",
                "standing-policy" => $"standing-policy {auth.PolicyHash}",
                var other => other,
            };
            return (IReadOnlyList<string?>)[sig.Party, sig.Agent, Output.Time(sig.SignedAt), how];
        }));

    private static string PartyText(CompactParty party) => $"{party.Agent} for {party.Principal.Name}";

    private static string? PartyText(JsonNode? party)
    {
        if (party is null) return null;
        if (party is JsonValue) return Output.Text(party);
        var agent = Output.Text(party["agent"]);
        var name = Output.Text(party["principal"]?["name"]);
        return name is null ? agent : $"{agent} for {name}";
    }

    private static async Task<JsonObject> PartyAsync(PactClient client, string did, CancellationToken ct)
    {
        var record = await client.GetAgentAsync(did, ct);
        return new JsonObject { ["agent"] = did, ["principal"] = record.Principal.ToJson() };
    }

    private static List<string>? Ids(string[]? values)
    {
        if (values is null || values.Length == 0) return null;
        return values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
    }

    /// <summary>An instant in the protocol's form, from the canonical form, any RFC 3339 time, or a date (midnight UTC).</summary>
    internal static string? ParseInstant(string text)
    {
        if (Timestamp.TryParse(text, out var exact)) return Timestamp.ToText(exact);
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) &&
            (text.Contains('T', StringComparison.Ordinal) || text.Length == 10))
        {
            return Timestamp.ToText(parsed);
        }
        return null;
    }
}

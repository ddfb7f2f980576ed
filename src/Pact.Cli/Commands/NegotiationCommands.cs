using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json.Nodes;
using Pact.Core.Contracts.Responses;
using Pact.Client;
using Pact.Core.Encoding;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Cli.Commands;

/// <summary><c>pact propose | proposal show | sign | decline | withdraw | ack-withdrawal</c>: the two-phase negotiation (§5).</summary>
internal static class NegotiationCommands
{
    public static IEnumerable<Command> Build(CliContext c) =>
        [Propose(c), ProposalShow(c), Sign(c), Decline(c), Withdraw(c), AckWithdrawal(c)];

    private static Argument<string> ProposalIdArgument() => new("proposalId") { Description = "The proposal id (prp_…)." };

    /// <summary>--principal-key | --policy-hash | --policy-file: how the party's principal authorizes the signature (exactly one).</summary>
    internal sealed class AuthorityOptions
    {
        public Option<string> PrincipalKey { get; } = new("--principal-key")
        {
            Description = "Authorize by principal-signature: the principal's key file (path or name); its did:key must be the party's principal id.",
            HelpName = "file|name",
        };

        public Option<string> PolicyHash { get; } = new("--policy-hash")
        {
            Description = "Authorize by standing-policy: the SHA-256 of the policy document, 64 lowercase hex.",
            HelpName = "hex",
        };

        public Option<string> PolicyFile { get; } = new("--policy-file")
        {
            Description = "Authorize by standing-policy: the policy document, whose SHA-256 is claimed.",
            HelpName = "file",
        };

        public void AddTo(Command command)
        {
            command.Options.Add(PrincipalKey);
            command.Options.Add(PolicyHash);
            command.Options.Add(PolicyFile);
            PolicyHash.Validators.Add(r =>
            {
                if (r.GetValueOrDefault<string>() is { } h && !Hex.IsDigest(h)) r.AddError($"'{h}' is not a SHA-256 digest (64 lowercase hex characters).");
            });
            command.Validators.Add(r =>
            {
                var given = new Option[] { PrincipalKey, PolicyHash, PolicyFile }.Count(o => r.GetResult(o) is OptionResult { Implicit: false });
                if (given != 1)
                    r.AddError("Say how the principal authorizes this signature: exactly one of --principal-key, --policy-hash or --policy-file.");
            });
        }

        public PrincipalAuthority Resolve(CliContext c, Invocation inv)
        {
            if (inv.Get(PrincipalKey) is { } key) return PrincipalAuthority.Signature(CliContext.LoadKey(c.KeyPathOf(key), "principal key", "--principal-key").KeyPair);
            if (inv.Get(PolicyHash) is { } hash) return PrincipalAuthority.StandingPolicy(hash);
            return PrincipalAuthority.StandingPolicyDocument(File.ReadAllBytes(inv.Get(PolicyFile)!));
        }
    }

    private static Command Propose(CliContext c)
    {
        var session = new Argument<string>("sessionId") { Description = "The session to negotiate in (ses_…)." };
        var terms = new Option<string>("--terms") { Description = "The terms file (JSON, e.g. from 'pact compact draft'); '-' reads stdin.", Required = true, HelpName = "file" };
        var replaces = new Option<string>("--replaces") { Description = "Counter this open proposal (same compact id and version).", HelpName = "prp_…" };
        var authority = new AuthorityOptions();
        var command = c.NewCommand("propose", """
            Propose terms in a session: computes the terms hash, signs it as this agent's party (a or b), adds the
            principal's authorization and sends proposal.create. The other party then signs, declines or counters.

            Examples:
              pact propose ses_01J... --terms terms.json --principal-key acme-principal
              pact propose ses_01J... --terms terms.json --policy-hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
              pact propose ses_01J... --terms counter.json --replaces prp_01J... --policy-file policy.pdf
              pact compact draft --b-agent bob ... | pact propose ses_01J... --terms - --principal-key acme-principal
            """).With(session, terms, replaces);
        authority.AddTo(command);
        c.Handle(command, async inv =>
        {
            var document = ReadTerms(c, inv.Get(terms)!);
            var client = inv.Client(Access.Agent);
            if (CompactSigning.PartyOf(document, client.AgentId!) is null)
                throw new CliException($"This agent ({client.AgentId}) is neither party a nor party b of the terms; use the key of one of them (--key).");
            var created = await client.ProposeAsync(inv.Get(session)!, document, authority.Resolve(c, inv), inv.Get(replaces), inv.CancellationToken);
            if (inv.Json)
            {
                inv.Out.Json(created);
                return;
            }
            inv.Out.Fields("Proposal created",
            [
                ("proposalId", created.ProposalId),
                ("compact", $"{Output.Text(document["compactId"])} version {Output.Text(document["version"])}"),
                ("termsHash", created.TermsHash),
                ("status", created.Status),
                ("expiresAt", Output.Time(created.ExpiresAt) ?? "never (no negotiation timeout)"),
            ]);
            foreach (var warning in created.Warnings ?? []) inv.Out.Line($"warning: {Output.Scalar(warning)}");
        });
        return command;
    }

    private static Command ProposalShow(CliContext c)
    {
        var id = ProposalIdArgument();
        var show = c.NewCommand("show", """
            Show a proposal: status, terms hash, proposer, signatures, deadline and history. Read it before you sign.
            With --json the full terms are included.

            Examples:
              pact proposal show prp_01J...
              pact proposal show prp_01J... --json | jq .terms
            """).With(id);
        c.Handle(show, async inv =>
        {
            var proposal = await inv.Client(Access.Reader).GetProposalAsync(inv.Get(id)!, inv.CancellationToken);
            if (inv.Json)
            {
                inv.Out.Json(proposal);
                return;
            }
            var t = proposal.Terms ?? [];
            inv.Out.Fields($"Proposal {proposal.ProposalId}",
            [
                ("status", proposal.Status),
                ("session", proposal.SessionId),
                ("compact", $"{Output.Text(t["compactId"])} version {Output.Text(t["version"])} ({Output.Text(t["tier"])})"),
                ("termsHash", proposal.TermsHash),
                ("proposer", proposal.Proposer),
                ("party a", Output.Text(t["parties"]?["a"]?["agent"])),
                ("party b", Output.Text(t["parties"]?["b"]?["agent"])),
                ("interaction", Output.Text(t["scope"]?["interaction"])),
                ("effective", $"{Output.Text(t["scope"]?["effective"]?["from"])} – {Output.Text(t["scope"]?["effective"]?["until"])}"),
                ("expiresAt", Output.Time(proposal.ExpiresAt)),
            ]);
            CompactCommands.WriteSignatures(inv.Out, proposal.Signatures);
            inv.Out.ObjectTable("History", proposal.History);
        });
        return c.NewCommand("proposal", """
            Inspect proposals.

            Example:
              pact proposal show prp_01J...
            """).With(show);
    }

    private static Command Sign(CliContext c)
    {
        var id = ProposalIdArgument();
        var authority = new AuthorityOptions();
        var command = c.NewCommand("sign", """
            Countersign a proposal: fetches it, checks that the daemon's terms hash is the hash of the terms shown and
            that the proposer's signature verifies, then signs over both (proposal.sign). The compact goes in force — or, for a
            bundle member, the member is prepared until its bundle commits.

            Examples:
              pact sign prp_01J... --key bob --principal-key bob-principal
              pact sign prp_01J... --key bob --policy-hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
            """).With(id);
        authority.AddTo(command);
        c.Handle(command, async inv =>
        {
            var client = inv.Client(Access.Agent);
            // A bundle member (§15) is prepared until its bundle commits: the answer is then the proposal, not a record.
            var answer = await client.SignMemberAsync(inv.Get(id)!, authority.Resolve(c, inv), inv.CancellationToken);
            if (answer.Record is not { } record) WriteProposalStatus(inv, answer.Proposal!, $"{answer.Proposal!.Status} (bundle {answer.Proposal.BundleId})");
            else if (inv.Json) inv.Out.Json(record);
            else CompactCommands.WriteRecord(inv.Out, record);
        });
        return command;
    }

    private static Command Decline(CliContext c)
    {
        var id = ProposalIdArgument();
        var reason = new Option<string>("--reason") { Description = "Why, for the transcript.", HelpName = "text" };
        var command = c.NewCommand("decline", """
            Decline a proposal made to this agent (proposal.decline). Its compact id and version are then burned.

            Example:
              pact decline prp_01J... --reason "Retention of contact details is too long"
            """).With(id, reason);
        c.Handle(command, async inv =>
        {
            var proposal = await inv.Client(Access.Agent).DeclineAsync(inv.Get(id)!, inv.Get(reason), null, inv.CancellationToken);
            WriteProposalStatus(inv, proposal, proposal.Status);
        });
        return command;
    }

    private static Command Withdraw(CliContext c)
    {
        var id = ProposalIdArgument();
        var command = c.NewCommand("withdraw", """
            Withdraw this agent's own proposal (proposal.withdraw). It becomes withdrawal-pending until the other party
            acknowledges with the printed withdrawal hash (or the acknowledgment times out); a countersignature before
            that still puts the compact in force.

            Example:
              pact withdraw prp_01J...
            """).With(id);
        c.Handle(command, async inv =>
        {
            var withdrawal = await inv.Client(Access.Agent).WithdrawAsync(inv.Get(id)!, null, inv.CancellationToken);
            if (inv.Json)
            {
                inv.Out.Json(withdrawal);
                return;
            }
            var proposalId = inv.Get(id)!;
            inv.Out.Fields($"Proposal {proposalId}",
            [
                ("status", withdrawal.Proposal?.Status),
                ("withdrawalHash", withdrawal.WithdrawalHash),
            ]);
            inv.Out.Line($"The other party acknowledges with: pact ack-withdrawal {proposalId} --hash {withdrawal.WithdrawalHash}");
        });
        return command;
    }

    private static Command AckWithdrawal(CliContext c)
    {
        var id = ProposalIdArgument();
        var hash = new Option<string>("--hash") { Description = "The withdrawal hash (the hash of the proposal.withdrawal.initiated event).", Required = true, HelpName = "hex" };
        hash.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } h && !Hex.IsDigest(h)) r.AddError($"'{h}' is not a SHA-256 digest (64 lowercase hex characters).");
        });
        var command = c.NewCommand("ack-withdrawal", """
            Acknowledge the other party's withdrawal of a proposal (proposal.withdrawal.ack); it becomes withdrawn.
            The hash is printed by 'pact withdraw', shown by 'pact agent pending', and is the event's hash in 'pact tail'.

            Example:
              pact ack-withdrawal prp_01J... --hash 3f2a...
            """).With(id, hash);
        c.Handle(command, async inv =>
        {
            var proposal = await inv.Client(Access.Agent).AcknowledgeWithdrawalAsync(inv.Get(id)!, inv.Get(hash)!, inv.CancellationToken);
            WriteProposalStatus(inv, proposal, proposal.Status);
        });
        return command;
    }

    private static void WriteProposalStatus(Invocation inv, Proposal proposal, string status)
    {
        if (inv.Json) inv.Out.Json(proposal);
        else inv.Out.Fields($"Proposal {proposal.ProposalId}", [("status", status), ("termsHash", proposal.TermsHash), ("session", proposal.SessionId)]);
    }

    private static JsonObject ReadTerms(CliContext c, string path) => ReadJsonObject(c, path, "terms");

    /// <summary>A JSON object from a file, or from stdin for "-"; <paramref name="what"/> names it in errors.</summary>
    internal static JsonObject ReadJsonObject(CliContext c, string path, string what)
    {
        var text = path == "-" ? c.Environment.StandardInput.ReadToEnd() : File.ReadAllText(path);
        JsonNode? node;
        try
        {
            node = StrictJson.Parse(text);
        }
        catch (Exception e) when (e is InvalidJsonException or System.Text.Json.JsonException)
        {
            throw new CliException($"The {what} in {(path == "-" ? "stdin" : path)} are not valid JSON: {e.Message}");
        }
        return node as JsonObject ?? throw new CliException($"The {what} in {(path == "-" ? "stdin" : path)} are not a JSON object.");
    }

    internal static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}

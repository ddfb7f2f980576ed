using System.CommandLine;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Contracts.Responses;
using Pact.Core.Policies;

namespace Pact.Cli.Commands;

/// <summary><c>pact policy publish | show | eval</c> (§13).</summary>
internal static class PolicyCommands
{
    public static Command Build(CliContext c)
    {
        var policy = c.NewCommand("policy", """
            Publish policies (CEL rules that decide how an agent answers a proposal), read them, and test them
            before granting them: eval runs a policy on a terms file or a recorded proposal and records nothing.

            Examples:
              pact policy publish intake.policy.json
              pact policy show 751674e17d9b776a0eb6af5d5ff337c775aab7f79f6ce412b2b86d1bab1a375c
              pact policy eval intake.policy.json --terms kitchen.terms.json --me b
              pact policy eval 751674e1...375c --proposal prp_01J...
            """);
        policy.Subcommands.Add(Publish(c));
        policy.Subcommands.Add(Show(c));
        policy.Subcommands.Add(Eval(c));
        return policy;
    }

    private static Command Publish(CliContext c)
    {
        var file = new Argument<string>("file") { Description = "The policy document (JSON), or - for stdin." };
        var command = c.NewCommand("publish", """
            Publish a policy document (signed policy.publish envelope). Publishing the same document again is harmless.
            Every defect is reported with its pointer (PACT-120), e.g. /payload/policy/rules/3/when.

            Example:
              pact policy publish intake.policy.json
            """).With(file);
        c.Handle(command, async inv =>
        {
            var document = NegotiationCommands.ReadJsonObject(c, inv.Get(file)!, "policy");
            var published = await inv.Client(Access.Agent).PublishPolicyAsync(document, inv.CancellationToken);
            if (inv.Json) inv.Out.Json(published.Policy);
            else inv.Out.Fields(published.Created ? "Published policy" : "Policy already published",
                [("policyHash", published.Policy.PolicyHash), ("name", published.Policy.Name), ("rules", NegotiationCommands.Num(published.Policy.Rules))]);
        });
        return command;
    }

    private static Command Show(CliContext c)
    {
        var hash = new Argument<string>("policyHash") { Description = "The policy's hash (64 hex characters)." };
        var command = c.NewCommand("show", """
            Show a published policy: its rules in order, or the document itself with --json.

            Example:
              pact policy show 751674e17d9b776a0eb6af5d5ff337c775aab7f79f6ce412b2b86d1bab1a375c --json
            """).With(hash);
        c.Handle(command, async inv =>
        {
            var document = await inv.Client(Access.Agent).GetPolicyAsync(inv.Get(hash)!, inv.CancellationToken);
            if (inv.Json)
            {
                inv.Out.Json(document);
                return;
            }
            inv.Out.Fields("Policy", [("name", Output.Text(document["name"])), ("policyHash", PolicyDocument.HashOf(document)),
                ("extends", document["extends"] is JsonArray e ? string.Join(", ", e.Select(h => Output.Text(h))) : null),
                ("default", Output.Text(document["default"]))]);
            inv.Out.Table("Rules", ["id", "effect", "when", "reason"], (document["rules"] as JsonArray ?? []).Select(r => (IReadOnlyList<string?>)
                [Output.Text(r?["id"]), Output.Text(r?["effect"]), Output.Text(r?["when"]), Output.Text(r?["reason"])]));
        });
        return command;
    }

    private static Command Eval(CliContext c)
    {
        var policy = new Argument<string>("policy") { Description = "A policy file (JSON) or a published policy's hash." };
        var terms = new Option<string>("--terms") { Description = "A terms file (JSON), or - for stdin.", HelpName = "file" };
        var proposal = new Option<string>("--proposal") { Description = "A recorded proposal this agent is a party of.", HelpName = "proposalId" };
        var me = new Option<string>("--me") { Description = "With --terms: the deciding party, a or b.", HelpName = "role" };
        me.AcceptOnlyFromAmong("a", "b");
        var at = new Option<string>("--at") { Description = "With --terms: the proposal's time (now), e.g. 2026-12-06T00:00:00.000Z. Default: the daemon's time.", HelpName = "timestamp" };
        var command = c.NewCommand("eval", """
            Evaluate a policy without recording anything: on a terms file as party --me (the counterparty's current
            passport, no session) or on a recorded proposal (the input the daemon would use). Prints the decision and
            the trace of every rule evaluated, or with --json the decision, its hash and the input.

            Examples:
              pact policy eval intake.policy.json --terms kitchen.terms.json --me b
              pact policy eval intake.policy.json --terms kitchen.terms.json --me b --at 2026-12-06T00:00:00.000Z --json
              pact policy eval 751674e1...375c --proposal prp_01J...
            """).With(policy, terms, proposal, me, at);
        command.Validators.Add(r =>
        {
            if ((r.GetResult(terms) is null) == (r.GetResult(proposal) is null)) r.AddError("Give --terms or --proposal.");
            if (r.GetResult(terms) is not null && r.GetResult(me) is null) r.AddError("--terms needs --me (a or b).");
        });
        c.Handle(command, async inv =>
        {
            var source = inv.Get(policy)!;
            JsonObject? document = null;
            string? hash = null;
            if (Pact.Core.Encoding.Hex.IsDigest(source)) hash = source;
            else document = NegotiationCommands.ReadJsonObject(c, source, "policy");
            var client = inv.Client(Access.Agent);
            PolicyEvaluation result;
            if (inv.Get(proposal) is { } proposalId)
            {
                result = await client.EvaluatePolicyOnProposalAsync(document, hash, proposalId, inv.CancellationToken);
            }
            else
            {
                DateTimeOffset? instant = null;
                if (inv.Get(at) is { } text)
                {
                    if (!Pact.Core.Time.Timestamp.TryParse(text, out var parsed)) throw new UsageException($"--at '{text}' is not a timestamp like 2026-12-06T00:00:00.000Z.");
                    instant = parsed;
                }
                var termsJson = NegotiationCommands.ReadJsonObject(c, inv.Get(terms)!, "terms");
                result = await client.EvaluatePolicyOnTermsAsync(document, hash, termsJson, inv.Get(me)!, at: instant, cancellationToken: inv.CancellationToken);
            }
            if (inv.Json) inv.Out.Json(result);
            else WriteDecision(inv.Out, result);
        });
        return command;
    }

    internal static void WriteDecision(Output output, PolicyEvaluation result)
    {
        var d = result.Decision;
        output.Fields("Decision", [("effect", d.Effect), ("ruleId", d.RuleId ?? "(default)"), ("reason", d.Reason),
            ("set", d.Set is null ? null : string.Join("; ", d.Set.Select(p => $"{p.Pointer} = {p.Value?.ToJsonString() ?? "null"}"))),
            ("decisionHash", result.DecisionHash), ("policyHash", d.PolicyHash)]);
        output.Table("Trace", ["#", "rule", "result", "policy", "error"], d.Trace.Select((t, i) => (IReadOnlyList<string?>)
            [NegotiationCommands.Num(i + 1), t.RuleId, t.Result, Output.Abbreviate(t.PolicyHash), t.Error]));
        if (result.CounterTerms is not null)
            output.Line($"The counter-proposal's terms hash to {Pact.Core.Compacts.CompactCrypto.TermsHash(result.CounterTerms)}; the same policy signs them.");
    }
}

using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Bundles;
using Pact.Core.Crypto;
using Pact.Core.Ids;
using Pact.Core.Negotiation;
using Pact.Core.Passport;
using Pact.Core.Terms;
using Pact.Core.Tests.Lifecycle;
using Pact.Core.Tests.Negotiation;
using Pact.Core.Time;

namespace Pact.Core.Tests.Bundles;

/// <summary>The negotiation <see cref="World"/> with bundles: full terms (the commit seals real records) and passports from a ledger of the log.</summary>
internal sealed class BundleWorld
{
    public const string PolicyHash = "0000000000000000000000000000000000000000000000000000000000000000";

    public BundleWorld(World? world = null)
    {
        W = world ?? new World();
        W.BundleServices ??= Services; // the world's ticks may close bundles
    }

    public World W { get; }

    public NegotiationState State => W.Negotiation;

    public BundleServices Services => new(World.Daemon, (agent, windowEnd) => new PassportLedger().ApplyAll(W.Log).PassportOf(agent, windowEnd));

    public static JsonObject Signature(PartyRole role) => new()
    {
        ["party"] = role.ToWire(),
        ["sig"] = "s",
        ["principalAuthorization"] = new JsonObject { ["method"] = "standing-policy", ["policyHash"] = PolicyHash },
    };

    /// <summary>A bundle.create by <paramref name="coordinator"/> as party a of each member with <paramref name="counterparties"/>.</summary>
    public CreateBundle Bundle(string sessionId, KeyPair coordinator, IReadOnlyList<(string CompactId, KeyPair Counterparty)> members, JsonObject select,
        DateTimeOffset closesAt, Func<int, JsonObject, JsonObject>? alter = null)
    {
        var list = new JsonArray();
        var drafts = new List<BundleMemberDraft>();
        for (var i = 0; i < members.Count; i++)
        {
            var terms = Lab.Terms(members[i].CompactId, coordinator, members[i].Counterparty);
            if (alter is not null) terms = alter(i, terms);
            list.Add(new JsonObject { ["terms"] = terms, ["signature"] = Signature(PartyRole.A) });
        }
        var envelope = W.Envelope(coordinator, "bundle.create", new JsonObject
        {
            ["sessionId"] = sessionId, ["members"] = list, ["select"] = select.DeepClone(), ["closesAt"] = Timestamp.ToText(closesAt),
        });
        var payloadMembers = envelope["payload"]!["members"]!.AsArray();
        for (var i = 0; i < payloadMembers.Count; i++)
        {
            var member = payloadMembers[i]!.AsObject();
            drafts.Add(new BundleMemberDraft(PactIds.New(PactIds.Proposal, W.Now),
                ProposalFacts.FromCreatePayload(member, World.TermsHash(member["terms"]!.AsObject()))));
        }
        return new CreateBundle(envelope, sessionId, PactIds.New(PactIds.Bundle, W.Now), drafts, select, closesAt);
    }

    public Verdict Run(NegotiationCommand command)
    {
        W.Tick();
        var verdict = NegotiationMachine.Decide(State, command, W.Now);
        if (verdict.IsAccepted) W.Append(verdict.Decision);
        return verdict;
    }

    public IReadOnlyList<Pact.Core.Events.TranscriptEvent> Tick() => W.Tick();

    public SignProposal Sign(KeyPair signer, string proposalId)
    {
        var termsHash = W.TermsHashOf(proposalId);
        var envelope = W.Envelope(signer, "proposal.sign", new JsonObject
        {
            ["proposalId"] = proposalId, ["termsHash"] = termsHash, ["signature"] = Signature(PartyRole.B),
        });
        return new SignProposal(envelope, proposalId, termsHash) { Bundle = Services };
    }

    public DeclineProposal Decline(KeyPair signer, string proposalId) => W.Decline(signer, proposalId) with { Bundle = Services };

    public IReadOnlyList<Pact.Core.Events.TranscriptEvent> Accepted(NegotiationCommand command)
    {
        var before = W.Log.Count;
        var verdict = Run(command);
        verdict.IsAccepted.Should().BeTrue(verdict.Error?.Detail);
        return W.Log.Skip(before).ToList();
    }

    public static JsonObject All => new() { ["mode"] = "all" };

    public static JsonObject Best(int count, int minCount, params (string Key, string Type, string Direction)[] order) => new()
    {
        ["mode"] = "best",
        ["count"] = count,
        ["minCount"] = minCount,
        ["order"] = new JsonArray([.. order.Select(o => (JsonNode)new JsonObject { ["key"] = o.Key, ["type"] = o.Type, ["direction"] = o.Direction })]),
    };
}

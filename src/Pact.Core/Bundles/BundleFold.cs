using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Errors;
using Pact.Core.Events;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Bundles;

/// <summary>What bundle events (§15) change in the negotiation state: the same fold for live commits and replay.</summary>
internal static class BundleFold
{
    /// <summary>bundle.created: the bundle, open, with its members as the signed payload lists them.</summary>
    public static NegotiationState Created(NegotiationState state, TranscriptEvent e)
    {
        var data = e.Data;
        var payload = data["envelope"]!["payload"]!.AsObject();
        var members = payload["members"]!.AsArray();
        var ids = data["proposalIds"]!.AsArray();
        var list = ImmutableArray.CreateBuilder<BundleMember>(members.Count);
        for (var i = 0; i < members.Count; i++)
        {
            var member = members[i]!.AsObject();
            var role = Wire.Parse<PartyRole>(member["signature"]!["party"]!.GetValue<string>());
            var counterparty = member["terms"]!["parties"]![role.Other().ToWire()]!["agent"]!.GetValue<string>();
            list.Add(new BundleMember(ids[i]!.GetValue<string>(), member, role, counterparty));
        }
        var errors = new List<FieldError>();
        var select = BundleSelect.Read(data["select"], members.Count, "/select", errors)
            ?? throw new InvalidOperationException($"Event {e.Seq}: the bundle's select does not read ({(errors.Count > 0 ? errors[0].Message : "")}).");
        return state.With(new BundleRecord(
            data["bundleId"]!.GetValue<string>(), e.Stream, e.Actor, (JsonObject)data["select"]!.DeepClone(), select,
            Timestamp.Parse(e.Time), Timestamp.Parse(payload["issuedAt"]!.GetValue<string>()), Timestamp.Parse(data["closesAt"]!.GetValue<string>()), list.ToImmutable(), BundleStatus.Open));
    }

    /// <summary>The proposal.created of a member: its facts come from the bundle's signed payload.</summary>
    public static ProposalRecord Member(NegotiationState state, TranscriptEvent e, string bundleId)
    {
        var data = e.Data;
        var proposalId = data["proposalId"]!.GetValue<string>();
        var member = state.Bundle(bundleId)?.Member(proposalId)
            ?? throw new InvalidOperationException($"Event {e.Seq}: proposal {proposalId} is not a member of bundle {bundleId}.");
        var facts = ProposalFacts.FromCreatePayload(member.Payload, data["termsHash"]!.GetValue<string>());
        return new ProposalRecord(proposalId, e.Stream, facts.CompactId, facts.Version, facts.TermsHash, facts.Proposer, facts.AgentA, facts.AgentB,
            ProposalStatus.Open, Timestamp.Parse(data["expiresAt"]!.GetValue<string>()), facts.AckTimeout, facts.Predecessor, e.Hash, BundleId: bundleId);
    }

    /// <summary>proposal.signed on a member: prepared, its countersignature kept for the commit.</summary>
    public static NegotiationState Prepared(NegotiationState state, ProposalRecord proposal, TranscriptEvent e)
    {
        var bundle = state.Bundle(proposal.BundleId!)!;
        var entry = e.Data["envelope"] is JsonObject envelope ? SignedByAgent(envelope["payload"]!.AsObject(), e.Actor) : SignedUnderMandate(e.Data);
        return state.With(proposal with { Status = ProposalStatus.Prepared })
            .With(bundle with { Prepared = bundle.Prepared.SetItem(proposal.ProposalId, entry) });
    }

    /// <summary>The countersignature of a proposal.sign envelope: the agent's own, made when the envelope was issued.</summary>
    private static SignatureEntry SignedByAgent(JsonObject payload, string agent)
    {
        var signature = payload["signature"]!.AsObject();
        var (authorization, _) = PrincipalAuthorization.FromJson(signature["principalAuthorization"]);
        return new SignatureEntry(Wire.Parse<PartyRole>(signature["party"]!.GetValue<string>()), agent, signature["sig"]!.GetValue<string>(),
            Timestamp.Parse(payload["issuedAt"]!.GetValue<string>()), authorization!);
    }

    /// <summary>The countersignature the daemon made under a mandate (§14), as its proposal.signed records it: signer and mandate included.</summary>
    private static SignatureEntry SignedUnderMandate(JsonObject data)
    {
        var signature = data["signature"]!.AsObject();
        var (authorization, _) = PrincipalAuthorization.FromJson(signature["principalAuthorization"]);
        return new SignatureEntry(Wire.Parse<PartyRole>(signature["party"]!.GetValue<string>()), signature["agent"]!.GetValue<string>(),
            signature["sig"]!.GetValue<string>(), Timestamp.Parse(signature["signedAt"]!.GetValue<string>()), authorization!)
        {
            Signer = signature["signer"]!.GetValue<string>(),
            Mandate = (JsonObject)signature["mandate"]!.DeepClone(),
        };
    }

    /// <summary>bundle.committed: the selected members signed.</summary>
    public static NegotiationState Committed(NegotiationState state, TranscriptEvent e)
    {
        var bundle = state.Bundle(e.Data["bundleId"]!.GetValue<string>())!;
        var selected = e.Data["selected"]!.AsArray().Select(n => n!.GetValue<string>()).ToImmutableArray();
        var next = state.With(bundle with { Status = BundleStatus.Committed, Selected = selected, Ranking = e.Data["ranking"]?.DeepClone() as JsonArray });
        foreach (var id in selected)
        {
            if (next.Proposal(id) is { } p) next = next.With(p with { Status = ProposalStatus.Signed });
        }
        return next;
    }

    /// <summary>bundle.aborted: the bundle ends with its cause; its members end with their own proposal.retired.</summary>
    public static NegotiationState Aborted(NegotiationState state, TranscriptEvent e)
    {
        var bundle = state.Bundle(e.Data["bundleId"]!.GetValue<string>())!;
        return state.With(bundle with { Status = BundleStatus.Aborted, Cause = (JsonObject)e.Data["cause"]!.DeepClone() });
    }
}

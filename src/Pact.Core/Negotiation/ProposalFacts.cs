using Pact.Core.Terms;
using System.Text.Json.Nodes;
using Pact.Core.Time;

namespace Pact.Core.Negotiation;

/// <summary>
/// The facts of a proposal the negotiation machine needs, taken from terms the caller has already
/// validated (§4.2) and whose first signature it has verified. The machine never looks at the rest
/// of the terms.
/// </summary>
/// <param name="CompactId">terms.compactId.</param>
/// <param name="Version">terms.version.</param>
/// <param name="AgentA">terms.parties.a.agent.</param>
/// <param name="AgentB">terms.parties.b.agent.</param>
/// <param name="Proposer">The role of the first signature (payload.signature.party).</param>
/// <param name="TermsHash">The termsHash of the terms (§4.3).</param>
/// <param name="NegotiationTimeout">terms.negotiationTimeout; null when the terms say null.</param>
/// <param name="AckTimeout">terms.revocation.ackTimeout, which also bounds a withdrawal acknowledgment.</param>
/// <param name="Predecessor">terms.predecessor; null for version 1.</param>
public sealed record ProposalFacts(
    string CompactId,
    long Version,
    string AgentA,
    string AgentB,
    PartyRole Proposer,
    string TermsHash,
    IsoDuration? NegotiationTimeout,
    IsoDuration? AckTimeout,
    PredecessorRef? Predecessor)
{
    public string AgentOf(PartyRole role) => role == PartyRole.A ? AgentA : AgentB;

    public string ProposerAgent => AgentOf(Proposer);

    public string CounterpartyAgent => AgentOf(Proposer.Other());

    /// <summary>
    /// The facts a proposal's state checks need (compactId, version, both agents, signature.party, predecessor), read
    /// from a payload whose terms have not been validated — or null when one of them is unreadable. The daemon judges
    /// who may act and the session and slot states on these before it reports what is wrong with the terms (§11).
    /// Durations are left null: only deciding, after validation, needs them.
    /// </summary>
    public static ProposalFacts? ForStateChecks(JsonObject payload, string termsHash)
    {
        var terms = payload["terms"] as JsonObject;
        if (Text(terms?["compactId"]) is not { } compactId || Text(terms!["parties"]?["a"]?["agent"]) is not { } agentA ||
            Text(terms["parties"]?["b"]?["agent"]) is not { } agentB || !TryInteger(terms["version"], out var version) ||
            !Wire.TryParse<PartyRole>(Text(payload["signature"]?["party"]), out var proposer))
            return null;
        PredecessorRef? predecessor = terms["predecessor"] is JsonObject p && TryInteger(p["version"], out var v) && Text(p["compactHash"]) is { } hash
            ? new PredecessorRef(v, hash)
            : null;
        return new ProposalFacts(compactId, version, agentA, agentB, proposer, termsHash, null, null, predecessor);
    }

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool TryInteger(JsonNode? node, out long value)
    {
        value = 0;
        if (node is not JsonValue) return false;
        try
        {
            value = JsonRead.Integer(node);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads the facts from an accepted <c>proposal.create</c> payload (terms and signature.party), as
    /// replay does from <c>proposal.created</c>'s <c>data.envelope.payload</c>. The payload must already
    /// have passed validation; a missing member here is a bug and throws.
    /// </summary>
    public static ProposalFacts FromCreatePayload(JsonObject payload, string termsHash)
    {
        var terms = payload["terms"]?.AsObject() ?? throw new ArgumentException("The payload has no terms.", nameof(payload));
        var parties = terms["parties"]!.AsObject();
        if (!Wire.TryParse<PartyRole>(payload["signature"]?["party"]?.GetValue<string>(), out var proposer))
            throw new ArgumentException("The payload's signature.party is not \"a\" or \"b\".", nameof(payload));
        var timeout = terms["negotiationTimeout"]?.GetValue<string>();
        var ack = terms["revocation"]?["ackTimeout"]?.GetValue<string>();
        PredecessorRef? predecessor = terms["predecessor"] is JsonObject p
            ? new PredecessorRef(JsonRead.Integer(p["version"]), p["compactHash"]!.GetValue<string>())
            : null;
        return new ProposalFacts(
            terms["compactId"]!.GetValue<string>(),
            JsonRead.Integer(terms["version"]),
            parties["a"]!["agent"]!.GetValue<string>(),
            parties["b"]!["agent"]!.GetValue<string>(),
            proposer,
            termsHash,
            timeout is null ? null : IsoDuration.Parse(timeout),
            ack is null ? null : IsoDuration.Parse(ack),
            predecessor);
    }
}

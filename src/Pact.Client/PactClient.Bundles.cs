using System.Net;
using System.Text.Json.Nodes;
using Pact.Core.Contracts;
using Pact.Core.Contracts.Responses;

namespace Pact.Client;

// Bundles (§15): coordinated multi-party negotiation.
public sealed partial class PactClient
{
    /// <summary><c>POST /v1/sessions/{sessionId}/bundles</c> with members already signed: <c>[ { terms, signature } … ]</c>.</summary>
    /// <param name="sessionId">The session the members are negotiated in.</param>
    /// <param name="members">2–16 members, each with this agent's first signature.</param>
    /// <param name="select">See <see cref="BundleSelection"/>.</param>
    /// <param name="closesAt">When the bundle closes (no later than the smallest member negotiationTimeout).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<BundleView> CreateBundleAsync(string sessionId, JsonArray members, JsonObject select, DateTimeOffset closesAt,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(select);
        var payload = new BundleCreatePayload(sessionId, (JsonArray)members.DeepClone(), (JsonObject)select.DeepClone(),
            Pact.Core.Time.Timestamp.ToText(Pact.Core.Time.Timestamp.Truncate(closesAt)));
        return Read<BundleView>(await SendSignedAsync($"v1/sessions/{Segment(sessionId)}/bundles", payload, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Creates a bundle, signing each member's terms first as this agent (the coordinator, a party of every member).</summary>
    public Task<BundleView> CreateBundleAsync(string sessionId, IEnumerable<JsonObject> memberTerms, PrincipalAuthority authority, JsonObject select,
        DateTimeOffset closesAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memberTerms);
        var members = new JsonArray([.. memberTerms.Select(t => (JsonNode)new JsonObject
        {
            ["terms"] = t.DeepClone(),
            ["signature"] = CreateFirstSignature(t, authority),
        })]);
        return CreateBundleAsync(sessionId, members, select, closesAt, cancellationToken);
    }

    /// <summary><c>GET /v1/bundles/{bundleId}</c>.</summary>
    public async Task<BundleView> GetBundleAsync(string bundleId, CancellationToken cancellationToken = default) =>
        Read<BundleView>(await GetAsync($"v1/bundles/{Segment(bundleId)}", Access.Reader, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Who countersigned each member that is prepared or signed (§14, §15): its counterparty, or the daemon under the
    /// counterparty's mandate. The bundle resource does not say; each member's proposal (<c>GET /v1/proposals/{id}</c>) does.
    /// Members in member order; those not countersigned are left out.
    /// </summary>
    public async Task<IReadOnlyList<MemberCountersignature>> GetMemberCountersignaturesAsync(BundleView bundle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var signed = new List<MemberCountersignature>();
        foreach (var m in bundle.Members.Where(m => m.Status is "prepared" or "signed"))
        {
            var proposal = await GetProposalAsync(m.ProposalId, cancellationToken).ConfigureAwait(false);
            if (proposal.Signatures?.FirstOrDefault(s => s.Agent == m.Counterparty) is not { } signature) continue;
            signed.Add(new MemberCountersignature(m.ProposalId, signature.Agent, signature.Signer, signature.Mandate?["mandateId"]?.GetValue<string>()));
        }
        return signed;
    }

    /// <summary><c>POST /v1/bundles/{bundleId}/withdraw</c> by the coordinator: the bundle aborts.</summary>
    public async Task<BundleView> WithdrawBundleAsync(string bundleId, CancellationToken cancellationToken = default) =>
        Read<BundleView>(await SendSignedAsync($"v1/bundles/{Segment(bundleId)}/withdraw", new BundleWithdrawPayload(bundleId), cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Countersigns a bundle member (fetched, its first signature checked): prepared (202 the proposal), or in force when this
    /// signature's commit put it there (200 the signed record).
    /// </summary>
    public async Task<MemberSignature> SignMemberAsync(string proposalId, PrincipalAuthority authority, CancellationToken cancellationToken = default)
    {
        var proposal = await GetProposalAsync(proposalId, cancellationToken).ConfigureAwait(false);
        var payload = new ProposalSignPayload(proposal.ProposalId, proposal.TermsHash, CreateCountersignature(proposal, authority));
        var response = await SendSignedAsync($"v1/proposals/{Segment(proposalId)}/sign", payload, cancellationToken).ConfigureAwait(false);
        return response.Status == HttpStatusCode.Accepted
            ? new MemberSignature(Read<Proposal>(response), null)
            : new MemberSignature(null, Read<CompactRecordInfo>(response));
    }
}

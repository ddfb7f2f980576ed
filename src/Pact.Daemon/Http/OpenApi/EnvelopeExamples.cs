using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Pact.Core.Contracts;
using Pact.Daemon.Http;

namespace Pact.Daemon.Http.OpenApi;

/// <summary>Adds an example envelope to every operation marked with <see cref="EnvelopeAttribute"/>.</summary>
public sealed class EnvelopeExampleTransformer : IOpenApiOperationTransformer
{
    private const string Did = "did:key:z6MkrKVNhU4TYMW3gTnLbUYpZmZiet1en3kvWbGgPkH9wjXD";
    private const string Other = "did:key:z6Mko37eb5dWh4kmWG61LQ28Q78NsjwFf4VTYvunVV7Z6mjp";
    private const string Hash = "306b186df65d16913770eeadedfc6d6e20319389e8d45cd20aa7fdfb716ff3d4";
    private const string SessionId = "ses_01JD0000000000000000000000";
    private const string ProposalId = "prp_01JD0000000000000000000000";

    private static readonly Dictionary<string, Func<JsonObject>> Fields = new(StringComparer.Ordinal)
    {
        [EnvelopeTypes.AgentRegister] = () => new()
        {
            ["principal"] = new JsonObject { ["id"] = Did, ["kind"] = "organization", ["name"] = "Acme Remodeling LLC" },
            ["displayName"] = "Acme's scheduling agent",
        },
        [EnvelopeTypes.AuthToken] = () => [],
        [EnvelopeTypes.SessionCreate] = () => new() { ["participants"] = new JsonArray(Did, Other), ["topic"] = "kitchen remodel", ["metadata"] = null },
        [EnvelopeTypes.SessionSuspend] = () => new() { ["sessionId"] = SessionId },
        [EnvelopeTypes.SessionResume] = () => new() { ["sessionId"] = SessionId },
        [EnvelopeTypes.SessionTerminate] = () => new() { ["sessionId"] = SessionId },
        [EnvelopeTypes.SessionCheckpoint] = () => new() { ["sessionId"] = SessionId, ["label"] = "after signing" },
        [EnvelopeTypes.ProposalCreate] = () => new()
        {
            ["sessionId"] = SessionId,
            ["terms"] = new JsonObject { ["acp"] = "0.1", ["compactId"] = "cmp_kitchen-2026-0042", ["version"] = 1, ["…"] = "complete terms, see POST /v1/compacts/draft" },
            ["signature"] = Signature("a"),
        },
        [EnvelopeTypes.ProposalSign] = () => new() { ["proposalId"] = ProposalId, ["termsHash"] = Hash, ["signature"] = Signature("b") },
        [EnvelopeTypes.ProposalDecline] = () => new() { ["proposalId"] = ProposalId, ["termsHash"] = Hash, ["reason"] = "The retention period is too long." },
        [EnvelopeTypes.ProposalWithdraw] = () => new() { ["proposalId"] = ProposalId, ["termsHash"] = Hash },
        [EnvelopeTypes.ProposalWithdrawalAck] = () => new() { ["proposalId"] = ProposalId, ["withdrawalHash"] = Hash },
        [EnvelopeTypes.PolicyPublish] = () => new()
        {
            ["policy"] = new JsonObject
            {
                ["format"] = "pact-policy/1",
                ["name"] = "acme-intake",
                ["rules"] = new JsonArray(
                    new JsonObject { ["id"] = "no-advanced", ["when"] = "terms.tier == 'advanced'", ["effect"] = "decline", ["reason"] = "Advanced-tier compacts need a human." },
                    new JsonObject { ["id"] = "trusted-standard", ["when"] = "terms.tier == 'standard' && counterparty.passport.score >= 6000", ["effect"] = "sign" }),
                ["default"] = "escalate",
            },
        },
        [EnvelopeTypes.MandateGrant] = () => new()
        {
            ["policyHash"] = Hash,
            ["scope"] = new JsonObject { ["counterparties"] = new JsonArray(Other), ["compactIdPrefix"] = "cmp_kitchen-" },
            ["acknowledge"] = new JsonArray("withdrawal", "marker"),
            ["expiresAt"] = "2027-06-01T00:00:00.000Z",
        },
        [EnvelopeTypes.MandateRevoke] = () => new() { ["mandateId"] = "mnd_01JD0000000000000000000000" },
        [EnvelopeTypes.SubscriptionCreate] = () => new()
        {
            ["callback"] = "https://agent.example/pact/events",
            ["filter"] = new JsonObject { ["types"] = new JsonArray("proposal.*", "compact.signed"), ["sessions"] = new JsonArray(SessionId) },
            ["description"] = "Acme's scheduling agent",
        },
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var marker = context.Description.ActionDescriptor.EndpointMetadata.OfType<EnvelopeAttribute>().FirstOrDefault();
        if (marker is null || operation.RequestBody?.Content is null) return Task.CompletedTask;
        var payload = new JsonObject
        {
            ["type"] = marker.Type,
            ["aud"] = "did:key:z6MkteU5gYHbxx3GHGKxCNxm5WES2ZhKZntTS2ixEUjRF52m",
            ["issuedAt"] = "2026-11-21T12:00:00.000Z",
            ["nonce"] = "nj8VYyTULw6ktvT86B1W-w",
        };
        if (Fields.TryGetValue(marker.Type, out var fields))
        {
            foreach (var (key, value) in fields()) payload[key] = value?.DeepClone();
        }
        var example = new JsonObject
        {
            ["payload"] = payload,
            ["signer"] = Did,
            ["sig"] = "<base64url Ed25519 signature over \"pact-msg-v1\\n\" + JCS(payload)>",
        };
        foreach (var media in operation.RequestBody.Content.Values) media.Example = example;
        CallerTransformer.Append(operation, $"Body: a signed `{marker.Type}` envelope (PROTOCOL §2).");
        return Task.CompletedTask;
    }

    private static JsonObject Signature(string party) => new()
    {
        ["party"] = party,
        ["sig"] = "<base64url>",
        ["principalAuthorization"] = new JsonObject { ["method"] = "principal-signature", ["principal"] = Did, ["sig"] = "<base64url>" },
    };
}

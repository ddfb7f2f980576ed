using System.Reflection;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Envelopes;
using Pact.Core.Json;
using Pact.Core.Time;

namespace Pact.Core.Tests.Contracts;

/// <summary>
/// The payload records and their shapes are one contract: what the SDK signs from a record is what the daemon's
/// shape accepts, byte for byte as independent clients sign it.
/// </summary>
public class PayloadContractTests
{
    private const string Did = "did:key:z6MkrKVNhU4TYMW3gTnLbUYpZmZiet1en3kvWbGgPkH9wjXD";
    private const string Other = "did:key:z6Mko37eb5dWh4kmWG61LQ28Q78NsjwFf4VTYvunVV7Z6mjp";
    private const string Hash = "306b186df65d16913770eeadedfc6d6e20319389e8d45cd20aa7fdfb716ff3d4";

    [Fact]
    public void A_record_signs_to_the_vector_envelope_byte_for_byte()
    {
        var vector = (JsonObject)TestData.PactVectors["envelope"]!;
        var key = KeyPair.FromSeed(Hex.Decode(TestData.PactVectors["keys"]!["contractor"]!["seedHex"]!.GetValue<string>()));
        var payload = (JsonObject)vector["payload"]!;

        var envelope = Envelope.Sign(key, payload["aud"]!.GetValue<string>(), Timestamp.Parse(payload["issuedAt"]!.GetValue<string>()),
            new SessionCreatePayload([Did, Other], "kitchen remodel"), payload["nonce"]!.GetValue<string>());

        System.Text.Encoding.UTF8.GetString(Jcs.Canonicalize(envelope.Payload)).Should().Be(vector["jcs"]!.GetValue<string>());
        envelope.Sig.Should().Be(vector["sig"]!.GetValue<string>());
    }

    public static TheoryData<string, JsonObject, string> Examples => new()
    {
        { "agent.register", Payloads.ToJson(new AgentRegisterPayload(new Principal(Did, PrincipalKinds.Organization, "Acme"))), """{"principal":{"id":"did:key:z6MkrKVNhU4TYMW3gTnLbUYpZmZiet1en3kvWbGgPkH9wjXD","kind":"organization","name":"Acme"}}""" },
        { "agent.register", Payloads.ToJson(new AgentRegisterPayload(new Principal(Did, PrincipalKinds.Human, "H"), "Bot", "inv")), """{"displayName":"Bot","invite":"inv","principal":{"id":"did:key:z6MkrKVNhU4TYMW3gTnLbUYpZmZiet1en3kvWbGgPkH9wjXD","kind":"human","name":"H"}}""" },
        { "auth.token", Payloads.ToJson(new AuthTokenPayload()), "{}" },
        { "session.create", Payloads.ToJson(new SessionCreatePayload([Did, Other], null, new JsonObject { ["k"] = 1 })), """{"metadata":{"k":1},"participants":["did:key:z6MkrKVNhU4TYMW3gTnLbUYpZmZiet1en3kvWbGgPkH9wjXD","did:key:z6Mko37eb5dWh4kmWG61LQ28Q78NsjwFf4VTYvunVV7Z6mjp"]}""" },
        { "session.suspend", Payloads.ToJson(new SessionSuspendPayload("ses_1")), """{"sessionId":"ses_1"}""" },
        { "session.checkpoint", Payloads.ToJson(new SessionCheckpointPayload("ses_1")), """{"sessionId":"ses_1"}""" },
        { "proposal.create", Payloads.ToJson(new ProposalCreatePayload("ses_1", new JsonObject { ["version"] = 1 }, new JsonObject { ["party"] = "a" }, "prp_2")), """{"replaces":"prp_2","sessionId":"ses_1","signature":{"party":"a"},"terms":{"version":1}}""" },
        { "proposal.decline", Payloads.ToJson(new ProposalDeclinePayload("prp_1", Hash)), $$"""{"proposalId":"prp_1","termsHash":"{{Hash}}"}""" },
        { "compact.revoke", Payloads.ToJson(new CompactRevokePayload("cmp_kitchen-1", 2)), """{"compactId":"cmp_kitchen-1","version":2}""" },
        { "compact.revoke", Payloads.ToJson(new CompactRevokePayload("cmp_kitchen-1", 1, "late", null, true)), """{"compactId":"cmp_kitchen-1","emergency":true,"reason":"late","version":1}""" },
        { "subscription.create", Payloads.ToJson(new SubscriptionCreatePayload("http://127.0.0.1/h")), """{"callback":"http://127.0.0.1/h"}""" },
        { "subscription.create", Payloads.ToJson(new SubscriptionCreatePayload("http://127.0.0.1/h", new SubscriptionFilterPayload(["session.*"]), "d")), """{"callback":"http://127.0.0.1/h","description":"d","filter":{"types":["session.*"]}}""" },
    };

    /// <summary>Optional members left null are omitted, never sent as null: the signed bytes are JCS over exactly the members present.</summary>
    [Theory]
    [MemberData(nameof(Examples))]
    public void A_record_writes_exactly_its_members_with_optional_nulls_omitted(string type, JsonObject fields, string jcs)
    {
        _ = type;
        System.Text.Encoding.UTF8.GetString(Jcs.Canonicalize(fields)).Should().Be(jcs);
    }

    [Fact]
    public void Every_envelope_type_has_one_record_whose_members_its_shape_names()
    {
        var records = typeof(IEnvelopePayload<>).Assembly.GetTypes()
            .Where(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnvelopePayload<>)))
            .ToList();
        var shapes = records.Select(t => (PayloadShape)t.GetProperty("Shape", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!).ToList();
        var types = typeof(EnvelopeTypes).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToList();

        shapes.Select(s => s.Type).Should().BeEquivalentTo(types, "each envelope type has exactly one payload record");
        foreach (var (record, shape) in records.Zip(shapes))
        {
            var members = record.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.DeclaringType == record && p.Name != "EqualityContract")
                .Select(p => PactJson.Options.PropertyNamingPolicy!.ConvertName(p.Name));
            members.Should().BeEquivalentTo(shape.Fields.Keys, $"{record.Name}'s members are the ones {shape.Type}'s shape allows");
        }
    }

    [Fact]
    public void Required_members_and_targets_are_the_non_nullable_ones()
    {
        var shape = CompactRevokePayload.Shape;
        shape.Fields.Where(f => f.Value.Required).Select(f => f.Key).Should().BeEquivalentTo(["compactId", "version"]);
        shape.Fields.Where(f => f.Value.IsTarget).Select(f => f.Key).Should().BeEquivalentTo(["compactId"]);
        shape.Fields["emergency"].Check(null).Should().BeNull();
        shape.Fields["emergency"].Check(JsonValue.Create("yes")).Should().Be("must be true or false");
    }
}

using System.Security.Cryptography;
using System.Text;
using Pact.Daemon.Webhooks;

namespace Pact.Daemon.Tests.Webhooks;

public class WebhookSigningTests
{
    public static TheoryData<int> Vectors => new() { 0, 1 };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Signatures_match_the_standard_webhooks_vectors(int index)
    {
        var vector = WebhookTestKit.PactVectors["webhook"]![index]!;
        var key = WebhookSignature.KeyOf(vector["secret"]!.GetValue<string>());

        var signature = WebhookSignature.Sign(key, vector["id"]!.GetValue<string>(), vector["timestamp"]!.GetValue<long>(),
            Encoding.UTF8.GetBytes(vector["body"]!.GetValue<string>()));

        signature.Should().Be(vector["signature"]!.GetValue<string>());
    }

    [Fact]
    public void The_spec_vector_is_the_one_with_the_test_body()
    {
        var vector = WebhookTestKit.PactVectors["webhook"]![0]!;
        vector["body"]!.GetValue<string>().Should().Be("{\"test\": 2432232314}");
        vector["signature"]!.GetValue<string>().Should().Be("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    [Fact]
    public void A_secret_is_whsec_and_standard_base64_of_32_bytes()
    {
        var key = WebhookSecrets.NewSigningKey();
        var secret = WebhookSecrets.Format(key);

        secret.Should().StartWith("whsec_");
        Convert.FromBase64String(secret["whsec_".Length..]).Should().Equal(key);
        key.Should().HaveCount(32);
        WebhookSignature.KeyOf(secret).Should().Equal(key);
    }

    [Fact]
    public void Sealed_keys_open_only_for_their_own_subscription_and_do_not_contain_the_key()
    {
        var box = new WebhookSecrets(RandomNumberGenerator.GetBytes(32));
        var key = WebhookSecrets.NewSigningKey();

        var sealedValue = box.Seal(key, "sub_01JD0000000000000000000000");

        box.Open(sealedValue, "sub_01JD0000000000000000000000").Should().Equal(key);
        sealedValue.Should().NotContain(Convert.ToBase64String(key)).And.NotContain(Pact.Core.Encoding.Base64Url.Encode(key));
        box.Seal(key, "sub_01JD0000000000000000000000").Should().NotBe(sealedValue, "each seal uses a fresh nonce");
        var moved = () => box.Open(sealedValue, "sub_01JD0000000000000000000001");
        moved.Should().Throw<CryptographicException>();
        var otherKey = () => new WebhookSecrets(RandomNumberGenerator.GetBytes(32)).Open(sealedValue, "sub_01JD0000000000000000000000");
        otherKey.Should().Throw<CryptographicException>();
    }

    [Fact]
    public void The_body_is_type_timestamp_and_the_event()
    {
        var vector = WebhookTestKit.PactVectors["webhook"]![1]!;
        var expected = (System.Text.Json.Nodes.JsonObject)Pact.Core.Json.StrictJson.Parse(vector["body"]!.GetValue<string>())!;
        var e = Pact.Core.Events.TranscriptEvent.FromJson(expected["data"]!.AsObject());

        var body = Pact.Core.Json.StrictJson.Parse(WebhookSender.Body(e))!;

        Pact.Core.Json.Jcs.CanonicalString(body).Should().Be(Pact.Core.Json.Jcs.CanonicalString(expected));
        body.AsObject().Select(p => p.Key).Should().Equal("type", "timestamp", "data");
    }
}

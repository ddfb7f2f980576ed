using System.Globalization;
using System.Text;
using FluentAssertions;
using Pact.Client.Tests.Support;

namespace Pact.Client.Tests;

public class WebhookVerifierTests
{
    private static (string Secret, string Id, string Timestamp, string Signature, byte[] Body, DateTimeOffset At) Vector(int index)
    {
        var v = TestData.PactVectors["webhook"]![index]!;
        var seconds = v["timestamp"]!.GetValue<long>();
        return (v["secret"]!.GetValue<string>(), v["id"]!.GetValue<string>(), seconds.ToString(CultureInfo.InvariantCulture),
            v["signature"]!.GetValue<string>(), Encoding.UTF8.GetBytes(v["body"]!.GetValue<string>()), DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void The_standard_webhooks_vectors_verify_and_sign_to_their_signature(int index)
    {
        var (secret, id, timestamp, signature, body, at) = Vector(index);
        var verifier = new WebhookVerifier(secret, new FakeTimeProvider(at));

        verifier.Verify(id, timestamp, signature, body).Should().BeNull();
        verifier.Verify(id, timestamp, "v1,bm9wZQ== " + signature, body).Should().BeNull("any one listed signature may match");
        WebhookVerifier.Sign(WebhookVerifier.KeyOf(secret), id, long.Parse(timestamp, CultureInfo.InvariantCulture), body).Should().Be(signature);
    }

    [Fact]
    public void Altered_bodies_other_ids_wrong_secrets_and_stale_timestamps_are_refused()
    {
        var (secret, id, timestamp, signature, body, at) = Vector(0);
        var clock = new FakeTimeProvider(at);
        var verifier = new WebhookVerifier(secret, clock);

        verifier.Verify(id, timestamp, signature, Encoding.UTF8.GetBytes("{\"test\": 2432232315}")).Should().Be("no signature matches");
        verifier.Verify(id + "x", timestamp, signature, body).Should().Be("no signature matches");
        new WebhookVerifier("whsec_" + Convert.ToBase64String(new byte[32]), clock).Verify(id, timestamp, signature, body).Should().Be("no signature matches");
        verifier.Verify(id, "soon", signature, body).Should().Contain("not a number");
        verifier.Verify(null, timestamp, signature, body).Should().Contain("missing");
        verifier.Verify(id, "99999999999999", signature, body).Should().Contain("too far");
        WebhookVerifier.Verify(secret, id, timestamp, signature, body, at.AddMinutes(6)).Should().Contain("too far");
        WebhookVerifier.Verify(secret, id, timestamp, signature, body, at.AddMinutes(-6)).Should().Contain("too far");
        WebhookVerifier.Verify(secret, id, timestamp, signature, body, at.AddMinutes(4)).Should().BeNull();
        WebhookVerifier.Verify(secret, id, timestamp, signature, body, at.AddMinutes(4), TimeSpan.FromMinutes(3)).Should().Contain("too far");
    }

    [Fact]
    public void During_a_rotation_either_secret_is_accepted()
    {
        var (secret, id, timestamp, signature, body, at) = Vector(1);
        var newer = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

        var rotating = new WebhookVerifier([newer, secret], new FakeTimeProvider(at));
        var newOnly = new WebhookVerifier(newer, new FakeTimeProvider(at));

        rotating.Verify(id, timestamp, signature, body).Should().BeNull();
        newOnly.Verify(id, timestamp, signature, body).Should().Be("no signature matches");
    }

    [Theory]
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_")]
    public void A_malformed_secret_is_refused_when_the_verifier_is_made(string secret)
    {
        var make = () => new WebhookVerifier(secret);

        make.Should().Throw<ArgumentException>();
        new Action(() => _ = new WebhookVerifier(Array.Empty<string>())).Should().Throw<ArgumentException>();
    }
}

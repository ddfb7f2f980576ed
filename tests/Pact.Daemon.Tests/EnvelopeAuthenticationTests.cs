using System.Net;
using System.Text.Json.Nodes;
using Pact.Core.Envelopes;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests;

public class EnvelopeAuthenticationTests(DaemonFixture daemon) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task Registration_creates_the_agent_then_answers_200_with_the_same_record()
    {
        var agent = new TestAgent(daemon.Http, daemon.DaemonId);
        var first = await agent.RegisterAsync("Acme");
        first.Status.Should().Be(HttpStatusCode.Created);
        first.Json!["agentId"]!.GetValue<string>().Should().Be(agent.Did);
        first.Json["publicKey"]!.GetValue<string>().Should().Be(agent.Key.PublicKeyB64u);

        var again = await agent.RegisterAsync("Acme");
        again.Status.Should().Be(HttpStatusCode.OK);
        again.Json!["registeredAt"]!.GetValue<string>().Should().Be(first.Json["registeredAt"]!.GetValue<string>());

        var read = await agent.GetAsync($"/v1/agents/{agent.Did}");
        read.Json!["principal"]!["name"]!.GetValue<string>().Should().Be("Acme");
    }

    [Fact]
    public async Task A_tampered_payload_is_refused_with_PACT_201()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var envelope = agent.Sign("auth.token");
        var tampered = envelope.ToJson();
        tampered["payload"]!["nonce"] = Envelope.NewNonce();
        var reply = await agent.PostRawAsync("/v1/auth/token", tampered.ToJsonString());
        reply.Status.Should().Be(HttpStatusCode.Unauthorized);
        reply.Code.Should().Be("PACT-201");
        reply.ContentType.Should().Be("application/problem+json");
        reply.Json!["traceId"]!.GetValue<string>().Should().NotBeEmpty();
    }

    [Fact]
    public async Task An_unregistered_signer_is_refused_with_PACT_202()
    {
        var stranger = new TestAgent(daemon.Http, daemon.DaemonId);
        var reply = await stranger.PostAsync("/v1/auth/token", "auth.token");
        reply.Status.Should().Be(HttpStatusCode.Unauthorized);
        reply.Code.Should().Be("PACT-202");
    }

    [Fact]
    public async Task A_nonce_reused_with_another_payload_is_refused_with_PACT_203_and_an_identical_resend_replays()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var nonce = Envelope.NewNonce();
        var create = a.Sign("session.create", new JsonObject { ["participants"] = new JsonArray(a.Did, b.Did) }, nonce: nonce);
        var first = await a.PostAsync("/v1/sessions", create);
        first.Status.Should().Be(HttpStatusCode.Created);

        var resend = await a.PostAsync("/v1/sessions", create);
        resend.Status.Should().Be(HttpStatusCode.Created);
        resend.Text.Should().Be(first.Text, "an identical resend returns the original response and records nothing");

        var other = a.Sign("session.create", new JsonObject { ["participants"] = new JsonArray(a.Did, b.Did), ["topic"] = "x" }, nonce: nonce);
        var reused = await a.PostAsync("/v1/sessions", other);
        reused.Status.Should().Be(HttpStatusCode.Conflict);
        reused.Code.Should().Be("PACT-203");

        var sessions = await a.GetAsync("/v1/sessions");
        sessions.Json!["sessions"]!.AsArray().Count.Should().Be(1);
    }

    [Fact]
    public async Task A_stale_issuedAt_is_refused_with_PACT_204()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var reply = await agent.PostAsync("/v1/auth/token", agent.Sign("auth.token", issuedAt: DateTimeOffset.UtcNow.AddMinutes(-6)));
        reply.Code.Should().Be("PACT-204");
        reply.Status.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_wrong_type_for_the_endpoint_is_refused_with_PACT_101_pointing_at_the_type()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var reply = await agent.PostAsync("/v1/auth/token", agent.Sign("session.create"));
        reply.Status.Should().Be(HttpStatusCode.UnprocessableEntity);
        reply.Code.Should().Be("PACT-101");
        reply.Json!["errors"]![0]!["pointer"]!.GetValue<string>().Should().Be("/payload/type");
    }

    [Fact]
    public async Task An_envelope_for_another_daemon_is_refused_with_PACT_206()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var reply = await agent.PostAsync("/v1/auth/token", agent.Sign("auth.token", audience: agent.Did));
        reply.Code.Should().Be("PACT-206");
        reply.Status.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Shape_errors_come_before_the_audience_check()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var reply = await agent.PostAsync("/v1/auth/token", agent.Sign("auth.token", new JsonObject { ["extra"] = 1 }, audience: agent.Did));
        reply.Code.Should().Be("PACT-101");
        reply.Json!["errors"]![0]!["pointer"]!.GetValue<string>().Should().Be("/payload/extra");
    }

    [Fact]
    public async Task A_target_id_that_differs_from_the_path_is_refused_with_PACT_101()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var session = await a.CreateSessionAsync(b);
        var reply = await a.PostAsync($"/v1/sessions/{session}/suspend", "session.suspend", new JsonObject { ["sessionId"] = "ses_01JD0000000000000000000000" });
        reply.Code.Should().Be("PACT-101");
        reply.Json!["errors"]![0]!["pointer"]!.GetValue<string>().Should().Be("/payload/sessionId");
    }

    [Theory]
    [InlineData("{\"payload\":{},\"payload\":{}}", "PACT-100", 400)]
    [InlineData("{not json", "PACT-100", 400)]
    [InlineData("[1,2]", "PACT-101", 422)]
    [InlineData("{\"payload\":{\"s\":\"\\ud800\"},\"signer\":\"x\",\"sig\":\"y\"}", "PACT-100", 400)]
    public async Task Malformed_bodies_get_ProblemDetails(string body, string code, int status)
    {
        var agent = new TestAgent(daemon.Http, daemon.DaemonId);
        var reply = await agent.PostRawAsync("/v1/sessions", body);
        ((int)reply.Status).Should().Be(status);
        reply.Code.Should().Be(code);
        reply.ContentType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_with_PACT_415()
    {
        var agent = new TestAgent(daemon.Http, daemon.DaemonId);
        var reply = await agent.PostRawAsync("/v1/sessions", "hello", "text/plain");
        reply.Status.Should().Be(HttpStatusCode.UnsupportedMediaType);
        reply.Code.Should().Be("PACT-415");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_PACT_413()
    {
        var agent = new TestAgent(daemon.Http, daemon.DaemonId);
        var reply = await agent.PostRawAsync("/v1/sessions", "{\"x\":\"" + new string('a', 1024 * 1024 + 10) + "\"}");
        reply.Status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        reply.Code.Should().Be("PACT-413");
    }

    [Fact]
    public async Task A_body_without_a_declared_length_is_cut_off_at_the_limit_with_PACT_413()
    {
        var reply = await PostChunkedAsync("{\"x\":\"" + new string('a', 1024 * 1024 + 10) + "\"}", chunk: 16 * 1024);
        reply.Status.Should().Be(HttpStatusCode.RequestEntityTooLarge, reply.Text);
        reply.Code.Should().Be("PACT-413");
    }

    [Fact]
    public async Task A_body_just_under_the_limit_arriving_in_small_chunks_is_read_whole()
    {
        // Larger than Kestrel's pipe hands over at once (and than the formatter's first buffer): read in many segments and
        // judged as the JSON it is (an envelope whose members are missing, 422), not cut short (400) or refused as too
        // large (413). 1,000 KiB: a chunked body of 1 MiB less 100 bytes, sent this way, was refused with 413 here.
        var body = "{\"x\":\"" + new string('a', 1000 * 1024) + "\"}";
        var reply = await PostChunkedAsync(body, chunk: 1000);
        reply.Status.Should().Be(HttpStatusCode.UnprocessableEntity, reply.Text);
        reply.Code.Should().Be("PACT-101");
    }

    [Fact]
    public async Task An_empty_body_without_a_declared_length_is_refused_with_PACT_100()
    {
        // Sent chunked, so that the formatter reads it (MVC answers a declared length of 0 before any formatter does).
        var reply = await PostChunkedAsync("", chunk: 1);
        reply.Status.Should().Be(HttpStatusCode.BadRequest, reply.Text);
        reply.Code.Should().Be("PACT-100");
        reply.Text.Should().Contain("The request body is empty; send a JSON document.");
    }

    /// <summary>POSTs <paramref name="body"/> as JSON with chunked transfer encoding, <paramref name="chunk"/> bytes at a time.</summary>
    private async Task<Reply> PostChunkedAsync(string body, int chunk)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        using var content = new PushStreamContent(async stream =>
        {
            for (var at = 0; at < bytes.Length; at += chunk)
            {
                await stream.WriteAsync(bytes.AsMemory(at, Math.Min(chunk, bytes.Length - at)));
                await stream.FlushAsync();
            }
        });
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await daemon.Http.PostAsync("/v1/sessions", content);
        return await Reply.From(response);
    }

    /// <summary>Content written by a callback, so HttpClient knows no length and sends it chunked.</summary>
    private sealed class PushStreamContent(Func<Stream, Task> write) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => write(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_get_ProblemDetails()
    {
        var missing = await daemon.Http.GetAsync("/v1/nothing-here");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Reply.From(missing)).Code.Should().Be("PACT-404");
        var wrong = await daemon.Http.DeleteAsync("/v1/daemon");
        wrong.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await Reply.From(wrong)).Code.Should().Be("PACT-405");
    }

    [Fact]
    public async Task A_foreign_Host_header_is_refused_with_PACT_421_while_on_loopback()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/daemon");
        request.Headers.Host = "attacker.example";
        var reply = await Reply.From(await daemon.Http.SendAsync(request));
        ((int)reply.Status).Should().Be(421);
        reply.Code.Should().Be("PACT-421");
    }

    [Fact]
    public async Task Reads_without_a_valid_token_are_refused_with_PACT_207()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var reply = await agent.GetAsync("/v1/sessions", token: "pat_forged.token");
        reply.Status.Should().Be(HttpStatusCode.Unauthorized);
        reply.Code.Should().Be("PACT-207");
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Hardening;

/// <summary>Every refusal the daemon writes itself is a ProblemDetails with a PACT code, of bounded size; HEAD is served.</summary>
public class ProblemAnswersTests(DaemonFixture daemon) : IClassFixture<DaemonFixture>
{
    [Theory]
    [InlineData("application/json", "")]
    [InlineData("text/json", "")]
    [InlineData("application/json", "   ")]
    public async Task A_missing_body_is_a_ProblemDetails(string contentType, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var reply = await Reply.From(await daemon.Http.PostAsync("/v1/sessions", content));
        reply.Status.Should().Be(HttpStatusCode.BadRequest);
        reply.ContentType.Should().Be("application/problem+json");
        reply.Code.Should().Be("PACT-100");
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "a[=1", 415, "PACT-415")]
    [InlineData("multipart/form-data; boundary=x", "--x--", 415, "PACT-415")]
    [InlineData("text/json", "{\"payload\":{\"type\":\"a\",\"type\":\"b\"},\"signer\":\"a\",\"sig\":\"b\"}", 400, "PACT-100")]
    [InlineData("application/problem+json", "{\"a\":1,\"a\":2}", 400, "PACT-100")]
    public async Task Only_the_strict_JSON_reader_reads_bodies(string contentType, string body, int status, string code)
    {
        // Found by the fuzz test: MVC's form reader threw on "a[" and the lenient JSON reader took text/json.
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var reply = await Reply.From(await daemon.Http.PostAsync("/v1/sessions/ses_x/resume", content));
        ((int)reply.Status).Should().Be(status, reply.Text);
        reply.Code.Should().Be(code);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("[{\"minScore\":1}]")]
    [InlineData("5")]
    public async Task A_JSON_body_that_is_not_an_object_is_a_PACT_101_in_plain_words(string body)
    {
        // Found by review: an array's detail quoted the serializer's .NET type names, and null was taken for a missing body.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/compacts/cmp_x/check") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DaemonHost.AdminToken);
        var reply = await Reply.From(await daemon.Http.SendAsync(request));
        ((int)reply.Status).Should().Be(422, reply.Text);
        reply.Code.Should().Be("PACT-101");
        reply.Text.Should().Contain("The body must be a JSON object.").And.NotContain("System.");
    }

    [Fact]
    public async Task An_unknown_OpenAPI_document_is_a_PACT_404()
    {
        var reply = await Reply.From(await daemon.Http.GetAsync("/openapi/v2.json"));
        reply.Status.Should().Be(HttpStatusCode.NotFound);
        reply.ContentType.Should().Be("application/problem+json");
        reply.Code.Should().Be("PACT-404");
        (await daemon.Http.GetAsync("/openapi/v1.json")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task HEAD_is_answered_like_GET_without_a_body()
    {
        using var head = await daemon.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v1/daemon"));
        head.StatusCode.Should().Be(HttpStatusCode.OK);
        head.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await head.Content.ReadAsByteArrayAsync()).Should().BeEmpty();

        using var unauthenticated = await daemon.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v1/sessions"));
        unauthenticated.StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var agent = await daemon.RegisteredAgentAsync();
        using var stream = new HttpRequestMessage(HttpMethod.Head, "/v1/events/stream");
        stream.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await agent.TokenAsync());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var streamed = await daemon.Http.SendAsync(stream, cts.Token);
        streamed.StatusCode.Should().Be(HttpStatusCode.OK, "a HEAD on a live stream ends after the headers");
        streamed.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
    }

    [Fact]
    public async Task A_huge_bad_value_is_not_echoed_back_in_full()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var name = new string('x', 900_000);
        var reply = await agent.PostAsync("/v1/sessions", "session.create", new JsonObject
        {
            ["participants"] = new JsonArray(agent.Did),
            [name] = 1,
        });
        reply.Status.Should().Be(HttpStatusCode.UnprocessableEntity);
        reply.Code.Should().Be("PACT-101");
        // The pointer names the member exactly (§4.2); the detail and the message quote only its beginning.
        reply.Json!["errors"]![0]!["pointer"]!.GetValue<string>().Should().Be("/payload/" + name);
        reply.Text.Length.Should().BeLessThan(name.Length + 5_000, "the value is echoed once, in the pointer");
        reply.Json!["detail"]!.GetValue<string>().Should().Contain("xxxx").And.EndWith("… (cut)");
    }
}

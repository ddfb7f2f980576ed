using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Pact.Client.Tests.Support;
using Pact.Core.Errors;

namespace Pact.Client.Tests;

public class ProblemDetailsTests
{
    private const string Validation = """
        { "type": "urn:pact:error:PACT-102", "title": "Terms are invalid", "status": 422,
          "detail": "2 problems.", "code": "PACT-102", "traceId": "00-abc-01",
          "errors": [ { "pointer": "/retention/a/0/category", "code": "PACT-102", "message": "Unknown category x-foo." },
                      { "pointer": "/tier", "code": "PACT-101", "message": "Unknown tier." } ] }
        """;

    [Fact]
    public void Problem_details_members_are_parsed()
    {
        var e = PactApiException.FromResponse(422, "Unprocessable Entity", Validation);

        e.Status.Should().Be(422);
        e.Code.Should().Be("PACT-102");
        e.Title.Should().Be("Terms are invalid");
        e.Detail.Should().Be("2 problems.");
        e.TraceId.Should().Be("00-abc-01");
        e.Type.Should().Be("urn:pact:error:PACT-102");
        e.IsProblemDetails.Should().BeTrue();
        e.Errors.Should().Equal(
            new FieldError("/retention/a/0/category", "PACT-102", "Unknown category x-foo."),
            new FieldError("/tier", "PACT-101", "Unknown tier."));
        e.RawBody.Should().Be(Validation);
        e.Message.Should().Be("PACT-102 Terms are invalid (422): 2 problems.");
        e.ToPactError().Should().BeEquivalentTo(new PactError("PACT-102", 422, "Terms are invalid", "2 problems.", e.Errors));
    }

    [Fact]
    public void Body_that_is_not_json_is_kept_raw()
    {
        const string html = "<html><body>Bad gateway</body></html>";

        var e = PactApiException.FromResponse(502, "Bad Gateway", html);

        e.Status.Should().Be(502);
        e.Code.Should().BeNull();
        e.IsProblemDetails.Should().BeFalse();
        e.Title.Should().Be("Bad Gateway");
        e.Errors.Should().BeEmpty();
        e.RawBody.Should().Be(html);
    }

    [Fact]
    public void Empty_body_gets_the_status_name_as_title()
    {
        var e = PactApiException.FromResponse(404, null, "");
        e.Title.Should().Be("NotFound");
        e.Code.Should().BeNull();
    }

    [Fact]
    public async Task Client_throws_the_daemons_problem_for_a_refused_envelope()
    {
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapPost("/v1/proposals/{id}/decline", (HttpContext ctx) =>
            {
                ctx.Response.Headers["Retry-After"] = "7";
                return ScriptedDaemon.WriteJsonAsync(ctx, 409, JsonNode.Parse("""
                    { "type": "urn:pact:error:PACT-301", "title": "Proposal is not open", "status": 409,
                      "detail": "Proposal prp_1 is declined.", "code": "PACT-301", "traceId": "t-1" }
                    """)!, "application/problem+json");
            }));
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());

        var act = () => client.DeclineAsync("prp_1", termsHash: new string('a', 64));

        var e = (await act.Should().ThrowAsync<PactApiException>()).Which;
        e.Status.Should().Be(409);
        e.Code.Should().Be(PactCodes.ProposalStatus);
        e.Title.Should().Be("Proposal is not open");
        e.Detail.Should().Be("Proposal prp_1 is declined.");
        e.TraceId.Should().Be("t-1");
        e.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
        daemon.RequestsTo("/v1/proposals/prp_1/decline").Should().HaveCount(1, "a 409 is final, not resent");
    }
}

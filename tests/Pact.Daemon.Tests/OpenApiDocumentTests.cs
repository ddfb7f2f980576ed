using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests;

/// <summary>
/// The served OpenAPI document is something a client generator and a linter can rely on: every operation named,
/// every tag described, and what it says about callers and streams is what the daemon does.
/// </summary>
public class OpenApiDocumentTests
{
    [Fact]
    public async Task Every_operation_has_a_unique_resource_dot_action_id_and_every_tag_a_description()
    {
        var document = await FetchAsync();
        var ids = Operations(document).Select(o => o.Operation["operationId"]?.GetValue<string>()).ToList();
        ids.Should().OnlyContain(id => id != null && Regex.IsMatch(id, "^[a-z][A-Za-z]*\\.[a-z][A-Za-z]*$"));
        ids.Should().OnlyHaveUniqueItems();
        ids.Should().Contain(["sessions.create", "proposals.sign", "events.streamSession", "health.ready"]);

        var used = Operations(document).SelectMany(o => o.Operation["tags"]!.AsArray().Select(t => t!.GetValue<string>())).ToHashSet();
        var tags = document["tags"]!.AsArray().Select(t => t!).ToList();
        tags.Select(t => t["name"]!.GetValue<string>()).Should().BeEquivalentTo(used);
        tags.Should().OnlyContain(t => !string.IsNullOrWhiteSpace(t["description"]!.GetValue<string>()));

        document["info"]!["license"]!["identifier"]!.GetValue<string>().Should().Be("MIT");
        document["servers"]!.AsArray().Should().OnlyContain(s => !s!["url"]!.GetValue<string>().EndsWith('/') || s["url"]!.GetValue<string>() == "/");
    }

    [Fact]
    public async Task Reads_marked_public_answer_without_a_token_and_reads_marked_bearer_refuse_one_without()
    {
        await using var host = await DaemonHost.StartAsync();
        using var http = host.CreateHttpClient();
        var document = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
        var reads = Operations(document).Where(o => o.Method == "get" && !o.Path.EndsWith("/stream")).ToList();
        reads.Should().HaveCountGreaterThan(15);
        foreach (var (path, _, operation) in reads)
        {
            var bearer = operation["security"]!.AsArray().Any(requirement => requirement!["bearer"] is not null);
            var url = Regex.Replace(path, "\\{[^}]+\\}", "1");
            var status = (await http.GetAsync(url)).StatusCode;
            if (bearer) status.Should().Be(HttpStatusCode.Unauthorized, $"{path} is documented as needing a bearer token");
            else status.Should().NotBe(HttpStatusCode.Unauthorized, $"{path} is documented as public");
        }
    }

    [Fact]
    public async Task Signed_operations_need_no_token_and_show_an_example_envelope_of_their_type()
    {
        var document = await FetchAsync();
        var signed = Operations(document).Where(o => o.Operation["requestBody"]?["content"]?["application/json"]?["example"]?["payload"] is not null).ToList();
        signed.Select(o => o.Operation["operationId"]!.GetValue<string>()).Should().Contain(["agents.register", "sessions.create", "subscriptions.create"]);
        foreach (var (_, _, operation) in signed)
        {
            operation["security"]!.AsArray().Should().BeEmpty();
            var type = operation["requestBody"]!["content"]!["application/json"]!["example"]!["payload"]!["type"]!.GetValue<string>();
            operation["description"]!.GetValue<string>().Should().Contain($"`{type}`");
        }
    }

    [Fact]
    public async Task The_problem_schema_documents_PACT_208s_members_and_the_passport_its_providers()
    {
        var document = await FetchAsync();
        var schemas = document["components"]!["schemas"]!;

        var problem = schemas["ProblemBody"]!["properties"]!.AsObject();
        problem.Select(p => p.Key).Should().Contain(["code", "traceId", "errors", "agent", "reason", "triggeringFactor"]);
        problem["triggeringFactor"]!["description"]!.GetValue<string>().Should().StartWith("PACT-208 only");
        var passport = schemas["PassportResponse"]!["properties"]!.AsObject();
        passport.Select(p => p.Key).Should().EndWith(["passportHash", "providers"]);
        document["paths"]!["/v1/sessions"]!["post"]!["responses"]!["403"].Should().NotBeNull();
    }

    [Fact]
    public async Task Event_streams_are_documented_as_text_event_stream_resumable_by_after_or_Last_Event_ID()
    {
        var document = await FetchAsync();
        foreach (var path in new[] { "/v1/sessions/{sessionId}/events/stream", "/v1/events/stream" })
        {
            var operation = document["paths"]![path]!["get"]!;
            operation["responses"]!["200"]!["content"]!.AsObject().Select(c => c.Key).Should().Equal("text/event-stream");
            var parameters = operation["parameters"]!.AsArray().Select(p => (Name: p!["name"]!.GetValue<string>(), In: p["in"]!.GetValue<string>())).ToList();
            parameters.Should().Contain(("after", "query")).And.Contain(("Last-Event-ID", "header"));
        }
    }

    [Fact]
    public async Task Every_write_documents_the_standbys_503_and_no_read_does()
    {
        // A standby with no writer to reach answers every forwarded write 503 PACT-503 (MultiInstanceTests); the
        // document must say so for exactly those operations, or a generated client has no type for the answer.
        var document = await FetchAsync();
        var operations = Operations(document).Where(o => o.Path.StartsWith("/v1/", StringComparison.Ordinal)).ToList();
        var writes = operations.Where(o => o.Method is not ("get" or "head" or "options")).ToList();
        writes.Should().HaveCountGreaterThan(20);
        foreach (var (path, method, operation) in writes)
        {
            var answer = operation["responses"]?["503"];
            answer.Should().NotBeNull($"{method} {path} may be answered by a standby");
            answer!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>().Should().Be("#/components/schemas/ProblemBody");
            answer["headers"]!["Retry-After"].Should().NotBeNull();
        }
        operations.Where(o => o.Method == "get").Should().OnlyContain(o => o.Operation["responses"]!["503"] == null);
    }

    private static async Task<JsonNode> FetchAsync()
    {
        await using var host = await DaemonHost.StartAsync();
        using var http = host.CreateHttpClient();
        return JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!;
    }

    private static IEnumerable<(string Path, string Method, JsonNode Operation)> Operations(JsonNode document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(op => (path.Key, op.Key, op.Value!)));
}

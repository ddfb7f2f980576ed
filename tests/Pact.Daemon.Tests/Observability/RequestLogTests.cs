using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pact.Core.Envelopes;
using Pact.Daemon.Tests.Durability;
using Pact.Daemon.Tests.Infrastructure;
using Serilog.Core;
using Serilog.Events;

namespace Pact.Daemon.Tests.Observability;

/// <summary>What the daemon writes to its log: one line per request, refusals with their PACT code, never the admin token.</summary>
public class RequestLogTests
{
    private static readonly Dictionary<string, string> Chatty = new()
    {
        ["Serilog:MinimumLevel:Default"] = "Verbose",
        ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose",
        ["Serilog:MinimumLevel:Override:System.Net.Http"] = "Verbose",
    };

    private static Task<DaemonHost> StartAsync(CollectingSink sink, IReadOnlyDictionary<string, string>? settings = null) =>
        DaemonHost.StartAsync(settings: settings ?? Chatty, configure: builder => builder.Services.AddSingleton<ILogEventSink>(sink));

    [Fact]
    public async Task A_refused_request_logs_one_line_with_its_PACT_code_status_and_traceId()
    {
        var sink = new CollectingSink();
        await using var host = await StartAsync(sink);
        using var http = host.CreateHttpClient();
        var agent = new TestAgent(http, await TestAgent.DaemonIdOf(http));
        (await agent.RegisterAsync()).Status.Should().Be(HttpStatusCode.Created);

        var tampered = agent.Sign("auth.token").ToJson();
        tampered["payload"]!["nonce"] = Envelope.NewNonce();
        var refused = await agent.PostRawAsync("/v1/auth/token", tampered.ToJsonString());
        refused.Code.Should().Be("PACT-201");

        var line = await RequestLineAsync(sink, "/v1/auth/token");
        line.Properties["RequestMethod"].ToString().Should().Be("\"POST\"");
        line.Properties["StatusCode"].ToString().Should().Be("401");
        line.Properties["PactCode"].ToString().Should().Be("\"PACT-201\"");
        line.Properties["TraceId"].ToString().Should().Be($"\"{refused.Json!["traceId"]!.GetValue<string>()}\"");
        line.Properties.Should().ContainKey("Elapsed");
        line.Level.Should().Be(LogEventLevel.Information);
        line.RenderMessage().Should().Contain("POST /v1/auth/token").And.Contain("401 PACT-201");

        var accepted = await RequestLineAsync(sink, "/v1/agents");
        accepted.Properties["StatusCode"].ToString().Should().Be("201");
        accepted.Properties["PactCode"].ToString().Should().Be("\"-\"");
        sink.RequestLines.Count(e => e.Properties["RequestPath"].ToString() == "\"/v1/auth/token\"").Should().Be(1, "one line per request");
    }

    [Fact]
    public async Task A_generated_admin_token_is_never_written_to_the_log_only_where_it_is_stored()
    {
        var sink = new CollectingSink();
        // No configured token: the daemon generates one on first start, the case that used to log it.
        await using var host = await StartAsync(sink, new Dictionary<string, string>(Chatty) { ["Pact:AdminToken"] = "" });
        var tokenPath = Path.Combine(host.DataDirectory, "admin.token");
        var token = (await File.ReadAllTextAsync(tokenPath)).Trim();
        token.Should().NotBeEmpty();

        using var http = host.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sessions");
        request.Headers.Authorization = new("Bearer", token);
        (await http.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.OK, "the admin token read from its file works");
        await RequestLineAsync(sink, "/v1/sessions");
        await host.StopAsync();

        sink.Events.Should().Contain(e => CollectingSink.Everything(e).Contains(tokenPath), "the log says where the token is kept");
        sink.Events.Select(CollectingSink.Everything).Should().NotContain(text => text.Contains(token));
    }

    [Fact]
    public async Task The_json_format_writes_one_JSON_object_per_line_and_no_admin_token()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "pact-jsonlog-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var daemon = await DaemonProcess.StartAsync(dataDirectory, TimeSpan.FromSeconds(60),
                "--Pact:Logging:Format=Json", "--Pact:AdminToken=", "--Serilog:MinimumLevel:Default=Information"))
            {
                using var http = new HttpClient { BaseAddress = daemon.BaseAddress };
                (await http.GetAsync("/v1/sessions")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
                await WaitUntilAsync(() => daemon.Output.Contains("/v1/sessions", StringComparison.Ordinal), daemon);

                var token = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin.token"))).Trim();
                var lines = daemon.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                lines.Should().NotBeEmpty();
                foreach (var line in lines)
                {
                    using var json = JsonDocument.Parse(line); // throws, failing the test, on anything but JSON
                    json.RootElement.TryGetProperty("@t", out _).Should().BeTrue(line);
                    json.RootElement.TryGetProperty("@m", out _).Should().BeTrue(line);
                    line.Should().NotContain(token);
                }
                var refusal = lines.Select(l => JsonDocument.Parse(l).RootElement).Single(e =>
                    e.TryGetProperty("Elapsed", out _) && e.TryGetProperty("RequestPath", out var path) && path.GetString() == "/v1/sessions");
                refusal.GetProperty("StatusCode").GetInt32().Should().Be(401);
                refusal.GetProperty("PactCode").GetString().Should().StartWith("PACT-");
                refusal.GetProperty("@tr").GetString().Should().Be(refusal.GetProperty("TraceId").GetString());
            }
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    /// <summary>The request line is written once the response completed, so a moment after the client saw it.</summary>
    private static async Task<LogEvent> RequestLineAsync(CollectingSink sink, string path)
    {
        LogEvent? line = null;
        await WaitUntilAsync(() => (line = sink.RequestLines.LastOrDefault(e => e.Properties["RequestPath"].ToString() == $"\"{path}\"")) is not null);
        return line!;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, DaemonProcess? daemon = null)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (deadline.IsCancellationRequested) throw new TimeoutException("Condition not met within 10 s." + (daemon is null ? "" : "\n" + daemon.Output));
            // A polling interval, not an assertion: the condition decides.
            await Task.Delay(20);
        }
    }
}

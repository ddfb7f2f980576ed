using System.Net.Sockets;
using System.Text;
using Pact.Daemon.Http;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Hardening;

/// <summary>
/// The loopback Host check (§12) answers every Host header with the request or a 421, whatever bytes it holds: an
/// invalid punycode label once made it throw, a 500 on every route for anyone.
/// </summary>
public class HostHeaderTests(DaemonFixture daemon) : IClassFixture<DaemonFixture>
{
    [Theory]
    [InlineData("xn--localhost")]
    [InlineData("xn--")]
    [InlineData("xn--.localhost")]
    [InlineData("xn--a.localhost")]
    [InlineData("xn--zz-zzz.example:7700")]
    [InlineData("[fe80::1]:80")]
    [InlineData("localhost.:1")]
    [InlineData("127.0.0.1.evil.example")]
    public async Task A_malformed_or_foreign_Host_is_refused_with_PACT_421(string host)
    {
        var (status, body) = await SendRawAsync(host);
        status.Should().Be(421, $"Host '{host}' is not a loopback name");
        body.Should().Contain("PACT-421");
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("LOCALHOST:7700")]
    [InlineData("a.localhost")]
    [InlineData("xn--bcher-kva.localhost")]
    [InlineData("127.0.0.1:1")]
    [InlineData("[::1]:7700")]
    public async Task Loopback_names_pass(string host)
    {
        foreach (var path in Paths)
        {
            var (status, _) = await SendRawAsync(host, path);
            status.Should().BeLessThan(500, $"Host '{host}' on {path}");
        }
        (await SendRawAsync(host)).Status.Should().Be(200);
    }

    /// <summary>Routes that read the host in different ways: MVC, the OpenAPI server URL, health checks, a 401, a 404.</summary>
    private static readonly string[] Paths = ["/v1/daemon", "/openapi/v1.json", "/readyz", "/v1/sessions", "/nowhere", "/swagger/index.html"];

    [Fact]
    public async Task Random_Host_headers_never_get_a_5xx()
    {
        var random = new Random(20261206);
        const string alphabet = "abcxyzXN-.:[]0123456789_~%!$&'()*+,;=@";
        for (var i = 0; i < 300; i++)
        {
            var prefix = random.Next(4) switch { 0 => "xn--", 1 => "", 2 => "localhost", _ => "xn--" };
            var suffix = random.Next(3) == 0 ? ".localhost" : "";
            var host = prefix + new string(Enumerable.Range(0, random.Next(0, 24)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray()) + suffix;
            var path = Paths[random.Next(Paths.Length)];
            var (status, _) = await SendRawAsync(host, path);
            status.Should().BeLessThan(500, $"Host '{host}' on {path} (Kestrel answers 400 to a Host it cannot parse)");
        }
    }

    [Fact]
    public async Task An_exposed_daemon_refuses_an_undecodable_Host_too_and_serves_a_foreign_one()
    {
        await using var host = await DaemonHost.StartAsync(settings: new Dictionary<string, string> { ["urls"] = "http://0.0.0.0:0" });
        var (status, body) = await SendRawAsync(host.BaseAddress.Port, "xn--localhost", "/openapi/v1.json");
        status.Should().Be(421);
        body.Should().Contain("not a valid host name");
        (await SendRawAsync(host.BaseAddress.Port, "pact.example", "/v1/daemon")).Status.Should().Be(200);
    }

    [Theory]
    [InlineData("localhost:7700", "localhost")]
    [InlineData("[::1]:7700", "[::1]")]
    [InlineData("[::1", "[::1")]
    [InlineData("example", "example")]
    public void The_host_name_is_the_header_without_its_port(string header, string expected) =>
        LoopbackHostMiddleware.HostName(header).Should().Be(expected);

    /// <summary>Sends the Host header byte for byte, as HttpClient would refuse or normalize some of these.</summary>
    private Task<(int Status, string Body)> SendRawAsync(string host, string path = "/v1/daemon") =>
        SendRawAsync(daemon.Http.BaseAddress!.Port, host, path);

    private static async Task<(int Status, string Body)> SendRawAsync(int port, string host, string path)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var request = $"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var statusLine = response[..response.IndexOf('\r')];
        return (int.Parse(statusLine.Split(' ')[1]), response);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Core.Passport;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests;

/// <summary>GET /v1/agents/{id}/passport and POST …/passport/check (§16) against a live daemon and its log.</summary>
public class PassportTests : IAsyncLifetime
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);
    private DaemonHost _host = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _host = await DaemonHost.StartAsync(_clock, store: Store);
        _admin = _host.CreateHttpClient();
        _admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", DaemonHost.AdminToken);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<(Negotiator A, Negotiator B, long SeqBeforeFailure)> SilentCounterpartyAsync()
    {
        var (a, b, before) = await PassportScenario.SilentCounterpartyAsync(_host, _clock);
        return (a, b, before);
    }

    private IPactStore PactStore => (IPactStore)_host.Services.GetService(typeof(IPactStore))!;

    [Fact]
    public async Task The_passport_counts_what_the_log_says_and_its_hash_is_what_a_full_fold_of_the_log_gives()
    {
        var (a, b, _) = await SilentCounterpartyAsync();

        var passport = await GetJsonAsync($"v1/agents/{b.Did}/passport");
        passport.Select(m => m.Key).Should().Equal("agent", "asOfSeq", "asOf", "score", "confidence", "counts", "recentFailures", "passportHash");
        passport["asOfSeq"]!.GetValue<long>().Should().Be(PactStore.HeadSeq);
        passport["counts"]!.ToJsonString().Should().Be("""{"compacts":1,"honored":0,"active":1,"revokedByAgent":0,"revokedByCounterparty":0,"failures":1,"declined":0}""");
        passport["score"]!.ToJsonString().Should().Be("33.33", "(0 + 1 + 2) / (0 + 1 + 4 + 4)");
        passport["confidence"]!.ToJsonString().Should().Be("0.1");
        var failure = passport["recentFailures"]!.AsArray().Should().ContainSingle().Subject!;
        failure["code"]!.GetValue<string>().Should().Be("PACT-502");
        failure["evidenceRefs"]!.AsArray().Should().HaveCount(2);
        passport["passportHash"]!.GetValue<string>().Should().Be(AgentPassport.HashOf(passport));

        // The audit: fold the whole log in Core and compare.
        var ledger = new PassportLedger().ApplyAll(await PactStore.ReadAllAsync(0, 10_000));
        Jcs.CanonicalString(passport).Should().Be(Jcs.CanonicalString(ledger.PassportOf(b.Did).ToJson()));
        (await GetJsonAsync($"v1/agents/{a.Did}/passport"))["counts"]!["failures"]!.GetValue<long>().Should().Be(0);
    }

    [Fact]
    public async Task A_past_seq_or_instant_selects_the_prefix_and_the_same_seq_gives_the_same_hash()
    {
        var (_, b, before) = await SilentCounterpartyAsync();

        var earlier = await GetJsonAsync($"v1/agents/{b.Did}/passport?asOfSeq={before}");
        earlier["asOfSeq"]!.GetValue<long>().Should().Be(before);
        earlier["counts"]!["failures"]!.GetValue<long>().Should().Be(0);
        var asOf = earlier["asOf"]!.GetValue<string>();
        (await PactStore.GetBySeqAsync(before))!.Time.Should().Be(asOf);

        var byInstant = await GetJsonAsync($"v1/agents/{b.Did}/passport?asOf={Uri.EscapeDataString(Pact.Core.Time.Timestamp.ToText(Start.AddDays(3)))}");
        byInstant["asOfSeq"]!.GetValue<long>().Should().Be(before, "the last event before the escalation was recorded before day 3");
        byInstant["passportHash"]!.GetValue<string>().Should().Be(earlier["passportHash"]!.GetValue<string>());

        var beforeAll = await GetJsonAsync($"v1/agents/{b.Did}/passport?asOf=2020-01-01T00:00:00.000Z");
        beforeAll["asOfSeq"]!.GetValue<long>().Should().Be(0);
        beforeAll["asOf"]!.GetValue<string>().Should().Be("2020-01-01T00:00:00.000Z");
        beforeAll["score"]!.ToJsonString().Should().Be("50");
        beforeAll["confidence"]!.ToJsonString().Should().Be("0");
    }

    [Fact]
    public async Task The_same_passport_after_a_restart()
    {
        var (_, b, _) = await SilentCounterpartyAsync();
        var first = await GetJsonAsync($"v1/agents/{b.Did}/passport");

        await _host.RestartAsync();

        (await GetJsonAsync($"v1/agents/{b.Did}/passport")).ToJsonString().Should().Be(first.ToJsonString());
    }

    [Theory]
    [InlineData("?asOfSeq=999999", "/asOfSeq")]
    [InlineData("?asOfSeq=0", "/asOfSeq")]
    [InlineData("?asOfSeq=-1", "/asOfSeq")]
    [InlineData("?asOfSeq=x", "/asOfSeq")]
    [InlineData("?asOf=2030-01-01T00:00:00.000Z", "/asOf")]
    [InlineData("?asOf=yesterday", "/asOf")]
    [InlineData("?asOf=2026-11-21T12:00:00.000Z&asOfSeq=1", "/asOf")]
    [InlineData("?asOfSeq=", "/asOfSeq")]
    [InlineData("?asOfSeq=1&asOfSeq=2", "/asOfSeq")]
    [InlineData("?asOf=", "/asOf")]
    [InlineData("?asOf=2026-11-21T12:00:00.000Z&asOf=2026-11-21T12:00:00.000Z", "/asOf")]
    public async Task Bad_selections_are_PACT_101(string query, string pointer)
    {
        var a = await Negotiator.RegisterAsync(_host, "A", clock: _clock);

        using var response = await _admin.GetAsync($"v1/agents/{a.Did}/passport{query}");

        await ExpectProblemAsync(response, HttpStatusCode.UnprocessableEntity, "PACT-101", pointer);
    }

    [Fact]
    public async Task An_unknown_agent_is_404_and_a_missing_token_401()
    {
        using var unknown = await _admin.GetAsync("v1/agents/did:key:z6MkUnknown/passport");
        await ExpectProblemAsync(unknown, HttpStatusCode.NotFound, "PACT-404", null);

        using var anonymous = _host.CreateHttpClient();
        using var refused = await anonymous.GetAsync("v1/agents/did:key:z6MkUnknown/passport");
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Any_agent_may_read_and_check_another_agents_passport_with_its_bearer_token()
    {
        var (a, b, _) = await SilentCounterpartyAsync();
        var c = await Negotiator.RegisterAsync(_host, "C", clock: _clock);
        using var reader = _host.CreateHttpClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await c.Client.GetTokenAsync()).Token);

        using var response = await reader.GetAsync($"v1/agents/{b.Did}/passport");
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var check = await reader.PostAsync($"v1/agents/{a.Did}/passport/check", Json("""{"minScore":0,"minConfidence":0}"""));
        check.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_check_answers_with_the_first_reason_and_the_figure_or_failure_that_decided()
    {
        var (a, b, before) = await SilentCounterpartyAsync();

        var open = await CheckAsync(b.Did, """{"minScore":0,"minConfidence":0}""");
        open.ToJsonString().Should().StartWith("""{"pass":true,"reason":null,"score":33.33,"confidence":0.1,"minScoreRequired":0,"minConfidenceRequired":0,"triggeringFactor":null,"passportHash":""");

        var history = await CheckAsync(b.Did, """{"minScore":1,"minConfidence":0}""");
        history["pass"]!.GetValue<bool>().Should().BeFalse();
        history["reason"]!.GetValue<string>().Should().Be("INSUFFICIENT_HISTORY");
        history["triggeringFactor"]!.GetValue<string>().Should().Contain("1 compact");
        history["minScoreRequired"]!.GetValue<long>().Should().Be(1);
        history["passportHash"]!.GetValue<string>().Should().Be((await GetJsonAsync($"v1/agents/{b.Did}/passport"))["passportHash"]!.GetValue<string>());

        var past = await CheckAsync(a.Did, $$"""{"minScore":0,"minConfidence":0,"asOfSeq":{{before}}}""");
        past["passportHash"]!.GetValue<string>().Should().Be((await GetJsonAsync($"v1/agents/{a.Did}/passport?asOfSeq={before}"))["passportHash"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_SDK_reads_the_passport_and_the_check_as_Core_records_with_the_served_figures()
    {
        var (a, b, before) = await SilentCounterpartyAsync();

        var served = await GetJsonAsync($"v1/agents/{b.Did}/passport");
        var passport = await a.Client.GetPassportAsync(b.Did);
        var past = await a.Client.GetPassportAsync(b.Did, asOfSeq: before);
        var byInstant = await a.Client.GetPassportAsync(b.Did, asOf: Start.AddDays(3));
        var verdict = await a.Client.CheckPassportAsync(b.Did, minScore: 3000, minConfidence: 5);
        var pastVerdict = await a.Client.CheckPassportAsync(b.Did, 0, 0, asOfSeq: before);

        Jcs.CanonicalString(System.Text.Json.JsonSerializer.SerializeToNode(passport, PactJson.Options)).Should().Be(Jcs.CanonicalString(served));
        passport.Counts.Failures.Should().Be(1);
        passport.RecentFailures.Should().ContainSingle().Which.Code.Should().Be("PACT-502");
        past.AsOfSeq.Should().Be(before);
        byInstant.PassportHash.Should().Be(past.PassportHash);
        verdict.Pass.Should().BeFalse();
        verdict.Reason.Should().Be(PassportReasons.InsufficientHistory);
        verdict.MinScoreRequired.Should().Be(3000);
        verdict.PassportHash.Should().Be(passport.PassportHash);
        pastVerdict.Pass.Should().BeTrue();
        pastVerdict.PassportHash.Should().Be(past.PassportHash);
        await a.Client.Invoking(c => c.GetPassportAsync(b.Did, 1, Start)).Should().ThrowAsync<ArgumentException>();
        (await a.Client.Invoking(c => c.GetPassportAsync(b.Did, asOfSeq: 999_999)).Should().ThrowAsync<Pact.Client.PactApiException>())
            .Which.Code.Should().Be("PACT-101");
    }

    [Fact]
    public async Task The_SDK_audit_recomputes_the_passport_from_the_log_with_the_admin_token()
    {
        var (a, b, before) = await SilentCounterpartyAsync();
        var c = await Negotiator.RegisterAsync(_host, "C", clock: _clock);
        using var http = _host.CreateHttpClient();
        var admin = new Pact.Client.PactClient(http, key: null, new Pact.Client.PactClientOptions { AdminToken = DaemonHost.AdminToken });

        var atHead = await admin.AuditPassportAsync(b.Did);
        var atOld = await admin.AuditPassportAsync(b.Did, before);

        atHead.Ok.Should().BeTrue(atHead.FirstDifference);
        atHead.EventsFolded.Should().Be(PactStore.HeadSeq);
        atHead.RecomputedHash.Should().Be((await a.Client.GetPassportAsync(b.Did)).PassportHash);
        atOld.Ok.Should().BeTrue(atOld.FirstDifference);
        atOld.AsOfSeq.Should().Be(before);
        (await c.Client.AuditPassportAsync(b.Did)).Ok.Should().BeTrue("C's client carries the admin token too: it reads the log with it");
        var noToken = new Pact.Client.PactClient(http, c.Key);
        await noToken.Invoking(x => x.AuditPassportAsync(b.Did)).Should().ThrowAsync<InvalidOperationException>("only the admin token reads every stream");
    }

    [Theory]
    [InlineData("""{"minConfidence":0}""", "/minScore")]
    [InlineData("""{"minScore":0}""", "/minConfidence")]
    [InlineData("""{"minScore":-1,"minConfidence":0}""", "/minScore")]
    [InlineData("""{"minScore":1.5,"minConfidence":0}""", "/minScore")]
    [InlineData("""{"minScore":"60","minConfidence":0}""", "/minScore")]
    [InlineData("""{"minScore":0,"minConfidence":0,"asOfSeq":999999}""", "/asOfSeq")]
    public async Task Bad_thresholds_are_PACT_101(string body, string pointer)
    {
        var a = await Negotiator.RegisterAsync(_host, "A", clock: _clock);

        using var response = await _admin.PostAsync($"v1/agents/{a.Did}/passport/check", Json(body));

        await ExpectProblemAsync(response, HttpStatusCode.UnprocessableEntity, "PACT-101", pointer);
    }

    [Fact]
    public async Task A_check_body_that_is_not_JSON_is_PACT_100()
    {
        var a = await Negotiator.RegisterAsync(_host, "A", clock: _clock);

        using var response = await _admin.PostAsync($"v1/agents/{a.Did}/passport/check", Json("{minScore:"));

        await ExpectProblemAsync(response, HttpStatusCode.BadRequest, "PACT-100", null);
    }

    private async Task<JsonObject> GetJsonAsync(string path)
    {
        using var response = await _admin.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return (JsonObject)JsonNode.Parse(text)!;
    }

    private async Task<JsonObject> CheckAsync(string agent, string body)
    {
        using var response = await _admin.PostAsync($"v1/agents/{agent}/passport/check", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return (JsonObject)JsonNode.Parse(text)!;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task ExpectProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, string? pointer)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonNode.Parse(text)!;
        problem["code"]!.GetValue<string>().Should().Be(code);
        if (pointer is not null) problem["errors"]![0]!["pointer"]!.GetValue<string>().Should().Be(pointer, text);
    }
}

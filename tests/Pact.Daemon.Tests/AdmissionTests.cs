using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Pact.Core.Contracts;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests;

/// <summary>session.create's passport admission (§16): PACT-208 for the first participant that fails, nothing recorded.</summary>
public sealed class AdmissionTests : IAsyncLifetime
{
    private DaemonHost _host = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await DaemonHost.StartAsync();
        _http = _host.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private IPactStore Store => (IPactStore)_host.Services.GetService(typeof(IPactStore))!;

    [Fact]
    public async Task A_participant_without_history_is_refused_with_its_reason_and_nothing_is_recorded()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B");
        var head = Store.HeadSeq;

        var problem = await RefusedAsync(a, new SessionCreatePayload([a.Did, b.Did], Admission: new SessionAdmission(6000, 50)), HttpStatusCode.Forbidden);

        problem["code"]!.GetValue<string>().Should().Be("PACT-208");
        problem["type"]!.GetValue<string>().Should().Be("urn:pact:error:PACT-208");
        problem["agent"]!.GetValue<string>().Should().Be(b.Did);
        problem["reason"]!.GetValue<string>().Should().Be("INSUFFICIENT_HISTORY");
        problem["triggeringFactor"]!.GetValue<string>().Should().Contain(b.Did).And.Contain("0 compacts");
        Store.HeadSeq.Should().Be(head, "a refused session.create records nothing");
    }

    [Fact]
    public async Task The_first_failing_participant_in_the_given_order_is_named_and_the_signer_is_not_judged()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B");
        var c = await Negotiator.RegisterAsync(_host, "C");

        (await RefusedAsync(a, new SessionCreatePayload([c.Did, a.Did, b.Did], Admission: new SessionAdmission(1, 0)), HttpStatusCode.Forbidden))["agent"]!
            .GetValue<string>().Should().Be(c.Did);
        (await RefusedAsync(a, new SessionCreatePayload([a.Did, b.Did, c.Did], Admission: new SessionAdmission(1, 0)), HttpStatusCode.Forbidden))["agent"]!
            .GetValue<string>().Should().Be(b.Did);
    }

    [Fact]
    public async Task Thresholds_of_0_admit_anyone_and_session_created_records_the_admission_only_when_asked()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B");

        var admitted = await a.Client.CreateSessionAsync([a.Did, b.Did], new SessionAdmission(0, 0));
        var plain = await a.Client.CreateSessionAsync([a.Did, b.Did]);

        var created = (await a.Client.GetEventsAsync(admitted.SessionId)).Events[0];
        created.Data.Select(m => m.Key).Should().BeEquivalentTo("envelope", "participants", "topic", "metadata", "admission");
        Pact.Core.Json.Jcs.CanonicalString(created.Data["admission"]).Should().Be("""{"minConfidence":0,"minScore":0}""");
        (await a.Client.GetEventsAsync(plain.SessionId)).Events[0].Data.Select(m => m.Key).Should().BeEquivalentTo("envelope", "participants", "topic", "metadata");
    }

    [Fact]
    public async Task An_agent_with_enough_history_is_admitted_and_one_short_of_the_confidence_is_not()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var c = await Negotiator.RegisterAsync(_host, "C");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        for (var i = 0; i < 3; i++) await a.NegotiateAsync(b, session, await a.DraftAsync(b, from: DateTimeOffset.UtcNow.AddDays(-1)));

        // A: 3 compacts in force: score (3 + 2) / (3 + 4) = 71.43, confidence 0.15.
        await c.Client.CreateSessionAsync([c.Did, a.Did], new SessionAdmission(7143, 15));
        var problem = await RefusedAsync(c, new SessionCreatePayload([c.Did, a.Did], Admission: new SessionAdmission(7143, 16)), HttpStatusCode.Forbidden);
        problem["reason"]!.GetValue<string>().Should().Be("LOW_CONFIDENCE");
        problem["triggeringFactor"]!.GetValue<string>().Should().Be("Confidence 0.15 is below the required 0.16: 3 compacts and 0 failures, of the 20 that give full confidence.");
        (await RefusedAsync(c, new SessionCreatePayload([c.Did, a.Did], Admission: new SessionAdmission(7144, 0)), HttpStatusCode.Forbidden))["reason"]!
            .GetValue<string>().Should().Be("LOW_SCORE");
    }

    [Theory]
    [InlineData("""{"minScore":"60","minConfidence":0}""")]
    [InlineData("""{"minScore":60}""")]
    [InlineData("""{"minScore":-1,"minConfidence":0}""")]
    [InlineData("""{"minScore":1.5,"minConfidence":0}""")]
    [InlineData("""{"minScore":0,"minConfidence":0,"maxAge":"P30D"}""")]
    [InlineData("null")]
    [InlineData("[0,0]")]
    public async Task A_malformed_admission_is_PACT_101_at_its_pointer(string admission)
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B");
        var envelope = await a.Client.CreateEnvelopeAsync("session.create", new JsonObject
        {
            ["participants"] = new JsonArray(a.Did, b.Did),
            ["admission"] = JsonNode.Parse(admission),
        });

        var problem = await PostAsync(envelope.ToJson(), HttpStatusCode.UnprocessableEntity);

        problem["code"]!.GetValue<string>().Should().Be("PACT-101");
        // A non-integer number is already refused by §0's rule for signed objects, at the number itself.
        problem["errors"]![0]!["pointer"]!.GetValue<string>().Should().StartWith("/payload/admission");
    }

    [Fact]
    public async Task Admission_is_judged_after_every_other_check()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var unregistered = Pact.Core.Crypto.KeyPair.Generate().Did;

        var problem = await RefusedAsync(a, new SessionCreatePayload([a.Did, unregistered], Admission: new SessionAdmission(9000, 90)), HttpStatusCode.UnprocessableEntity);

        problem["code"]!.GetValue<string>().Should().Be("PACT-101");
        problem["errors"]![0]!["pointer"]!.GetValue<string>().Should().Be("/payload/participants/1");
    }

    private async Task<JsonObject> RefusedAsync(Negotiator signer, SessionCreatePayload payload, HttpStatusCode status) =>
        await PostAsync((await signer.Client.CreateEnvelopeAsync(payload)).ToJson(), status);

    private async Task<JsonObject> PostAsync(JsonObject envelope, HttpStatusCode status)
    {
        using var response = await _http.PostAsync("v1/sessions", new StringContent(envelope.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, text);
        return (JsonObject)JsonNode.Parse(text)!;
    }
}

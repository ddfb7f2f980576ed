using System.Text.Json.Nodes;
using FluentAssertions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Pact.Client.Tests.Support;
using Pact.Core.Contracts;
using Pact.Core.Encoding;
using Pact.Core.Envelopes;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Time;

namespace Pact.Client.Tests;

public class ClientRequestTests
{
    private static readonly DateTimeOffset Start = Timestamp.Parse("2026-11-21T12:00:00.123Z");

    private static PactClientOptions Options(TimeProvider clock, int maxAttempts = 4) =>
        new() { TimeProvider = clock, RetryDelay = TimeSpan.Zero, MaxAttempts = maxAttempts };

    private static Envelope ParseEnvelope(RecordedRequest request)
    {
        var (envelope, error) = Envelope.Parse(request.Json());
        error.Should().BeNull();
        return envelope!;
    }

    [Fact]
    public async Task Session_create_envelope_is_signed_by_the_agent_for_this_daemon()
    {
        var clock = new FakeTimeProvider(Start);
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapPost("/v1/sessions", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 201, new JsonObject { ["sessionId"] = "ses_1" })), clock);
        using var http = daemon.CreateHttpClient();
        var key = AgentKey.FromSeed(TestData.Key("contractor").Seed);
        var client = new PactClient(http, key, Options(clock));
        var other = TestData.Key("homeowner").Did;

        var created = await client.CreateSessionAsync([key.Did, other], topic: "kitchen remodel");

        created.SessionId.Should().Be("ses_1");
        var request = daemon.RequestsTo("/v1/sessions").Single();
        request.Header("Content-Type").Should().Be("application/json; charset=utf-8");
        var envelope = ParseEnvelope(request);
        envelope.VerifySignature().Should().BeTrue();
        envelope.Signer.Should().Be(key.Did);
        envelope.Type.Should().Be("session.create");
        envelope.Audience.Should().Be(ScriptedDaemon.DaemonKey.Did);
        envelope.Payload["issuedAt"]!.GetValue<string>().Should().Be("2026-11-21T12:00:00.123Z");
        Base64Url.Decode(envelope.Nonce).Should().HaveCount(16);
        envelope.Payload.Select(m => m.Key).Should().BeEquivalentTo(["type", "aud", "issuedAt", "nonce", "participants", "topic"],
            "an optional member left out is omitted, not sent as null");
        envelope.Payload["participants"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal(key.Did, other);
        envelope.Payload["topic"]!.GetValue<string>().Should().Be("kitchen remodel");
    }

    [Fact]
    public async Task Each_envelope_gets_a_fresh_nonce_and_discovery_happens_once()
    {
        var clock = new FakeTimeProvider(Start);
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapPost("/v1/sessions/{id}/suspend", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 200, SessionJson("suspended"))), clock);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate(), Options(clock));

        var first = await client.SuspendSessionAsync("ses_1");
        clock.Advance(TimeSpan.FromSeconds(2));
        await client.SuspendSessionAsync("ses_1");

        first.Status.Should().Be("suspended");
        first.Head.Should().Be(new StreamHead(4, new string('c', 64)));
        var envelopes = daemon.RequestsTo("/v1/sessions/ses_1/suspend").Select(ParseEnvelope).ToList();
        envelopes.Should().HaveCount(2);
        envelopes.Select(e => e.Nonce).Distinct().Should().HaveCount(2);
        envelopes[0].Payload["sessionId"]!.GetValue<string>().Should().Be("ses_1");
        envelopes[1].Payload["issuedAt"]!.GetValue<string>().Should().Be("2026-11-21T12:00:02.123Z");
        daemon.RequestsTo("/v1/daemon").Should().HaveCount(1);
    }

    [Fact]
    public async Task Registration_reports_whether_it_created_the_agent()
    {
        var calls = 0;
        var key = AgentKey.Generate();
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapPost("/v1/agents", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, Interlocked.Increment(ref calls) == 1 ? 201 : 200, new JsonObject
            {
                ["agentId"] = key.Did,
                ["publicKey"] = key.PublicKeyB64u,
                ["principal"] = new JsonObject { ["id"] = "acme", ["kind"] = "organization", ["name"] = "Acme" },
                ["displayName"] = null,
                ["registeredAt"] = "2026-11-21T12:00:00.000Z",
            })));
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, key);
        var principal = new Principal("acme", PrincipalKinds.Organization, "Acme");

        var first = await client.RegisterAsync(principal, invite: "inv-1");
        var again = await client.RegisterAsync(principal);

        first.Created.Should().BeTrue();
        again.Created.Should().BeFalse();
        first.Agent.Should().Be(new AgentInfo(key.Did, key.PublicKeyB64u, principal, null, Timestamp.Parse("2026-11-21T12:00:00.000Z")));
        var payload = ParseEnvelope(daemon.RequestsTo("/v1/agents")[0]).Payload;
        payload["type"]!.GetValue<string>().Should().Be("agent.register");
        Jcs.CanonicalString(payload["principal"]).Should().Be("""{"id":"acme","kind":"organization","name":"Acme"}""");
        payload["invite"]!.GetValue<string>().Should().Be("inv-1");
        payload.ContainsKey("displayName").Should().BeFalse();
    }

    [Fact]
    public async Task Propose_signs_the_terms_as_the_agents_party()
    {
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapPost("/v1/sessions/{id}/proposals", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 201, new JsonObject
            {
                ["proposalId"] = "prp_1",
                ["termsHash"] = "306b186df65d16913770eeadedfc6d6e20319389e8d45cd20aa7fdfb716ff3d4",
                ["status"] = "open",
                ["expiresAt"] = "2026-12-05T12:00:00.000Z",
                ["warnings"] = new JsonArray(),
            })));
        using var http = daemon.CreateHttpClient();
        var contractor = TestData.Key("contractor");
        var client = new PactClient(http, AgentKey.FromSeed(contractor.Seed));
        var terms = (JsonObject)TestData.Json("examples/kitchen-remodel.terms.json");

        var created = await client.ProposeAsync("ses_1", terms, PrincipalAuthority.Signature(TestData.Key("contractorPrincipal")));

        created.ProposalId.Should().Be("prp_1");
        created.ExpiresAt.Should().Be(Timestamp.Parse("2026-12-05T12:00:00.000Z"));
        var envelope = ParseEnvelope(daemon.RequestsTo("/v1/sessions/ses_1/proposals").Single());
        envelope.VerifySignature().Should().BeTrue();
        envelope.Type.Should().Be("proposal.create");
        envelope.Payload["sessionId"]!.GetValue<string>().Should().Be("ses_1");
        envelope.Payload.ContainsKey("replaces").Should().BeFalse();
        Jcs.CanonicalString(envelope.Payload["terms"]).Should().Be(Jcs.CanonicalString(terms), "the terms travel unchanged");
        var signature = envelope.Payload["signature"]!.AsObject();
        signature["party"]!.GetValue<string>().Should().Be("a");
        signature["sig"]!.GetValue<string>().Should().Be(TestData.PactVectors["compact"]!["firstSig"]!.GetValue<string>());
        signature["principalAuthorization"]!["method"]!.GetValue<string>().Should().Be("principal-signature");
    }

    [Fact]
    public async Task Sign_fetches_the_proposal_and_countersigns_its_first_signature()
    {
        var terms = (JsonObject)TestData.Json("examples/kitchen-remodel.terms.json");
        var vector = TestData.PactVectors["compact"]!;
        var record = (JsonObject)vector["record"]!;
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
        {
            app.MapGet("/v1/proposals/prp_1", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 200, new JsonObject
            {
                ["proposalId"] = "prp_1",
                ["sessionId"] = "ses_1",
                ["status"] = "open",
                ["terms"] = terms.DeepClone(),
                ["termsHash"] = vector["termsHash"]!.DeepClone(),
                ["proposer"] = "a",
                ["signatures"] = new JsonArray(record["signatures"]![0]!.DeepClone()),
                ["expiresAt"] = null,
                ["history"] = new JsonArray(),
            }));
            app.MapPost("/v1/proposals/prp_1/sign", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 200, record.DeepClone()));
        });
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.FromSeed(TestData.Key("homeowner").Seed));
        var policyHash = record["signatures"]![1]!["principalAuthorization"]!["policyHash"]!.GetValue<string>();

        var signed = await client.SignProposalAsync("prp_1", PrincipalAuthority.StandingPolicy(policyHash));

        signed.CompactHash.Should().Be(record["compactHash"]!.GetValue<string>());
        daemon.RequestsTo("/v1/proposals/prp_1").Single().Header("Authorization").Should().Be("Bearer token-1");
        var payload = ParseEnvelope(daemon.RequestsTo("/v1/proposals/prp_1/sign").Single()).Payload;
        payload["type"]!.GetValue<string>().Should().Be("proposal.sign");
        payload["termsHash"]!.GetValue<string>().Should().Be(vector["termsHash"]!.GetValue<string>());
        payload["signature"]!["party"]!.GetValue<string>().Should().Be("b");
        payload["signature"]!["sig"]!.GetValue<string>().Should().Be(vector["secondSig"]!.GetValue<string>());
    }

    [Fact]
    public async Task Envelope_is_resent_identically_after_a_dropped_connection()
    {
        var clock = new FakeTimeProvider(Start);
        var attempts = 0;
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapPost("/v1/sessions", (HttpContext ctx) =>
            {
                if (Interlocked.Increment(ref attempts) == 1)
                {
                    ctx.Abort(); // the daemon may have acted; the answer is lost on the way
                    return Task.CompletedTask;
                }
                return ScriptedDaemon.WriteJsonAsync(ctx, 201, new JsonObject { ["sessionId"] = "ses_1" });
            }), clock);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate(), Options(clock));

        var created = await client.CreateSessionAsync(["did:key:a", "did:key:b"]);

        created.SessionId.Should().Be("ses_1");
        var sent = daemon.RequestsTo("/v1/sessions");
        sent.Should().HaveCount(2);
        sent[1].Body.Should().Equal(sent[0].Body, "a resend must be the identical envelope, never re-signed with a new nonce");
        ParseEnvelope(sent[0]).VerifySignature().Should().BeTrue();
    }

    [Fact]
    public async Task Envelope_is_resent_identically_after_service_unavailable()
    {
        var attempts = 0;
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapPost("/v1/sessions/{id}/checkpoints", (HttpContext ctx) => Interlocked.Increment(ref attempts) < 3
                ? ScriptedDaemon.WriteJsonAsync(ctx, 503, new JsonObject { ["title"] = "busy" })
                : ScriptedDaemon.WriteJsonAsync(ctx, 201, new JsonObject { ["checkpointId"] = "chk_1", ["streamSeq"] = 9, ["stateHash"] = new string('e', 64), ["treeSize"] = 120 })));
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate(), new PactClientOptions { RetryDelay = TimeSpan.Zero });

        var checkpoint = await client.CheckpointAsync("ses_1", "before signing");

        checkpoint.Should().Be(new CheckpointCreated("chk_1", 9, new string('e', 64), 120));
        var sent = daemon.RequestsTo("/v1/sessions/ses_1/checkpoints");
        sent.Should().HaveCount(3);
        sent.Select(r => Convert.ToHexString(r.Body)).Distinct().Should().ContainSingle();
        ParseEnvelope(sent[0]).Payload["label"]!.GetValue<string>().Should().Be("before signing");
    }

    [Fact]
    public async Task Resending_gives_up_after_the_configured_attempts()
    {
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapPost("/v1/sessions", (HttpContext ctx) =>
            {
                ctx.Abort();
                return Task.CompletedTask;
            }));
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate(), new PactClientOptions { RetryDelay = TimeSpan.Zero, MaxAttempts = 3 });

        var act = () => client.CreateSessionAsync(["did:key:a", "did:key:b"]);

        await act.Should().ThrowAsync<HttpRequestException>();
        daemon.RequestsTo("/v1/sessions").Should().HaveCount(3);
    }

    [Fact]
    public async Task Envelope_older_than_the_resend_window_is_not_resent()
    {
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapPost("/v1/sessions", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 503, new JsonObject())));
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate(), new PactClientOptions { RetryDelay = TimeSpan.Zero, ResendWindow = TimeSpan.Zero });

        var act = () => client.CreateSessionAsync(["did:key:a", "did:key:b"]);

        (await act.Should().ThrowAsync<PactApiException>()).Which.Status.Should().Be(503);
        daemon.RequestsTo("/v1/sessions").Should().HaveCount(1);
    }

    [Fact]
    public async Task Reads_reuse_the_token_until_it_nears_expiry()
    {
        var clock = new FakeTimeProvider(Start);
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapGet("/v1/sessions/{id}", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 200, SessionJson("active"))), clock);
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate(), Options(clock));

        await client.GetSessionAsync("ses_1");
        clock.Advance(TimeSpan.FromMinutes(54));
        await client.GetSessionAsync("ses_1");
        clock.Advance(TimeSpan.FromMinutes(2)); // 4 minutes left: inside the 5-minute margin
        await client.GetSessionAsync("ses_1");

        daemon.RequestsTo("/v1/sessions/ses_1").Select(r => r.Header("Authorization"))
            .Should().Equal("Bearer token-1", "Bearer token-1", "Bearer token-2");
        var tokenEnvelope = ParseEnvelope(daemon.RequestsTo("/v1/auth/token")[0]);
        tokenEnvelope.Type.Should().Be("auth.token");
        tokenEnvelope.VerifySignature().Should().BeTrue();
    }

    [Fact]
    public async Task Read_refused_with_401_is_retried_once_with_a_new_token()
    {
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapGet("/v1/proposals/{id}", (HttpContext ctx) => ctx.Request.Headers.Authorization == "Bearer token-2"
                ? ScriptedDaemon.WriteJsonAsync(ctx, 404, Problem(404, "PACT-404"), "application/problem+json")
                : ScriptedDaemon.WriteJsonAsync(ctx, 401, Problem(401, "PACT-207"), "application/problem+json")));
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());

        var act = () => client.GetProposalAsync("prp_9");

        (await act.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-404");
        daemon.RequestsTo("/v1/proposals/prp_9").Select(r => r.Header("Authorization")).Should().Equal("Bearer token-1", "Bearer token-2");
    }

    [Fact]
    public async Task Persistent_401_surfaces_after_one_refresh()
    {
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapGet("/v1/proposals/{id}", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 401, Problem(401, "PACT-207"), "application/problem+json")));
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());

        var act = () => client.GetProposalAsync("prp_9");

        (await act.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-207");
        daemon.RequestsTo("/v1/proposals/prp_9").Should().HaveCount(2);
        daemon.TokensIssued.Should().Be(2);
    }

    [Fact]
    public async Task Invite_uses_the_admin_token()
    {
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapPost("/v1/invites", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 201, new JsonObject { ["code"] = "inv-1", ["expiresAt"] = "2026-11-22T12:00:00.000Z" })));
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, options: new PactClientOptions { AdminToken = "admin-secret" });

        var invite = await client.CreateInviteAsync("P1D");

        invite.Should().Be(new Invite("inv-1", Timestamp.Parse("2026-11-22T12:00:00.000Z")));
        var request = daemon.RequestsTo("/v1/invites").Single();
        request.Header("Authorization").Should().Be("Bearer admin-secret");
        Jcs.CanonicalString(request.Json()).Should().Be("""{"expiresIn":"P1D"}""");
    }

    [Fact]
    public async Task Event_pager_follows_next_until_the_end()
    {
        var events = EventChain("ses_1", 5);
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapGet("/v1/sessions/{id}/events", (HttpContext ctx) =>
            {
                var after = int.Parse(ctx.Request.Query["after"].ToString() is { Length: > 0 } a ? a : "0", System.Globalization.CultureInfo.InvariantCulture);
                var page = events.Skip(after).Take(2).ToList();
                var end = after + page.Count >= events.Count;
                return ScriptedDaemon.WriteJsonAsync(ctx, 200, new JsonObject
                {
                    ["events"] = new JsonArray(page.Select(e => (JsonNode)e.ToJson()).ToArray()),
                    ["next"] = end ? null : after + page.Count,
                });
            }));
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());

        var all = new List<TranscriptEvent>();
        await foreach (var e in client.GetAllEventsAsync("ses_1", pageSize: 2)) all.Add(e);

        all.Select(e => e.StreamSeq).Should().Equal(1, 2, 3, 4, 5);
        all.Should().OnlyContain(e => e.RecomputeHash() == e.Hash);
        daemon.RequestsTo("/v1/sessions/ses_1/events").Select(r => r.Query).Should().Equal("?after=0&limit=2", "?after=2&limit=2", "?after=4&limit=2");
    }

    [Fact]
    public async Task Session_list_reads_a_page_with_its_cursor()
    {
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapGet("/v1/sessions", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 200, new JsonObject
            {
                ["sessions"] = new JsonArray(SessionJson("active")),
                ["next"] = "ses_1",
            })));
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());

        var page = await client.ListSessionsAsync(status: "active", limit: 1);

        page.Sessions.Should().ContainSingle().Which.SessionId.Should().Be("ses_1");
        page.Next.Should().Be("ses_1");
        daemon.RequestsTo("/v1/sessions").Single().Query.Should().Be("?status=active&limit=1");
    }

    [Fact]
    public async Task Public_reads_send_no_token_and_the_checkpoint_is_asked_for_as_json()
    {
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
        {
            app.MapGet("/v1/log/checkpoint", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 200, new JsonObject
            {
                ["origin"] = "localhost/pact",
                ["treeSize"] = 1042,
                ["rootHash"] = new string('d', 64),
                ["note"] = "localhost/pact\n1042\n...\n",
            }));
            app.MapGet("/v1/stdlib", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 200, new JsonObject
            {
                ["entries"] = new JsonArray(new JsonObject
                {
                    ["id"] = "work-history-summary",
                    ["kind"] = "operation",
                    ["domain"] = "contractor-and-service",
                    ["version"] = "0.1",
                    ["definition"] = "A summary.",
                    ["operatesOn"] = new JsonArray("work-record"),
                }),
            }));
        });
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());

        var checkpoint = await client.GetCheckpointAsync();
        var stdlib = await client.GetStdlibAsync();

        checkpoint.Should().Be(new LogCheckpointInfo("localhost/pact", 1042, new string('d', 64), "localhost/pact\n1042\n...\n"));
        stdlib.Should().ContainSingle().Which.OperatesOn.Should().Equal("work-record");
        var request = daemon.RequestsTo("/v1/log/checkpoint").Single();
        request.Header("Accept").Should().Be("application/json");
        daemon.Requests.Should().OnlyContain(r => r.Header("Authorization") == null);
        daemon.TokensIssued.Should().Be(0);
    }

    [Fact]
    public async Task Draft_posts_the_request_with_the_bearer_token_and_returns_the_terms()
    {
        var terms = (JsonObject)TestData.Json("examples/kitchen-remodel.terms.json");
        await using var daemon = await ScriptedDaemon.StartAsync((app, _) =>
            app.MapPost("/v1/compacts/draft", (HttpContext ctx) => ScriptedDaemon.WriteJsonAsync(ctx, 200, new JsonObject { ["terms"] = terms.DeepClone() })));
        using var http = daemon.CreateHttpClient();
        var client = new PactClient(http, AgentKey.Generate());
        var parties = (JsonObject)terms["parties"]!.DeepClone();
        var scope = (JsonObject)terms["scope"]!.DeepClone();

        var draft = await client.DraftAsync("standard", "contractor-and-service", parties, scope, compactId: "cmp_kitchen-2026-0042");

        CompactSigning.TermsHash(draft.Terms).Should().Be(TestData.PactVectors["compact"]!["termsHash"]!.GetValue<string>());
        var request = daemon.RequestsTo("/v1/compacts/draft").Single();
        request.Header("Authorization").Should().Be("Bearer token-1");
        var body = request.Json();
        body.Select(m => m.Key).Should().BeEquivalentTo(["tier", "domain", "parties", "scope", "compactId"]);
        Jcs.CanonicalString(body["parties"]).Should().Be(Jcs.CanonicalString(parties));
    }

    internal static JsonObject SessionJson(string status) => new()
    {
        ["sessionId"] = "ses_1",
        ["status"] = status,
        ["participants"] = new JsonArray("did:key:a", "did:key:b"),
        ["topic"] = null,
        ["metadata"] = null,
        ["proposals"] = new JsonArray(),
        ["compacts"] = new JsonArray(),
        ["head"] = new JsonObject { ["streamSeq"] = 4, ["hash"] = new string('c', 64) },
        ["checkpoints"] = new JsonArray(),
    };

    private static JsonObject Problem(int status, string code) => new()
    {
        ["type"] = "urn:pact:error:" + code,
        ["title"] = code,
        ["status"] = status,
        ["code"] = code,
        ["traceId"] = "t",
    };

    /// <summary>A hash-linked stream of <paramref name="count"/> events, global seq = 100 + streamSeq.</summary>
    internal static List<TranscriptEvent> EventChain(string stream, int count, long seqOffset = 100)
    {
        var list = new List<TranscriptEvent>();
        var prev = Pact.Core.Events.EventChain.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var data = new JsonObject { ["n"] = i };
            var time = Timestamp.ToText(Start.AddSeconds(i));
            var hash = Pact.Core.Events.EventChain.Hash(stream, i, "test.event", time, TranscriptEvent.DaemonActor, data, prev);
            list.Add(new TranscriptEvent(seqOffset + i, stream, i, "test.event", time, TranscriptEvent.DaemonActor, data, prev, hash));
            prev = hash;
        }
        return list;
    }
}

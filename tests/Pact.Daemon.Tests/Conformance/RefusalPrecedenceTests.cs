using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Pact.Core.Envelopes;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.Conformance;

/// <summary>
/// PROTOCOL §11: when several errors apply, the first in its order answers. Each test sends one request that
/// breaks two rungs of that order at once (or two checks of §2's envelope order) and expects the higher one.
/// Black-box over HTTP, so the tests hold whatever the pipeline underneath looks like.
/// </summary>
public class RefusalPrecedenceTests(DaemonFixture daemon) : IClassFixture<DaemonFixture>
{
    private const string UnknownSession = "ses_01JD0000000000000000000000";

    // ---- body: PACT-413, PACT-415, PACT-100 ------------------------------------------------------

    [Fact]
    public async Task Body_over_the_limit_413_beats_a_content_type_that_is_not_JSON_415()
    {
        var reply = await Stranger().PostRawAsync("/v1/sessions", new string('a', 1024 * 1024 + 10), "text/plain");
        reply.Code.Should().Be("PACT-413", reply.Text);
        reply.Status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Content_type_not_JSON_415_beats_a_body_that_is_not_JSON_100()
    {
        var reply = await Stranger().PostRawAsync("/v1/sessions", "{not json", "text/plain");
        reply.Code.Should().Be("PACT-415", reply.Text);
    }

    [Fact]
    public async Task Body_not_I_JSON_100_beats_every_envelope_check()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var envelope = agent.Sign("auth.token", audience: agent.Did).ToJson().ToJsonString();
        // A duplicate member: not I-JSON, though the rest would fail the audience check.
        var duplicated = envelope[..^1] + ",\"signer\":\"" + agent.Did + "\"}";
        var reply = await agent.PostRawAsync("/v1/auth/token", duplicated);
        reply.Code.Should().Be("PACT-100", reply.Text);
        reply.Status.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Terms_over_their_limit_413_beat_the_envelope_checks()
    {
        var n = await OpenSessionAsync();
        var terms = await n.A.DraftAsync(n.B);
        terms["scope"]!["interaction"] = new string('x', 300 * 1024);
        var reply = await PostProposalAsync(n.RawA, n.A, n.SessionId, terms, audience: n.RawA.Did);
        reply.Code.Should().Be("PACT-413", reply.Text);
        reply.Status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    // ---- the envelope checks, in §2's order ------------------------------------------------------

    [Fact]
    public async Task Envelope_type_for_the_endpoint_is_checked_before_unknown_members()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var reply = await agent.PostAsync("/v1/auth/token", agent.Sign("session.suspend", new JsonObject { ["extra"] = 1 }));
        reply.Code.Should().Be("PACT-101");
        Pointer(reply).Should().Be("/payload/type");
    }

    [Fact]
    public async Task Envelope_unknown_members_are_checked_before_target_ids()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var other = await daemon.RegisteredAgentAsync();
        var session = await agent.CreateSessionAsync(other);
        var reply = await agent.PostAsync($"/v1/sessions/{session}/suspend", "session.suspend", new JsonObject { ["sessionId"] = UnknownSession, ["extra"] = 1 });
        reply.Code.Should().Be("PACT-101");
        Pointer(reply).Should().Be("/payload/extra");
    }

    [Fact]
    public async Task Envelope_target_id_101_beats_the_audience_206()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var other = await daemon.RegisteredAgentAsync();
        var session = await agent.CreateSessionAsync(other);
        var envelope = agent.Sign("session.suspend", new JsonObject { ["sessionId"] = UnknownSession }, audience: agent.Did);
        var reply = await agent.PostAsync($"/v1/sessions/{session}/suspend", envelope);
        reply.Code.Should().Be("PACT-101");
        Pointer(reply).Should().Be("/payload/sessionId");
    }

    [Fact]
    public async Task Envelope_audience_206_beats_freshness_204()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var reply = await agent.PostAsync("/v1/auth/token", agent.Sign("auth.token", issuedAt: DateTimeOffset.UtcNow.AddHours(-1), audience: agent.Did));
        reply.Code.Should().Be("PACT-206");
    }

    [Fact]
    public async Task Envelope_freshness_204_beats_the_signature_201()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var reply = await agent.PostRawAsync("/v1/auth/token", Tampered(agent.Sign("auth.token", issuedAt: DateTimeOffset.UtcNow.AddHours(-1))));
        reply.Code.Should().Be("PACT-204");
    }

    [Fact]
    public async Task Envelope_signature_201_beats_an_unknown_signer_202()
    {
        var stranger = Stranger();
        var reply = await stranger.PostRawAsync("/v1/auth/token", Tampered(stranger.Sign("auth.token")));
        reply.Code.Should().Be("PACT-201");
    }

    [Fact]
    public async Task Envelope_signature_201_beats_a_reused_nonce_203()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var nonce = Envelope.NewNonce();
        (await agent.PostAsync("/v1/auth/token", agent.Sign("auth.token", nonce: nonce))).Status.Should().Be(HttpStatusCode.OK);
        var reply = await agent.PostRawAsync("/v1/auth/token", Tampered(agent.Sign("auth.token", nonce: nonce)));
        reply.Code.Should().Be("PACT-201");
    }

    [Fact]
    public async Task Envelope_nonce_203_beats_visibility_404()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var nonce = Envelope.NewNonce();
        (await agent.PostAsync("/v1/auth/token", agent.Sign("auth.token", nonce: nonce))).Status.Should().Be(HttpStatusCode.OK);
        var reply = await agent.PostAsync($"/v1/sessions/{UnknownSession}/suspend",
            agent.Sign("session.suspend", new JsonObject { ["sessionId"] = UnknownSession }, nonce: nonce));
        reply.Code.Should().Be("PACT-203");
    }

    // ---- bearer token: PACT-207 ------------------------------------------------------------------

    [Fact]
    public async Task Bearer_token_207_beats_visibility_404()
    {
        var agent = await daemon.RegisteredAgentAsync();
        (await agent.GetAsync($"/v1/sessions/{UnknownSession}", token: "pat_forged.token")).Code.Should().Be("PACT-207");

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/v1/subscriptions/sub_01JD0000000000000000000000");
        delete.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "pat_forged.token");
        (await Reply.From(await daemon.Http.SendAsync(delete))).Code.Should().Be("PACT-207");
    }

    // ---- visibility: PACT-404 --------------------------------------------------------------------

    [Fact]
    public async Task Visibility_404_beats_the_right_to_act_205_and_invalid_terms()
    {
        var n = await OpenProposalAsync();
        var outsider = await Negotiator.RegisterAsync(daemon.Host, "Outsider");
        var raw = Raw(outsider);

        var sign = await PostSignAsync(raw, n.ProposalId, n.TermsHash, CountersignatureBy(n.B, n));
        sign.Code.Should().Be("PACT-404", sign.Text);

        var terms = (JsonObject)n.Terms.DeepClone();
        terms.Remove("scope");
        var propose = await PostProposalAsync(raw, n.A, n.SessionId, terms);
        propose.Code.Should().Be("PACT-404", propose.Text);
    }

    // ---- right to act: PACT-205 ------------------------------------------------------------------

    [Fact]
    public async Task Right_to_act_205_a_party_countersigning_in_the_other_partys_role_whatever_its_signature()
    {
        var n = await OpenProposalAsync();
        var signature = CountersignatureBy(n.B, n);
        signature["party"] = "a";
        signature["sig"] = signature["principalAuthorization"]!["sig"]!.DeepClone();

        var reply = await PostSignAsync(n.RawB, n.ProposalId, n.TermsHash, signature);

        reply.Code.Should().Be("PACT-205", reply.Text);
        reply.Status.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Right_to_act_205_beats_the_session_state_305()
    {
        var n = await OpenProposalAsync();
        await n.B.Client.SuspendSessionAsync(n.SessionId);
        var signature = CountersignatureBy(n.B, n);
        signature["party"] = "a";

        var sign = await PostSignAsync(n.RawB, n.ProposalId, n.TermsHash, signature);
        sign.Code.Should().Be("PACT-205", sign.Text);

        var decline = await n.RawA.PostAsync($"/v1/proposals/{n.ProposalId}/decline", n.RawA.Sign("proposal.decline", new JsonObject
        {
            ["proposalId"] = n.ProposalId,
            ["termsHash"] = n.TermsHash,
        }));
        decline.Code.Should().Be("PACT-205", decline.Text);
    }

    // ---- session state: PACT-305 -----------------------------------------------------------------

    [Fact]
    public async Task Session_state_305_beats_the_proposal_state_301()
    {
        var n = await OpenProposalAsync();
        await n.B.Client.DeclineAsync(n.ProposalId);
        await n.B.Client.SuspendSessionAsync(n.SessionId);

        var reply = await PostSignAsync(n.RawB, n.ProposalId, n.TermsHash, CountersignatureBy(n.B, n));
        reply.Code.Should().Be("PACT-305", reply.Text);
    }

    [Fact]
    public async Task Session_state_305_beats_invalid_terms_101()
    {
        var n = await OpenSessionAsync();
        await n.B.Client.SuspendSessionAsync(n.SessionId);
        var terms = await n.A.DraftAsync(n.B);
        terms.Remove("scope");

        var reply = await PostProposalAsync(n.RawA, n.A, n.SessionId, terms);
        reply.Code.Should().Be("PACT-305", reply.Text);
    }

    // ---- proposal, compact, revocation, marker state: PACT-301…304 ----------------------------------

    [Fact]
    public async Task Proposal_state_301_beats_a_wrong_referenced_hash_110()
    {
        var n = await OpenProposalAsync();
        await n.B.Client.DeclineAsync(n.ProposalId);

        var reply = await n.RawB.PostAsync($"/v1/proposals/{n.ProposalId}/decline", n.RawB.Sign("proposal.decline", new JsonObject
        {
            ["proposalId"] = n.ProposalId,
            ["termsHash"] = new string('0', 64),
        }));
        reply.Code.Should().Be("PACT-301", reply.Text);
    }

    [Fact]
    public async Task Slot_state_303_beats_invalid_terms_101()
    {
        var n = await OpenProposalAsync();
        await n.B.Client.DeclineAsync(n.ProposalId);
        var terms = (JsonObject)n.Terms.DeepClone();
        terms.Remove("scope");

        var reply = await PostProposalAsync(n.RawA, n.A, n.SessionId, terms);
        reply.Code.Should().Be("PACT-303", reply.Text);
    }

    // ---- referenced hashes: PACT-110 -------------------------------------------------------------

    [Fact]
    public async Task Referenced_hash_110_beats_an_invalid_countersignature_109()
    {
        var n = await OpenProposalAsync();
        var signature = CountersignatureBy(n.B, n);
        signature["sig"] = signature["principalAuthorization"]!["sig"]!.DeepClone();

        var reply = await PostSignAsync(n.RawB, n.ProposalId, new string('0', 64), signature);
        reply.Code.Should().Be("PACT-110", reply.Text);
        Pointer(reply).Should().Be("/payload/termsHash");
    }

    // ---- terms and signatures: PACT-101…112, pointers into the request body (§4.2) -----------------

    [Fact]
    public async Task Terms_and_signature_errors_point_into_the_request_body()
    {
        var n = await OpenSessionAsync();
        var terms = await n.A.DraftAsync(n.B);
        terms["scope"]!["effective"]!["until"] = terms["scope"]!["effective"]!["from"]!.DeepClone();
        var invalidTerms = await PostProposalAsync(n.RawA, n.A, n.SessionId, terms);
        invalidTerms.Status.Should().Be(HttpStatusCode.UnprocessableEntity);
        invalidTerms.Code.Should().Be("PACT-107", invalidTerms.Text);
        Pointer(invalidTerms).Should().Be("/payload/terms/scope/effective");

        // Party a's signature object carrying B's signature: it does not verify for party a's agent.
        var valid = await n.A.DraftAsync(n.B);
        var signature = n.A.Client.CreateFirstSignature(valid, n.A.Authority);
        signature["sig"] = n.B.Client.CreateFirstSignature(valid, n.B.Authority)["sig"]!.DeepClone();
        var badSignature = await PostProposalAsync(n.RawA, n.A, n.SessionId, valid, signature: signature);
        badSignature.Code.Should().Be("PACT-109", badSignature.Text);
        Pointer(badSignature).Should().Be("/payload/signature/sig");
    }

    [Fact]
    public async Task A_terms_error_found_on_sign_points_into_the_sign_request_not_into_terms_it_does_not_carry()
    {
        var n = await OpenSessionAsync();
        var upstream = await n.A.DraftAsync(n.B, from: DateTimeOffset.UtcNow.AddDays(-1));
        var upstreamId = upstream["compactId"]!.GetValue<string>();
        await n.A.NegotiateAsync(n.B, n.SessionId, upstream);
        var dependent = Negotiator.DependOn(await n.A.DraftAsync(n.B, from: DateTimeOffset.UtcNow.AddDays(-1)), upstreamId, "revocation");
        var proposal = await n.A.Client.ProposeAsync(n.SessionId, dependent, n.A.Authority);
        var revocation = await n.B.Client.RevokeAsync(upstreamId, 1, "ended", emergency: true);
        await n.A.Client.AcknowledgeRevocationAsync(upstreamId, revocation.RevocationId, revocation.InitiationHash);

        var reply = await PostSignAsync(n.RawB, proposal.ProposalId, proposal.TermsHash, CountersignatureBy(n.B, n with { Terms = dependent, TermsHash = proposal.TermsHash }));

        reply.Code.Should().Be("PACT-108", reply.Text);
        Pointer(reply).Should().Be("/payload/proposalId");
    }

    // ---- §10: a sessions filter is a reference like any other ---------------------------------------

    [Fact]
    public async Task Subscription_sessions_filter_naming_an_unknown_or_invisible_session_is_404()
    {
        var agent = await daemon.RegisteredAgentAsync();
        var other = await daemon.RegisteredAgentAsync();
        var third = await daemon.RegisteredAgentAsync();
        var own = await agent.CreateSessionAsync(other);
        var foreign = await other.CreateSessionAsync(third);

        async Task<Reply> Subscribe(params string[] sessions) => await agent.PostAsync("/v1/subscriptions", "subscription.create", new JsonObject
        {
            ["callback"] = "http://127.0.0.1:9/hook",
            ["filter"] = new JsonObject { ["sessions"] = new JsonArray(sessions.Select(s => (JsonNode)s).ToArray()) },
        });

        var unknown = await Subscribe(own, UnknownSession);
        unknown.Code.Should().Be("PACT-404");
        var invisible = await Subscribe(own, foreign);
        invisible.Code.Should().Be("PACT-404");
        invisible.Json!["detail"]!.GetValue<string>().Should().Be(unknown.Json!["detail"]!.GetValue<string>().Replace(UnknownSession, foreign, StringComparison.Ordinal),
            "an invisible session answers exactly like one that does not exist");
        (await Subscribe(own)).Status.Should().Be(HttpStatusCode.Created);
        (await agent.GetAsync("/v1/subscriptions")).Json!["subscriptions"]!.AsArray().Should().ContainSingle("a refused subscription records nothing");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    private sealed record Negotiation(Negotiator A, Negotiator B, TestAgent RawA, TestAgent RawB, string SessionId, JsonObject Terms, string ProposalId, string TermsHash);

    private static Task<Reply> PostSignAsync(TestAgent signer, string proposalId, string termsHash, JsonObject signature) =>
        signer.PostAsync($"/v1/proposals/{proposalId}/sign", signer.Sign("proposal.sign", new JsonObject
        {
            ["proposalId"] = proposalId,
            ["termsHash"] = termsHash,
            ["signature"] = signature,
        }));

    /// <summary>proposal.create of these terms, sent by <paramref name="signer"/> with <paramref name="party"/>'s first signature over them unless one is given.</summary>
    private static Task<Reply> PostProposalAsync(TestAgent signer, Negotiator party, string sessionId, JsonObject terms, string? audience = null, JsonObject? signature = null) =>
        signer.PostAsync($"/v1/sessions/{sessionId}/proposals", signer.Sign("proposal.create", new JsonObject
        {
            ["sessionId"] = sessionId,
            ["terms"] = terms.DeepClone(),
            ["signature"] = signature ?? party.Client.CreateFirstSignature(terms, party.Authority),
        }, audience: audience));

    private TestAgent Stranger() => new(daemon.Http, daemon.DaemonId);

    private TestAgent Raw(Negotiator n) => new(daemon.Http, daemon.DaemonId, n.Key.KeyPair);

    private async Task<Negotiation> OpenSessionAsync()
    {
        var a = await Negotiator.RegisterAsync(daemon.Host, "A");
        var b = await Negotiator.RegisterAsync(daemon.Host, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        return new Negotiation(a, b, Raw(a), Raw(b), session, [], "", "");
    }

    /// <summary>A session of A and B in which A proposed drafted terms, still open.</summary>
    private async Task<Negotiation> OpenProposalAsync()
    {
        var n = await OpenSessionAsync();
        var terms = await n.A.DraftAsync(n.B);
        var proposal = await n.A.Client.ProposeAsync(n.SessionId, terms, n.A.Authority);
        return n with { Terms = terms, ProposalId = proposal.ProposalId, TermsHash = proposal.TermsHash };
    }

    /// <summary>A valid countersignature object by <paramref name="signer"/> over the open proposal.</summary>
    private static JsonObject CountersignatureBy(Negotiator signer, Negotiation n)
    {
        var first = n.A.Client.CreateFirstSignature(n.Terms, n.A.Authority)["sig"]!.GetValue<string>();
        var sig = Pact.Core.Compacts.CompactCrypto.Countersign(signer.Key.KeyPair, n.TermsHash, first);
        return new JsonObject
        {
            ["party"] = "b",
            ["sig"] = sig,
            ["principalAuthorization"] = signer.Authority.Authorize(n.TermsHash),
        };
    }

    /// <summary>The envelope with its payload changed after signing, so its signature no longer verifies.</summary>
    private static string Tampered(Envelope envelope)
    {
        var json = envelope.ToJson();
        json["payload"]!["nonce"] = Envelope.NewNonce();
        return json.ToJsonString();
    }

    private static string? Pointer(Reply reply) => reply.Json?["errors"]?[0]?["pointer"]?.GetValue<string>();
}

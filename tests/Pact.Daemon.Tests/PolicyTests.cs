using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Compacts;
using Pact.Core.Json;
using Pact.Core.Policies;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests;

/// <summary>Publication, reading and the dry run of policies (§13): PACT-120 pointers, no event, the decision and its input.</summary>
public sealed class PolicyTests : IAsyncLifetime
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

    internal static PolicyDocument Intake() => new PolicyBuilder("acme-intake")
        .Decline("no-advanced", "terms.tier == 'advanced'", "Advanced-tier compacts need a human.")
        .Counter("long-notice", "isoSeconds(terms.revocation.noticePeriod) > isoSeconds('P30D')", ("/revocation/noticePeriod", "P30D"))
        .Sign("trusted-standard", "terms.tier == 'standard' && counterparty.passport.score >= 5000")
        .Build();

    [Fact]
    public async Task A_policy_publishes_once_records_no_event_and_reads_back_by_hash()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var head = Store.HeadSeq;
        var policy = Intake();

        var first = await a.Client.PublishPolicyAsync(policy);
        var again = await a.Client.PublishPolicyAsync(policy.ToJson());

        first.Created.Should().BeTrue();
        again.Created.Should().BeFalse();
        first.Policy.Should().Be(new Pact.Core.Contracts.Responses.PolicyPublished(policy.PolicyHash, "acme-intake", 3));
        again.Policy.Should().Be(first.Policy);
        Store.HeadSeq.Should().Be(head, "publishing records no event");

        var read = await a.Client.GetPolicyAsync(policy.PolicyHash);
        PolicyDocument.HashOf(read).Should().Be(policy.PolicyHash);
        Jcs.CanonicalString(read).Should().Be(Jcs.CanonicalString(policy.ToJson()));
    }

    [Fact]
    public async Task A_published_policy_and_its_extends_survive_a_restart_and_decide_the_same()
    {
        var (a, b) = (await Negotiator.RegisterAsync(_host, "A"), await Negotiator.RegisterAsync(_host, "B"));
        var baseline = new PolicyBuilder("baseline").Decline("no-advanced", "terms.tier == 'advanced'").Build();
        await a.Client.PublishPolicyAsync(baseline);
        var derived = new PolicyBuilder("derived").Extends(baseline.PolicyHash).Sign("standard", "terms.tier == 'standard'").Build();
        await a.Client.PublishPolicyAsync(derived);
        var terms = await a.DraftAsync(b);
        var at = new DateTimeOffset(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);
        var passport = new PolicyPassportFacts(5000, 0, 0, 0, 0);
        var before = await b.Client.EvaluatePolicyOnTermsAsync(null, derived.PolicyHash, terms, "b", passport, at);

        await _host.RestartAsync();
        using var http = _host.CreateHttpClient();
        var client = new PactClient(http, b.Key, new PactClientOptions { AdminToken = DaemonHost.AdminToken });

        Jcs.CanonicalString(await client.GetPolicyAsync(derived.PolicyHash)).Should().Be(Jcs.CanonicalString(derived.ToJson()));
        var after = await client.EvaluatePolicyOnTermsAsync(null, derived.PolicyHash, terms, "b", passport, at);
        after.DecisionHash.Should().Be(before.DecisionHash);
        after.Decision.Trace.Select(t => t.PolicyHash).Should().Equal(baseline.PolicyHash, derived.PolicyHash);
    }

    [Fact]
    public async Task Reading_needs_a_token_and_an_unknown_hash_is_404()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        using (var anonymous = await _http.GetAsync($"v1/policies/{new string('0', 64)}"))
            anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Refused(() => a.Client.GetPolicyAsync(new string('0', 64)))).Code.Should().Be("PACT-404");
        (await Refused(() => a.Client.GetPolicyAsync("not-a-hash"))).Code.Should().Be("PACT-404");
    }

    [Fact]
    public async Task Every_defect_is_PACT_120_at_its_pointer_and_nothing_is_stored()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var bad = Intake().ToJson();
        bad["rules"]![1]!["when"] = "double(terms.version) > 1.5";
        bad["rules"]![2]!["effect"] = "approve";
        bad["extends"] = new JsonArray(new string('a', 64));

        var problem = await Refused(() => a.Client.PublishPolicyAsync(bad));

        problem.Status.Should().Be(422);
        problem.Code.Should().Be("PACT-120");
        problem.Errors.Select(e => e.Pointer).Should().Equal(
            "/payload/policy/extends/0", "/payload/policy/rules/1/when", "/payload/policy/rules/2/effect");
        problem.Errors.Should().OnlyContain(e => e.Code == "PACT-120");
        (await Refused(() => a.Client.GetPolicyAsync(PolicyDocument.HashOf(bad)))).Code.Should().Be("PACT-404");
    }

    [Fact]
    public async Task A_duration_literal_finer_than_100_ns_is_PACT_120_at_its_rule_instead_of_rounded()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var bad = Intake().ToJson();
        // .NET counts time in 100 ns ticks, CEL in nanoseconds: 150ns would have been 100ns here and 150ns elsewhere.
        bad["rules"]![2]!["when"] = "now - proposal.createdAt < duration('150ns')";

        var problem = await Refused(() => a.Client.PublishPolicyAsync(bad));

        problem.Status.Should().Be(422);
        problem.Code.Should().Be("PACT-120");
        problem.Errors.Should().ContainSingle().Which.Should().Match<Pact.Core.Errors.FieldError>(e =>
            e.Pointer == "/payload/policy/rules/2/when" && e.Code == "PACT-120" && e.Message.Contains("100 ns"));
        bad["rules"]![2]!["when"] = "now - proposal.createdAt < duration('200ns')";
        (await a.Client.PublishPolicyAsync(bad)).Policy.PolicyHash.Should().Be(PolicyDocument.HashOf(bad));
    }

    [Fact]
    public async Task A_payload_without_a_policy_is_PACT_101_and_a_policy_that_is_not_an_object_PACT_120()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var agent = new TestAgent(_http, await TestAgent.DaemonIdOf(_http), a.Key.KeyPair);
        (await agent.PostAsync("v1/policies", "policy.publish", [])).Code.Should().Be("PACT-101");
        var notObject = await agent.PostAsync("v1/policies", "policy.publish", new JsonObject { ["policy"] = "rules" });
        notObject.Code.Should().Be("PACT-120");
        notObject.Json!["errors"]![0]!["pointer"]!.GetValue<string>().Should().Be("/payload/policy");
    }

    [Fact]
    public async Task Extends_composes_published_policies_and_refuses_unpublished_ones()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var baseline = new PolicyBuilder("baseline").Decline("no-advanced", "terms.tier == 'advanced'").Build();
        await a.Client.PublishPolicyAsync(baseline);
        var derived = new PolicyBuilder("derived").Extends(baseline.PolicyHash).Sign("standard", "terms.tier == 'standard'").Build();

        (await a.Client.PublishPolicyAsync(derived)).Policy.Rules.Should().Be(2);
        var orphan = new PolicyBuilder("orphan").Extends(new string('b', 64)).Build();
        var problem = await Refused(() => a.Client.PublishPolicyAsync(orphan));
        problem.Code.Should().Be("PACT-120");
        problem.Errors.Single().Pointer.Should().Be("/payload/policy/extends/0");
    }

    [Fact]
    public async Task Evaluate_on_terms_gives_the_decision_its_hash_and_the_input_and_records_nothing()
    {
        var (a, b) = (await Negotiator.RegisterAsync(_host, "A"), await Negotiator.RegisterAsync(_host, "B"));
        var terms = await a.DraftAsync(b);
        var policy = Intake();
        await a.Client.PublishPolicyAsync(policy);
        var head = Store.HeadSeq;
        var at = new DateTimeOffset(2026, 12, 6, 3, 0, 0, TimeSpan.Zero);

        var byHash = await b.Client.EvaluatePolicyOnTermsAsync(null, policy.PolicyHash, terms, "b", at: at);
        var inline = await b.Client.EvaluatePolicyOnTermsAsync(policy.ToJson(), null, terms, "b", at: at);

        byHash.Decision.Effect.Should().Be("sign");
        byHash.Decision.RuleId.Should().Be("trusted-standard");
        byHash.Decision.Trace.Select(t => t.Result).Should().Equal("false", "false", "true");
        byHash.DecisionHash.Should().Be(byHash.Decision.DecisionHash);
        inline.DecisionHash.Should().Be(byHash.DecisionHash);
        byHash.Input["me"]!.GetValue<string>().Should().Be("b");
        byHash.Input["them"]!.GetValue<string>().Should().Be("a");
        byHash.Input["now"]!.GetValue<string>().Should().Be("2026-12-06T03:00:00.000Z");
        byHash.Input["counterparty"]!["agent"]!.GetValue<string>().Should().Be(a.Did);
        byHash.Input["counterparty"]!["passport"]!["score"]!.GetValue<long>().Should().Be(5000, "no history: 50.00");
        byHash.Input["session"]!["sessionId"].Should().BeNull();
        Store.HeadSeq.Should().Be(head);

        // The same decision as Core's evaluator on the returned input (determinism across paths).
        var compiled = CompiledPolicy.Compile(policy.ToJson(), new InMemoryPolicyResolver()).Policy!;
        var local = PolicyEvaluator.Evaluate(compiled, InputFrom(byHash.Input));
        local.DecisionHash.Should().Be(byHash.DecisionHash);

        var distrusted = await b.Client.EvaluatePolicyOnTermsAsync(null, policy.PolicyHash, terms, "b", new PolicyPassportFacts(4999, 0, 0, 0, 0), at);
        distrusted.Decision.Effect.Should().Be("escalate");
        distrusted.Decision.RuleId.Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_counters_long_notice_and_shows_the_patched_terms()
    {
        var (a, b) = (await Negotiator.RegisterAsync(_host, "A"), await Negotiator.RegisterAsync(_host, "B"));
        var terms = await a.DraftAsync(b);
        terms["revocation"]!["noticePeriod"] = "P90D";

        var result = await b.Client.EvaluatePolicyOnTermsAsync(Intake().ToJson(), null, terms, "b");

        result.Decision.Effect.Should().Be("counter");
        result.CounterTerms!["revocation"]!["noticePeriod"]!.GetValue<string>().Should().Be("P30D");
        result.CounterDecision!.Effect.Should().Be("sign");
    }

    [Fact]
    public async Task Evaluate_refuses_bad_requests_with_stable_codes()
    {
        var (a, b) = (await Negotiator.RegisterAsync(_host, "A"), await Negotiator.RegisterAsync(_host, "B"));
        var terms = await a.DraftAsync(b);
        var policy = Intake().ToJson();

        (await RefusedBody(b, new JsonObject { ["policy"] = policy.DeepClone(), ["policyHash"] = new string('a', 64), ["terms"] = terms.DeepClone(), ["me"] = "b" }))
            .Code.Should().Be("PACT-101");
        (await RefusedBody(b, new JsonObject { ["policyHash"] = new string('a', 64), ["terms"] = terms.DeepClone(), ["me"] = "b" }))
            .Errors.Single().Should().Be(new Pact.Core.Errors.FieldError("/policyHash", "PACT-120", $"The policy {new string('a', 64)} is not published on this daemon."));
        (await RefusedBody(b, new JsonObject { ["policy"] = policy.DeepClone(), ["terms"] = terms.DeepClone(), ["me"] = "c" }))
            .Errors.Single().Pointer.Should().Be("/me");
        var badTerms = terms.DeepClone().AsObject();
        badTerms["revocation"]!["noticePeriod"] = "thirty days";
        (await RefusedBody(b, new JsonObject { ["policy"] = policy.DeepClone(), ["terms"] = badTerms, ["me"] = "b" }))
            .Errors.Single().Pointer.Should().Be("/terms/revocation/noticePeriod");
        var badPolicy = policy.DeepClone().AsObject();
        badPolicy["rules"]![0]!["when"] = "nope(";
        (await RefusedBody(b, new JsonObject { ["policy"] = badPolicy, ["terms"] = terms.DeepClone(), ["me"] = "b" }))
            .Errors.Single().Should().Match<Pact.Core.Errors.FieldError>(e => e.Pointer == "/policy/rules/0/when" && e.Code == "PACT-120");
        (await RefusedBody(b, new JsonObject { ["policy"] = policy.DeepClone(), ["proposalId"] = "prp_01JD0000000000000000000000" }))
            .Code.Should().Be("PACT-404");
    }

    [Fact]
    public async Task Evaluate_refuses_unknown_members_inside_counterparty_passport_and_session_at_their_pointers()
    {
        var (a, b) = (await Negotiator.RegisterAsync(_host, "A"), await Negotiator.RegisterAsync(_host, "B"));
        var body = new JsonObject
        {
            ["policy"] = Intake().ToJson(), ["terms"] = await a.DraftAsync(b), ["me"] = "b",
            ["counterparty"] = new JsonObject
            {
                ["passport"] = new JsonObject { ["score"] = 5000, ["confidence"] = 0, ["compacts"] = 0, ["failures"] = 0, ["asOfSeq"] = 0, ["scor"] = 9999 },
            },
            ["session"] = new JsonObject { ["sessionId"] = null, ["topic"] = "t", ["participants"] = new JsonArray(), ["topc"] = "typo" },
        };
        var problem = await RefusedBody(b, body);
        problem.Code.Should().Be("PACT-101");
        problem.Errors!.Select(e => e.Pointer).Should().BeEquivalentTo("/counterparty/passport/scor", "/session/topc");
        problem.Errors!.Should().OnlyContain(e => e.Code == "PACT-101");
    }

    [Fact]
    public async Task Evaluate_validates_the_terms_before_the_policy_so_bad_terms_answer_when_both_are_bad()
    {
        var (a, b) = (await Negotiator.RegisterAsync(_host, "A"), await Negotiator.RegisterAsync(_host, "B"));
        var badTerms = await a.DraftAsync(b);
        badTerms["revocation"]!["noticePeriod"] = "thirty days";
        var badPolicy = Intake().ToJson();
        badPolicy["rules"]![0]!["when"] = "nope(";

        // §13: with terms, "the terms are validated first"; §11 ranks terms (PACT-101…108) before policies (PACT-120).
        foreach (var policy in new JsonObject[] { new() { ["policy"] = badPolicy }, new() { ["policyHash"] = new string('a', 64) } })
        {
            policy["terms"] = badTerms.DeepClone();
            policy["me"] = "b";
            var problem = await RefusedBody(b, policy);
            problem.Code.Should().Be("PACT-101");
            problem.Errors.Should().ContainSingle().Which.Pointer.Should().Be("/terms/revocation/noticePeriod");
        }
    }

    [Fact]
    public async Task Evaluate_on_a_proposal_needs_a_party_and_uses_the_recorded_input()
    {
        var (a, b, c) = (await Negotiator.RegisterAsync(_host, "A"), await Negotiator.RegisterAsync(_host, "B"), await Negotiator.RegisterAsync(_host, "C"));
        var session = await a.Client.CreateSessionAsync([a.Did, b.Did, c.Did], "kitchen");
        var proposal = await a.Client.ProposeAsync(session.SessionId, await a.DraftAsync(b), a.Authority);
        var policy = Intake();
        await b.Client.PublishPolicyAsync(policy);

        var result = await b.Client.EvaluatePolicyOnProposalAsync(null, policy.PolicyHash, proposal.ProposalId);

        result.Decision.Effect.Should().Be("sign");
        result.Input["proposal"]!["proposalId"]!.GetValue<string>().Should().Be(proposal.ProposalId);
        result.Input["proposal"]!["proposer"]!.GetValue<string>().Should().Be("a");
        result.Input["session"]!["topic"]!.GetValue<string>().Should().Be("kitchen");
        result.Input["counterparty"]!["passport"]!["asOfSeq"]!.GetValue<long>().Should().Be(Store.HeadSeq - 1, "the seq before proposal.created");
        result.Input["now"]!.GetValue<string>().Should().Be(result.Input["proposal"]!["createdAt"]!.GetValue<string>());

        (await Refused(() => c.Client.EvaluatePolicyOnProposalAsync(null, policy.PolicyHash, proposal.ProposalId))).Code.Should().Be("PACT-205");
        var outsider = await Negotiator.RegisterAsync(_host, "D");
        (await Refused(() => outsider.Client.EvaluatePolicyOnProposalAsync(null, policy.PolicyHash, proposal.ProposalId))).Code.Should().Be("PACT-404");
    }

    private static async Task<PactApiException> RefusedBody(Negotiator caller, JsonObject body) => await Refused(() => caller.Client.EvaluatePolicyAsync(body));

    internal static async Task<PactApiException> Refused(Func<Task> act)
    {
        var thrown = await act.Should().ThrowAsync<PactApiException>();
        return thrown.Which;
    }

    /// <summary>A PolicyInput read back from the evaluate endpoint's <c>input</c>.</summary>
    internal static PolicyInput InputFrom(JsonObject input)
    {
        var p = input["proposal"]!;
        var facts = new PolicyProposalFacts(p["proposalId"]?.GetValue<string>(), p["sessionId"]?.GetValue<string>(), p["compactId"]!.GetValue<string>(),
            p["version"]!.GetValue<long>(), p["proposer"]!.GetValue<string>(), p["replaces"]?.GetValue<string>(), p["termsHash"]!.GetValue<string>(),
            Pact.Core.Time.Timestamp.Parse(p["createdAt"]!.GetValue<string>()), p["bundleId"]?.GetValue<string>());
        var passport = input["counterparty"]!["passport"]!;
        var s = input["session"]!;
        return PolicyInput.For(input["terms"]!.AsObject(), input["me"]!.GetValue<string>(), facts,
            new PolicyPassportFacts(passport["score"]!.GetValue<long>(), passport["confidence"]!.GetValue<long>(), passport["compacts"]!.GetValue<long>(),
                passport["failures"]!.GetValue<long>(), passport["asOfSeq"]!.GetValue<long>()),
            new PolicySessionFacts(s["sessionId"]?.GetValue<string>(), s["topic"]?.GetValue<string>(),
                s["participants"] is JsonArray list ? [.. list.Select(x => x!.GetValue<string>())] : null));
    }
}

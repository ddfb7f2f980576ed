using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Core.Json;
using Pact.Core.Time;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Daemon.Tests.TransparencyLog;
using Pact.Daemon.Tests.Webhooks;

namespace Pact.Daemon.Tests.Conformance;

/// <summary>
/// The exact JSON of every successful response, resource by resource, through a real daemon over raw HTTP:
/// member names and order, which members are explicit nulls and which are left out, strings against numbers,
/// the short words of the contract (statuses, kinds, codes), compact writing and unescaped text. The shapes are
/// pinned in WireFormat.golden.txt; a remembered response replays byte for byte. Whatever builds the responses
/// underneath, these bytes must not move (the hidden conformance suites read them).
/// </summary>
public sealed class WireFormatTests : IAsyncLifetime
{
    /// <summary>Text that a serializer with the default encoder would escape: it must arrive as written.</summary>
    private const string Odd = "Küche <&> \"quoted\" 'single' + ünïcödé — ✓";

    private readonly List<(string Name, string Shape)> _shapes = [];
    private DaemonHost _host = null!;
    private HttpClient _http = null!;
    private WebhookReceiver _receiver = null!;
    private string _daemonId = "";

    public async Task InitializeAsync()
    {
        _host = await DaemonHost.StartAsync(store: DaemonStore.Sqlite);
        _http = _host.CreateHttpClient();
        _receiver = await WebhookReceiver.StartAsync();
        _daemonId = await TestAgent.DaemonIdOf(_http);
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private sealed record Party(TestAgent Raw, KeyPair Principal, string Name, string Kind)
    {
        public string Did => Raw.Did;

        public JsonObject PartyJson() => new()
        {
            ["agent"] = Did,
            ["principal"] = new JsonObject { ["id"] = Principal.Did, ["kind"] = Kind, ["name"] = Name },
        };

        public JsonObject Authorize(string termsHash) => PrincipalAuthority.Signature(Principal).Authorize(termsHash);
    }

    /// <summary>A proposal as its proposer made it: what the countersignature needs.</summary>
    private sealed record Proposed(string ProposalId, string TermsHash, string FirstSig, JsonObject Terms);

    [Fact]
    public async Task Every_successful_response_keeps_its_exact_shape()
    {
        // ---- daemon, agents, access
        await Get("daemon", Public("/v1/daemon"));
        await Get("healthz", Public("/healthz"));
        await Get("readyz", Public("/readyz"));
        var a = await RegisterAsync("Acme Remodeling", "organization", Odd, "agent.register.201");
        var b = await RegisterAsync("Dana Homeowner", "human", null, "agent.register.201.no-display-name");
        var again = await a.Raw.PostAsync("/v1/agents", new AgentRegisterPayload(new Principal(a.Principal.Did, a.Kind, a.Name), Odd));
        Record("agent.register.200", again, HttpStatusCode.OK);
        Record("agent.get", await Public($"/v1/agents/{a.Did}"), HttpStatusCode.OK);
        Record("auth.token", await a.Raw.PostAsync("/v1/auth/token", new AuthTokenPayload()), HttpStatusCode.OK);
        Record("invite.create", await SendJsonAsync(HttpMethod.Post, "/v1/invites", new JsonObject { ["expiresIn"] = "P1D" }, DaemonHost.AdminToken), HttpStatusCode.Created);
        Record("stdlib", await Public("/v1/stdlib"), HttpStatusCode.OK);

        // ---- sessions: create (and its replay), read, list
        var create = a.Raw.Sign(EnvelopeTypes.SessionCreate, Payloads.ToJson(new SessionCreatePayload([a.Did, b.Did], Odd,
            new JsonObject { ["job"] = Odd, ["rooms"] = 2, ["nested"] = new JsonObject { ["ok"] = true, ["none"] = null } })));
        var created = Record("session.create", await a.Raw.PostAsync("/v1/sessions", create), HttpStatusCode.Created);
        var replayed = await a.Raw.PostAsync("/v1/sessions", create);
        replayed.Text.Should().Be(created.Text, "a resent envelope gets the remembered response byte for byte");
        var session = created.Json!["sessionId"]!.GetValue<string>();
        var bare = await CreateSessionAsync(b, [b, a], topic: null);

        // ---- proposals: create, counter, sign, decline, withdraw and acknowledge
        var terms = await DraftAsync(a, b, "draft");
        var first = await ProposeAsync(a, session, terms, "proposal.create");
        var countered = (JsonObject)terms.DeepClone();
        countered["scope"]!["outOfScope"] = Odd;
        var counter = await ProposeAsync(b, session, countered, "proposal.create.counter", replaces: first.ProposalId);
        var compactId = terms["compactId"]!.GetValue<string>();
        await SignAsync(a, b, counter, "proposal.sign");
        Record("proposal.get", await a.Raw.GetAsync($"/v1/proposals/{counter.ProposalId}"), HttpStatusCode.OK);
        Record("compact.check.allowed", await SendJsonAsync(HttpMethod.Post, $"/v1/compacts/{compactId}/check",
            new JsonObject { ["party"] = "a", ["action"] = "retain", ["category"] = "work-record" }, await a.Raw.TokenAsync()), HttpStatusCode.OK);

        var untimed = await DraftAsync(a, b);
        untimed["negotiationTimeout"] = null;
        var declined = await ProposeAsync(a, session, untimed, "proposal.create.warnings", policy: true);
        Record("proposal.decline", await b.Raw.PostAsync($"/v1/proposals/{declined.ProposalId}/decline",
            new ProposalDeclinePayload(declined.ProposalId, declined.TermsHash, Odd)), HttpStatusCode.OK);

        var withdrawn = await ProposeAsync(a, session, await DraftAsync(a, b), null);
        var withdrawal = Record("proposal.withdraw", await a.Raw.PostAsync($"/v1/proposals/{withdrawn.ProposalId}/withdraw",
            new ProposalWithdrawPayload(withdrawn.ProposalId, withdrawn.TermsHash)), HttpStatusCode.OK);
        var withdrawalHash = withdrawal.Json!["withdrawalHash"]!.GetValue<string>();

        // ---- the compact's lifecycle: a marker and a revocation both waiting on b, then acknowledged
        var marker = Record("marker.create", await a.Raw.PostAsync($"/v1/compacts/{compactId}/markers",
            new CompactMarkerPayload(compactId, "work-complete")), HttpStatusCode.Created);
        var markerId = marker.Json!["markerId"]!.GetValue<string>();
        var revocation = Record("revocation.create", await a.Raw.PostAsync($"/v1/compacts/{compactId}/revocations",
            new CompactRevokePayload(compactId, 1, Odd)), HttpStatusCode.Created);
        var revocationId = revocation.Json!["revocationId"]!.GetValue<string>();
        var toSign = await ProposeAsync(a, bare, await DraftAsync(a, b), null);
        var untimedToSign = await DraftAsync(a, b);
        untimedToSign["negotiationTimeout"] = null;
        await ProposeAsync(a, bare, untimedToSign, null);
        Record("pending", await b.Raw.GetAsync("/v1/agents/me/pending"), HttpStatusCode.OK);
        Record("pending.empty", await SendJsonAsync(HttpMethod.Get, "/v1/agents/me/pending", null, DaemonHost.AdminToken), HttpStatusCode.OK);
        Record("marker.get.recorded", await b.Raw.GetAsync($"/v1/compacts/{compactId}/markers/{markerId}"), HttpStatusCode.OK);
        Record("revocation.get.initiated", await b.Raw.GetAsync($"/v1/compacts/{compactId}/revocations/{revocationId}"), HttpStatusCode.OK);
        Record("compact.check", await SendJsonAsync(HttpMethod.Post, $"/v1/compacts/{compactId}/check",
            new JsonObject { ["party"] = "b", ["action"] = "retain", ["category"] = "work-record" }, await b.Raw.TokenAsync()), HttpStatusCode.OK);
        Record("compact.check.denied", await SendJsonAsync(HttpMethod.Post, $"/v1/compacts/{compactId}/check",
            new JsonObject { ["party"] = "a", ["action"] = "propagate", ["category"] = "work-record", ["recipient"] = "nobody-listed" }, await b.Raw.TokenAsync()), HttpStatusCode.OK);
        Record("compact.dispositions.in-force", await b.Raw.GetAsync($"/v1/compacts/{compactId}/dispositions"), HttpStatusCode.OK);
        Record("marker.ack", await b.Raw.PostAsync($"/v1/compacts/{compactId}/markers/{markerId}/ack",
            new CompactMarkerAckPayload(compactId, markerId, marker.Json["initiationHash"]!.GetValue<string>())), HttpStatusCode.OK);
        Record("revocation.ack", await b.Raw.PostAsync($"/v1/compacts/{compactId}/revocations/{revocationId}/ack",
            new CompactRevokeAckPayload(compactId, revocationId, revocation.Json["initiationHash"]!.GetValue<string>())), HttpStatusCode.OK);
        Record("proposal.withdrawal.ack", await b.Raw.PostAsync($"/v1/proposals/{withdrawn.ProposalId}/withdrawal/ack",
            new ProposalWithdrawalAckPayload(withdrawn.ProposalId, withdrawalHash)), HttpStatusCode.OK);
        Record("marker.get", await a.Raw.GetAsync($"/v1/compacts/{compactId}/markers/{markerId}"), HttpStatusCode.OK);
        Record("revocation.get", await a.Raw.GetAsync($"/v1/compacts/{compactId}/revocations/{revocationId}"), HttpStatusCode.OK);
        Record("compact.dispositions", await a.Raw.GetAsync($"/v1/compacts/{compactId}/dispositions?version=1"), HttpStatusCode.OK);

        // ---- compacts
        await SignAsync(b, a, toSign, null);
        Record("compact.get", await a.Raw.GetAsync($"/v1/compacts/{compactId}"), HttpStatusCode.OK);
        Record("compact.version", await a.Raw.GetAsync($"/v1/compacts/{compactId}/versions/1"), HttpStatusCode.OK);
        Record("compact.list.first", await a.Raw.GetAsync("/v1/compacts?party=me&limit=1"), HttpStatusCode.OK);
        Record("compact.list", await a.Raw.GetAsync("/v1/compacts?party=me"), HttpStatusCode.OK);

        // ---- session commands and reads
        var checkpoint = Record("session.checkpoint", await a.Raw.PostAsync($"/v1/sessions/{session}/checkpoints",
            new SessionCheckpointPayload(session, Odd)), HttpStatusCode.Created);
        await a.Raw.PostAsync($"/v1/sessions/{session}/checkpoints", new SessionCheckpointPayload(session));
        Record("session.suspend", await a.Raw.PostAsync($"/v1/sessions/{session}/suspend", new SessionSuspendPayload(session)), HttpStatusCode.OK);
        Record("session.resume", await b.Raw.PostAsync($"/v1/sessions/{session}/resume", new SessionResumePayload(session)), HttpStatusCode.OK);
        Record("session.get", await a.Raw.GetAsync($"/v1/sessions/{session}"), HttpStatusCode.OK);
        Record("session.list.first", await b.Raw.GetAsync("/v1/sessions?limit=1"), HttpStatusCode.OK);
        Record("session.list", await b.Raw.GetAsync("/v1/sessions"), HttpStatusCode.OK);
        Record("session.state", await a.Raw.GetAsync($"/v1/sessions/{session}/state"), HttpStatusCode.OK);
        var checkpointSeq = checkpoint.Json!["streamSeq"]!.GetValue<long>();
        Record("session.state.at-checkpoint", await a.Raw.GetAsync($"/v1/sessions/{session}/state?at={checkpointSeq + 1}"), HttpStatusCode.OK);
        Record("session.state.at-start", await a.Raw.GetAsync($"/v1/sessions/{session}/state?at=1"), HttpStatusCode.OK);
        Record("events.page", await a.Raw.GetAsync($"/v1/sessions/{session}/events?limit=2"), HttpStatusCode.OK);
        Record("events.last-page", await a.Raw.GetAsync($"/v1/sessions/{bare}/events"), HttpStatusCode.OK);

        // ---- the log, verification and export
        var logCheckpoint = Record("log.checkpoint", await SendJsonAsync(HttpMethod.Get, "/v1/log/checkpoint", null, null), HttpStatusCode.OK);
        var firstSize = logCheckpoint.Json!["treeSize"]!.GetValue<long>();
        await a.Raw.PostAsync($"/v1/sessions/{session}/checkpoints", new SessionCheckpointPayload(session, "after the first log checkpoint"));
        var note = await _http.GetAsync("/v1/log/checkpoint");
        note.Content.Headers.ContentType!.ToString().Should().Be("text/plain; charset=utf-8");
        Record("session.verify", await a.Raw.GetAsync($"/v1/sessions/{session}/verify"), HttpStatusCode.OK);
        Record("session.verify.from", await a.Raw.GetAsync($"/v1/sessions/{session}/verify?from={checkpoint.Json["checkpointId"]!.GetValue<string>()}"), HttpStatusCode.OK);
        Record("session.terminate", await b.Raw.PostAsync($"/v1/sessions/{bare}/terminate", new SessionTerminatePayload(bare)), HttpStatusCode.OK);
        var export = Record("session.export", await a.Raw.GetAsync($"/v1/sessions/{session}/export"), HttpStatusCode.OK);
        var secondSize = export.Json!["log"]!["treeSize"]!.GetValue<long>();
        Record("log.inclusion", await Public($"/v1/log/proof/inclusion?seq=2&treeSize={secondSize}"), HttpStatusCode.OK);
        Record("log.consistency", await Public($"/v1/log/proof/consistency?from={firstSize}&to={secondSize}"), HttpStatusCode.OK);
        Record("log.consistency.equal", await Public($"/v1/log/proof/consistency?from={secondSize}&to={secondSize}"), HttpStatusCode.OK);

        // ---- webhook subscriptions: create (and its replay), read, deliveries, retry, delete
        var subscribe = a.Raw.Sign(EnvelopeTypes.SubscriptionCreate, Payloads.ToJson(new SubscriptionCreatePayload(_receiver.Url,
            new SubscriptionFilterPayload(["session.*"], [session]), Odd)));
        var subscribed = Record("subscription.create", await a.Raw.PostAsync("/v1/subscriptions", subscribe), HttpStatusCode.Created);
        (await a.Raw.PostAsync("/v1/subscriptions", subscribe)).Text.Should().Be(subscribed.Text, "the replay opens the sealed secret into the same bytes");
        var subscriptionId = subscribed.Json!["subscriptionId"]!.GetValue<string>();
        Record("subscription.create.no-filter", await b.Raw.PostAsync("/v1/subscriptions", new SubscriptionCreatePayload(_receiver.Url)), HttpStatusCode.Created);
        Record("subscription.get", await a.Raw.GetAsync($"/v1/subscriptions/{subscriptionId}"), HttpStatusCode.OK);
        Record("subscription.list", await SendJsonAsync(HttpMethod.Get, "/v1/subscriptions?limit=1", null, DaemonHost.AdminToken), HttpStatusCode.OK);
        await a.Raw.PostAsync($"/v1/sessions/{session}/checkpoints", new SessionCheckpointPayload(session, "delivered"));
        var deliveries = await WebhookTestKit.SettleAsync(_http, subscriptionId, TimeProvider.System, 1);
        Record("subscription.deliveries", await a.Raw.GetAsync($"/v1/subscriptions/{subscriptionId}/deliveries"), HttpStatusCode.OK);
        var deliveryId = deliveries[0]["deliveryId"]!.GetValue<string>();
        Record("subscription.retry", await SendJsonAsync(HttpMethod.Post, $"/v1/subscriptions/{subscriptionId}/deliveries/{deliveryId}/retry",
            null, await a.Raw.TokenAsync()), HttpStatusCode.Accepted);
        var deleted = await SendJsonAsync(HttpMethod.Delete, $"/v1/subscriptions/{subscriptionId}", null, await a.Raw.TokenAsync());
        deleted.Status.Should().Be(HttpStatusCode.NoContent);
        deleted.Text.Should().BeEmpty();

        // ---- passports (§16) and policies (§13)
        var token = await a.Raw.TokenAsync();
        Record("passport.get", await a.Raw.GetAsync($"/v1/agents/{b.Did}/passport"), HttpStatusCode.OK);
        Record("passport.get.as-of-seq", await a.Raw.GetAsync($"/v1/agents/{b.Did}/passport?asOfSeq=1"), HttpStatusCode.OK);
        Record("passport.check", await SendJsonAsync(HttpMethod.Post, $"/v1/agents/{b.Did}/passport/check",
            new JsonObject { ["minScore"] = 6000, ["minConfidence"] = 50 }, token), HttpStatusCode.OK);
        var policy = new JsonObject
        {
            ["format"] = "pact-policy/1",
            ["name"] = "wire",
            ["rules"] = new JsonArray(
                new JsonObject { ["id"] = "no-advanced", ["when"] = "terms.tier == 'advanced'", ["effect"] = "decline", ["reason"] = Odd },
                new JsonObject { ["id"] = "standard", ["when"] = "terms.tier == 'standard'", ["effect"] = "sign" }),
            ["default"] = "escalate",
        };
        var published = Record("policy.publish", await a.Raw.PostAsync("/v1/policies", new PolicyPublishPayload(policy)), HttpStatusCode.Created);
        Record("policy.publish.200", await a.Raw.PostAsync("/v1/policies", new PolicyPublishPayload((JsonObject)policy.DeepClone())), HttpStatusCode.OK);
        var policyHash = published.Json!["policyHash"]!.GetValue<string>();
        Record("policy.get", await a.Raw.GetAsync($"/v1/policies/{policyHash}"), HttpStatusCode.OK);
        Record("policy.evaluate.proposal", await SendJsonAsync(HttpMethod.Post, "/v1/policies/evaluate",
            new JsonObject { ["policyHash"] = policyHash, ["proposalId"] = counter.ProposalId }, token), HttpStatusCode.OK);
        Record("policy.evaluate.terms", await SendJsonAsync(HttpMethod.Post, "/v1/policies/evaluate",
            new JsonObject { ["policyHash"] = policyHash, ["terms"] = terms.DeepClone(), ["me"] = "b" }, token), HttpStatusCode.OK);

        // ---- mandates (§14): a grant, the runtime signing under it, the record's signature under a mandate, revocation
        var grant = Record("mandate.grant", await b.Raw.PostAsync("/v1/mandates", new MandateGrantPayload(policyHash,
            new JsonObject { ["counterparties"] = new JsonArray(a.Did) }, ["withdrawal", "marker"], Timestamp.ToText(DateTimeOffset.UtcNow.AddDays(30)))),
            HttpStatusCode.Created);
        var mandateId = grant.Json!["mandateId"]!.GetValue<string>();
        var hosted = await ProposeAsync(a, session, await DraftAsync(a, b), "proposal.create.under-mandate");
        Record("mandate.get", await b.Raw.GetAsync($"/v1/mandates/{mandateId}"), HttpStatusCode.OK);
        Record("mandate.list", await b.Raw.GetAsync("/v1/mandates?agent=me"), HttpStatusCode.OK);
        Record("mandate.events", await b.Raw.GetAsync($"/v1/mandates/{mandateId}/events"), HttpStatusCode.OK);
        Record("compact.version.under-mandate", await a.Raw.GetAsync($"/v1/compacts/{hosted.Terms["compactId"]!.GetValue<string>()}/versions/1"), HttpStatusCode.OK);
        Record("mandate.revoke", await b.Raw.PostAsync($"/v1/mandates/{mandateId}/revoke", new MandateRevokePayload(mandateId)), HttpStatusCode.OK);

        // ---- a verification that fails: an event edited in the database while the daemon was stopped
        // ---- bundles (§15): create, a member prepared (202), read open and committed, withdraw, a best bundle's ranking
        var trades = await CreateSessionAsync(a, [a, b], "bundles");
        var all = await CreateBundleAsync(a, trades, [await DraftAsync(a, b), await DraftAsync(a, b)], new JsonObject { ["mode"] = "all" }, "bundle.create");
        Record("proposal.sign.prepared", await SignMemberAsync(b, all, 0), HttpStatusCode.Accepted);
        Record("bundle.get.open", await b.Raw.GetAsync($"/v1/bundles/{all.BundleId}"), HttpStatusCode.OK);
        Record("proposal.get.prepared", await b.Raw.GetAsync($"/v1/proposals/{all.Members[0].ProposalId}"), HttpStatusCode.OK);
        Record("proposal.sign.bundle-commit", await SignMemberAsync(b, all, 1), HttpStatusCode.OK);
        Record("bundle.get.committed", await a.Raw.GetAsync($"/v1/bundles/{all.BundleId}"), HttpStatusCode.OK);
        var withdrawnBundle = await CreateBundleAsync(a, trades, [await DraftAsync(a, b), await DraftAsync(a, b)], new JsonObject { ["mode"] = "all" }, null);
        Record("bundle.withdraw", await a.Raw.PostAsync($"/v1/bundles/{withdrawnBundle.BundleId}/withdraw", new BundleWithdrawPayload(withdrawnBundle.BundleId)),
            HttpStatusCode.OK);
        var bestSelect = new JsonObject
        {
            ["mode"] = "best", ["count"] = 1, ["minCount"] = 1,
            // Equal keys: the tie-break (counterparty did, then proposal id) selects the first member, so the shape is stable.
            ["order"] = new JsonArray(new JsonObject { ["key"] = "size(categories(terms, them))", ["type"] = "int", ["direction"] = "asc" }),
        };
        var best = await CreateBundleAsync(a, trades, [await DraftAsync(a, b), await DraftAsync(a, b)], bestSelect, null);
        await SignMemberAsync(b, best, 0);
        await SignMemberAsync(b, best, 1);
        Record("bundle.get.best", await a.Raw.GetAsync($"/v1/bundles/{best.BundleId}"), HttpStatusCode.OK);

        var damaged = await CreateSessionAsync(a, [a, b], "to be damaged");
        await _host.StopAsync();
        using (var db = new DatabaseTamperer(_host.DataDirectory))
        {
            var row = db.Get(damaged, 1);
            db.Set(row.Seq, "hash", (row.Hash[0] == 'a' ? "b" : "a") + row.Hash[1..]);
        }
        await _host.RestartAsync();
        var afterRestart = new TestAgent(_http, _daemonId, a.Raw.Key);
        Record("session.verify.failed", await afterRestart.GetAsync($"/v1/sessions/{damaged}/verify"), HttpStatusCode.OK);

        CompareWithGolden();
    }

    // ---------------------------------------------------------------- steps

    private async Task<Party> RegisterAsync(string name, string kind, string? displayName, string shape)
    {
        var party = new Party(new TestAgent(_http, _daemonId), KeyPair.Generate(), name, kind);
        var reply = await party.Raw.PostAsync("/v1/agents", new AgentRegisterPayload(new Principal(party.Principal.Did, kind, name), displayName));
        Record(shape, reply, HttpStatusCode.Created);
        return party;
    }

    private static async Task<string> CreateSessionAsync(Party creator, Party[] participants, string? topic)
    {
        var reply = await creator.Raw.PostAsync("/v1/sessions", new SessionCreatePayload([.. participants.Select(p => p.Did)], topic));
        reply.Status.Should().Be(HttpStatusCode.Created, reply.Text);
        return reply.Json!["sessionId"]!.GetValue<string>();
    }

    private async Task<JsonObject> DraftAsync(Party a, Party b, string? shape = null)
    {
        var from = DateTimeOffset.UtcNow.AddDays(-1);
        var reply = await SendJsonAsync(HttpMethod.Post, "/v1/compacts/draft", new JsonObject
        {
            ["tier"] = "standard",
            ["domain"] = "contractor-and-service",
            ["parties"] = new JsonObject { ["a"] = a.PartyJson(), ["b"] = b.PartyJson() },
            ["scope"] = new JsonObject
            {
                ["interaction"] = "Kitchen remodel as described in scope-of-work SOW-17",
                ["effective"] = new JsonObject { ["from"] = Timestamp.ToText(from), ["until"] = Timestamp.ToText(from.AddYears(1)) },
            },
            ["compactId"] = "cmp_" + Guid.NewGuid().ToString("N")[..12],
        }, await a.Raw.TokenAsync());
        if (shape is not null) Record(shape, reply, HttpStatusCode.OK);
        reply.Status.Should().Be(HttpStatusCode.OK, reply.Text);
        return reply.Json!["terms"]!.AsObject();
    }

    private async Task<Proposed> ProposeAsync(Party proposer, string session, JsonObject terms, string? shape, string? replaces = null, bool policy = false)
    {
        var party = CompactSigning.PartyOf(terms, proposer.Did)!;
        var termsHash = CompactSigning.TermsHash(terms);
        var firstSig = CompactSigning.FirstSignature(proposer.Raw.Key, termsHash);
        var authorization = policy ? PrincipalAuthority.StandingPolicy(new string('a', 64)).Authorize(termsHash) : proposer.Authorize(termsHash);
        var reply = await proposer.Raw.PostAsync($"/v1/sessions/{session}/proposals",
            new ProposalCreatePayload(session, (JsonObject)terms.DeepClone(), CompactSigning.SignatureObject(party, firstSig, authorization), replaces));
        if (shape is not null) Record(shape, reply, HttpStatusCode.Created);
        reply.Status.Should().Be(HttpStatusCode.Created, reply.Text);
        return new Proposed(reply.Json!["proposalId"]!.GetValue<string>(), termsHash, firstSig, terms);
    }

    /// <summary>A bundle as created: its id and each member's proposal id, terms hash, first signature and terms.</summary>
    private sealed record CreatedBundle(string BundleId, List<Proposed> Members);

    private async Task<CreatedBundle> CreateBundleAsync(Party coordinator, string session, List<JsonObject> terms, JsonObject select, string? shape)
    {
        var members = new JsonArray();
        var firstSigs = new List<(string TermsHash, string FirstSig)>();
        foreach (var t in terms)
        {
            var termsHash = CompactSigning.TermsHash(t);
            var firstSig = CompactSigning.FirstSignature(coordinator.Raw.Key, termsHash);
            firstSigs.Add((termsHash, firstSig));
            members.Add(new JsonObject
            {
                ["terms"] = t.DeepClone(),
                ["signature"] = CompactSigning.SignatureObject(CompactSigning.PartyOf(t, coordinator.Did)!, firstSig, coordinator.Authorize(termsHash)),
            });
        }
        var reply = await coordinator.Raw.PostAsync($"/v1/sessions/{session}/bundles",
            new BundleCreatePayload(session, members, select, Timestamp.ToText(Timestamp.Truncate(DateTimeOffset.UtcNow.AddDays(1)))));
        if (shape is not null) Record(shape, reply, HttpStatusCode.Created);
        reply.Status.Should().Be(HttpStatusCode.Created, reply.Text);
        var ids = reply.Json!["members"]!.AsArray().Select(m => m!["proposalId"]!.GetValue<string>()).ToList();
        return new CreatedBundle(reply.Json["bundleId"]!.GetValue<string>(),
            [.. ids.Select((id, i) => new Proposed(id, firstSigs[i].TermsHash, firstSigs[i].FirstSig, terms[i]))]);
    }

    private static Task<Reply> SignMemberAsync(Party signer, CreatedBundle bundle, int member)
    {
        var proposal = bundle.Members[member];
        var party = CompactSigning.PartyOf(proposal.Terms, signer.Did)!;
        var sig = CompactSigning.SecondSignature(signer.Raw.Key, proposal.TermsHash, proposal.FirstSig);
        return signer.Raw.PostAsync($"/v1/proposals/{proposal.ProposalId}/sign",
            new ProposalSignPayload(proposal.ProposalId, proposal.TermsHash, CompactSigning.SignatureObject(party, sig, signer.Authorize(proposal.TermsHash))));
    }

    private async Task SignAsync(Party signer, Party proposer, Proposed proposal, string? shape)
    {
        _ = proposer;
        var party = CompactSigning.PartyOf(proposal.Terms, signer.Did)!;
        var sig = CompactSigning.SecondSignature(signer.Raw.Key, proposal.TermsHash, proposal.FirstSig);
        var reply = await signer.Raw.PostAsync($"/v1/proposals/{proposal.ProposalId}/sign",
            new ProposalSignPayload(proposal.ProposalId, proposal.TermsHash, CompactSigning.SignatureObject(party, sig, signer.Authorize(proposal.TermsHash))));
        if (shape is not null) Record(shape, reply, HttpStatusCode.OK);
        reply.Status.Should().Be(HttpStatusCode.OK, reply.Text);
    }

    // ---------------------------------------------------------------- HTTP

    private Task<Reply> Public(string path) => SendJsonAsync(HttpMethod.Get, path, null, null);

    private async Task Get(string shape, Task<Reply> reply) => Record(shape, await reply, HttpStatusCode.OK);

    private async Task<Reply> SendJsonAsync(HttpMethod method, string path, JsonObject? body, string? token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request);
        return await Reply.From(response);
    }

    // ---------------------------------------------------------------- shapes

    /// <summary>Checks the status and the bytes' form (compact, unescaped, JSON), and notes the shape under <paramref name="name"/>.</summary>
    private Reply Record(string name, Reply reply, HttpStatusCode status)
    {
        reply.Status.Should().Be(status, $"{name}: {reply.Text}");
        reply.ContentType.Should().Be("application/json", name);
        reply.Json.Should().NotBeNull(name);
        reply.Text.Should().Be(reply.Json!.ToJsonString(PactJson.Options), $"{name} is written compactly with PactJson's encoder");
        _shapes.Add((name, WireShape.Of(reply.Json)));
        return reply;
    }

    private void CompareWithGolden()
    {
        var actual = string.Join('\n', _shapes.Select(s => $"{s.Name} {s.Shape}")) + "\n";
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "WireFormat.actual.txt"), actual);
        var golden = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Conformance", "WireFormat.golden.txt")).ReplaceLineEndings("\n");
        var expected = golden.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var lines = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var differences = lines.Except(expected).Select(l => "now:      " + l)
            .Concat(expected.Except(lines).Select(l => "expected: " + l)).ToList();
        differences.Should().BeEmpty("every response keeps its shape (the whole run is in WireFormat.actual.txt next to the test assembly)");
        lines.Should().Equal(expected);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Core.Json;
using Pact.Core.Sessions;
using Pact.Daemon.Application;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Daemon.Tests.TransparencyLog;

namespace Pact.Daemon.Tests.Hardening;

/// <summary>
/// Read models are checked against the log, not trusted: an edit of pact.db's read-model rows (as an attacker with the
/// file would make, or a damaged page would) made while the daemon is stopped is found by the audit after the restart
/// — the session quarantined, its reads answering 500 PACT-401 naming it, /healthz degraded — and a row that cannot even
/// be read is a 500 PACT-401 at once, never a 400 that blames the request. Each of these was served as is before.
/// </summary>
public sealed class ReadModelTamperTests : IAsyncLifetime
{
    private DaemonHost _host = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await DaemonHost.StartAsync(store: DaemonStore.Sqlite);
        _http = _host.CreateHttpClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private sealed record Negotiation(Negotiator A, Negotiator B, string SessionId, string ProposalId, string CompactId, long CheckpointStreamSeq);

    private async Task<Negotiation> NegotiateAsync()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did], "remodel")).SessionId;
        var terms = await a.DraftAsync(b);
        var proposal = await a.Client.ProposeAsync(session, terms, a.Authority);
        await b.Client.SignProposalAsync(proposal.ProposalId, b.Authority);
        var checkpoint = await a.Client.CheckpointAsync(session, "signed");
        await a.Client.SuspendSessionAsync(session);
        return new Negotiation(a, b, session, proposal.ProposalId, terms["compactId"]!.GetValue<string>(), checkpoint.StreamSeq);
    }

    /// <summary>Stops the daemon, runs <paramref name="sql"/> on pact.db, starts it again and waits for its audit.</summary>
    private async Task TamperAndRestartAsync(params string[] sql)
    {
        await _host.StopAsync();
        using (var db = new DatabaseTamperer(_host.DataDirectory))
        {
            foreach (var statement in sql)
            {
                var changed = db.Sql(statement);
                if (statement.StartsWith("UPDATE", StringComparison.Ordinal)) changed.Should().BeGreaterThan(0, statement);
            }
        }
        await _host.RestartAsync();
        await _host.Services.GetRequiredService<TranscriptAuditor>().Completion.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task<JsonObject> GetAsync(string path, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DaemonHost.AdminToken);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(expected, $"GET {path}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task ShouldBeRefusedNamingAsync(string path, string sessionId)
    {
        var problem = await GetAsync(path, HttpStatusCode.InternalServerError);
        problem["code"]!.GetValue<string>().Should().Be("PACT-401");
        problem["detail"]!.GetValue<string>().Should().Contain(sessionId);
    }

    private async Task ShouldBeDegradedAsync() =>
        (await GetAsync("/healthz", HttpStatusCode.OK))["status"]!.GetValue<string>().Should().Be("degraded");

    [Fact]
    public async Task Altered_proposal_terms_are_refused_not_served()
    {
        var n = await NegotiateAsync();
        await TamperAndRestartAsync($"UPDATE proposals SET terms = json_set(terms, '$.scope.interaction', 'Something else entirely') WHERE proposal_id = '{n.ProposalId}'");

        await ShouldBeRefusedNamingAsync($"/v1/proposals/{n.ProposalId}", n.SessionId);
        await ShouldBeRefusedNamingAsync($"/v1/sessions/{n.SessionId}", n.SessionId);
        await ShouldBeDegradedAsync();
        _host.Services.GetRequiredService<TranscriptQuarantine>().Findings.Sessions.Keys.Should().Equal(n.SessionId);
    }

    [Fact]
    public async Task A_policy_document_altered_in_the_store_is_refused_not_served_under_its_hash()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var published = await a.Client.PublishPolicyAsync(new JsonObject
        {
            ["format"] = "pact-policy/1",
            ["name"] = "careful",
            ["rules"] = new JsonArray(new JsonObject { ["id"] = "no-advanced", ["when"] = "terms.tier == 'advanced'", ["effect"] = "decline" }),
            ["default"] = "escalate",
        });
        var hash = published.Policy.PolicyHash;
        (await GetAsync($"/v1/policies/{hash}", HttpStatusCode.OK))["rules"]![0]!["effect"]!.GetValue<string>().Should().Be("decline");

        await TamperAndRestartAsync($"UPDATE policies SET document = replace(document, '\"decline\"', '\"sign\"') WHERE policy_hash = '{hash}'");
        var problem = await GetAsync($"/v1/policies/{hash}", HttpStatusCode.InternalServerError);
        problem["code"]!.GetValue<string>().Should().Be("PACT-401");
        problem["detail"]!.GetValue<string>().Should().Contain(hash);
    }

    [Fact]
    public async Task A_session_status_set_by_hand_is_refused_not_served_and_its_commands_too()
    {
        var n = await NegotiateAsync();
        var untouched = (await n.A.Client.CreateSessionAsync([n.A.Did, n.B.Did])).SessionId;
        await TamperAndRestartAsync($"UPDATE sessions SET status = 'terminated' WHERE session_id = '{n.SessionId}'");

        await ShouldBeRefusedNamingAsync($"/v1/sessions/{n.SessionId}", n.SessionId);
        await ShouldBeRefusedNamingAsync($"/v1/sessions/{n.SessionId}/state", n.SessionId);
        var resume = () => n.A.Client.ResumeSessionAsync(n.SessionId);
        (await resume.Should().ThrowAsync<Pact.Client.PactApiException>()).Which.Code.Should().Be("PACT-401");
        await ShouldBeDegradedAsync();
        // Every other session goes on.
        (await GetAsync($"/v1/sessions/{untouched}", HttpStatusCode.OK))["status"]!.GetValue<string>().Should().Be("active");
        (await n.A.Client.CheckpointAsync(untouched)).StreamSeq.Should().Be(2);
    }

    [Fact]
    public async Task An_altered_merkle_node_never_serves_a_proof_and_stops_appends()
    {
        var n = await NegotiateAsync();
        // The signed checkpoint follows the head in the background: wait until it covers leaf 2 (seq 3).
        var size = 0L;
        for (var attempt = 0; attempt < 200 && size < 3; attempt++)
        {
            size = (await n.A.Client.GetCheckpointAsync()).TreeSize;
            if (size < 3) await Task.Delay(50);
        }
        size.Should().BeGreaterThanOrEqualTo(3);
        await TamperAndRestartAsync(
            "DROP TRIGGER merkle_nodes_append_only_update",
            "UPDATE merkle_nodes SET hash = zeroblob(32) WHERE level = 1 AND idx = 0");

        // Leaf 2's proof goes through the node over leaves 0 and 1.
        var problem = await GetAsync($"/v1/log/proof/inclusion?seq=3&treeSize={size}", HttpStatusCode.InternalServerError);
        problem["code"]!.GetValue<string>().Should().Be("PACT-401");
        await ShouldBeDegradedAsync();
        _host.Services.GetRequiredService<TranscriptQuarantine>().Findings.Global.Should().Contain("merkle_nodes");
        var create = () => n.A.Client.CreateSessionAsync([n.A.Did, n.B.Did]);
        (await create.Should().ThrowAsync<Pact.Client.PactApiException>()).Which.Code.Should().Be("PACT-401");
    }

    [Fact]
    public async Task An_altered_session_checkpoint_is_never_the_start_of_a_replay()
    {
        var n = await NegotiateAsync();
        // A forger who changes the snapshot and recomputes its stateHash: only the session.checkpointed event tells.
        string forged, forgedHash;
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_host.DataDirectory, "pact.db")};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT state FROM checkpoints WHERE session_id = '{n.SessionId}'";
            var state = (JsonObject)StrictJson.Parse((string)command.ExecuteScalar()!)!;
            state["topic"] = "a topic nobody chose";
            forged = Jcs.CanonicalString(state);
            forgedHash = SessionState.FromJson(state).StateHash();
        }
        await TamperAndRestartAsync($"UPDATE checkpoints SET state = '{forged.Replace("'", "''")}', state_hash = '{forgedHash}' WHERE session_id = '{n.SessionId}'");

        await ShouldBeRefusedNamingAsync($"/v1/sessions/{n.SessionId}/state?at={n.CheckpointStreamSeq + 1}", n.SessionId);
        await ShouldBeDegradedAsync();
    }

    [Fact]
    public async Task A_read_model_row_that_cannot_be_read_is_500_PACT_401_at_once_never_400()
    {
        var n = await NegotiateAsync();
        await TamperAndRestartAsync($"UPDATE proposals SET history = '[{{\"broken\"' WHERE proposal_id = '{n.ProposalId}'");
        _host.Services.GetRequiredService<TranscriptQuarantine>().Findings.Sessions.Should().ContainKey(n.SessionId);

        var problem = await GetAsync($"/v1/compacts/{n.CompactId}", HttpStatusCode.InternalServerError);
        problem["code"]!.GetValue<string>().Should().Be("PACT-401");
        await ShouldBeRefusedNamingAsync($"/v1/proposals/{n.ProposalId}", n.SessionId);
    }
}

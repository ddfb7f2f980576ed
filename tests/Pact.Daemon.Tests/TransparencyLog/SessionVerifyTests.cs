using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Core.Json;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests.TransparencyLog;

public sealed class SessionVerifyTests : IAsyncLifetime
{
    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync(store: DaemonStore.Sqlite); // a test alters pact.db: SQLite only

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task An_untouched_session_verifies_with_every_event_and_signature_counted()
    {
        var s = await LogScenario.CreateAsync(_host);
        var report = await s.B.Client.VerifyAsync(s.SessionId);

        report.Ok.Should().BeTrue(report.FirstError?.ToJsonString());
        report.FirstError.Should().BeNull();
        report.EventsChecked.Should().Be(LogScenario.Events);
        // Envelopes: 7 (created, 3 proposals, signed, checkpointed, declined). Each proposal: the first compact
        // signature and its principal signature (3 × 2). The record: two compact signatures, two principal
        // signatures and the daemon's in-force signature (5). Plus the log's note: 7 + 6 + 5 + 1.
        report.SignaturesChecked.Should().Be(19);
        report.Head!.StreamSeq.Should().Be(LogScenario.Events);
        var head = await s.B.Client.GetSessionAsync(s.SessionId);
        report.Head.Hash.Should().Be(head.Head!.Hash);
    }

    [Fact]
    public async Task From_a_checkpoint_only_the_events_from_it_on_are_checked()
    {
        var s = await LogScenario.CreateAsync(_host);
        var report = await s.A.Client.VerifyAsync(s.SessionId, s.CheckpointId);
        report.Ok.Should().BeTrue(report.FirstError?.ToJsonString());
        report.EventsChecked.Should().Be(3, "the checkpoint is streamSeq 7 of 9");
        report.SignaturesChecked.Should().Be(1 + 3 + 1 + 1, "checkpoint and decline envelopes, the last proposal's three, and the note");
    }

    [Fact]
    public async Task A_checkpoint_snapshot_that_no_longer_hashes_to_its_events_state_hash_is_named_at_the_checkpoint()
    {
        var s = await LogScenario.CreateAsync(_host);
        // The snapshot lives in a read model, not in the hash-linked log; an edit to it must not go unnoticed.
        using (var db = new DatabaseTamperer(_host.DataDirectory))
            db.Execute($"UPDATE checkpoints SET state = json_set(state, '$.status', 'terminated') WHERE checkpoint_id = '{s.CheckpointId}'");
        var report = await s.A.Client.VerifyAsync(s.SessionId, s.CheckpointId);
        report.Ok.Should().BeFalse();
        report.FirstError!.StreamSeq.Should().Be(7);
        report.FirstError.Check.Should().Be("hash");
        report.FirstError.Message.Should().Contain(s.CheckpointId);
        (await s.A.Client.VerifyAsync(s.SessionId)).Ok.Should().BeTrue("the events themselves are intact");
    }

    [Fact]
    public async Task Verify_is_for_participants_and_the_operator_only_and_from_must_be_a_checkpoint_of_this_session()
    {
        var s = await LogScenario.CreateAsync(_host);
        var outsider = await Negotiator.RegisterAsync(_host, "Outsider");
        var peek = () => outsider.Client.VerifyAsync(s.SessionId);
        (await peek.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-404");

        var operatorClient = new PactClient(_host.CreateHttpClient(), options: new PactClientOptions { AdminToken = DaemonHost.AdminToken });
        (await operatorClient.VerifyAsync(s.SessionId)).Ok.Should().BeTrue();

        var unknown = () => s.A.Client.VerifyAsync(s.SessionId, "chk_01JD0000000000000000000000");
        (await unknown.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-404");
        var other = await s.A.Client.CreateSessionAsync([s.A.Did, s.B.Did], "another");
        var elsewhere = () => s.A.Client.VerifyAsync(other.SessionId, s.CheckpointId);
        (await elsewhere.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-404");

        using var anonymous = _host.CreateHttpClient();
        (await anonymous.GetAsync($"/v1/sessions/{s.SessionId}/verify")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Verification_reads_page_after_page_with_the_same_result()
    {
        var s = await LogScenario.CreateAsync(_host);
        var verifier = new Pact.Daemon.TransparencyLog.SessionVerifier(
            _host.Services.GetRequiredService<IPactStore>(),
            _host.Services.GetRequiredService<Pact.Daemon.TransparencyLog.LogCheckpointer>(),
            _host.Services.GetRequiredService<Pact.Daemon.Hosting.DaemonIdentity>(),
            _host.Services.GetRequiredService<Pact.Daemon.Policies.PolicyCatalog>()) { PageSize = 2 };
        var result = await verifier.VerifyAsync(s.SessionId, null, CancellationToken.None);
        result.Ok.Should().BeTrue(result.FirstError?.Message);
        result.EventsChecked.Should().Be(LogScenario.Events);
        result.SignaturesChecked.Should().Be(19);
        result.Head!.StreamSeq.Should().Be(LogScenario.Events);
    }

    [Fact]
    public async Task A_passport_recorded_in_the_session_is_checked_by_its_passportHash_and_a_forged_one_is_the_first_error()
    {
        var s = await LogScenario.CreateAsync(_host);
        var store = _host.Services.GetRequiredService<IPactStore>();
        var served = await s.A.Client.GetPassportAsync(s.B.Did);
        var passport = System.Text.Json.JsonSerializer.SerializeToNode(served, PactJson.Options)!.AsObject();
        // Recorded as §14's policy.decided records the counterparty passport a decision saw: a bare record, with no decision.
        await store.AppendAsync(new AppendRequest(DateTimeOffset.UtcNow,
            [new StreamAppend(s.SessionId, [new Pact.Core.Events.EventDraft("policy.decided", "daemon", new JsonObject { ["proposalId"] = "prp_x", ["passport"] = passport.DeepClone() })])]));

        // Its passport checks out, so the first error is the decision replay's: the bare record carries no decision.
        var sound = await s.A.Client.VerifyAsync(s.SessionId);
        sound.FirstError!.Check.Should().Be("policy-decision", sound.FirstError.Message);
        sound.FirstError.StreamSeq.Should().Be(LogScenario.Events + 1);
        sound.EventsChecked.Should().Be(LogScenario.Events + 1);

        passport["counts"]!["failures"] = 3;
        await store.AppendAsync(new AppendRequest(DateTimeOffset.UtcNow,
            [new StreamAppend(s.SessionId, [new Pact.Core.Events.EventDraft("policy.decided", "daemon", new JsonObject { ["proposalId"] = "prp_y", ["passport"] = passport })])]));

        var forged = await s.A.Client.VerifyAsync(s.SessionId);
        forged.Ok.Should().BeFalse();
        forged.FirstError!.StreamSeq.Should().Be(LogScenario.Events + 2);
        forged.FirstError.Check.Should().Be("passport");
        forged.FirstError.Message.Should().StartWith("/data/passport: passportHash ");
    }
}

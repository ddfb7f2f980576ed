using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Daemon.Application;
using Pact.Daemon.TransparencyLog;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Store;

namespace Pact.Daemon.Tests.TransparencyLog;

/// <summary>
/// An attacker edits pact.db directly (dropping the append-only triggers first, as anyone who can write the
/// file can) and verify must name the first bad event and the check that caught it.
/// Edits are made with the daemon stopped and checked after a restart on the same data directory: the daemon
/// must start anyway, degraded — the damaged session quarantined (its commands answer 500 PACT-401), every
/// other session working (after a start from a state snapshot, once its background check against the whole log has
/// run: <see cref="DaemonHost.StartCheckedAsync"/>). Naive edits leave a row that no longer hashes or links; a careful forger re-hashes
/// and re-links every row after the edit, and only signatures and the signed log can catch those.
/// </summary>
public sealed class TamperTests : IAsyncLifetime
{
    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync(store: DaemonStore.Sqlite);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<VerifyReport> VerifyAsync(LogScenario s, string? from = null)
    {
        // A new client after a restart: the daemon listens on a new port.
        var client = new PactClient(_host.CreateHttpClient(), s.A.Key);
        return await client.VerifyAsync(s.SessionId, from);
    }

    private static void ShouldFailAt(VerifyReport report, long seq, long streamSeq, string check)
    {
        report.Ok.Should().BeFalse();
        var error = report.FirstError!;
        error.Check.Should().Be(check, error.Message);
        error.StreamSeq.Should().Be(streamSeq);
        error.Seq.Should().Be(seq);
        error.Message.Should().NotBeNullOrWhiteSpace();
    }

    /// <summary>
    /// A scenario session plus an untouched one, then the daemon stopped, <paramref name="tamper"/> applied to pact.db,
    /// and the daemon started again on the same directory: it must start, degraded.
    /// </summary>
    private async Task<(LogScenario Scenario, string Untouched)> TamperWhileStoppedAsync(Action<DatabaseTamperer, LogScenario> tamper)
    {
        var s = await LogScenario.CreateAsync(_host);
        var untouched = (await s.A.Client.CreateSessionAsync([s.A.Did, s.B.Did], "an unrelated job")).SessionId;
        await _host.StopAsync();
        using (var db = new DatabaseTamperer(_host.DataDirectory))
            tamper(db, s);
        await _host.RestartAsync();
        await _host.StartCheckedAsync();
        return (s, untouched);
    }

    /// <summary>
    /// After a restart on a damaged session: the start-up replay named the same event as verify, export refuses,
    /// commands on the session and its compact answer 500 PACT-401, and the untouched session works as before.
    /// </summary>
    private async Task ShouldBeQuarantinedAsync(LogScenario s, string untouched, long seq, long streamSeq, string check)
    {
        ShouldFailAt(await VerifyAsync(s), seq, streamSeq, check);
        var found = _host.Services.GetRequiredService<TranscriptQuarantine>().Findings;
        found.Global.Should().BeNull();
        found.Sessions.Keys.Should().Equal(s.SessionId);
        found.Sessions[s.SessionId].Should().Be(new VerificationFailure(seq, streamSeq, check, found.Sessions[s.SessionId].Message));

        await ShouldRefuseWith401(() => s.A.Client.ExportSessionAsync(s.SessionId));
        await ShouldRefuseWith401(() => s.A.Client.CheckpointAsync(s.SessionId, "after the tampering"));
        // The compact negotiated in the damaged session is quarantined with it, even from a healthy session.
        await ShouldRefuseWith401(async () => await s.A.Client.ProposeAsync(untouched, await s.A.DraftAsync(s.B, s.CompactId), s.A.Authority));

        var checkpoint = await s.A.Client.CheckpointAsync(untouched, "still fine");
        checkpoint.StreamSeq.Should().Be(2);
        (await s.B.Client.VerifyAsync(untouched)).Ok.Should().BeTrue();
        (await s.A.Client.GetEventsAsync(untouched)).Events.Should().HaveCount(2);
    }

    private static async Task ShouldRefuseWith401(Func<Task> command)
    {
        var refusal = (await command.Should().ThrowAsync<PactApiException>()).Which;
        refusal.Status.Should().Be(500, refusal.Detail);
        refusal.Code.Should().Be("PACT-401");
        refusal.Detail.Should().NotContain("   at ", "no stack trace leaves the daemon");
    }

    [Fact]
    public async Task A_changed_byte_of_a_payload_is_a_hash_failure_at_that_event_after_a_restart_and_only_its_session_is_quarantined()
    {
        long seq = 0;
        var (s, untouched) = await TamperWhileStoppedAsync((db, s) =>
        {
            var row = db.Get(s.SessionId, 2);
            row.Data.Should().Contain("Kitchen remodel");
            db.Set(seq = row.Seq, "data", row.Data.Replace("Kitchen remodel", "Kitchen remodeL", StringComparison.Ordinal));
        });
        await ShouldBeQuarantinedAsync(s, untouched, seq, 2, "hash");
    }

    [Fact]
    public async Task A_changed_hash_is_a_hash_failure_at_that_event_after_a_restart()
    {
        long seq = 0;
        var (s, untouched) = await TamperWhileStoppedAsync((db, s) =>
        {
            var row = db.Get(s.SessionId, 3);
            db.Set(seq = row.Seq, "hash", (row.Hash[0] == 'a' ? "b" : "a") + row.Hash[1..]);
        });
        await ShouldBeQuarantinedAsync(s, untouched, seq, 3, "hash");
    }

    [Fact]
    public async Task A_changed_prev_hash_is_a_prev_hash_failure_at_that_event_after_a_restart()
    {
        long seq = 0;
        var (s, untouched) = await TamperWhileStoppedAsync((db, s) =>
        {
            seq = db.Get(s.SessionId, 4).Seq;
            db.Set(seq, "prev_hash", db.Get(s.SessionId, 2).Hash);
        });
        await ShouldBeQuarantinedAsync(s, untouched, seq, 4, "prev-hash");
    }

    [Fact]
    public async Task A_changed_envelope_signature_alone_breaks_the_events_hash_first_after_a_restart()
    {
        long seq = 0;
        var (s, untouched) = await TamperWhileStoppedAsync((db, s) =>
        {
            seq = db.Get(s.SessionId, 5).Seq;
            db.EditData(seq, d => d["envelope"]!["sig"] = DatabaseTamperer.Flip(d["envelope"]!["sig"]!.GetValue<string>()), s.SessionId, 5);
        });
        await ShouldBeQuarantinedAsync(s, untouched, seq, 5, "hash");
    }

    [Fact]
    public async Task A_deleted_event_is_a_stream_seq_failure_where_it_is_missing_after_a_restart()
    {
        long seq = 0;
        var (s, untouched) = await TamperWhileStoppedAsync((db, s) =>
        {
            db.Delete(db.Get(s.SessionId, 3).Seq);
            seq = db.Get(s.SessionId, 4).Seq;
        });
        await ShouldBeQuarantinedAsync(s, untouched, seq, 4, "stream-seq");
    }

    [Fact]
    public async Task Two_events_swapped_are_a_prev_hash_failure_at_the_first_of_them_after_a_restart()
    {
        long seq = 0;
        var (s, untouched) = await TamperWhileStoppedAsync((db, s) =>
        {
            var third = db.Get(s.SessionId, 3);
            db.Swap(third, db.Get(s.SessionId, 5));
            seq = third.Seq;
        });
        await ShouldBeQuarantinedAsync(s, untouched, seq, 3, "prev-hash");
    }

    [Fact]
    public async Task A_payload_changed_under_the_running_daemon_is_named_by_verify_and_refused_by_export()
    {
        var s = await LogScenario.CreateAsync(_host);
        using (var db = new DatabaseTamperer(_host.DataDirectory))
        {
            var row = db.Get(s.SessionId, 2);
            db.Set(row.Seq, "data", row.Data.Replace("Kitchen remodel", "Kitchen remodeL", StringComparison.Ordinal));
            ShouldFailAt(await VerifyAsync(s), row.Seq, 2, "hash");
        }
        await ShouldRefuseWith401(() => s.A.Client.ExportSessionAsync(s.SessionId));
    }

    [Fact]
    public async Task Health_says_degraded_with_the_reason_and_names_the_session_only_to_the_operator()
    {
        var (s, _) = await TamperWhileStoppedAsync((db, s) => db.Delete(db.Get(s.SessionId, 3).Seq));
        using var http = _host.CreateHttpClient();

        var health = await GetJsonAsync(http, "/healthz", admin: false);
        health["status"]!.GetValue<string>().Should().Be("degraded");
        health["appendsRefused"]!.GetValue<string>().Should().Be("quarantined");
        health["quarantinedSessions"]!.GetValue<int>().Should().Be(1);
        health["reason"]!.GetValue<string>().Should().Contain("1 session(s)");
        health.ToJsonString().Should().NotContain(s.SessionId, "session ids are visible to their participants only");

        var ready = await GetJsonAsync(http, "/readyz", admin: true);
        ready["status"]!.GetValue<string>().Should().Be("degraded");
        var quarantined = ready["quarantined"]!.AsArray().Single()!;
        quarantined["sessionId"]!.GetValue<string>().Should().Be(s.SessionId);
        quarantined["streamSeq"]!.GetValue<long>().Should().Be(4);
        quarantined["check"]!.GetValue<string>().Should().Be("stream-seq");
    }

    [Fact]
    public async Task Health_of_a_clean_transcript_is_unchanged_after_a_restart()
    {
        await LogScenario.CreateAsync(_host);
        await _host.RestartAsync();
        using var http = _host.CreateHttpClient();
        (await GetJsonAsync(http, "/healthz", admin: true)).ToJsonString().Should().Be("""{"status":"ok"}""");
        (await GetJsonAsync(http, "/readyz", admin: true)).Select(p => p.Key).Should().Equal("status", "headSeq");
        _host.Services.GetRequiredService<TranscriptQuarantine>().IsDegraded.Should().BeFalse();
    }

    [Fact]
    public async Task A_truncated_log_refuses_every_append_but_still_serves_reads_and_verify()
    {
        var s = await LogScenario.CreateAsync(_host);
        var last = (await s.A.Client.CreateSessionAsync([s.A.Did, s.B.Did], "the last event of the log")).SessionId;
        await _host.StopAsync();
        using (var db = new DatabaseTamperer(_host.DataDirectory))
            db.Delete(db.Get(last, 1).Seq);
        await _host.RestartAsync();

        var found = _host.Services.GetRequiredService<TranscriptQuarantine>().Findings;
        found.Global.Should().Contain("leaves");
        using var http = _host.CreateHttpClient();
        (await GetJsonAsync(http, "/healthz", admin: false))["appendsRefused"]!.GetValue<string>().Should().Be("all");

        // The intact session can be read, but nothing may be appended to a log whose tree no longer matches it.
        (await s.A.Client.GetEventsAsync(s.SessionId)).Events.Should().HaveCount(LogScenario.Events);
        await ShouldRefuseWith401(() => s.A.Client.CheckpointAsync(s.SessionId, "after the truncation"));
        await ShouldRefuseWith401(() => s.A.Client.CreateSessionAsync([s.A.Did, s.B.Did], "a new job"));
        await ShouldRefuseWith401(() => s.A.Client.ExportSessionAsync(s.SessionId));
        // Verify names the head it can no longer prove: the signed log is longer than what is left.
        using var check = new DatabaseTamperer(_host.DataDirectory);
        ShouldFailAt(await VerifyAsync(s), check.Get(s.SessionId, 9).Seq, 9, "inclusion");
    }

    [Fact]
    public async Task Deadlines_of_a_quarantined_session_do_not_fire_while_an_untouched_sessions_do()
    {
        var start = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        await using var host = await DaemonHost.StartAsync(clock, store: DaemonStore.Sqlite);
        var a = await Negotiator.RegisterAsync(host, "A", clock: clock);
        var b = await Negotiator.RegisterAsync(host, "B", "human", clock);
        var damaged = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var healthy = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var stuck = await a.Client.ProposeAsync(damaged, await a.DraftAsync(b), a.Authority);
        var expiring = await a.Client.ProposeAsync(healthy, await a.DraftAsync(b), a.Authority);
        await a.Client.CheckpointAsync(damaged, "the event that will be damaged");

        await host.StopAsync();
        using (var db = new DatabaseTamperer(host.DataDirectory))
        {
            var row = db.Get(damaged, 3);
            db.Set(row.Seq, "hash", (row.Hash[0] == 'a' ? "b" : "a") + row.Hash[1..]);
        }
        clock.Advance(TimeSpan.FromDays(15));
        await host.RestartAsync();

        // Both proposals were due while the daemon was down; only the healthy session's may be judged.
        for (var attempt = 0; attempt < 200 && (await a.Client.GetProposalAsync(expiring.ProposalId)).Status != "expired"; attempt++)
            await Task.Delay(50);
        (await a.Client.GetProposalAsync(expiring.ProposalId)).Status.Should().Be("expired");
        (await a.Client.GetProposalAsync(stuck.ProposalId)).Status.Should().Be("open");
        using var check = new DatabaseTamperer(host.DataDirectory);
        check.Rows(damaged).Select(r => r.Type).Should().Equal("session.created", "proposal.created", "session.checkpointed");
    }

    [Fact]
    public async Task A_lifecycle_deadline_cascading_into_a_quarantined_session_waits_without_blocking_other_sessions()
    {
        var start = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        await using var host = await DaemonHost.StartAsync(clock, store: DaemonStore.Sqlite);
        var homeowner = await Negotiator.RegisterAsync(host, "Homeowner", "human", clock);
        var contractor = await Negotiator.RegisterAsync(host, "Contractor", clock: clock);
        var plumber = await Negotiator.RegisterAsync(host, "Plumber", clock: clock);

        // The remodel expires in 10 days; the plumbing subcontract depends on it and ends with it.
        var remodelSession = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did], "remodel")).SessionId;
        var remodel = await contractor.DraftAsync(homeowner, from: start.AddDays(-1), until: start.AddDays(10));
        var remodelId = remodel["compactId"]!.GetValue<string>();
        await contractor.NegotiateAsync(homeowner, remodelSession, remodel);
        var plumbingSession = (await contractor.Client.CreateSessionAsync([contractor.Did, plumber.Did], "plumbing")).SessionId;
        var plumbing = await contractor.DraftAsync(plumber, from: start.AddDays(-1), until: start.AddDays(300));
        Negotiator.DependOn(plumbing, remodelId, "expiration");
        var plumbingId = plumbing["compactId"]!.GetValue<string>();
        await contractor.NegotiateAsync(plumber, plumbingSession, plumbing);
        await contractor.Client.CheckpointAsync(plumbingSession, "the event that will be damaged");
        // An unrelated compact that expires in 5 days.
        var otherSession = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did], "garden")).SessionId;
        var other = await contractor.DraftAsync(homeowner, from: start.AddDays(-1), until: start.AddDays(5));
        var otherId = other["compactId"]!.GetValue<string>();
        await contractor.NegotiateAsync(homeowner, otherSession, other);

        await host.StopAsync();
        using (var db = new DatabaseTamperer(host.DataDirectory))
        {
            var last = db.Rows(plumbingSession)[^1];
            last.Type.Should().Be("session.checkpointed");
            db.Set(last.Seq, "hash", (last.Hash[0] == 'a' ? "b" : "a") + last.Hash[1..]);
        }
        clock.Advance(TimeSpan.FromDays(15));
        await host.RestartAsync();

        // The unrelated expiry fires; the remodel's would cascade into the quarantined plumbing session, so it waits.
        for (var attempt = 0; attempt < 200 && (await homeowner.Client.GetCompactAsync(otherId)).Status == "in-force"; attempt++)
            await Task.Delay(50);
        (await homeowner.Client.GetCompactAsync(otherId)).Status.Should().NotBe("in-force");
        (await homeowner.Client.GetCompactAsync(remodelId)).Status.Should().Be("in-force");
        using (var check = new DatabaseTamperer(host.DataDirectory))
        {
            check.Rows(otherSession).Select(r => r.Type).Should().Contain(Pact.Core.Negotiation.EventTypes.CompactExpired);
            check.Rows(remodelSession).Select(r => r.Type).Should().NotContain(Pact.Core.Negotiation.EventTypes.CompactExpired);
        }

        // Lifecycle work elsewhere goes on: a second version of the unrelated garden terms can be proposed…
        var next = await contractor.DraftAsync(homeowner, compactId: "cmp_" + Guid.NewGuid().ToString("N")[..12], from: start.AddDays(15), until: start.AddDays(60));
        (await contractor.Client.ProposeAsync(otherSession, next, contractor.Authority)).Status.Should().Be("open");
        // …but terms that name the quarantined plumbing compact as upstream are not judged against its cut-off state.
        var dependent = await contractor.DraftAsync(homeowner, from: start.AddDays(15), until: start.AddDays(60));
        Negotiator.DependOn(dependent, plumbingId, "revocation");
        await ShouldRefuseWith401(() => contractor.Client.ProposeAsync(otherSession, dependent, contractor.Authority));
    }

    [Fact]
    public async Task A_proposal_recorded_after_the_damage_is_refused_with_PACT_401_to_participants_and_unknown_to_others()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var outsider = await Negotiator.RegisterAsync(_host, "Outsider");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);
        await a.Client.CheckpointAsync(session, "the event that will be damaged");
        var late = await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);

        await _host.StopAsync();
        using (var db = new DatabaseTamperer(_host.DataDirectory))
        {
            var row = db.Get(session, 3);
            db.Set(row.Seq, "hash", (row.Hash[0] == 'a' ? "b" : "a") + row.Hash[1..]);
        }
        await _host.RestartAsync();
        await _host.StartCheckedAsync();

        // The late proposal lies beyond the first bad event, so it was never replayed: not "unknown" to the parties.
        await ShouldRefuseWith401(() => b.Client.DeclineAsync(late.ProposalId, "too late", late.TermsHash));
        await ShouldRefuseWith401(() => a.Client.WithdrawAsync(late.ProposalId, late.TermsHash));
        var hidden = (await outsider.Client.Invoking(c => c.DeclineAsync(late.ProposalId, null, late.TermsHash))
            .Should().ThrowAsync<PactApiException>()).Which;
        hidden.Status.Should().Be(404);
        // Its stored row stays readable to the parties, and only to them.
        (await b.Client.GetProposalAsync(late.ProposalId)).ProposalId.Should().Be(late.ProposalId);
        (await outsider.Client.Invoking(c => c.GetProposalAsync(late.ProposalId)).Should().ThrowAsync<PactApiException>()).Which.Status.Should().Be(404);
    }

    private static async Task<JsonObject> GetJsonAsync(HttpClient http, string path, bool admin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (admin) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", DaemonHost.AdminToken);
        using var response = await http.SendAsync(request);
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    [Fact]
    public async Task A_forged_envelope_signature_with_every_hash_redone_is_an_envelope_signature_failure_after_a_restart()
    {
        var s = await LogScenario.CreateAsync(_host);
        await _host.StopAsync();
        long seq;
        using (var db = new DatabaseTamperer(_host.DataDirectory))
        {
            seq = db.Get(s.SessionId, 5).Seq;
            db.EditData(seq, d => d["envelope"]!["sig"] = DatabaseTamperer.Flip(d["envelope"]!["sig"]!.GetValue<string>()), s.SessionId, 5);
            db.Reseal(s.SessionId, 5);
        }
        await _host.RestartAsync();

        ShouldFailAt(await VerifyAsync(s), seq, 5, "envelope-signature");
        // Starting after the forged event, the chain is whole but its head is not the one the log signed.
        var fromCheckpoint = await VerifyAsync(s, s.CheckpointId);
        using var check = new DatabaseTamperer(_host.DataDirectory);
        ShouldFailAt(fromCheckpoint, check.Get(s.SessionId, 9).Seq, 9, "inclusion");
    }

    [Fact]
    public async Task A_forged_in_force_signature_is_named_on_every_page_size()
    {
        var s = await LogScenario.CreateAsync(_host);
        await _host.StopAsync();
        long seq;
        using (var db = new DatabaseTamperer(_host.DataDirectory))
        {
            seq = db.Get(s.SessionId, 6).Seq;
            db.Get(s.SessionId, 6).Type.Should().Be("compact.in-force");
            db.EditData(seq, d => d["record"]!["daemonSig"] = DatabaseTamperer.Flip(d["record"]!["daemonSig"]!.GetValue<string>()), s.SessionId, 6);
            db.Reseal(s.SessionId, 6);
        }
        await _host.RestartAsync();

        ShouldFailAt(await VerifyAsync(s), seq, 6, "in-force-signature");
        foreach (var pageSize in new[] { 1, 2, 4, 5 })
        {
            var verifier = new SessionVerifier(_host.Services.GetRequiredService<IPactStore>(), _host.Services.GetRequiredService<LogCheckpointer>(),
                _host.Services.GetRequiredService<Pact.Daemon.Hosting.DaemonIdentity>(), _host.Services.GetRequiredService<Pact.Daemon.Policies.PolicyCatalog>())
            {
                PageSize = pageSize,
            };
            var result = await verifier.VerifyAsync(s.SessionId, null, CancellationToken.None);
            result.FirstError.Should().Be(new VerificationFailure(seq, 6, "in-force-signature", result.FirstError!.Message), $"page size {pageSize}");
            result.EventsChecked.Should().Be(6);
        }
    }

    [Fact]
    public async Task A_forged_compact_signature_inside_the_record_is_a_compact_signature_failure()
    {
        var s = await LogScenario.CreateAsync(_host);
        await _host.StopAsync();
        long seq;
        using (var db = new DatabaseTamperer(_host.DataDirectory))
        {
            seq = db.Get(s.SessionId, 6).Seq;
            db.EditData(seq, d =>
            {
                var first = d["record"]!["signatures"]![0]!.AsObject();
                first["sig"] = DatabaseTamperer.Flip(first["sig"]!.GetValue<string>());
            }, s.SessionId, 6);
            db.Reseal(s.SessionId, 6);
        }
        await _host.RestartAsync();
        ShouldFailAt(await VerifyAsync(s), seq, 6, "compact-signature");
    }

    [Fact]
    public async Task A_forged_daemon_event_carries_no_signature_and_is_caught_by_the_signed_log_at_the_head()
    {
        var s = await LogScenario.CreateAsync(_host);
        await _host.StopAsync();
        long headSeq;
        using (var db = new DatabaseTamperer(_host.DataDirectory))
        {
            var countered = db.Get(s.SessionId, 4);
            countered.Type.Should().Be("proposal.countered");
            countered.Actor.Should().Be("daemon");
            db.EditData(countered.Seq, d => d["by"] = "a", s.SessionId, 4);
            db.Reseal(s.SessionId, 4);
            headSeq = db.Get(s.SessionId, 9).Seq;
        }
        await _host.RestartAsync();
        var report = await VerifyAsync(s);
        ShouldFailAt(report, headSeq, 9, "inclusion");
        report.EventsChecked.Should().Be(LogScenario.Events, "every event hashes, links and carries good signatures");
    }
}

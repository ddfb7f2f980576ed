using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pact.Client;
using Pact.Daemon.Log;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Transcript;

namespace Pact.Daemon.Tests.Log;

/// <summary>
/// An attacker edits pact.db directly (dropping the append-only triggers first, as anyone who can write the
/// file can) and verify must name the first bad event and the check that caught it.
/// Edits that leave a row not matching its own hash, or a gap in seq, are made under the running daemon: the
/// daemon re-reads every event through the checked reader when it starts, so it would refuse to start on
/// them. Edits by a careful forger, who re-hashes and re-links every row after the edit, are made with the
/// daemon stopped and checked after a restart: only signatures and the signed log can catch those.
/// </summary>
public sealed class TamperTests : IAsyncLifetime
{
    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync();

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
        error["check"]!.GetValue<string>().Should().Be(check, error["message"]!.GetValue<string>());
        error["streamSeq"]!.GetValue<long>().Should().Be(streamSeq);
        error["seq"]!.GetValue<long>().Should().Be(seq);
        error["message"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task A_changed_byte_of_a_payload_is_a_hash_failure_at_that_event_and_export_refuses_with_PACT_401()
    {
        var s = await LogScenario.CreateAsync(_host);
        using (var db = new DatabaseTamperer(_host.DataDirectory))
        {
            var row = db.Get(s.SessionId, 2);
            row.Data.Should().Contain("Kitchen remodel");
            db.Set(row.Seq, "data", row.Data.Replace("Kitchen remodel", "Kitchen remodeL", StringComparison.Ordinal));
            ShouldFailAt(await VerifyAsync(s), row.Seq, 2, "hash");
        }
        var export = () => s.A.Client.ExportSessionAsync(s.SessionId);
        var refusal = (await export.Should().ThrowAsync<PactApiException>()).Which;
        refusal.Status.Should().Be(500);
        refusal.Code.Should().Be("PACT-401");
    }

    [Fact]
    public async Task A_changed_hash_is_a_hash_failure_at_that_event()
    {
        var s = await LogScenario.CreateAsync(_host);
        using var db = new DatabaseTamperer(_host.DataDirectory);
        var row = db.Get(s.SessionId, 3);
        db.Set(row.Seq, "hash", (row.Hash[0] == 'a' ? "b" : "a") + row.Hash[1..]);
        ShouldFailAt(await VerifyAsync(s), row.Seq, 3, "hash");
    }

    [Fact]
    public async Task A_changed_prev_hash_is_a_prev_hash_failure_at_that_event()
    {
        var s = await LogScenario.CreateAsync(_host);
        using var db = new DatabaseTamperer(_host.DataDirectory);
        var row = db.Get(s.SessionId, 4);
        db.Set(row.Seq, "prev_hash", db.Get(s.SessionId, 2).Hash);
        ShouldFailAt(await VerifyAsync(s), row.Seq, 4, "prev-hash");
    }

    [Fact]
    public async Task A_changed_envelope_signature_alone_breaks_the_events_hash_first()
    {
        var s = await LogScenario.CreateAsync(_host);
        using var db = new DatabaseTamperer(_host.DataDirectory);
        var row = db.Get(s.SessionId, 5);
        db.EditData(row.Seq, d => d["envelope"]!["sig"] = DatabaseTamperer.Flip(d["envelope"]!["sig"]!.GetValue<string>()), s.SessionId, 5);
        ShouldFailAt(await VerifyAsync(s), row.Seq, 5, "hash");
    }

    [Fact]
    public async Task A_deleted_event_is_a_stream_seq_failure_where_it_is_missing()
    {
        var s = await LogScenario.CreateAsync(_host);
        using var db = new DatabaseTamperer(_host.DataDirectory);
        db.Delete(db.Get(s.SessionId, 3).Seq);
        ShouldFailAt(await VerifyAsync(s), db.Get(s.SessionId, 4).Seq, 4, "stream-seq");
    }

    [Fact]
    public async Task Two_events_swapped_are_a_prev_hash_failure_at_the_first_of_them()
    {
        var s = await LogScenario.CreateAsync(_host);
        using var db = new DatabaseTamperer(_host.DataDirectory);
        var third = db.Get(s.SessionId, 3);
        db.Swap(third, db.Get(s.SessionId, 5));
        ShouldFailAt(await VerifyAsync(s), third.Seq, 3, "prev-hash");
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
            var verifier = new SessionVerifier(_host.Services.GetRequiredService<TranscriptStore>(), _host.Services.GetRequiredService<LogCheckpointer>(),
                _host.Services.GetRequiredService<Pact.Daemon.Hosting.DaemonIdentity>()) { PageSize = pageSize };
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

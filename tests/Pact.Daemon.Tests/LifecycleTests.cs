using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests;

public class LifecycleTests : IAsyncLifetime
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync(store: Store);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Homeowner_contractor_plumber_mesh_an_upstream_revocation_cascades_and_the_plumbers_access_details_are_disposed()
    {
        var homeowner = await Negotiator.RegisterAsync(_host, "Dana Homeowner", "human");
        var contractor = await Negotiator.RegisterAsync(_host, "Acme Remodeling");
        var plumber = await Negotiator.RegisterAsync(_host, "Pipe Pros");

        var remodelSession = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did], "kitchen")).SessionId;
        var remodel = await contractor.DraftAsync(homeowner, from: DateTimeOffset.UtcNow.AddDays(-1));
        var remodelId = remodel["compactId"]!.GetValue<string>();
        await contractor.NegotiateAsync(homeowner, remodelSession, remodel);

        // The plumbing subcontract depends on the remodel: its revocation ends this one, and every category is deleted then.
        var plumbingSession = (await contractor.Client.CreateSessionAsync([contractor.Did, plumber.Did], "plumbing")).SessionId;
        var plumbing = await contractor.DraftAsync(plumber, from: DateTimeOffset.UtcNow.AddDays(-1));
        Negotiator.DependOn(plumbing, remodelId, "revocation");
        var plumbingId = plumbing["compactId"]!.GetValue<string>();
        await contractor.NegotiateAsync(plumber, plumbingSession, plumbing);

        var before = await plumber.Client.CheckAsync(plumbingId, "b", "retain", "property-access-details");
        before.Allowed.Should().BeTrue(before.ToJsonString());

        var revocation = await homeowner.Client.RevokeAsync(remodelId, 1, "Moving house", emergency: true);
        await contractor.Client.AcknowledgeRevocationAsync(remodelId, revocation.RevocationId, revocation.InitiationHash);

        (await plumber.Client.GetCompactAsync(plumbingId)).Status.Should().Be("revoked");
        var after = await plumber.Client.CheckAsync(plumbingId, "b", "retain", "property-access-details");
        after.Allowed.Should().BeFalse();
        after.Code.Should().Be("DISPOSED");
        after.Explanation.Should().NotBeNullOrWhiteSpace();

        var plumbingEvents = new List<string>();
        await foreach (var e in plumber.Client.GetAllEventsAsync(plumbingSession)) plumbingEvents.Add(e.Type);
        plumbingEvents.Should().EndWith(["compact.upstream-triggered", "compact.revoked"]);
        var duties = await plumber.Client.GetDispositionsAsync(plumbingId);
        duties.ToJsonString().Should().Contain("property-access-details");
    }

    [Fact]
    public async Task A_session_shows_the_state_its_stream_folds_to_when_a_version_negotiated_elsewhere_supersedes_its_compact()
    {
        var contractor = await Negotiator.RegisterAsync(_host, "Acme Remodeling");
        var homeowner = await Negotiator.RegisterAsync(_host, "Dana Homeowner", "human");
        var first = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did], "kitchen")).SessionId;
        var v1 = await contractor.DraftAsync(homeowner);
        var compactId = v1["compactId"]!.GetValue<string>();
        await contractor.NegotiateAsync(homeowner, first, v1);
        var v1Hash = (await contractor.Client.GetSessionAsync(first)).Compacts[0].CompactHash;

        // Version 2 is negotiated in another session; its compact.superseded event lands in the first one's stream.
        var second = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did], "kitchen, phase 2")).SessionId;
        var v2 = await contractor.DraftAsync(homeowner, compactId);
        v2["version"] = 2;
        v2["predecessor"] = new JsonObject { ["version"] = 1, ["compactHash"] = v1Hash };
        await contractor.NegotiateAsync(homeowner, second, v2);
        await homeowner.Client.SuspendSessionAsync(second);

        // The session view comes from the read-model rows; state without a checkpoint is a fold of every event.
        var folds = new Dictionary<string, SessionStateView>();
        foreach (var session in new[] { first, second })
        {
            var view = await contractor.Client.GetSessionAsync(session);
            var folded = folds[session] = await contractor.Client.GetStateAsync(session);
            folded.Replay!.FromCheckpoint.Should().BeNull();
            view.Status.Should().Be(folded.State.Status);
            view.Participants.Should().Equal(folded.State.Participants);
            view.Proposals.ToJsonString().Should().Be(folded.State.Proposals.ToJsonString());
            view.Compacts.ToJsonString().Should().Be(folded.State.Compacts.ToJsonString());
        }
        folds[first].State.Compacts[0].Status.Should().Be("superseded");
        folds[second].State.Status.Should().Be("suspended");

        // A checkpoint records that state's hash, and the snapshot it stores (built from the rows) hashes to it.
        var checkpoint = await contractor.Client.CheckpointAsync(first, "after phase 2");
        checkpoint.StateHash.Should().Be(folds[first].StateHash);
        var fromSnapshot = await contractor.Client.GetStateAsync(first, checkpoint.StreamSeq);
        fromSnapshot.Replay!.FromCheckpoint.Should().Be(checkpoint.CheckpointId);
        fromSnapshot.StateHash.Should().Be(checkpoint.StateHash);
        (await contractor.Client.VerifyAsync(first, checkpoint.CheckpointId)).Ok.Should().BeTrue();
    }

    [Fact]
    public async Task A_revocation_under_a_notice_period_reaching_past_year_9999_takes_effect_at_the_end_of_time_not_a_500()
    {
        // Terms may set any valid duration; now + P8000Y is no instant, and the calendar arithmetic used to throw (500).
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var terms = await a.DraftAsync(b);
        terms["revocation"]!["noticePeriod"] = "P8000Y";
        terms["revocation"]!["ackTimeout"] = "P8000Y";
        var compactId = terms["compactId"]!.GetValue<string>();
        await a.NegotiateAsync(b, session, terms);

        var revocation = await a.Client.RevokeAsync(compactId, 1, "no longer needed");
        revocation.Status.Should().Be("initiated");
        revocation.EffectiveAt.Should().Be(Pact.Core.Time.IsoDuration.EndOfTime);
        revocation.AckDeadline.Should().Be(Pact.Core.Time.IsoDuration.EndOfTime);
        (await a.Client.GetCompactAsync(compactId)).Status.Should().Be("in-force", "the notice runs until the end of time");
        (await a.Client.VerifyAsync(session)).Ok.Should().BeTrue();
    }

    [Fact]
    public async Task Lifecycle_refusals_are_precise_and_record_nothing()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var outsider = await Negotiator.RegisterAsync(_host, "C");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var terms = await a.DraftAsync(b);
        var compactId = terms["compactId"]!.GetValue<string>();
        await a.NegotiateAsync(b, session, terms);
        var eventsBefore = (await a.Client.GetEventsAsync(session)).Events.Count;

        var revocation = await a.Client.RevokeAsync(compactId, 1, "no longer needed");
        revocation.Status.Should().Be("initiated");

        var own = () => a.Client.AcknowledgeRevocationAsync(compactId, revocation.RevocationId, revocation.InitiationHash);
        (await own.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-205");
        var wrongHash = () => b.Client.AcknowledgeRevocationAsync(compactId, revocation.RevocationId, new string('a', 64));
        (await wrongHash.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-110");
        var second = () => b.Client.RevokeAsync(compactId, 1);
        (await second.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-304");
        var stranger = () => outsider.Client.RevokeAsync(compactId, 1);
        (await stranger.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-404");
        var strangerMarker = () => outsider.Client.RecordMarkerAsync(compactId, "work-complete");
        (await strangerMarker.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-404");

        (await a.Client.GetEventsAsync(session)).Events.Count.Should().Be(eventsBefore + 1, "only the accepted revocation was recorded");
        var pending = await b.Client.GetPendingAsync();
        pending.Revocations.Should().ContainSingle();
    }

    [Fact]
    public async Task While_a_revocation_is_pending_the_compact_stays_in_force_but_the_other_party_is_suspended()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var terms = await a.DraftAsync(b, from: DateTimeOffset.UtcNow.AddDays(-1));
        var compactId = terms["compactId"]!.GetValue<string>();
        await a.NegotiateAsync(b, session, terms);

        await a.Client.RevokeAsync(compactId, 1);
        (await a.Client.GetCompactAsync(compactId)).Status.Should().Be("in-force");
        var gap = await b.Client.CheckAsync(compactId, "b", "retain", "work-record");
        gap.Code.Should().Be("SUSPENDED_LIFECYCLE_GAP");
        gap.Dimension.Should().Be("lifecycle-gap");
        var initiator = await a.Client.CheckAsync(compactId, "a", "retain", "work-record");
        initiator.Allowed.Should().BeTrue();
    }

    [Fact]
    public async Task A_marker_takes_effect_on_acknowledgment_and_ends_until_marker_retention()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var terms = await a.DraftAsync(b, from: DateTimeOffset.UtcNow.AddDays(-1));
        var compactId = terms["compactId"]!.GetValue<string>();
        await a.NegotiateAsync(b, session, terms);

        (await a.Client.CheckAsync(compactId, "a", "retain", "property-access-details")).Allowed.Should().BeTrue();
        var marker = await a.Client.RecordMarkerAsync(compactId, "work-complete");
        var acknowledged = await b.Client.AcknowledgeMarkerAsync(compactId, marker.MarkerId, marker.InitiationHash);
        acknowledged.Status.Should().Be("effective");
        var after = await a.Client.CheckAsync(compactId, "a", "retain", "property-access-details");
        after.Code.Should().Be("DISPOSED");
    }
}

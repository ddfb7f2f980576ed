using System.Net;
using System.Text.Json.Nodes;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests;

public class SessionLifecycleTests(DaemonFixture daemon) : IClassFixture<DaemonFixture>
{
    [Fact]
    public async Task A_session_goes_active_suspended_active_terminated_with_one_event_each()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var session = await a.CreateSessionAsync(b);

        var suspended = await b.PostAsync($"/v1/sessions/{session}/suspend", "session.suspend", new JsonObject { ["sessionId"] = session });
        suspended.Status.Should().Be(HttpStatusCode.OK, suspended.Text);
        suspended.Json!["status"]!.GetValue<string>().Should().Be("suspended");

        var again = await a.PostAsync($"/v1/sessions/{session}/suspend", "session.suspend", new JsonObject { ["sessionId"] = session });
        again.Status.Should().Be(HttpStatusCode.Conflict);
        again.Code.Should().Be("PACT-305");

        var resumed = await a.PostAsync($"/v1/sessions/{session}/resume", "session.resume", new JsonObject { ["sessionId"] = session });
        resumed.Json!["status"]!.GetValue<string>().Should().Be("active");

        var terminated = await a.PostAsync($"/v1/sessions/{session}/terminate", "session.terminate", new JsonObject { ["sessionId"] = session });
        terminated.Json!["status"]!.GetValue<string>().Should().Be("terminated");
        terminated.Json["head"]!["streamSeq"]!.GetValue<long>().Should().Be(4);

        var resumeTerminated = await a.PostAsync($"/v1/sessions/{session}/resume", "session.resume", new JsonObject { ["sessionId"] = session });
        resumeTerminated.Code.Should().Be("PACT-305");

        var events = await b.GetAsync($"/v1/sessions/{session}/events");
        var types = events.Json!["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
        types.Should().Equal("session.created", "session.suspended", "session.resumed", "session.terminated");
        events.Json["next"].Should().BeNull();
        var list = events.Json["events"]!.AsArray();
        list[1]!["prevHash"]!.GetValue<string>().Should().Be(list[0]!["hash"]!.GetValue<string>());
        list[0]!["data"]!["envelope"]!["signer"]!.GetValue<string>().Should().Be(a.Did);
    }

    [Fact]
    public async Task A_non_participant_gets_404_for_reads_and_writes_alike()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var outsider = await daemon.RegisteredAgentAsync();
        var session = await a.CreateSessionAsync(b);

        (await outsider.GetAsync($"/v1/sessions/{session}")).Code.Should().Be("PACT-404");
        (await outsider.GetAsync($"/v1/sessions/{session}/events")).Code.Should().Be("PACT-404");
        var write = await outsider.PostAsync($"/v1/sessions/{session}/suspend", "session.suspend", new JsonObject { ["sessionId"] = session });
        write.Status.Should().Be(HttpStatusCode.NotFound);
        write.Code.Should().Be("PACT-404");
        var missing = await outsider.GetAsync("/v1/sessions/ses_01JD0000000000000000000000");
        missing.Text.Replace("ses_01JD0000000000000000000000", session).Should().NotBeNull();
        missing.Code.Should().Be("PACT-404");
        (await outsider.GetAsync("/v1/sessions")).Json!["sessions"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Creating_a_session_needs_the_signer_among_two_registered_participants()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var c = await daemon.RegisteredAgentAsync();
        var stranger = new TestAgent(daemon.Http, daemon.DaemonId);

        var alone = await a.PostAsync("/v1/sessions", "session.create", new JsonObject { ["participants"] = new JsonArray(a.Did) });
        alone.Code.Should().Be("PACT-101");
        var notSigner = await a.PostAsync("/v1/sessions", "session.create", new JsonObject { ["participants"] = new JsonArray(b.Did, c.Did) });
        notSigner.Code.Should().Be("PACT-205");
        var unregistered = await a.PostAsync("/v1/sessions", "session.create", new JsonObject { ["participants"] = new JsonArray(a.Did, stranger.Did) });
        unregistered.Code.Should().Be("PACT-101");
        unregistered.Json!["errors"]![0]!["pointer"]!.GetValue<string>().Should().Be("/payload/participants/1");
    }

    [Fact]
    public async Task Checkpoints_record_the_state_hash_and_state_at_k_replays_from_the_nearest_one()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var session = await a.CreateSessionAsync(b);
        await a.PostAsync($"/v1/sessions/{session}/suspend", "session.suspend", new JsonObject { ["sessionId"] = session });
        var checkpoint = await a.PostAsync($"/v1/sessions/{session}/checkpoints", "session.checkpoint", new JsonObject { ["sessionId"] = session, ["label"] = "after suspend" });
        checkpoint.Status.Should().Be(HttpStatusCode.Created, checkpoint.Text);
        checkpoint.Json!["streamSeq"]!.GetValue<long>().Should().Be(3);
        await a.PostAsync($"/v1/sessions/{session}/resume", "session.resume", new JsonObject { ["sessionId"] = session });

        var atHead = await b.GetAsync($"/v1/sessions/{session}/state?at=4");
        atHead.Json!["replay"]!["fromCheckpoint"]!.GetValue<string>().Should().Be(checkpoint.Json["checkpointId"]!.GetValue<string>());
        atHead.Json["replay"]!["eventsApplied"]!.GetValue<long>().Should().Be(1);
        atHead.Json["state"]!["status"]!.GetValue<string>().Should().Be("active");

        var atTwo = await b.GetAsync($"/v1/sessions/{session}/state?at=2");
        atTwo.Json!["replay"]!["fromCheckpoint"].Should().BeNull();
        atTwo.Json["replay"]!["eventsApplied"]!.GetValue<long>().Should().Be(2);
        atTwo.Json["state"]!["status"]!.GetValue<string>().Should().Be("suspended");

        var atCheckpoint = await b.GetAsync($"/v1/sessions/{session}/state?at=3");
        atCheckpoint.Json!["stateHash"]!.GetValue<string>().Should().Be(checkpoint.Json["stateHash"]!.GetValue<string>());
        atCheckpoint.Json["replay"]!["eventsApplied"]!.GetValue<long>().Should().Be(0);

        (await b.GetAsync($"/v1/sessions/{session}/state?at=9")).Code.Should().Be("PACT-101");
    }

    [Fact]
    public async Task Event_pages_follow_next_until_the_end()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var session = await a.CreateSessionAsync(b);
        for (var i = 0; i < 3; i++)
        {
            await a.PostAsync($"/v1/sessions/{session}/suspend", "session.suspend", new JsonObject { ["sessionId"] = session });
            await a.PostAsync($"/v1/sessions/{session}/resume", "session.resume", new JsonObject { ["sessionId"] = session });
        }
        var seen = new List<long>();
        long? after = 0;
        while (after is not null)
        {
            var page = await a.GetAsync($"/v1/sessions/{session}/events?after={after}&limit=3");
            seen.AddRange(page.Json!["events"]!.AsArray().Select(e => e!["streamSeq"]!.GetValue<long>()));
            after = page.Json["next"]?.GetValue<long>();
        }
        seen.Should().Equal(1, 2, 3, 4, 5, 6, 7);
    }

    [Fact]
    public async Task The_operator_token_reads_every_session()
    {
        var a = await daemon.RegisteredAgentAsync();
        var b = await daemon.RegisteredAgentAsync();
        var session = await a.CreateSessionAsync(b);
        var reply = await a.GetAsync($"/v1/sessions/{session}", token: DaemonHost.AdminToken);
        reply.Status.Should().Be(HttpStatusCode.OK);
        reply.Json!["participants"]!.AsArray().Select(p => p!.GetValue<string>()).Should().Equal(a.Did, b.Did);
    }
}

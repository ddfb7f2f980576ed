using FluentAssertions;
using Pact.Core.Events;
using Pact.Core.Negotiation;

namespace Pact.Store.Tests.Conformance;

// A store several instances share (ISharedStore, ADR 0013): one writer at a time, standbys that refuse writes and
// follow, and a take-over when the writer's connection dies. Only PostgreSQL is shared; SQLite has one process.
public sealed partial class PostgresPactStoreConformanceTests
{
    private static readonly TimeSpan TakeOverPatience = TimeSpan.FromSeconds(20);

    [SkippableFact]
    public async Task One_instance_holds_the_writer_role_and_a_standby_reads_but_refuses_every_write()
    {
        var written = await Store.AppendAsync(Request(new StreamAppend(Session, [Created()])));
        await using var standby = await OpenStandbyAsync();

        ((ISharedStore)Store).IsWriter.Should().BeTrue();
        var shared = (ISharedStore)standby;
        shared.IsWriter.Should().BeFalse("the first instance holds the role");
        shared.BecameWriter.IsCompleted.Should().BeFalse();
        await standby.Invoking(s => s.AppendAsync(Request(new StreamAppend(Session, [Status(EventTypes.SessionSuspended)]))))
            .Should().ThrowAsync<NotTheWriterException>();
        await standby.Invoking(s => s.WriteAsync(_ => 0)).Should().ThrowAsync<NotTheWriterException>();

        (await standby.ReadAllAsync(0, 10)).Select(e => e.Hash).Should().Equal(written.Events.Select(e => e.Hash));
        (await standby.Sessions.GetAsync(Session, CancellationToken.None))!.Status.Should().Be("active");
        (await Store.AppendAsync(Request(new StreamAppend(Session, [Status(EventTypes.SessionSuspended)])))).Events[0].Seq
            .Should().Be(2, "the standby's refused writes took no seq");
    }

    [SkippableFact]
    public async Task A_standby_follows_the_writer_and_takes_over_when_the_writers_session_dies_losing_nothing_acknowledged()
    {
        var acknowledged = (await Store.AppendAsync(Request(new StreamAppend(Session, [Created()])))).Events.ToList();
        await using var standby = await OpenStandbyAsync();
        var shared = (ISharedStore)standby;
        var followed = new List<TranscriptEvent>();
        shared.Followed += events =>
        {
            lock (followed) followed.AddRange(events);
        };
        shared.Follow(afterSeq: 1);
        acknowledged.AddRange((await Store.AppendAsync(Request(new StreamAppend("ses_other", [Other()])))).Events);
        for (var i = 0; i < 200 && Count(followed) < 1; i++) await Task.Delay(50);
        lock (followed) followed.Select(e => e.Seq).Should().Equal(2);

        await KillWriterSessionAsync();
        await shared.BecameWriter.WaitAsync(TakeOverPatience);

        shared.IsWriter.Should().BeTrue();
        var next = await standby.AppendAsync(Request(new StreamAppend(Session, [Status(EventTypes.SessionSuspended)])));
        next.Events[0].Seq.Should().Be(3);
        next.Events[0].PrevHash.Should().Be(acknowledged[0].Hash, "the new writer continues the stream the old one wrote");
        var all = await standby.ReadAllAsync(0, 10);
        all.Select(e => e.Hash).Should().Equal(acknowledged.Concat(next.Events).Select(e => e.Hash));
        (await standby.VerifyAsync()).EventCount.Should().Be(3);
        (await standby.Sessions.GetAsync(Session, CancellationToken.None))!.Status.Should().Be("suspended");
        (await standby.AuditAsync()).IsClean.Should().BeTrue();
    }

    private static int Count(List<TranscriptEvent> events)
    {
        lock (events) return events.Count;
    }
}

using FluentAssertions;
using Pact.Core.Events;
using static Pact.Store.Tests.Requests;

namespace Pact.Store.Tests;

public sealed class DurabilityTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TempDirectory _crashCopy = new();

    public void Dispose()
    {
        _dir.Dispose();
        _crashCopy.Dispose();
    }

    [Fact]
    public async Task Every_acknowledged_event_survives_a_crash_that_leaves_only_the_db_and_wal_files()
    {
        var store = await SqliteEventLog.OpenAsync(Options(_dir, NotesMigration));
        var acknowledged = new List<TranscriptEvent>();
        var appenders = Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            var mine = new List<TranscriptEvent>();
            for (var i = 0; i < 50; i++) mine.AddRange((await store.AppendAsync(Append($"ses_{t}", 2))).Events);
            return mine;
        }));
        foreach (var events in await Task.WhenAll(appenders)) acknowledged.AddRange(events);

        // Simulate kill -9: no dispose, no checkpoint, no clean close — take the files as they are on disk now.
        var wal = _dir.File("pact.db-wal");
        new FileInfo(wal).Length.Should().BeGreaterThan(0, "the acknowledged commits live in the WAL, so recovery is what this test exercises");
        File.Copy(_dir.File("pact.db"), _crashCopy.File("pact.db"));
        File.Copy(wal, _crashCopy.File("pact.db-wal"));

        try
        {
            await using var recovered = await SqliteEventLog.OpenAsync(Options(_crashCopy, NotesMigration));
            var all = await recovered.ReadAllAsync(0, 1000);

            all.Select(e => e.ToJson().ToJsonString())
                .Should().Equal(acknowledged.OrderBy(e => e.Seq).Select(e => e.ToJson().ToJsonString()));
            (await recovered.VerifyAsync()).Should().Be(new TranscriptVerification(400, 4));
            (await recovered.AppendAsync(Append("ses_0", 1))).Events.Single().StreamSeq.Should().Be(101);
        }
        finally
        {
            await store.DisposeAsync();
        }
    }
}

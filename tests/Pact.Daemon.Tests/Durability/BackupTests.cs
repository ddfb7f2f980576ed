using Microsoft.Extensions.DependencyInjection;
using Pact.Daemon.Hosting;
using Pact.Daemon.Tests.Infrastructure;
using Pact.Daemon.TransparencyLog;
using Pact.Store;

namespace Pact.Daemon.Tests.Durability;

/// <summary>
/// The WAL trap: after a clean stop the database file alone holds the whole log, and a store older than what the
/// daemon key has signed (pact.db copied without pact.db-wal, say) is refused at start instead of served.
/// </summary>
public class BackupTests
{
    [Fact]
    public async Task After_a_clean_stop_a_copy_of_pact_db_alone_holds_every_event()
    {
        var original = Scratch();
        var copy = Scratch();
        long head;
        await using (var host = await DaemonHost.StartAsync(dataDirectory: original, store: DaemonStore.Sqlite))
        {
            using var http = host.CreateHttpClient();
            await Negotiate(http);
            head = host.Services.GetRequiredService<IPactStore>().HeadSeq;
            head.Should().BePositive();
            await host.StopAsync();

            var wal = Path.Combine(original, "pact.db-wal");
            (File.Exists(wal) ? new FileInfo(wal).Length : 0).Should().Be(0, "the WAL is folded into pact.db at a clean stop");
            foreach (var file in new[] { "pact.db", "daemon.key.json", "token.secret", "log.signed-size" })
                File.Copy(Path.Combine(original, file), Path.Combine(copy, file));
        }

        await using var restored = await DaemonHost.StartAsync(dataDirectory: copy, store: DaemonStore.Sqlite);
        restored.Services.GetRequiredService<IPactStore>().HeadSeq.Should().Be(head);
    }

    [Fact]
    public async Task A_store_older_than_the_signed_log_is_refused_at_start()
    {
        var original = Scratch();
        var stale = Scratch();
        await using (var host = await DaemonHost.StartAsync(dataDirectory: original, store: DaemonStore.Sqlite))
        {
            using var http = host.CreateHttpClient();
            await Negotiate(http);
            var signed = await host.Services.GetRequiredService<LogCheckpointer>().CheckpointAsync(CancellationToken.None);
            signed!.TreeSize.Should().BePositive();
            // What a careless backup keeps: the key and its record, but not the events.
            foreach (var file in new[] { "daemon.key.json", "token.secret", "log.signed-size" })
                File.Copy(Path.Combine(original, file), Path.Combine(stale, file));
        }

        var start = async () => await DaemonHost.StartAsync(dataDirectory: stale, store: DaemonStore.Sqlite);
        var refused = (await start.Should().ThrowAsync<StartRefusedException>()).Which;
        refused.Message.Should().Contain("has signed a log of").And.Contain("holds 0");
        DaemonCommandLine.Explain(refused).Should().StartWith("error: the daemon key has signed a log of");
    }

    private static string Scratch()
    {
        var path = Path.Combine(Path.GetTempPath(), "pact-backup-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static async Task Negotiate(HttpClient http)
    {
        var daemonId = await TestAgent.DaemonIdOf(http);
        var a = new TestAgent(http, daemonId);
        var b = new TestAgent(http, daemonId);
        await a.RegisterAsync();
        await b.RegisterAsync();
        await a.CreateSessionAsync(b);
    }
}

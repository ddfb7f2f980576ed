using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Daemon.Tests.Durability;
using Pact.Store.Postgres;
using Pact.Tests.Shared;
using Xunit.Abstractions;

namespace Pact.Daemon.Tests.Postgres;

/// <summary>
/// The writer of two daemons on one database killed with SIGKILL while 8 clients write through the standby: the
/// standby takes over within seconds, every acknowledged event is in the log, and the log verifies.
/// </summary>
public sealed class MultiInstanceKillTests(ITestOutputHelper output)
{
    private const int Clients = 8;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(45);

    [PostgresFact]
    public async Task The_survivor_takes_over_from_a_killed_writer_and_no_acknowledged_event_is_lost()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        var data = Path.Combine(Path.GetTempPath(), "pact-multi-kill9-" + Guid.NewGuid().ToString("N"));
        string[] settings = ["--Pact:Store:Provider=postgres", $"--Pact:Store:ConnectionString={database}"];
        await using var writer = await DaemonProcess.StartAsync(data, StartTimeout, settings);
        await using var survivor = await DaemonProcess.StartAsync(data, StartTimeout, settings);
        using var http = new HttpClient { BaseAddress = survivor.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var acknowledged = new ConcurrentDictionary<string, int>(StringComparer.Ordinal); // session → events acknowledged
        var clients = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ => (Client: await RegisterAsync(http), Partner: (await RegisterAsync(http)).Key!.Did)));

        using var stop = new CancellationTokenSource();
        var killedAt = new TaskCompletionSource<Stopwatch>();
        var firstAfterKill = new ConcurrentBag<TimeSpan>();
        var workers = clients.Select(pair => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var client = pair.Client;
                    var session = (await client.CreateSessionAsync([client.Key!.Did, pair.Partner], "failover", cancellationToken: CancellationToken.None)).SessionId;
                    acknowledged[session] = 1;
                    await client.SuspendSessionAsync(session, CancellationToken.None);
                    acknowledged[session] = 2;
                    if (killedAt.Task.IsCompleted) firstAfterKill.Add(killedAt.Task.Result.Elapsed);
                }
                catch (Exception e) when (e is PactApiException or HttpRequestException or TaskCanceledException or IOException)
                {
                    // Unknown outcome around the kill (503 from the survivor): not acknowledged, try again.
                    await Task.Delay(100);
                }
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(3));
        (await writer.KillHardAsync()).Should().Be(137);
        var clock = Stopwatch.StartNew();
        killedAt.SetResult(clock);
        while (clock.Elapsed < TimeSpan.FromSeconds(30) && firstAfterKill.Count < 2 * Clients) await Task.Delay(100);
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        firstAfterKill.Should().NotBeEmpty("the survivor must take writes after the writer died; output:\n" + survivor.Output);
        var takeOver = firstAfterKill.Min();
        output.WriteLine($"{acknowledged.Count} sessions acknowledged; first write acknowledged {takeOver.TotalSeconds:F1} s after the kill");
        takeOver.Should().BeLessThan(TimeSpan.FromSeconds(10));

        // The log itself, read through a standby-capable store (the survivor holds the writer role).
        await using var store = await PostgresPactStore.OpenAsync(new PostgresStoreOptions
        {
            ConnectionString = database,
            Standby = true,
            SealKey = new Pact.Daemon.Hosting.DataDirectory(data).LoadOrCreateStoreSealKey(),
        });
        var verification = await store.VerifyAsync();
        verification.EventCount.Should().Be(store.HeadSeq);
        foreach (var (session, count) in acknowledged)
        {
            var events = await store.ReadStreamAsync(session, 0, 10);
            events.Count.Should().BeGreaterThanOrEqualTo(count, $"session {session} had {count} events acknowledged");
            events[0].Type.Should().Be("session.created");
            if (count == 2) events[1].Type.Should().Be("session.suspended");
        }
        var audit = await store.AuditAsync();
        audit.IsClean.Should().BeTrue(string.Join("; ", audit.Global));
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task<PactClient> RegisterAsync(HttpClient http)
    {
        var key = AgentKey.Generate();
        var principal = KeyPair.Generate();
        var client = new PactClient(http, key, new PactClientOptions { MaxAttempts = 1 });
        await client.RegisterAsync(new Principal(principal.Did, "organization", "Failover"), "Failover");
        return client;
    }
}

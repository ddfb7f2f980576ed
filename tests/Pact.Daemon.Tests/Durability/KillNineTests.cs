using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Store;
using Pact.Store.Sqlite;
using Xunit.Abstractions;

namespace Pact.Daemon.Tests.Durability;

/// <summary>
/// §9's promise under a real crash: whatever the daemon acknowledged (a 2xx reached the client) is on disk,
/// the log has no holes and every chain still verifies after SIGKILL and a restart on the same files.
/// </summary>
public sealed class KillNineTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Clients = 8;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(45);

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "pact-kill9-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS temp cleaner.
        }
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Every_acknowledged_event_and_compact_survives_kill_9_with_a_gapless_verifying_log()
    {
        var ledger = new Ledger();
        await using (var first = await DaemonProcess.StartAsync(_dataDirectory, StartTimeout))
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            var pairs = await Task.WhenAll(Enumerable.Range(0, Clients).Select(i => Pair.CreateAsync(http, i)));

            using var stop = new CancellationTokenSource();
            var workers = pairs.Select(p => Task.Run(() => NegotiateInALoopAsync(p, ledger, stop.Token))).ToArray();

            // Load for at least two seconds and until a handful of compacts are in force (a slow machine gets
            // longer), then crash the daemon with requests in flight.
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(20) && (clock.Elapsed < TimeSpan.FromSeconds(2) || ledger.Compacts.Count < Clients))
                await Task.Delay(50);
            var inFlightBeforeKill = ledger.Started - ledger.Acknowledged;

            ledger.Killed = true;
            var exitCode = await first.KillHardAsync();
            exitCode.Should().Be(137, "Process.Kill must deliver SIGKILL (128 + 9), not a polite SIGTERM");
            await stop.CancelAsync();
            await Task.WhenAll(workers);

            output.WriteLine($"killed after {clock.Elapsed.TotalSeconds:F1} s: {ledger.Acknowledged} requests acknowledged, {inFlightBeforeKill} in flight, " +
                $"{ledger.Sessions.Count} sessions, {ledger.Compacts.Count} compacts in force");
            ledger.ErrorsBeforeKill.Should().BeEmpty("the daemon was healthy until the kill; output:\n" + first.Output);
            ledger.Compacts.Should().NotBeEmpty();
            inFlightBeforeKill.Should().BeGreaterThan(0, "the kill should land with requests in flight");
        }

        long headSeq;
        var apiSeqs = new List<long>();
        await using (var second = await DaemonProcess.StartAsync(_dataDirectory, StartTimeout))
        {
            using var http = new HttpClient { BaseAddress = second.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            var admin = new PactClient(http, key: null, new PactClientOptions { AdminToken = DaemonProcess.AdminToken, MaxAttempts = 3 });
            var daemon = await admin.GetDaemonAsync();

            foreach (var (sessionId, acknowledged) in ledger.Sessions)
            {
                var events = new List<TranscriptEvent>();
                await foreach (var e in admin.GetAllEventsAsync(sessionId, pageSize: 1000)) events.Add(e);

                var expected = acknowledged.ToArray();
                events.Count.Should().BeGreaterThanOrEqualTo(expected.Length, $"session {sessionId} acknowledged {string.Join(", ", expected)}");
                events.Take(expected.Length).Select(e => e.Type).Should().Equal(expected, $"the acknowledged events of {sessionId} come first, in order");
                AssertChain(sessionId, events);
                apiSeqs.AddRange(events.Select(e => e.Seq));
            }

            foreach (var (proposalId, signed) in ledger.Proposals)
            {
                var proposal = await admin.GetProposalAsync(proposalId);
                proposal.ProposalId.Should().Be(proposalId);
                if (signed) proposal.Status.Should().Be("signed");
                else proposal.Status.Should().BeOneOf("open", "signed");
            }

            foreach (var (compactId, record) in ledger.Compacts)
            {
                var copy = await admin.GetCompactVersionAsync(compactId, 1);
                Jcs.CanonicalString(copy.ToJson()).Should().Be(Jcs.CanonicalString(record.ToJson()), $"compact {compactId} must be the record its signer was handed");
                (await admin.GetCompactAsync(compactId)).Status.Should().Be("in-force");
                var (parsed, error) = Pact.Core.Compacts.SignedCompactRecord.FromJson(copy.ToJson());
                error.Should().BeNull();
                parsed!.Verify(Pact.Core.Encoding.Base64Url.Decode(daemon.PublicKey)).IsValid.Should().BeTrue();
            }

            using var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            headSeq = StrictJson.Parse(await ready.Content.ReadAsStringAsync())!["headSeq"]!.GetValue<long>();

            // A second crash, this time of an idle daemon, so the file is read below without a live writer.
            (await second.KillHardAsync()).Should().Be(137);
        }

        var stored = await ReadWholeLogAsync(Path.Combine(_dataDirectory, "pact.db"));
        output.WriteLine($"after restart: {stored.Count} events in {stored.Select(e => e.Stream).Distinct().Count()} streams, head seq {headSeq}");
        stored.Select(e => e.Seq).Should().Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), "the global seq has no gaps");
        stored.Count.Should().Be((int)headSeq);
        foreach (var stream in stored.GroupBy(e => e.Stream)) AssertChain(stream.Key, stream.OrderBy(e => e.StreamSeq).ToList());
        // Every event lives in a session stream; together the API's per-session reads cover the whole file.
        apiSeqs.Should().BeSubsetOf(stored.Select(e => e.Seq));
        stored.Select(e => e.Stream).Distinct().Should().BeEquivalentTo(ledger.Sessions.Select(s => s.Key).Concat(ledger.UnacknowledgedSessionStreams(stored)));
    }

    private static void AssertChain(string stream, List<TranscriptEvent> events)
    {
        var prev = EventChain.GenesisHash;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            e.Stream.Should().Be(stream);
            e.StreamSeq.Should().Be(i + 1, $"stream {stream} has no gaps");
            e.PrevHash.Should().Be(prev, $"event {e.StreamSeq} of {stream} links to its predecessor");
            e.RecomputeHash().Should().Be(e.Hash, $"event {e.StreamSeq} of {stream} matches its hash");
            prev = e.Hash;
        }
    }

    /// <summary>Every event as stored, read through a store opened on the file the killed daemon left (rows unchecked: the test checks them).</summary>
    private static async Task<List<TranscriptEvent>> ReadWholeLogAsync(string databasePath)
    {
        File.Exists(databasePath).Should().BeTrue($"the transcript is expected at {databasePath}");
        await using var store = await SqlitePactStore.OpenAsync(new PactStoreOptions { DatabasePath = databasePath, OpenWithBrokenLog = true });
        var events = new List<TranscriptEvent>();
        for (IReadOnlyList<StoredEventRow> page; (page = await store.ReadRowsAsync(events.Count == 0 ? 0 : events[^1].Seq, 1000)).Count > 0;)
        {
            events.AddRange(page.Select(r => new TranscriptEvent(r.Seq, r.Stream, r.StreamSeq, r.Type, r.Time, r.Actor,
                (JsonObject)StrictJson.Parse(r.Data)!, r.PrevHash, r.Hash)));
        }
        return events;
    }

    /// <summary>Creates sessions, proposes and countersigns until the daemon dies, writing down every 2xx it got.</summary>
    private static async Task NegotiateInALoopAsync(Pair pair, Ledger ledger, CancellationToken stop)
    {
        var iteration = 0;
        while (!stop.IsCancellationRequested)
        {
            // Requests get CancellationToken.None: stopping only ends the loop, it never discards an answer in flight.
            string? sessionId;
            try
            {
                ledger.Start();
                sessionId = (await pair.A.Client.CreateSessionAsync([pair.A.Key.Did, pair.B.Key.Did], "durability", cancellationToken: CancellationToken.None)).SessionId;
                ledger.Acknowledge(sessionId, "session.created");

                var terms = (JsonObject)pair.Terms.DeepClone();
                var compactId = $"cmp_{pair.Index:x2}{iteration++:x6}{Guid.NewGuid().ToString("N")[..8]}";
                terms["compactId"] = compactId;
                ledger.Start();
                var proposal = await pair.A.Client.ProposeAsync(sessionId, terms, PrincipalAuthority.Signature(pair.A.Principal), cancellationToken: CancellationToken.None);
                ledger.Acknowledge(sessionId, "proposal.created");
                ledger.Proposals[proposal.ProposalId] = false;

                ledger.Start();
                var record = await pair.B.Client.SignProposalAsync(proposal.ProposalId, PrincipalAuthority.Signature(pair.B.Principal), CancellationToken.None);
                ledger.Acknowledge(sessionId, "proposal.signed", "compact.in-force");
                ledger.Proposals[proposal.ProposalId] = true;
                ledger.Compacts[compactId] = record;
            }
            catch (Exception e) when (e is HttpRequestException or PactApiException or IOException or TaskCanceledException or InvalidDataException)
            {
                if (!ledger.Killed) ledger.ErrorsBeforeKill.Enqueue($"{pair.Index}: {e.GetType().Name}: {e.Message}");
                return;
            }
        }
    }

    /// <summary>What the clients were told: per session the event types acknowledged, in order.</summary>
    private sealed class Ledger
    {
        private long _started;
        private long _acknowledged;
        private volatile bool _killed;

        public ConcurrentDictionary<string, ConcurrentQueue<string>> Sessions { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, bool> Proposals { get; } = new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, CompactRecordInfo> Compacts { get; } = new(StringComparer.Ordinal);

        public ConcurrentQueue<string> ErrorsBeforeKill { get; } = new();

        public bool Killed
        {
            get => _killed;
            set => _killed = value;
        }

        public long Started => Interlocked.Read(ref _started);

        public long Acknowledged => Interlocked.Read(ref _acknowledged);

        public void Start() => Interlocked.Increment(ref _started);

        public void Acknowledge(string sessionId, params string[] types)
        {
            var queue = Sessions.GetOrAdd(sessionId, _ => new ConcurrentQueue<string>());
            foreach (var type in types) queue.Enqueue(type);
            Interlocked.Increment(ref _acknowledged);
        }

        /// <summary>Sessions whose creation committed but whose 201 never reached the client: allowed, and only those.</summary>
        public IEnumerable<string> UnacknowledgedSessionStreams(IReadOnlyList<TranscriptEvent> stored) =>
            stored.Where(e => e.StreamSeq == 1 && e.Type == "session.created" && !Sessions.ContainsKey(e.Stream)).Select(e => e.Stream);
    }

    /// <summary>A contractor and a homeowner with their principals, and terms drafted once for the pair.</summary>
    private sealed record Pair(int Index, Party A, Party B, JsonObject Terms)
    {
        public static async Task<Pair> CreateAsync(HttpClient http, int index)
        {
            var a = await Party.RegisterAsync(http, $"Contractor {index}", PrincipalKinds.Organization);
            var b = await Party.RegisterAsync(http, $"Homeowner {index}", PrincipalKinds.Human);
            var terms = (await a.Client.DraftAsync("standard", "contractor-and-service",
                new JsonObject { ["a"] = a.PartyJson(), ["b"] = b.PartyJson() },
                new JsonObject
                {
                    ["interaction"] = "Kitchen remodel, durability run",
                    ["effective"] = new JsonObject { ["from"] = "2026-12-01T00:00:00.000Z", ["until"] = "2027-12-01T00:00:00.000Z" },
                })).Terms;
            return new Pair(index, a, b, terms);
        }
    }

    private sealed record Party(PactClient Client, AgentKey Key, KeyPair Principal, string Name, string Kind)
    {
        public static async Task<Party> RegisterAsync(HttpClient http, string name, string kind)
        {
            var key = AgentKey.Generate();
            var principal = KeyPair.Generate();
            // One attempt per request: after the kill a resend would only delay the worker's exit.
            var client = new PactClient(http, key, new PactClientOptions { MaxAttempts = 1 });
            await client.RegisterAsync(new Principal(principal.Did, kind, name), name);
            return new Party(client, key, principal, name, kind);
        }

        public JsonObject PartyJson() => new()
        {
            ["agent"] = Key.Did,
            ["principal"] = new JsonObject { ["id"] = Principal.Did, ["kind"] = Kind, ["name"] = Name },
        };
    }
}

using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Client.Verification;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Json;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests.TransparencyLog;

public class ExportTests : IAsyncLifetime
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync(store: Store);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private sealed class Recorder : IProgress<ExportVerificationProgress>
    {
        public List<ExportVerificationProgress> Reports { get; } = [];

        public void Report(ExportVerificationProgress value) => Reports.Add(value);
    }

    /// <summary>The bundle as a verifier receives it: bytes in a file, parsed strictly.</summary>
    private async Task<(LogScenario Scenario, string Text, byte[] Key)> ExportAsync()
    {
        var s = await LogScenario.CreateAsync(_host);
        var bundle = await s.B.Client.ExportSessionAsync(s.SessionId);
        var key = Base64Url.Decode((await s.B.Client.GetDaemonAsync()).PublicKey);
        return (s, bundle.ToJsonString(), key);
    }

    private static JsonObject Parse(string text) => (JsonObject)StrictJson.Parse(text)!;

    [Fact]
    public async Task The_export_bundle_verifies_offline_with_nothing_but_the_daemon_key()
    {
        var (s, text, key) = await ExportAsync();
        var bundle = Parse(text);
        bundle["format"]!.GetValue<string>().Should().Be("pact-export/1");
        bundle["events"]!.AsArray().Should().HaveCount(LogScenario.Events);
        bundle["proofs"]!.AsArray().Should().HaveCount(LogScenario.Events);
        bundle["compacts"]!.AsArray().Should().ContainSingle();
        bundle["checkpoints"]!.AsArray().Single()!["checkpointId"]!.GetValue<string>().Should().Be(s.CheckpointId);
        var state = await s.A.Client.GetStateAsync(s.SessionId);
        Jcs.CanonicalString(bundle["session"]).Should().Be(Jcs.CanonicalString(state.State.ToJsonObject()));
        Jcs.CanonicalString(bundle["compacts"]![0]).Should().Be(Jcs.CanonicalString((await s.A.Client.GetCompactVersionAsync(s.CompactId, 1)).ToJson()));

        var progress = new Recorder();
        var result = ExportVerifier.Verify(bundle, key, progress);
        result.FirstFailure.Should().BeNull();
        result.Ok.Should().BeTrue();
        result.SessionId.Should().Be(s.SessionId);
        result.EventsChecked.Should().Be(LogScenario.Events);
        result.ProofsChecked.Should().Be(LogScenario.Events);
        result.SignaturesChecked.Should().Be(19, "the note and the 18 signatures the events carry");
        result.TreeSize.Should().Be(bundle["log"]!["treeSize"]!.GetValue<long>());
        progress.Reports.Select(p => p.Stage).Should().Equal("events", "compacts", "state", "checkpoints");
        progress.Reports[0].Should().Be(new ExportVerificationProgress("events", LogScenario.Events, LogScenario.Events));
    }

    [Fact]
    public async Task A_bundle_checked_against_any_other_key_fails_on_the_daemon_or_the_note()
    {
        var (_, text, _) = await ExportAsync();
        var stranger = KeyPair.Generate();
        ExportVerifier.Verify(Parse(text), stranger.PublicKey).FirstFailure!.Check.Should().Be("daemon");

        // A bundle that names the stranger as its daemon still needs the stranger's signature on the note.
        var claimed = Parse(text);
        claimed["daemon"]!["publicKey"] = stranger.PublicKeyB64u;
        claimed["daemon"]!["daemonId"] = stranger.Did;
        var failure = ExportVerifier.Verify(claimed, stranger.PublicKey).FirstFailure!;
        failure.Check.Should().Be("note");
        failure.Pointer.Should().Be("/log/note");
    }

    public static TheoryData<string, string, string> Edits() => new()
    {
        // name of the edit, expected check, expected pointer (prefix)
        { "format", "format", "/format" },
        { "terms in a proposal", "hash", "/events/1/hash" },
        { "a hash", "hash", "/events/2/hash" },
        { "a prevHash", "prev-hash", "/events/3/prevHash" },
        { "an envelope signature", "hash", "/events/4/hash" },
        { "a missing event", "stream-seq", "/events/3/streamSeq" },
        { "two events swapped", "stream-seq", "/events/2/streamSeq" },
        { "an event of another seq", "proof", "/events/5" },
        { "a proof hash", "proof", "/proofs/4" },
        { "the note's signature", "note", "/log/note" },
        { "the tree size beside the note", "note", "/log/treeSize" },
        { "the root beside the note", "note", "/log/rootHash" },
        { "the session state", "state", "/session" },
        { "a compact record", "compacts", "/compacts/0" },
        { "a checkpoint state hash", "checkpoint", "/checkpoints/0/stateHash" },
        { "a checkpoint label", "checkpoint", "/checkpoints/0/label" },
        { "the last event dropped", "state", "/session" },
    };

    [Theory]
    [MemberData(nameof(Edits))]
    public async Task Each_edit_is_named_by_the_check_that_catches_it(string edit, string check, string pointer)
    {
        var (_, text, key) = await ExportAsync();
        var bundle = Parse(text);
        var events = bundle["events"]!.AsArray();
        switch (edit)
        {
            case "format": bundle["format"] = "pact-export/2"; break;
            case "terms in a proposal": events[1]!["data"]!["envelope"]!["payload"]!["terms"]!["scope"]!["interaction"] = "A bathroom instead"; break;
            case "a hash": events[2]!["hash"] = new string('a', 64); break;
            case "a prevHash": events[3]!["prevHash"] = events[1]!["hash"]!.GetValue<string>(); break;
            case "an envelope signature":
                events[4]!["data"]!["envelope"]!["sig"] = DatabaseTamperer.Flip(events[4]!["data"]!["envelope"]!["sig"]!.GetValue<string>());
                break;
            case "a missing event": events.RemoveAt(3); break;
            case "two events swapped":
                var second = events[2]!;
                events.RemoveAt(2);
                events.Insert(4, second);
                break;
            case "an event of another seq": events[5]!["seq"] = events[5]!["seq"]!.GetValue<long>() + 1000; break;
            case "a proof hash":
                var hashes = bundle["proofs"]![4]!["hashes"]!.AsArray();
                hashes[0] = new string('0', 64);
                break;
            case "the note's signature":
                var note = bundle["log"]!["note"]!.GetValue<string>();
                var line = note.LastIndexOf(' ') + 1;
                bundle["log"]!["note"] = note[..line] + (note[line] == 'A' ? 'B' : 'A') + note[(line + 1)..];
                break;
            case "the tree size beside the note": bundle["log"]!["treeSize"] = bundle["log"]!["treeSize"]!.GetValue<long>() + 1; break;
            case "the root beside the note": bundle["log"]!["rootHash"] = new string('f', 64); break;
            case "the session state": bundle["session"]!["status"] = "terminated"; break;
            case "a compact record": bundle["compacts"]![0]!["inForceAt"] = "2030-01-01T00:00:00.000Z"; break;
            case "a checkpoint state hash": bundle["checkpoints"]![0]!["stateHash"] = new string('b', 64); break;
            case "a checkpoint label": bundle["checkpoints"]![0]!["label"] = "relabelled"; break;
            case "the last event dropped": events.RemoveAt(events.Count - 1); break;
            default: throw new ArgumentOutOfRangeException(nameof(edit));
        }

        var result = ExportVerifier.Verify(bundle, key);
        result.Ok.Should().BeFalse();
        result.FirstFailure!.Check.Should().Be(check, result.FirstFailure.Message);
        result.FirstFailure.Pointer.Should().StartWith(pointer);
    }

    [Fact]
    public async Task Flipping_one_character_anywhere_in_the_bundle_is_either_unreadable_or_caught()
    {
        var (_, text, key) = await ExportAsync();
        ExportVerifier.Verify(Parse(text), key).Ok.Should().BeTrue();
        var random = new Random(8_4);
        var mutations = 0;
        var failures = new List<string>();
        for (var attempt = 0; attempt < 3000 && mutations < 250; attempt++)
        {
            var at = random.Next(text.Length);
            var c = text[at];
            char flipped;
            if (char.IsAsciiDigit(c)) flipped = (char)('0' + ((c - '0' + 1 + random.Next(9)) % 10));
            else if (char.IsAsciiLetterLower(c)) flipped = (char)('a' + ((c - 'a' + 1 + random.Next(25)) % 26));
            else if (char.IsAsciiLetterUpper(c)) flipped = (char)('A' + ((c - 'A' + 1 + random.Next(25)) % 26));
            else continue;
            var mutated = text[..at] + flipped + text[(at + 1)..];
            JsonObject bundle;
            try
            {
                if (StrictJson.Parse(mutated) is not JsonObject parsed) continue;
                bundle = parsed;
            }
            catch (Pact.Core.Errors.InvalidJsonException)
            {
                continue;
            }
            catch (System.Text.Json.JsonException)
            {
                continue;
            }
            mutations++;
            var result = ExportVerifier.Verify(bundle, key);
            if (result.Ok) failures.Add($"'{c}'→'{flipped}' at {at}: …{text[Math.Max(0, at - 40)..Math.Min(text.Length, at + 40)]}…");
        }
        mutations.Should().BeGreaterThan(200);
        failures.Should().BeEmpty();
    }
}

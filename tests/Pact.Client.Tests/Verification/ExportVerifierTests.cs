using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Client.Verification;
using Pact.Core.Compacts;
using Pact.Core.Crypto;
using Pact.Core.Json;
using Pact.Core.Passport;

namespace Pact.Client.Tests.Verification;

public sealed class ExportVerifierTests
{
    private sealed class Recorder : IProgress<ExportVerificationProgress>
    {
        public List<ExportVerificationProgress> Reports { get; } = [];

        public void Report(ExportVerificationProgress value) => Reports.Add(value);
    }

    private static ExportFailure Fails(BundleBuilder builder, JsonObject bundle)
    {
        var result = ExportVerifier.Verify(bundle, builder.Daemon.PublicKey);
        result.Ok.Should().BeFalse();
        return result.FirstFailure!;
    }

    [Fact]
    public void A_bundle_built_as_the_daemon_builds_it_verifies_and_every_signature_is_counted()
    {
        var builder = new BundleBuilder(toggles: 2);
        var result = ExportVerifier.Verify(builder.Build(), builder.Daemon.PublicKey);
        result.FirstFailure.Should().BeNull();
        result.Ok.Should().BeTrue();
        result.SessionId.Should().Be(builder.SessionId);
        result.EventsChecked.Should().Be(7);
        result.ProofsChecked.Should().Be(7);
        // note 1; envelopes 6; the proposal's compact and principal signatures 2; the record 2 + 2 + 1.
        result.SignaturesChecked.Should().Be(14);
        result.TreeSize.Should().Be(2 * 7 + 3);
    }

    [Fact]
    public void A_passport_recorded_in_an_event_is_checked_by_its_passportHash_over_its_content()
    {
        var builder = new BundleBuilder();
        var passport = new AgentPassport(builder.B.Did, 4, "2026-11-21T12:00:03.000Z", new PassportCounts(1, 0, 1, 0, 0, 0, 0), []).ToJson();
        var at = builder.AddDaemonEvent("policy.decided", new JsonObject { ["proposalId"] = "prp_01JD00000000000000000000AB", ["passport"] = passport });

        ExportVerifier.Verify(builder.Build(), builder.Daemon.PublicKey).FirstFailure.Should().BeNull();

        // A daemon that records a passport it did not compute: the event's hash and proof hold, the passport does not.
        builder.BeforeHash = (streamSeq, data) =>
        {
            if (streamSeq == at) data["passport"]!["counts"]!["honored"] = 1;
        };
        var failure = Fails(builder, builder.Build());
        failure.Check.Should().Be(ExportChecks.Passport);
        failure.Pointer.Should().Be($"/events/{at - 1}/data/passport");
        failure.StreamSeq.Should().Be(at);
        failure.Message.Should().Contain("is not the hash of the recorded passport");
    }

    [Fact]
    public void Progress_is_reported_per_chunk_of_events_and_per_later_stage()
    {
        var builder = new BundleBuilder(toggles: 2100);
        var progress = new Recorder();
        ExportVerifier.Verify(builder.Build(), builder.Daemon.PublicKey, progress).Ok.Should().BeTrue();
        var total = builder.Events;
        progress.Reports.Should().Equal(
            new ExportVerificationProgress("events", 1024, total),
            new ExportVerificationProgress("events", 2048, total),
            new ExportVerificationProgress("events", total, total),
            new ExportVerificationProgress("compacts", 1, 1),
            new ExportVerificationProgress("state", total, total),
            new ExportVerificationProgress("checkpoints", 1, 1));
    }

    [Fact]
    public void A_daemon_that_records_a_forged_envelope_is_caught_by_the_agents_own_signature()
    {
        // The log is signed by the real daemon key: hashes, links and proofs all hold. Only the agent's key says no.
        var builder = new BundleBuilder(toggles: 3) { BeforeHash = (streamSeq, data) => { if (streamSeq == 6) data["envelope"]!["payload"]!["sessionId"] = "ses_other"; } };
        var failure = Fails(builder, builder.Build());
        failure.Should().BeEquivalentTo(new { Check = "envelope-signature", Pointer = "/events/5/data/envelope/sig", StreamSeq = 6L });
    }

    [Fact]
    public void An_envelope_signed_by_someone_other_than_the_actor_is_an_envelope_signature_failure()
    {
        var stranger = KeyPair.Generate();
        var builder = new BundleBuilder(toggles: 1)
        {
            BeforeHash = (streamSeq, data) =>
            {
                if (streamSeq != 6) return;
                var payload = (JsonObject)data["envelope"]!["payload"]!.DeepClone();
                data["envelope"] = new Pact.Core.Envelopes.Envelope(payload, stranger.Did, stranger.SignB64u(Pact.Core.Envelopes.Envelope.SigningInput(payload))).ToJson();
            },
        };
        var failure = Fails(builder, builder.Build());
        failure.Check.Should().Be("envelope-signature");
        failure.Pointer.Should().Be("/events/5/data/envelope/signer");
    }

    [Fact]
    public void A_proposal_whose_compact_signature_is_not_the_proposers_is_a_compact_signature_failure()
    {
        var builder = new BundleBuilder();
        builder.BeforeHash = (streamSeq, data) =>
        {
            if (streamSeq != 2) return;
            // Re-signed envelope (so it verifies) around a first signature made over other terms.
            var payload = (JsonObject)data["envelope"]!["payload"]!.DeepClone();
            payload["signature"]!["sig"] = CompactCrypto.SignFirst(builder.A, new string('0', 64));
            data["envelope"] = new Pact.Core.Envelopes.Envelope(payload, builder.A.Did, builder.A.SignB64u(Pact.Core.Envelopes.Envelope.SigningInput(payload))).ToJson();
        };
        var failure = Fails(builder, builder.Build());
        failure.Check.Should().Be("compact-signature");
        failure.Pointer.Should().Be("/events/1/data/envelope/payload/signature/sig");
    }

    [Fact]
    public void A_record_put_in_force_under_another_daemon_key_is_an_in_force_signature_failure()
    {
        var other = KeyPair.Generate();
        var builder = new BundleBuilder();
        builder.BeforeHash = (streamSeq, data) =>
        {
            if (streamSeq != 4) return;
            var (record, _) = SignedCompactRecord.FromJson(data["record"]);
            var resigned = SignedCompactRecord.Create(record!.Terms, record.Signatures[0], record.Signatures[1], record.InForceAt, other).ToJson();
            data["record"] = resigned;
            data["compactHash"] = resigned["compactHash"]!.DeepClone();
        };
        var bundle = builder.Build();
        bundle["compacts"]![0] = bundle["events"]![3]!["data"]!["record"]!.DeepClone();
        var failure = Fails(builder, bundle);
        failure.Check.Should().Be("in-force-signature");
        failure.Pointer.Should().Be("/events/3/data/record/daemonId");
    }

    [Fact]
    public void A_countersignature_over_another_first_signature_is_a_compact_signature_failure_in_the_record()
    {
        var builder = new BundleBuilder();
        builder.BeforeHash = (streamSeq, data) =>
        {
            if (streamSeq != 4) return;
            var (record, _) = SignedCompactRecord.FromJson(data["record"]);
            var second = record!.Signatures[1] with { Sig = CompactCrypto.Countersign(builder.B, record.TermsHash, record.Signatures[1].Sig) };
            var resigned = SignedCompactRecord.Create(record.Terms, record.Signatures[0], second, record.InForceAt, builder.Daemon).ToJson();
            data["record"] = resigned;
            data["compactHash"] = resigned["compactHash"]!.DeepClone();
        };
        var bundle = builder.Build();
        bundle["compacts"]![0] = bundle["events"]![3]!["data"]!["record"]!.DeepClone();
        var failure = Fails(builder, bundle);
        failure.Check.Should().Be("compact-signature");
        failure.Pointer.Should().Be("/events/3/data/record/signatures/1/sig");
    }

    [Fact]
    public void A_note_signed_by_another_key_is_refused_before_anything_else()
    {
        var builder = new BundleBuilder { NoteKey = KeyPair.Generate() };
        var failure = Fails(builder, builder.Build());
        failure.Check.Should().Be("note");
        failure.Pointer.Should().Be("/log/note");
    }

    [Fact]
    public void A_failure_in_a_later_chunk_is_found_and_an_earlier_one_wins_over_it()
    {
        var builder = new BundleBuilder(toggles: 1500);
        var bundle = builder.Build();
        var events = bundle["events"]!.AsArray();
        events[1400]!["data"]!["envelope"]!["payload"]!["nonce"] = "AAAAAAAAAAAAAAAAAAAAAA";
        var late = Fails(builder, bundle);
        late.Should().BeEquivalentTo(new { Check = "hash", Pointer = "/events/1400/hash" });

        events[1100]!["prevHash"] = new string('1', 64);
        Fails(builder, bundle).Should().BeEquivalentTo(new { Check = "prev-hash", Pointer = "/events/1100/prevHash" });
        events[700]!["actor"] = "daemon";
        Fails(builder, bundle).Should().BeEquivalentTo(new { Check = "hash", Pointer = "/events/700/hash" });
    }

    [Fact]
    public void An_omitted_checkpoint_and_a_wrong_tree_size_in_one_are_named()
    {
        var builder = new BundleBuilder();
        var bundle = builder.Build();
        var listed = bundle["checkpoints"]![0]!.AsObject();
        listed["treeSize"] = listed["treeSize"]!.GetValue<long>() + 1;
        Fails(builder, bundle).Should().BeEquivalentTo(new { Check = "checkpoint", Pointer = "/checkpoints/0/treeSize" });
        bundle["checkpoints"] = new JsonArray();
        Fails(builder, bundle).Should().BeEquivalentTo(new { Check = "checkpoint", Pointer = "/checkpoints" });
    }

    [Fact]
    public void Whatever_replaces_any_node_of_the_bundle_the_verifier_answers_without_throwing()
    {
        var builder = new BundleBuilder(toggles: 1);
        var text = builder.Build().ToJsonString();
        var paths = new List<string>();
        Collect(StrictJson.Parse(text), "", paths);
        var replacements = new Func<JsonNode?>[] { () => null, () => 42, () => -1.5, () => "x", () => true, () => new JsonArray(), () => new JsonObject() };
        var random = new Random(11);
        var checkedCases = 0;
        foreach (var path in paths.Where((_, i) => i % 5 == 0 || paths.Count < 600))
        {
            var bundle = (JsonObject)StrictJson.Parse(text)!;
            var replacement = replacements[random.Next(replacements.Length)]();
            if (!Replace(bundle, path, replacement)) continue;
            var act = () => ExportVerifier.Verify(bundle, builder.Daemon.PublicKey);
            var result = act.Should().NotThrow($"replacing {path}").Subject;
            if (Jcs.CanonicalString(bundle) != Jcs.CanonicalString(StrictJson.Parse(text)))
                result.Ok.Should().BeFalse($"replacing {path} with {replacement?.ToJsonString() ?? "null"}");
            checkedCases++;
        }
        checkedCases.Should().BeGreaterThan(60);
    }

    private static void Collect(JsonNode? node, string path, List<string> paths)
    {
        if (path.Length > 0) paths.Add(path);
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o) Collect(v, path + "/" + k.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal), paths);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) Collect(a[i], path + "/" + i, paths);
                break;
        }
    }

    private static bool Replace(JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split('/')[1..].Select(p => p.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        JsonNode? parent = root;
        for (var i = 0; i < parts.Length - 1; i++)
            parent = parent is JsonObject o ? o[parts[i]] : parent is JsonArray a ? a[int.Parse(parts[i], System.Globalization.CultureInfo.InvariantCulture)] : null;
        switch (parent)
        {
            case JsonObject o:
                o[parts[^1]] = value;
                return true;
            case JsonArray a:
                a[int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
                return true;
            default:
                return false;
        }
    }
}

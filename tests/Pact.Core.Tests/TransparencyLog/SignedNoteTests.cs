using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.TransparencyLog;

namespace Pact.Core.Tests.TransparencyLog;

/// <summary>C2SP signed notes and tlog checkpoints against the pact/1 vector and the Go checksum database's note.</summary>
public class SignedNoteTests
{
    private static JsonObject CheckpointVector => (JsonObject)TestData.PactVectors["checkpoint"]!;

    private static JsonObject GoNote => (JsonObject)TestData.Json("signed-note/go-sumdb-note.json");

    private static KeyPair Daemon => KeyPair.FromSeed(Hex.Decode(TestData.PactVectors["keys"]!["daemon"]!["seedHex"]!.GetValue<string>()));

    private static string VectorNote => CheckpointVector["note"]!.GetValue<string>();

    [Fact]
    public void Signing_the_vector_checkpoint_with_the_daemon_seed_gives_the_identical_note()
    {
        var v = CheckpointVector;
        v["signerKey"]!.GetValue<string>().Should().Be("daemon");
        var note = SignedNote.Sign(v["origin"]!.GetValue<string>(), v["treeSize"]!.GetValue<long>(), Hex.Decode(v["rootHex"]!.GetValue<string>()), Daemon);
        note.Should().Be(VectorNote);
    }

    [Fact]
    public void Key_id_of_the_daemon_matches_the_vector()
    {
        SignedNote.KeyId("localhost/pact", Daemon.PublicKey).ToString("x8").Should().Be(CheckpointVector["keyIdHex"]!.GetValue<string>());
        SignedNote.Parse(VectorNote).Signatures.Should().ContainSingle().Which.KeyId.Should().Be(0x785bb8a4);
    }

    [Fact]
    public void Vector_note_parses_into_origin_size_root_and_one_signature()
    {
        var note = SignedNote.Parse(VectorNote);
        note.Body.Should().Be("localhost/pact\n7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\n");
        note.Signatures.Should().ContainSingle().Which.Name.Should().Be("localhost/pact");
        note.Signatures[0].Signature.Should().HaveCount(64);
        LogCheckpoint.TryParse(note.Body, out var checkpoint, out var error).Should().BeTrue(error);
        checkpoint!.Origin.Should().Be("localhost/pact");
        checkpoint.TreeSize.Should().Be(7);
        Hex.Encode(checkpoint.RootHash).Should().Be(CheckpointVector["rootHex"]!.GetValue<string>());
        note.ToText().Should().Be(VectorNote);
    }

    [Fact]
    public void Vector_note_verifies_and_opens_under_the_daemon_key_only()
    {
        SignedNote.Verify(VectorNote, "localhost/pact", Daemon.PublicKey).Should().BeTrue();
        LogCheckpoint.TryOpen(VectorNote, "localhost/pact", Daemon.PublicKey, out var checkpoint, out var error).Should().BeTrue(error);
        checkpoint!.TreeSize.Should().Be(7);

        var other = KeyPair.FromSeed(new byte[32]);
        SignedNote.Verify(VectorNote, "localhost/pact", other.PublicKey).Should().BeFalse();
        SignedNote.Verify(VectorNote, "example.com/pact", Daemon.PublicKey).Should().BeFalse();
        LogCheckpoint.TryOpen(VectorNote, "localhost/pact", other.PublicKey, out _, out _).Should().BeFalse();
    }

    [Fact]
    public void Changing_the_signed_size_or_root_breaks_the_signature()
    {
        var biggerTree = VectorNote.Replace("\n7\n", "\n8\n", StringComparison.Ordinal);
        biggerTree.Should().NotBe(VectorNote);
        SignedNote.Verify(biggerTree, "localhost/pact", Daemon.PublicKey).Should().BeFalse();
        var otherRoot = VectorNote.Replace("vhuN1", "vhuN2", StringComparison.Ordinal);
        SignedNote.Verify(otherRoot, "localhost/pact", Daemon.PublicKey).Should().BeFalse();
    }

    [Fact]
    public void Go_note_verifies_with_the_go_verifier_key()
    {
        var v = GoNote;
        SignedNote.TryParseVerifierKey(v["verifierKey"]!.GetValue<string>(), out var name, out var publicKey).Should().BeTrue();
        name.Should().Be("PeterNeumann");
        SignedNote.KeyId(name!, publicKey).Should().Be(0xc74f20a3);
        var text = v["signedNote"]!.GetValue<string>();
        SignedNote.Verify(text, name!, publicKey).Should().BeTrue();
        var note = SignedNote.Parse(text);
        note.Body.Should().Be(v["text"]!.GetValue<string>());
        note.Signatures.Should().ContainSingle().Which.KeyId.Should().Be(0xc74f20a3);
        // The Go note's body is prose, not a checkpoint.
        LogCheckpoint.TryParse(note.Body, out _, out _).Should().BeFalse();
    }

    [Fact]
    public void Signing_the_go_text_with_the_go_seed_reproduces_the_go_note_and_verifier_key()
    {
        var v = GoNote;
        // "PRIVATE+KEY+name+keyid+base64(0x01 ‖ seed)": the same algorithm byte as our key ids use.
        var parts = v["signerKey"]!.GetValue<string>().Split('+', 5);
        parts[..4].Should().Equal("PRIVATE", "KEY", "PeterNeumann", "c74f20a3");
        var blob = Convert.FromBase64String(parts[4]);
        blob[0].Should().Be(SignedNote.Ed25519Algorithm);
        var key = KeyPair.FromSeed(blob.AsSpan(1));

        SignedNote.VerifierKey("PeterNeumann", key.PublicKey).Should().Be(v["verifierKey"]!.GetValue<string>());
        SignedNote.SignText(v["text"]!.GetValue<string>(), "PeterNeumann", key).Should().Be(v["signedNote"]!.GetValue<string>());
    }

    [Fact]
    public void Unknown_signers_are_ignored_but_a_bad_line_for_the_key_refuses_the_note()
    {
        var stranger = KeyPair.FromSeed(Enumerable.Repeat((byte)7, 32).ToArray());
        var strangerLine = SignedNote.Parse(SignedNote.SignText("localhost/pact\n7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\n", "witness.example", stranger)).Signatures[0];
        var cosigned = SignedNote.Parse(VectorNote) is var n ? n with { Signatures = [.. n.Signatures, strangerLine] } : null;
        SignedNote.Verify(cosigned!.ToText(), "localhost/pact", Daemon.PublicKey).Should().BeTrue();
        SignedNote.Verify(cosigned.ToText(), "witness.example", stranger.PublicKey).Should().BeTrue();

        // A second line claiming the daemon's key with a broken signature poisons the note.
        var good = cosigned.Signatures[0];
        var broken = good with { Signature = Flip(good.Signature) };
        var poisoned = cosigned with { Signatures = [good, broken] };
        SignedNote.Verify(poisoned.ToText(), "localhost/pact", Daemon.PublicKey).Should().BeFalse();
    }

    [Fact]
    public void A_signature_under_the_right_name_but_another_key_id_does_not_count()
    {
        var impostor = KeyPair.FromSeed(Enumerable.Repeat((byte)9, 32).ToArray());
        var forged = SignedNote.Sign("localhost/pact", 7, Hex.Decode(CheckpointVector["rootHex"]!.GetValue<string>()), impostor);
        SignedNote.Verify(forged, "localhost/pact", impostor.PublicKey).Should().BeTrue();
        SignedNote.Verify(forged, "localhost/pact", Daemon.PublicKey).Should().BeFalse();
    }

    public static TheoryData<string, string> MalformedNotes() => new()
    {
        { "no final newline", "localhost/pact\n7\nAAAA\n\n— localhost/pact eFu4pD6U" },
        { "no blank line", "localhost/pact\n7\n— localhost/pact eFu4pD6Uz3GCcrDuG9RvQLMl5qKlCec5I3phYj+M7m+3gorcFUnzhWs+Pkj9VVTLMtXlrx4Px/Fx18yRzj3LVU3IOAc=\n" },
        { "no signature", "localhost/pact\n7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\n\n" },
        { "hyphens for the em dash", VectorNoteText.Replace("— ", "-- ", StringComparison.Ordinal) },
        { "en dash for the em dash", VectorNoteText.Replace("— ", "– ", StringComparison.Ordinal) },
        { "unpadded signature", VectorNoteText.Replace("IOAc=\n", "IOAc\n", StringComparison.Ordinal) },
        { "space inside the signature", VectorNoteText.Replace("IOAc=\n", "IO Ac=\n", StringComparison.Ordinal) },
        { "name with a plus", VectorNoteText.Replace("— localhost/pact ", "— localhost+pact ", StringComparison.Ordinal) },
        { "empty name", VectorNoteText.Replace("— localhost/pact ", "—  ", StringComparison.Ordinal) },
        { "carriage return", VectorNoteText.Replace("\n7\n", "\r\n7\n", StringComparison.Ordinal) },
        { "tab in the body", VectorNoteText.Replace("localhost/pact\n7", "localhost/pact\t\n7", StringComparison.Ordinal) },
        { "signature too short for a key id", "body\n\n— name AAAA\n" },
        { "only a blank body", "\n\n— localhost/pact eFu4pD6Uz3GCcrDuG9RvQLMl5qKlCec5I3phYj+M7m+3gorcFUnzhWs+Pkj9VVTLMtXlrx4Px/Fx18yRzj3LVU3IOAc=\n" },
        { "text after the signatures", VectorNoteText + "trailing" },
    };

    private const string VectorNoteText = "localhost/pact\n7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\n\n\u2014 localhost/pact eFu4pD6Uz3GCcrDuG9RvQLMl5qKlCec5I3phYj+M7m+3gorcFUnzhWs+Pkj9VVTLMtXlrx4Px/Fx18yRzj3LVU3IOAc=\n";

    [Theory]
    [MemberData(nameof(MalformedNotes))]
    public void Malformed_notes_are_refused(string why, string text)
    {
        SignedNote.TryParse(text, out var note, out var error).Should().BeFalse(why);
        note.Should().BeNull();
        error.Should().NotBeNullOrEmpty();
        SignedNote.Verify(text, "localhost/pact", Daemon.PublicKey).Should().BeFalse(why);
    }

    [Fact]
    public void A_note_with_a_lone_surrogate_is_refused()
    {
        // Not theory data: xunit would replace the lone surrogate while passing it in.
        SignedNote.TryParse("body\ud800\n\n\u2014 name AAAAAAAA\n", out _, out var error).Should().BeFalse();
        error.Should().Contain("Unicode");
    }

    [Fact]
    public void Verifier_keys_whose_base64_holds_a_plus_parse()
    {
        // The Go signer key's base64 holds '+', so a naive split on '+' would cut such keys.
        var withPlus = 0;
        for (var i = 0; i < 64; i++)
        {
            var k = KeyPair.FromSeed(Enumerable.Repeat((byte)i, 32).ToArray());
            var text = SignedNote.VerifierKey("log.example", k.PublicKey);
            if (text.Split('+').Length > 3) withPlus++;
            SignedNote.TryParseVerifierKey(text, out var name, out var pk).Should().BeTrue(text);
            name.Should().Be("log.example");
            pk.Should().Equal(k.PublicKey);
        }
        withPlus.Should().BePositive("the sample must exercise the case");
    }

    [Fact]
    public void The_constant_copy_of_the_vector_note_is_exact()
    {
        VectorNoteText.Should().Be(VectorNote);
    }

    [Fact]
    public void More_than_100_signature_lines_are_refused()
    {
        var line = VectorNoteText[VectorNoteText.IndexOf('\u2014', StringComparison.Ordinal)..];
        var body = "localhost/pact\n7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\n\n";
        SignedNote.TryParse(body + string.Concat(Enumerable.Repeat(line, 100)), out _, out _).Should().BeTrue();
        SignedNote.TryParse(body + string.Concat(Enumerable.Repeat(line, 101)), out _, out var error).Should().BeFalse();
        error.Should().Contain("100");
    }

    public static TheoryData<string, string> MalformedCheckpoints() => new()
    {
        { "leading zero in the size", "localhost/pact\n07\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\n" },
        { "signed size", "localhost/pact\n+7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\n" },
        { "negative size", "localhost/pact\n-7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\n" },
        { "size beyond 64 bits", "localhost/pact\n99999999999999999999\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\n" },
        { "empty size", "localhost/pact\n\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\n" },
        { "base64url root", "localhost/pact\n7\nvhuN1OIbnRIE8ixeN47teKxTMw3j_nRwSoUMc1H-9DU=\n" },
        { "31-byte root", "localhost/pact\n7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9A==\n" },
        { "non-canonical root bits", "localhost/pact\n7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DV=\n" },
        { "extension line", "localhost/pact\n7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\nextra\n" },
        { "missing root", "localhost/pact\n7\n" },
        { "origin with a space", "localhost pact\n7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\n" },
        { "no final newline", "localhost/pact\n7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=" },
    };

    [Theory]
    [MemberData(nameof(MalformedCheckpoints))]
    public void Malformed_checkpoint_bodies_are_refused(string why, string body)
    {
        LogCheckpoint.TryParse(body, out var checkpoint, out var error).Should().BeFalse(why);
        checkpoint.Should().BeNull();
        error.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public void A_note_whose_origin_differs_from_the_key_name_does_not_open()
    {
        // Signed properly, but the checkpoint claims another log.
        var note = SignedNote.SignText("elsewhere/log\n7\nvhuN1OIbnRIE8ixeN47teKxTMw3j/nRwSoUMc1H+9DU=\n", "localhost/pact", Daemon);
        SignedNote.Verify(note, "localhost/pact", Daemon.PublicKey).Should().BeTrue();
        LogCheckpoint.TryOpen(note, "localhost/pact", Daemon.PublicKey, out var checkpoint, out var error).Should().BeFalse();
        checkpoint.Should().BeNull();
        error.Should().Contain("origin");
    }

    [Fact]
    public void Checkpoint_of_size_zero_and_of_the_largest_size_round_trip()
    {
        foreach (var size in new[] { 0L, long.MaxValue })
        {
            var note = SignedNote.Sign("localhost/pact", size, new byte[32], Daemon);
            LogCheckpoint.TryOpen(note, "localhost/pact", Daemon.PublicKey, out var checkpoint, out var error).Should().BeTrue(error);
            checkpoint!.TreeSize.Should().Be(size);
            checkpoint.RootHash.Should().Equal(new byte[32]);
        }
    }

    [Fact]
    public void Signing_refuses_a_bad_origin_or_root()
    {
        ((Action)(() => SignedNote.Sign("local host", 1, new byte[32], Daemon))).Should().Throw<InvalidOperationException>();
        ((Action)(() => SignedNote.Sign("localhost/pact", 1, new byte[31], Daemon))).Should().Throw<InvalidOperationException>();
        ((Action)(() => SignedNote.SignText("no newline", "name", Daemon))).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")] // key id does not match the key
    [InlineData("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")] // uppercase hex
    [InlineData("PeterNeumann+c74f20a3+AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")] // algorithm byte 0x02
    [InlineData("PeterNeumann+c74f20a3")]
    [InlineData("")]
    public void Verifier_keys_that_do_not_describe_an_ed25519_key_are_refused(string text)
    {
        SignedNote.TryParseVerifierKey(text, out _, out _).Should().BeFalse();
    }

    private static byte[] Flip(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        copy[0] ^= 1;
        return copy;
    }
}

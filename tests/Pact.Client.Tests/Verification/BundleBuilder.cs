using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Pact.Core.Compacts;
using Pact.Core.Crypto;
using Pact.Core.Encoding;
using Pact.Core.Envelopes;
using Pact.Core.Events;
using Pact.Core.TransparencyLog;
using Pact.Core.Sessions;
using Pact.Core.Stdlib;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Client.Tests.Verification;

/// <summary>
/// Builds pact-export/1 bundles offline the way a daemon would: a session stream of signed events interleaved
/// with other streams' events in the global log, a Merkle tree over all of them, a note signed by the daemon
/// key, and proofs. Hooks let a test play a daemon that signs whatever it is given, so each check of the
/// verifier can be reached on its own.
/// </summary>
internal sealed class BundleBuilder
{
    public const string Origin = "test.example/pact";
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private readonly List<EventDraft> _drafts = [];
    private int _tick;

    public BundleBuilder(int toggles = 0)
    {
        Daemon = KeyPair.Generate();
        A = KeyPair.Generate();
        B = KeyPair.Generate();
        PrincipalA = KeyPair.Generate();
        PrincipalB = KeyPair.Generate();
        SessionId = "ses_01JD00000000000000000000AB";
        Add(A, "session.create", new JsonObject { ["participants"] = new JsonArray(A.Did, B.Did), ["topic"] = "kitchen", ["metadata"] = null },
            envelope => new JsonObject { ["envelope"] = envelope, ["participants"] = new JsonArray(A.Did, B.Did), ["topic"] = "kitchen", ["metadata"] = null });
        var terms = Terms();
        TermsHash = CompactCrypto.TermsHash(terms);
        var first = Signature(A, PrincipalA, "a", CompactCrypto.SignFirst(A, TermsHash));
        var proposalEnvelope = Add(A, "proposal.create", new JsonObject { ["sessionId"] = SessionId, ["terms"] = terms, ["signature"] = first },
            envelope => new JsonObject
            {
                ["envelope"] = envelope, ["proposalId"] = "prp_01JD00000000000000000000AB", ["compactId"] = terms["compactId"]!.DeepClone(),
                ["version"] = 1, ["termsHash"] = TermsHash, ["expiresAt"] = null,
            });
        var second = Signature(B, PrincipalB, "b", CompactCrypto.Countersign(B, TermsHash, first["sig"]!.GetValue<string>()));
        var signEnvelope = Add(B, "proposal.sign", new JsonObject { ["proposalId"] = "prp_01JD00000000000000000000AB", ["termsHash"] = TermsHash, ["signature"] = second },
            envelope => new JsonObject { ["envelope"] = envelope, ["proposalId"] = "prp_01JD00000000000000000000AB", ["termsHash"] = TermsHash });
        var (compactTerms, _) = TermsReader.Read(terms);
        Record = SignedCompactRecord.Create(compactTerms!,
            Entry(A, "a", first, proposalEnvelope), Entry(B, "b", second, signEnvelope), Now(), Daemon).ToJson();
        _drafts.Add(new EventDraft("compact.in-force", TranscriptEvent.DaemonActor, new JsonObject
        {
            ["compactId"] = terms["compactId"]!.DeepClone(), ["version"] = 1, ["compactHash"] = Record["compactHash"]!.DeepClone(), ["record"] = Record.DeepClone(),
        }));
        CheckpointAt = _drafts.Count + 1;
        Add(A, "session.checkpoint", new JsonObject { ["sessionId"] = SessionId, ["label"] = "signed" },
            envelope => new JsonObject { ["envelope"] = envelope, ["checkpointId"] = "chk_01JD00000000000000000000AB", ["label"] = "signed", ["stateHash"] = "" });
        for (var i = 0; i < toggles; i++)
        {
            var type = i % 2 == 0 ? "session.suspend" : "session.resume";
            Add(i % 2 == 0 ? A : B, type, new JsonObject { ["sessionId"] = SessionId },
                envelope => new JsonObject { ["envelope"] = envelope });
        }
    }

    public KeyPair Daemon { get; }

    public KeyPair A { get; }

    public KeyPair B { get; }

    public KeyPair PrincipalA { get; }

    public KeyPair PrincipalB { get; }

    public string SessionId { get; }

    public string TermsHash { get; }

    public JsonObject Record { get; }

    /// <summary>The streamSeq of the session.checkpointed event.</summary>
    public int CheckpointAt { get; }

    public int Events => _drafts.Count;

    /// <summary>Changes an event's data before it is hashed (a daemon that records what it should not).</summary>
    public Action<int, JsonObject>? BeforeHash { get; set; }

    /// <summary>The key that signs the note; the daemon's unless a test says otherwise.</summary>
    public KeyPair? NoteKey { get; set; }

    public JsonObject Build()
    {
        var tree = new MemoryMerkleTree();
        var events = new List<TranscriptEvent>();
        var prev = EventChain.GenesisHash;
        SessionState? state = null;
        string? checkpointStateHash = null;
        for (var i = 0; i < _drafts.Count; i++)
        {
            // Another stream's event before each of ours: the session's seqs are not the log's positions.
            tree.Append(MerkleHash.LeafHash(SHA256.HashData(BitConverter.GetBytes(i))));
            var draft = _drafts[i];
            var data = (JsonObject)draft.Data.DeepClone();
            var streamSeq = i + 1;
            if (draft.Type == "session.checkpointed") data["stateHash"] = state!.StateHash();
            BeforeHash?.Invoke(streamSeq, data);
            var time = Timestamp.ToText(T0.AddSeconds(i));
            var hash = EventChain.Hash(SessionId, streamSeq, draft.Type, time, draft.Actor, data, prev);
            var e = new TranscriptEvent(tree.Size + 1, SessionId, streamSeq, draft.Type, time, draft.Actor, data, prev, hash);
            tree.Append(MerkleHash.LeafHash(Hex.Decode(hash)));
            events.Add(e);
            prev = hash;
            state = state is null ? SessionState.Created(e) : state.Apply(e);
            if (draft.Type == "session.checkpointed") checkpointStateHash = state.StateHash();
        }
        // A few later events of other streams, so the signed tree is larger than the session's last seq.
        for (var i = 0; i < 3; i++) tree.Append(MerkleHash.LeafHash(SHA256.HashData(BitConverter.GetBytes(-i - 1))));
        var root = tree.Root();
        var note = SignedNote.Sign(Origin, tree.Size, root, NoteKey ?? Daemon);
        var checkpoint = events[CheckpointAt - 1];
        return new JsonObject
        {
            ["format"] = "pact-export/1",
            ["daemon"] = new JsonObject { ["daemonId"] = Daemon.Did, ["publicKey"] = Daemon.PublicKeyB64u, ["origin"] = Origin },
            ["session"] = state!.ToJson(),
            ["events"] = new JsonArray(events.Select(e => (JsonNode)e.ToJson()).ToArray()),
            ["compacts"] = new JsonArray(events.Where(e => e.Type == "compact.in-force").Select(e => e.Data["record"]!.DeepClone()).ToArray()),
            ["checkpoints"] = new JsonArray(new JsonObject
            {
                ["checkpointId"] = "chk_01JD00000000000000000000AB", ["streamSeq"] = checkpoint.StreamSeq, ["stateHash"] = checkpointStateHash,
                ["treeSize"] = checkpoint.Seq, ["label"] = "signed", ["createdAt"] = checkpoint.Time,
            }),
            ["log"] = new JsonObject { ["note"] = note, ["treeSize"] = tree.Size, ["rootHash"] = Hex.Encode(root) },
            ["proofs"] = new JsonArray(events.Select(e => (JsonNode)new JsonObject
            {
                ["seq"] = e.Seq,
                ["hashes"] = new JsonArray(tree.InclusionProof(e.Seq - 1, tree.Size).Select(h => (JsonNode)Hex.Encode(h)).ToArray()),
            }).ToArray()),
        };
    }

    /// <summary>Appends an event the daemon records on its own (no envelope), such as a policy.decided; returns its streamSeq.</summary>
    public int AddDaemonEvent(string type, JsonObject data)
    {
        _drafts.Add(new EventDraft(type, TranscriptEvent.DaemonActor, data));
        return _drafts.Count;
    }

    private DateTimeOffset Now() => T0.AddSeconds(_tick++);

    private JsonObject Add(KeyPair signer, string type, JsonObject fields, Func<JsonObject, JsonObject> data)
    {
        var envelope = Envelope.Sign(signer, type, Daemon.Did, Now(), fields).ToJson();
        var eventType = type switch
        {
            "session.create" => "session.created",
            "proposal.create" => "proposal.created",
            "proposal.sign" => "proposal.signed",
            "session.checkpoint" => "session.checkpointed",
            "session.suspend" => "session.suspended",
            "session.resume" => "session.resumed",
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        _drafts.Add(new EventDraft(eventType, signer.Did, data(envelope)));
        return envelope;
    }

    private JsonObject Terms()
    {
        var party = (KeyPair agent, KeyPair principal, string kind, string name) => new JsonObject
        {
            ["agent"] = agent.Did,
            ["principal"] = new JsonObject { ["id"] = principal.Did, ["kind"] = kind, ["name"] = name },
        };
        var (terms, error) = DraftBuilder.Build(new JsonObject
        {
            ["tier"] = "standard",
            ["domain"] = "contractor-and-service",
            ["parties"] = new JsonObject { ["a"] = party(A, PrincipalA, "organization", "Acme"), ["b"] = party(B, PrincipalB, "human", "Dana") },
            ["scope"] = new JsonObject
            {
                ["interaction"] = "Kitchen remodel",
                ["effective"] = new JsonObject { ["from"] = "2026-12-01T00:00:00.000Z", ["until"] = "2027-12-01T00:00:00.000Z" },
            },
            ["compactId"] = "cmp_offline-bundle-1",
        }, T0);
        return terms ?? throw new InvalidOperationException(error!.Detail);
    }

    private JsonObject Signature(KeyPair agent, KeyPair principal, string party, string sig) => new()
    {
        ["party"] = party,
        ["sig"] = sig,
        ["principalAuthorization"] = CompactCrypto.AuthorizeAsPrincipal(principal, TermsHash).ToJson(),
    };

    private static SignatureEntry Entry(KeyPair agent, string party, JsonObject signature, JsonObject envelope) => new(
        party == "a" ? PartyRole.A : PartyRole.B, agent.Did, signature["sig"]!.GetValue<string>(),
        Timestamp.Parse(envelope["payload"]!["issuedAt"]!.GetValue<string>()),
        PrincipalAuthorization.FromJson(signature["principalAuthorization"]).Authorization!);
}

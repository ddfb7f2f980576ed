using Pact.Core.Terms;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Crypto;
using Pact.Core.Envelopes;
using Pact.Core.Events;
using Pact.Core.Ids;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;
using Pact.Core.Time;

namespace Pact.Core.Tests.Negotiation;

/// <summary>
/// A tiny in-memory daemon for tests: it decides with the pure machines, appends the drafts to hash-linked
/// streams the way the transcript must (sealing failure drafts with their prevHash, stamping the clock),
/// and keeps both states up to date with the same Apply that replay uses. The clock moves only when a test
/// sets <see cref="Now"/>.
/// </summary>
internal sealed class World
{
    public static readonly KeyPair Alice = Key(1);
    public static readonly KeyPair Bob = Key(2);
    public static readonly KeyPair Carol = Key(3);
    public static readonly KeyPair Mallory = Key(4);
    public static readonly KeyPair Daemon = Key(9);

    private readonly Dictionary<string, TranscriptEvent> _heads = new(StringComparer.Ordinal);

    public DateTimeOffset Now { get; set; } = Timestamp.Parse("2026-11-21T12:00:00.000Z");

    public NegotiationState Negotiation { get; private set; } = NegotiationState.Empty;

    public Dictionary<string, SessionState> Sessions { get; } = new(StringComparer.Ordinal);

    public List<TranscriptEvent> Log { get; } = [];

    public static KeyPair Key(byte n)
    {
        var seed = new byte[32];
        seed[0] = n;
        return KeyPair.FromSeed(seed);
    }

    public void Advance(string duration) => Now = IsoDuration.Parse(duration).AddTo(Now);

    public JsonObject Envelope(KeyPair signer, string type, JsonObject fields) =>
        Pact.Core.Envelopes.Envelope.Sign(signer, type, Daemon.Did, Now, fields).ToJson();

    public IReadOnlyList<TranscriptEvent> Stream(string sessionId) => Log.Where(e => e.Stream == sessionId).ToList();

    // ---- appending -------------------------------------------------------------------------------

    /// <summary>Appends a decision the way the transcript must, folding every event into both states.</summary>
    public IReadOnlyList<TranscriptEvent> Append(Decision decision)
    {
        var appended = new List<TranscriptEvent>();
        foreach (var (stream, raw) in decision.Events)
        {
            var head = _heads.GetValueOrDefault(stream);
            var prevHash = head?.Hash ?? EventChain.GenesisHash;
            var streamSeq = (head?.StreamSeq ?? 0) + 1;
            var draft = FailureEvents.Seal(raw, prevHash);
            var time = Timestamp.ToText(Now);
            var hash = EventChain.Hash(stream, streamSeq, draft.Type, time, draft.Actor, draft.Data, prevHash);
            var e = new TranscriptEvent(Log.Count + 1, stream, streamSeq, draft.Type, time, draft.Actor, draft.Data, prevHash, hash);
            Log.Add(e);
            _heads[stream] = e;
            Negotiation = Negotiation.Apply(e);
            // A mandate's stream (§14) is no session's.
            if (!stream.StartsWith(Pact.Core.Ids.PactIds.Mandate, StringComparison.Ordinal))
                Sessions[stream] = Sessions.TryGetValue(stream, out var s) ? s.Apply(e) : SessionState.Created(e);
            appended.Add(e);
        }
        return appended;
    }

    /// <summary>
    /// What the daemon does before judging anything and from its timer: record every reached deadline, in as many
    /// commits as FireDue takes (a ranking after passport-changing events comes in a commit of its own).
    /// </summary>
    public IReadOnlyList<TranscriptEvent> Tick()
    {
        var appended = new List<TranscriptEvent>();
        for (var decision = NegotiationMachine.FireDue(Negotiation, Now, BundleServices); !decision.IsEmpty;
             decision = NegotiationMachine.FireDue(Negotiation, Now, BundleServices))
            appended.AddRange(Append(decision));
        return appended;
    }

    /// <summary>What a bundle's close needs (the daemon key, passports) when this world's ticks may reach one; null: no bundles close here.</summary>
    public Pact.Core.Bundles.BundleServices? BundleServices { get; set; }

    public Verdict Negotiate(NegotiationCommand command)
    {
        Tick();
        var verdict = NegotiationMachine.Decide(Negotiation, command, Now);
        if (verdict.IsAccepted) Append(verdict.Decision);
        return verdict;
    }

    public Verdict Session(string sessionId, SessionCommand command)
    {
        Tick();
        var verdict = SessionMachine.Decide(Sessions.GetValueOrDefault(sessionId), command, Now);
        if (verdict.IsAccepted) Append(verdict.Decision);
        return verdict;
    }

    // ---- sessions --------------------------------------------------------------------------------

    public CreateSession CreateSessionCommand(KeyPair signer, IEnumerable<string> participants, string? topic = null)
    {
        var list = participants.ToList();
        var fields = new JsonObject { ["participants"] = new JsonArray(list.Select(p => (JsonNode?)p).ToArray()) };
        if (topic is not null) fields["topic"] = topic;
        return new CreateSession(Envelope(signer, "session.create", fields), PactIds.New(PactIds.Session, Now), list, topic);
    }

    public string OpenSession(KeyPair signer, params KeyPair[] participants)
    {
        var command = CreateSessionCommand(signer, participants.Select(p => p.Did));
        var verdict = Session(command.SessionId, command);
        verdict.IsAccepted.Should().BeTrue(verdict.Error?.Detail);
        return command.SessionId;
    }

    public Verdict SessionAction(string sessionId, KeyPair signer, string action) => Session(sessionId, action switch
    {
        "suspend" => new SuspendSession(Envelope(signer, "session.suspend", new JsonObject { ["sessionId"] = sessionId })),
        "resume" => new ResumeSession(Envelope(signer, "session.resume", new JsonObject { ["sessionId"] = sessionId })),
        "terminate" => new TerminateSession(Envelope(signer, "session.terminate", new JsonObject { ["sessionId"] = sessionId })),
        _ => throw new ArgumentException(action, nameof(action)),
    });

    // ---- proposals -------------------------------------------------------------------------------

    /// <summary>Terms reduced to the members negotiation reads (the terms model validates the rest elsewhere).</summary>
    public static JsonObject TermsFor(string compactId, long version, KeyPair a, KeyPair b, string? negotiationTimeout = "P14D",
        string ackTimeout = "P7D", PredecessorRef? predecessor = null, string interaction = "kitchen") => new()
    {
        ["compactId"] = compactId,
        ["version"] = version,
        ["predecessor"] = predecessor is null ? null : new JsonObject { ["version"] = predecessor.Version, ["compactHash"] = predecessor.CompactHash },
        ["parties"] = new JsonObject
        {
            ["a"] = new JsonObject { ["agent"] = a.Did },
            ["b"] = new JsonObject { ["agent"] = b.Did },
        },
        ["scope"] = new JsonObject { ["interaction"] = interaction },
        ["revocation"] = new JsonObject { ["ackTimeout"] = ackTimeout },
        ["negotiationTimeout"] = negotiationTimeout,
    };

    public static string TermsHash(JsonObject terms) => Jcs.DomainHash("pact-terms-v1\n", terms);

    /// <summary>A proposal.create by <paramref name="signer"/> as party <paramref name="role"/> of <paramref name="terms"/>.</summary>
    public CreateProposal Propose(string sessionId, KeyPair signer, PartyRole role, JsonObject terms, string? replaces = null)
    {
        var termsHash = TermsHash(terms);
        var fields = new JsonObject
        {
            ["sessionId"] = sessionId,
            ["terms"] = terms.DeepClone(),
            ["signature"] = new JsonObject { ["party"] = role.ToWire(), ["sig"] = "s", ["principalAuthorization"] = null },
        };
        if (replaces is not null) fields["replaces"] = replaces;
        var envelope = Envelope(signer, "proposal.create", fields);
        var facts = ProposalFacts.FromCreatePayload(envelope["payload"]!.AsObject(), termsHash);
        return new CreateProposal(envelope, sessionId, PactIds.New(PactIds.Proposal, Now), facts, replaces);
    }

    /// <summary>Creates a proposal that must be accepted; returns its id.</summary>
    public string Create(string sessionId, KeyPair signer, PartyRole role, JsonObject terms, string? replaces = null)
    {
        var command = Propose(sessionId, signer, role, terms, replaces);
        var verdict = Negotiate(command);
        verdict.IsAccepted.Should().BeTrue(verdict.Error?.Detail);
        return command.ProposalId;
    }

    public string TermsHashOf(string proposalId) => Negotiation.Proposal(proposalId)!.TermsHash;

    public SignProposal Sign(KeyPair signer, string proposalId, string? termsHash = null)
    {
        termsHash ??= TermsHashOf(proposalId);
        var envelope = Envelope(signer, "proposal.sign", new JsonObject { ["proposalId"] = proposalId, ["termsHash"] = termsHash });
        // Stands in for the record the caller builds with the daemon key (§4.3).
        var record = new JsonObject { ["termsHash"] = termsHash, ["inForceAt"] = Timestamp.ToText(Now), ["daemonId"] = Daemon.Did };
        var compactHash = Jcs.DomainHash("pact-compact-v1\n", record);
        record["compactHash"] = compactHash;
        return new SignProposal(envelope, proposalId, termsHash, new SignedCompact(record, compactHash));
    }

    public DeclineProposal Decline(KeyPair signer, string proposalId, string? termsHash = null) =>
        new(Envelope(signer, "proposal.decline", new JsonObject { ["proposalId"] = proposalId, ["termsHash"] = termsHash ?? TermsHashOf(proposalId) }),
            proposalId, termsHash ?? TermsHashOf(proposalId));

    public WithdrawProposal Withdraw(KeyPair signer, string proposalId, string? termsHash = null) =>
        new(Envelope(signer, "proposal.withdraw", new JsonObject { ["proposalId"] = proposalId, ["termsHash"] = termsHash ?? TermsHashOf(proposalId) }),
            proposalId, termsHash ?? TermsHashOf(proposalId));

    /// <summary>The hash of the proposal's withdrawal.initiated event, as the withdraw response gives it.</summary>
    public string WithdrawalHashOf(string proposalId) =>
        Log.Last(e => e.Type == EventTypes.WithdrawalInitiated && e.Data["proposalId"]!.GetValue<string>() == proposalId).Hash;

    public AcknowledgeWithdrawal Ack(KeyPair signer, string proposalId, string? withdrawalHash = null)
    {
        withdrawalHash ??= WithdrawalHashOf(proposalId);
        return new(Envelope(signer, "proposal.withdrawal.ack", new JsonObject { ["proposalId"] = proposalId, ["withdrawalHash"] = withdrawalHash }),
            proposalId, withdrawalHash);
    }

    public static void Accept(Verdict verdict) => verdict.IsAccepted.Should().BeTrue(verdict.Error?.Detail);

    public ProposalStatus StatusOf(string proposalId) => Negotiation.Proposal(proposalId)!.Status;
}

internal static class VerdictAssertions
{
    public static void ShouldBeRefusedWith(this Verdict verdict, string code)
    {
        verdict.IsAccepted.Should().BeFalse("the request should be refused with {0}", code);
        verdict.Error!.Code.Should().Be(code, verdict.Error.Detail);
    }

    public static IReadOnlyList<string> Types(this IEnumerable<TranscriptEvent> events) => events.Select(e => e.Type).ToList();

    public static IReadOnlyList<string> Keys(this JsonObject data) => data.Select(kv => kv.Key).ToList();

    /// <summary>A response record as the daemon writes it on the wire.</summary>
    public static JsonObject Wire<T>(this T response) => System.Text.Json.JsonSerializer.SerializeToNode(response, Pact.Core.Json.PactJson.Options)!.AsObject();
}

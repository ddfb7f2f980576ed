using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Crypto;
using Pact.Core.Events;
using Pact.Core.Ids;
using Pact.Core.Json;
using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;
using Pact.Core.Terms;
using Pact.Core.Tests.Negotiation;
using Pact.Core.Time;

namespace Pact.Core.Tests.Lifecycle;

/// <summary>Revocation terms for <see cref="Lab.Terms"/>.</summary>
internal sealed record RevocationSpec(
    string Mode = "unilateral",
    string NoticePeriod = "P30D",
    string AckTimeout = "P7D",
    bool Emergency = false,
    params string[] Conditions);

/// <summary>
/// Terms for lifecycle tests: complete, schema-valid terms whose slices cover every retain mode and every
/// disposition action, on a calendar that starts on <see cref="Lab.Signed"/>:
/// <list type="bullet">
/// <item>a/work-scope: indefinite; derive work-history-summary; every disposition retain-indefinitely.</item>
/// <item>a/work-record: period P1Y from effective-end; derive work-history-summary; propagate licensing-board (standard);
/// revocation retain P7Y, expiration retain P7Y, supersession transition P1Y with derive work-history-summary.</item>
/// <item>a/billing-payment-record: period P90D from in-force; derive aggregate-billing-statistics; propagate tax-authority
/// (standard); revocation transition without period keeping derive aggregate-billing-statistics and the tax-authority edge;
/// expiration retain P30D; supersession delete.</item>
/// <item>a/property-access-details: until-marker work-complete; every disposition delete.</item>
/// <item>a/warranty-information: effective; revocation delete, expiration retain-indefinitely, supersession retain P2Y.</item>
/// <item>b/work-scope: indefinite, all retain-indefinitely; b/dispute-records: period P6M from effective-start, all retain P1M.</item>
/// </list>
/// Every entry has an upstream disposition when the terms name upstream compacts: delete for
/// property-access-details, retain P30D for the others.
/// </summary>
internal static class Lab
{
    public static readonly DateTimeOffset Signed = Timestamp.Parse("2026-11-21T12:00:00.000Z");
    public static readonly DateTimeOffset From = Timestamp.Parse("2026-12-01T00:00:00.000Z");
    public static readonly DateTimeOffset Until = Timestamp.Parse("2027-12-01T00:00:00.000Z");

    public static JsonObject Act(string action, string? period = null)
    {
        var o = new JsonObject { ["action"] = action };
        if (period is not null) o["period"] = period;
        return o;
    }

    public static JsonObject Edge(string to, string tier = "standard") => new() { ["to"] = to, ["requiresCompact"] = new JsonObject { ["minTier"] = tier } };

    public static JsonObject Transition(string? period, JsonArray derive, JsonArray propagate)
    {
        var o = new JsonObject { ["action"] = "transition" };
        if (period is not null) o["period"] = period;
        o["derive"] = derive;
        o["propagate"] = propagate;
        return o;
    }

    public static JsonObject Entry(string category, JsonObject retain, JsonArray derive, JsonArray propagate, JsonObject disposition) => new()
    {
        ["category"] = category, ["retain"] = retain, ["derive"] = derive, ["propagate"] = propagate, ["disposition"] = disposition,
    };

    /// <summary>Dispositions for revocation, expiration, supersession, and upstream (only kept when the terms name upstream compacts).</summary>
    public static JsonObject Disp(JsonObject revocation, JsonObject expiration, JsonObject supersession, JsonObject? upstream = null)
    {
        var d = new JsonObject { ["revocation"] = revocation, ["expiration"] = expiration, ["supersession"] = supersession };
        if (upstream is not null) d["upstream"] = upstream;
        return d;
    }

    private static JsonObject Party(KeyPair k, string name) => new()
    {
        ["agent"] = k.Did,
        ["principal"] = new JsonObject { ["id"] = k.Did, ["kind"] = "organization", ["name"] = name },
    };

    public static JsonArray DefaultSliceA() =>
    [
        Entry("work-scope", new JsonObject { ["mode"] = "indefinite" }, ["work-history-summary"], [],
            Disp(Act("retain-indefinitely"), Act("retain-indefinitely"), Act("retain-indefinitely"), Act("retain", "P30D"))),
        Entry("work-record", new JsonObject { ["mode"] = "period", ["period"] = "P1Y", ["anchor"] = "effective-end" },
            ["work-history-summary"], [Edge("licensing-board")],
            Disp(Act("retain", "P7Y"), Act("retain", "P7Y"), Transition("P1Y", ["work-history-summary"], []), Act("retain", "P30D"))),
        Entry("billing-payment-record", new JsonObject { ["mode"] = "period", ["period"] = "P90D", ["anchor"] = "in-force" },
            ["aggregate-billing-statistics"], [Edge("tax-authority")],
            Disp(Transition(null, ["aggregate-billing-statistics"], [Edge("tax-authority")]), Act("retain", "P30D"), Act("delete"), Act("retain", "P30D"))),
        Entry("property-access-details", new JsonObject { ["mode"] = "until-marker", ["marker"] = "work-complete" }, [], [],
            Disp(Act("delete"), Act("delete"), Act("delete"), Act("delete"))),
        Entry("warranty-information", new JsonObject { ["mode"] = "effective" }, [], [],
            Disp(Act("delete"), Act("retain-indefinitely"), Act("retain", "P2Y"), Act("retain", "P30D"))),
    ];

    public static JsonArray DefaultSliceB() =>
    [
        Entry("work-scope", new JsonObject { ["mode"] = "indefinite" }, [], [],
            Disp(Act("retain-indefinitely"), Act("retain-indefinitely"), Act("retain-indefinitely"), Act("retain", "P30D"))),
        Entry("dispute-records", new JsonObject { ["mode"] = "period", ["period"] = "P6M", ["anchor"] = "effective-start" }, [], [],
            Disp(Act("retain", "P1M"), Act("retain", "P1M"), Act("retain", "P1M"), Act("retain", "P30D"))),
    ];

    public static JsonObject Terms(string compactId, KeyPair a, KeyPair b, RevocationSpec? revocation = null,
        long version = 1, PredecessorRef? predecessor = null, string? from = null, string? until = null,
        IEnumerable<UpstreamRef>? upstream = null, JsonArray? sliceA = null, JsonArray? sliceB = null)
    {
        revocation ??= new RevocationSpec();
        var ups = (upstream ?? []).ToList();
        var retentionA = sliceA ?? DefaultSliceA();
        var retentionB = sliceB ?? DefaultSliceB();
        if (ups.Count == 0)
        {
            // An upstream disposition without upstream compacts is PACT-101; keep the terms valid.
            foreach (var entry in retentionA.Concat(retentionB)) entry!["disposition"]!.AsObject().Remove("upstream");
        }

        return new JsonObject
        {
            ["acp"] = "0.1",
            ["compactId"] = compactId,
            ["version"] = version,
            ["predecessor"] = predecessor?.ToJson(),
            ["tier"] = "standard",
            ["domain"] = "contractor-and-service",
            ["stdlib"] = "contractor-and-service@0.1",
            ["parties"] = new JsonObject { ["a"] = Party(a, "Party A"), ["b"] = Party(b, "Party B") },
            ["scope"] = new JsonObject
            {
                ["interaction"] = "Lifecycle test interaction",
                ["effective"] = new JsonObject { ["from"] = from ?? Timestamp.ToText(From), ["until"] = until ?? Timestamp.ToText(Until) },
            },
            ["retention"] = new JsonObject { ["a"] = retentionA, ["b"] = retentionB },
            ["revocation"] = new JsonObject
            {
                ["mode"] = revocation.Mode,
                ["noticePeriod"] = revocation.NoticePeriod,
                ["ackTimeout"] = revocation.AckTimeout,
                ["emergency"] = revocation.Emergency,
                ["conditions"] = new JsonArray(revocation.Conditions.Select(c => (JsonNode?)c).ToArray()),
                ["residualObligations"] = new JsonArray("dispute-resolution"),
            },
            ["upstream"] = new JsonArray(ups.Select(u => (JsonNode?)u.ToJson()).ToArray()),
            ["definitions"] = new JsonObject { ["categories"] = new JsonArray(), ["operations"] = new JsonArray(), ["recipients"] = new JsonArray() },
            ["extensions"] = new JsonArray(),
            ["negotiationTimeout"] = "P14D",
        };
    }
}

/// <summary>
/// The negotiation <see cref="World"/> plus the lifecycle: signs compacts whose record carries real terms, runs
/// lifecycle commands the way the daemon must (record reached deadlines, then decide and append).
/// </summary>
internal sealed class LifecycleWorld
{
    public World W { get; } = new();

    public NegotiationState State => W.Negotiation;

    public DateTimeOffset Now
    {
        get => W.Now;
        set => W.Now = value;
    }

    public void At(string timestamp) => W.Now = Timestamp.Parse(timestamp);

    public void Advance(string duration) => W.Advance(duration);

    /// <summary>A session of the two parties, a proposal by party a, the countersignature by b; returns the session id.</summary>
    public string SignCompact(KeyPair a, KeyPair b, JsonObject terms, string? session = null, params KeyPair[] others)
    {
        session ??= W.OpenSession(a, [a, b, .. others]);
        var proposalId = W.Create(session, a, PartyRole.A, terms);
        var termsHash = W.TermsHashOf(proposalId);
        var envelope = W.Envelope(b, "proposal.sign", new JsonObject { ["proposalId"] = proposalId, ["termsHash"] = termsHash });
        // The record as far as the lifecycle reads it: the terms and inForceAt (signatures are checked elsewhere).
        var record = new JsonObject
        {
            ["terms"] = terms.DeepClone(),
            ["termsHash"] = termsHash,
            ["inForceAt"] = Timestamp.ToText(W.Now),
            ["daemonId"] = World.Daemon.Did,
        };
        var compactHash = Jcs.DomainHash("pact-compact-v1\n", record);
        record["compactHash"] = compactHash;
        World.Accept(W.Negotiate(new SignProposal(envelope, proposalId, termsHash, new SignedCompact(record, compactHash))));
        var (_, errors) = TermsReader.Read(terms);
        errors.Should().BeEmpty("lifecycle fixtures must carry readable terms");
        State.Lifecycle(terms["compactId"]!.GetValue<string>(), terms["version"]!.GetValue<long>())!.Terms.Should().NotBeNull();
        return session;
    }

    public string CompactHash(string compactId, long version = 1) => State.Compact(compactId, version)!.CompactHash;

    // ---- commands --------------------------------------------------------------------------------

    public RevokeCompact Revoke(KeyPair signer, string compactId, long version = 1, string? reason = null, string? condition = null, bool emergency = false)
    {
        var fields = new JsonObject { ["compactId"] = compactId, ["version"] = version };
        if (reason is not null) fields["reason"] = reason;
        if (condition is not null) fields["condition"] = condition;
        if (emergency) fields["emergency"] = true;
        return new RevokeCompact(W.Envelope(signer, "compact.revoke", fields), compactId, version,
            PactIds.New(PactIds.Revocation, W.Now), reason, condition, emergency);
    }

    public AcknowledgeRevocation AckRevocation(KeyPair signer, string compactId, string revocationId, string? initiationHash = null)
    {
        initiationHash ??= State.Revocation(revocationId)?.InitiationHash ?? new string('0', 64);
        return new AcknowledgeRevocation(W.Envelope(signer, "compact.revoke.ack", new JsonObject
        {
            ["compactId"] = compactId, ["revocationId"] = revocationId, ["initiationHash"] = initiationHash,
        }), compactId, revocationId, initiationHash);
    }

    public RecordMarker Marker(KeyPair signer, string compactId, string marker = "work-complete") =>
        new(W.Envelope(signer, "compact.marker", new JsonObject { ["compactId"] = compactId, ["marker"] = marker }),
            compactId, PactIds.New(PactIds.Marker, W.Now), marker);

    public AcknowledgeMarker AckMarker(KeyPair signer, string compactId, string markerId, string? initiationHash = null)
    {
        initiationHash ??= State.Marker(markerId)?.InitiationHash ?? new string('0', 64);
        return new AcknowledgeMarker(W.Envelope(signer, "compact.marker.ack", new JsonObject
        {
            ["compactId"] = compactId, ["markerId"] = markerId, ["initiationHash"] = initiationHash,
        }), compactId, markerId, initiationHash);
    }

    /// <summary>What the daemon does: record reached deadlines, then decide and append.</summary>
    public Verdict Run(LifecycleCommand command)
    {
        W.Tick();
        var verdict = LifecycleMachine.Decide(State, command, Now);
        if (verdict.IsAccepted) LastAppended = W.Append(verdict.Decision);
        return verdict;
    }

    public IReadOnlyList<TranscriptEvent> LastAppended { get; private set; } = [];

    /// <summary>Runs a command that must be accepted; returns the events it appended.</summary>
    public IReadOnlyList<TranscriptEvent> Must(LifecycleCommand command)
    {
        var verdict = Run(command);
        verdict.IsAccepted.Should().BeTrue(verdict.Error?.Detail);
        return LastAppended;
    }

    /// <summary>Revokes and returns the revocation id.</summary>
    public string Revoked(KeyPair signer, string compactId, long version = 1, string? condition = null, bool emergency = false)
    {
        var command = Revoke(signer, compactId, version, condition: condition, emergency: emergency);
        Must(command);
        return command.RevocationId;
    }

    public string Marked(KeyPair signer, string compactId, string marker = "work-complete")
    {
        var command = Marker(signer, compactId, marker);
        Must(command);
        return command.MarkerId;
    }

    public IReadOnlyList<TranscriptEvent> Tick() => W.Tick();

    public IReadOnlyList<TranscriptEvent> Log => W.Log;
}

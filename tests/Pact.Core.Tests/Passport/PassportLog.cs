using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Time;

namespace Pact.Core.Tests.Passport;

/// <summary>
/// A hand-built log of the events passports read, with seq, streamSeq and time assigned as the store would (hashes
/// are placeholders: the passport never reads them).
/// </summary>
internal sealed class PassportLog
{
    public const string Alice = "did:key:z6MkAlice";
    public const string Bob = "did:key:z6MkBob";
    public const string Carol = "did:key:z6MkCarol";
    public const string Stream = "ses_01J0000000000000000000000A";

    private readonly Dictionary<string, long> _streamSeqs = new(StringComparer.Ordinal);

    public List<TranscriptEvent> Events { get; } = [];

    public DateTimeOffset Now { get; set; } = DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    public TranscriptEvent Append(string type, JsonObject data, string actor = TranscriptEvent.DaemonActor, string stream = Stream)
    {
        var streamSeq = _streamSeqs.GetValueOrDefault(stream) + 1;
        _streamSeqs[stream] = streamSeq;
        var e = new TranscriptEvent(Events.Count + 1, stream, streamSeq, type, Timestamp.ToText(Now), actor, data, new string('0', 64), new string('a', 64));
        Events.Add(e);
        return e;
    }

    public TranscriptEvent InForce(string compactId, string a, string b, long version = 1) =>
        Append("compact.in-force", new JsonObject
        {
            ["compactId"] = compactId,
            ["version"] = version,
            ["compactHash"] = new string('c', 64),
            ["record"] = new JsonObject { ["terms"] = new JsonObject { ["parties"] = new JsonObject { ["a"] = new JsonObject { ["agent"] = a }, ["b"] = new JsonObject { ["agent"] = b } } } },
        });

    public TranscriptEvent Ended(string type, string compactId, long version = 1) =>
        Append(type, new JsonObject { ["compactId"] = compactId, ["version"] = version });

    public TranscriptEvent RevocationInitiated(string revocationId, string compactId, string by, long version = 1) =>
        Append("compact.revocation.initiated", new JsonObject { ["compactId"] = compactId, ["version"] = version, ["revocationId"] = revocationId }, actor: by);

    public TranscriptEvent Revoked(string compactId, string? revocationId, string cause, long version = 1) =>
        Append("compact.revoked", new JsonObject { ["compactId"] = compactId, ["version"] = version, ["revocationId"] = revocationId, ["cause"] = cause });

    public TranscriptEvent Lapsed(string revocationId, string reason) =>
        Append("compact.revocation.lapsed", new JsonObject { ["revocationId"] = revocationId, ["reason"] = reason });

    public TranscriptEvent Failure(string? agent, string code = "PACT-502", string stage = "lifecycle", string evidence = "compact:cc")
    {
        var data = new JsonObject
        {
            ["code"] = code,
            ["stage"] = stage,
            ["faultDomain"] = "counterparty",
            ["terminality"] = code == "PACT-501" ? "terminal" : "non_terminal",
            ["evidenceRefs"] = new JsonArray("event:" + new string('e', 64), evidence),
            ["transcriptHash"] = new string('0', 64),
        };
        if (agent is not null) data["agent"] = agent;
        return Append("failure", data);
    }

    public TranscriptEvent Declined(string by) =>
        Append("proposal.declined", new JsonObject { ["envelope"] = new JsonObject(), ["proposalId"] = "prp_x" }, actor: by);

    public PassportLedgerView Fold() => new(new Core.Passport.PassportLedger().ApplyAll(Events));
}

internal sealed record PassportLedgerView(Core.Passport.PassportLedger Ledger)
{
    public Core.Passport.PassportCounts this[string agent] => Ledger.CountsOf(agent);
}

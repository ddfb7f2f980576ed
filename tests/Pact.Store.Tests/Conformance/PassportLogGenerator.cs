using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Negotiation;

namespace Pact.Store.Tests.Conformance;

/// <summary>
/// Random but plausible logs of everything passports read — compacts coming into force and ending every way,
/// revocations by either side, acknowledgment timeouts with and without a mutual lapse before them (in the same
/// request or an earlier one), failures that count for no one, declines by agents and under mandates — in requests
/// of one or more operations, at times that go forward within a stream but not across streams.
/// </summary>
internal sealed class PassportLogGenerator(int seed)
{
    public static readonly string[] Agents = ["did:key:z6MkAgentA", "did:key:z6MkAgentB", "did:key:z6MkAgentC", "did:key:z6MkAgentD"];
    private static readonly string[] Streams = ["ses_01JD000000000000000000000A", "ses_01JD000000000000000000000B", "ses_01JD000000000000000000000C"];

    private readonly Random _random = new(seed);
    private readonly List<Compact> _inForce = [];
    private readonly List<Revocation> _open = [];
    private readonly HashSet<string> _lapsedJustBefore = []; // streams whose last request ended with a mutual lapse
    private DateTimeOffset _clock = new(2026, 9, 1, 0, 0, 0, TimeSpan.Zero);
    private int _next;

    private sealed record Compact(string CompactId, long Version, string A, string B, string Stream);

    private sealed record Revocation(string RevocationId, Compact Compact, string Initiator);

    /// <summary>The next request: one to three operations, at a time that may be before the previous request's.</summary>
    public AppendRequest NextRequest()
    {
        // Mostly forward by minutes to days (so the 30-day window opens and closes); sometimes a little back.
        _clock = _random.Next(6) == 0 ? _clock.AddMinutes(-_random.Next(1, 90)) : _clock.AddMinutes(_random.Next(1, 4 * 24 * 60));
        var appends = new List<StreamAppend>();
        var operations = 1 + _random.Next(3);
        for (var i = 0; i < operations; i++) appends.Add(NextOperation());
        return new AppendRequest(_clock, appends);
    }

    private StreamAppend NextOperation()
    {
        var stream = Pick(Streams);
        if (_lapsedJustBefore.Remove(stream) && _random.Next(2) == 0)
            return new StreamAppend(stream, [Failure(Pick(Agents), "PACT-502", "lifecycle")]); // follows the lapse of an earlier request
        switch (_random.Next(12))
        {
            case 0 or 1:
                return InForce(stream);
            case 2 when _inForce.Count > 0:
                return Supersede();
            case 3 when _inForce.Count > 0:
                return End(Pick(_inForce), c => Daemon(EventTypes.CompactExpired, Key(c)));
            case 4 when _inForce.Count > 0:
                return End(Pick(_inForce), c => Daemon(EventTypes.CompactRevoked, Key(c, revocationId: null, cause: "upstream")));
            case 5 when _inForce.Count > 0:
                {
                    var c = Pick(_inForce);
                    var initiator = _random.Next(2) == 0 ? c.A : c.B;
                    var r = new Revocation("rev_" + Next(), c, initiator);
                    _open.Add(r);
                    return new StreamAppend(c.Stream, [new EventDraft(EventTypes.RevocationInitiated, initiator, Key(c, revocationId: r.RevocationId))]);
                }
            case 6 when _open.Count > 0:
                {
                    var r = Pick(_open);
                    _open.Remove(r);
                    if (!_inForce.Contains(r.Compact)) return Noise(stream);
                    var silent = r.Initiator == r.Compact.A ? r.Compact.B : r.Compact.A;
                    _inForce.Remove(r.Compact);
                    return new StreamAppend(r.Compact.Stream,
                    [
                        Daemon("compact.revocation.escalated", new JsonObject { ["revocationId"] = r.RevocationId }),
                        Failure(silent, "PACT-502", "lifecycle"),
                        Daemon(EventTypes.CompactRevoked, Key(r.Compact, revocationId: r.RevocationId, cause: "revocation")),
                    ]);
                }
            case 7 when _open.Count > 0:
                {
                    // Mutual mode: silence lapses the revocation, and the failure after the lapse counts for no one.
                    var r = Pick(_open);
                    _open.Remove(r);
                    var silent = r.Initiator == r.Compact.A ? r.Compact.B : r.Compact.A;
                    var lapse = Daemon(EventTypes.RevocationLapsed, new JsonObject { ["revocationId"] = r.RevocationId, ["reason"] = "ack-timeout" });
                    if (_random.Next(2) == 0) return new StreamAppend(r.Compact.Stream, [lapse, Failure(silent, "PACT-502", "lifecycle")]);
                    _lapsedJustBefore.Add(r.Compact.Stream);
                    return new StreamAppend(r.Compact.Stream, [lapse]);
                }
            case 8:
                return new StreamAppend(stream, [_random.Next(4) switch
                {
                    0 => Failure(Pick(Agents), "PACT-501", "negotiation"),
                    1 => Failure(Pick(Agents), "PACT-502", "negotiation"),
                    2 => Failure(null, "PACT-502", "lifecycle"),
                    _ => Failure(Pick(Agents), "PACT-502", "lifecycle"),
                }]);
            case 9:
                return new StreamAppend(stream, [new EventDraft(EventTypes.ProposalDeclined, Pick(Agents), new JsonObject { ["envelope"] = new JsonObject(), ["proposalId"] = "prp_" + Next() })]);
            case 10:
                return new StreamAppend(stream, [Daemon(EventTypes.ProposalDeclined, new JsonObject
                {
                    ["proposalId"] = "prp_" + Next(),
                    ["reason"] = "policy",
                    ["mandate"] = new JsonObject { ["mandateId"] = "mdt_" + Next(), ["grant"] = new JsonObject { ["signer"] = Pick(Agents) } },
                })]);
            default:
                return Noise(stream);
        }
    }

    private StreamAppend InForce(string stream)
    {
        var a = Pick(Agents);
        var b = Pick(Agents.Where(x => x != a).ToArray());
        var c = new Compact("cmp_" + Next(), 1, a, b, stream);
        _inForce.Add(c);
        return new StreamAppend(stream, [InForceDraft(c)]);
    }

    private StreamAppend Supersede()
    {
        var old = Pick(_inForce);
        var successor = old with { Version = old.Version + 1 };
        _inForce.Remove(old);
        _inForce.Add(successor);
        return new StreamAppend(old.Stream, [InForceDraft(successor), Daemon(EventTypes.CompactSuperseded, Key(old))]);
    }

    private StreamAppend End(Compact c, Func<Compact, EventDraft> draft)
    {
        _inForce.Remove(c);
        return new StreamAppend(c.Stream, [draft(c)]);
    }

    private StreamAppend Noise(string stream) => new(stream, [Daemon("test.other", new JsonObject { ["n"] = Next() })]);

    private static EventDraft InForceDraft(Compact c) => Daemon(EventTypes.CompactInForce, new JsonObject
    {
        ["compactId"] = c.CompactId,
        ["version"] = c.Version,
        ["compactHash"] = new string('c', 64),
        ["record"] = new JsonObject
        {
            ["terms"] = new JsonObject { ["parties"] = new JsonObject { ["a"] = new JsonObject { ["agent"] = c.A }, ["b"] = new JsonObject { ["agent"] = c.B } } },
            ["inForceAt"] = "2026-09-01T00:00:00.000Z",
        },
    });

    private static JsonObject Key(Compact c, string? revocationId = null, string? cause = null)
    {
        var data = new JsonObject { ["compactId"] = c.CompactId, ["version"] = c.Version };
        if (revocationId is not null || cause is not null) data["revocationId"] = revocationId;
        if (cause is not null) data["cause"] = cause;
        return data;
    }

    private static EventDraft Failure(string? agent, string code, string stage)
    {
        var data = new JsonObject
        {
            ["code"] = code,
            ["stage"] = stage,
            ["faultDomain"] = "counterparty",
            ["terminality"] = code == "PACT-501" ? "terminal" : "non_terminal",
            ["evidenceRefs"] = new JsonArray("event:" + new string('e', 64), "compact:" + new string('c', 64)),
            ["transcriptHash"] = new string('0', 64),
        };
        if (agent is not null) data["agent"] = agent;
        return Daemon(EventTypes.Failure, data);
    }

    private static EventDraft Daemon(string type, JsonObject data) => new(type, TranscriptEvent.DaemonActor, data);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private int Next() => ++_next;
}

using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Contracts;
using Pact.Core.Crypto;
using Pact.Core.Envelopes;
using Pact.Core.Events;
using Pact.Core.Ids;
using Pact.Core.Mandates;
using Pact.Core.Negotiation;
using Pact.Core.Time;

namespace Pact.Core.Tests.Mandates;

/// <summary>Mandates in the negotiation state (§14): scope, the one granted last answering, revocation, expiry as deadline kind 7.</summary>
public class MandateStateTests
{
    private static readonly KeyPair Agent = Key(1);
    private static readonly KeyPair Other = Key(2);
    private static readonly KeyPair Daemon = Key(9);
    private static readonly string Policy = new('a', 64);

    private DateTimeOffset _now = Timestamp.Parse("2026-12-06T10:00:00.000Z");
    private NegotiationState _state = NegotiationState.Empty;
    private long _seq;

    private static KeyPair Key(byte n)
    {
        var seed = new byte[32];
        seed[0] = n;
        return KeyPair.FromSeed(seed);
    }

    private GrantMandate Grant(JsonObject scope, string expiresIn = "P30D", params string[] acknowledge)
    {
        var fields = new JsonObject
        {
            ["policyHash"] = Policy,
            ["scope"] = scope,
            ["acknowledge"] = new JsonArray(acknowledge.Select(k => (JsonNode?)k).ToArray()),
            ["expiresAt"] = Timestamp.ToText(IsoDuration.Parse(expiresIn).AddTo(_now)),
        };
        return new GrantMandate(Envelope.Sign(Agent, EnvelopeTypes.MandateGrant, Daemon.Did, _now, fields).ToJson(), PactIds.New(PactIds.Mandate, _now));
    }

    private void Append(Decision decision)
    {
        foreach (var (stream, draft) in decision.Events)
            _state = _state.Apply(new TranscriptEvent(++_seq, stream, 1, draft.Type, Timestamp.ToText(_now), draft.Actor, draft.Data, "", ""));
    }

    private string Granted(JsonObject scope, string expiresIn = "P30D")
    {
        var command = Grant(scope, expiresIn);
        MandateMachine.CheckGrantState(_state, command).Should().BeNull();
        Append(MandateMachine.Granted(command));
        return command.MandateId;
    }

    [Fact]
    public void Scope_members_each_narrow_only_when_given()
    {
        var session = PactIds.New(PactIds.Session, _now);
        var another = PactIds.New(PactIds.Session, _now);
        var everything = MandateScope.Everything;
        everything.Covers("ses_x", Other.Did, "cmp_anything-1").Should().BeTrue();
        var (scope, errors) = MandateScope.Read(new JsonObject
        {
            ["sessions"] = new JsonArray(session),
            ["counterparties"] = new JsonArray(Other.Did),
            ["compactIdPrefix"] = "cmp_kitchen-",
        }, "/payload/scope");
        errors.Should().BeEmpty();
        scope!.Covers(session, Other.Did, "cmp_kitchen-2026").Should().BeTrue();
        scope.Covers(another, Other.Did, "cmp_kitchen-2026").Should().BeFalse();
        scope.Covers(session, Agent.Did, "cmp_kitchen-2026").Should().BeFalse();
        scope.Covers(session, Other.Did, "cmp_garage-2026").Should().BeFalse();
    }

    [Fact]
    public void A_malformed_scope_is_refused_member_by_member()
    {
        var (scope, errors) = MandateScope.Read(new JsonObject
        {
            ["sessions"] = new JsonArray(),
            ["counterparties"] = new JsonArray("not-a-did"),
            ["extra"] = true,
        }, "/payload/scope");
        scope.Should().BeNull();
        errors.Select(e => e.Pointer).Should().BeEquivalentTo("/payload/scope/extra", "/payload/scope/sessions", "/payload/scope/counterparties/0");
        errors.Should().OnlyContain(e => e.Code == "PACT-101");
    }

    [Fact]
    public void The_mandate_granted_last_answers()
    {
        var broad = Granted([]);
        _now = _now.AddSeconds(1);
        var narrow = Granted(new JsonObject { ["counterparties"] = new JsonArray(Other.Did) });
        _now = _now.AddSeconds(1);
        var elsewhere = Granted(new JsonObject { ["compactIdPrefix"] = "cmp_garage-" });

        _state.ApplyingMandate(Agent.Did, "ses_x", Other.Did, "cmp_kitchen-1", _now)!.MandateId.Should().Be(narrow);
        _state.ApplyingMandate(Agent.Did, "ses_x", Other.Did, "cmp_garage-1", _now)!.MandateId.Should().Be(elsewhere);
        _state.ApplyingMandate(Agent.Did, "ses_x", Key(5).Did, "cmp_kitchen-1", _now)!.MandateId.Should().Be(broad);
        _state.ApplyingMandate(Other.Did, "ses_x", Agent.Did, "cmp_kitchen-1", _now).Should().BeNull("a mandate answers only for its granter");

        Append(MandateMachine.Revoke(_state, new RevokeMandate(Envelope.Sign(Agent, EnvelopeTypes.MandateRevoke, Daemon.Did, _now,
            new JsonObject { ["mandateId"] = narrow }).ToJson(), narrow), _now).Decision!);
        _state.Mandate(narrow)!.Status.Should().Be(MandateStatus.Revoked);
        _state.ApplyingMandate(Agent.Did, "ses_x", Other.Did, "cmp_kitchen-1", _now)!.MandateId.Should().Be(broad);
    }

    [Fact]
    public void The_same_grant_twice_is_PACT_306_and_only_the_granter_may_revoke()
    {
        var command = Grant([]);
        Append(MandateMachine.Granted(command));
        MandateMachine.CheckGrantState(_state, command with { MandateId = PactIds.New(PactIds.Mandate, _now) })!.Code.Should().Be("PACT-306");

        var byOther = new RevokeMandate(Envelope.Sign(Other, EnvelopeTypes.MandateRevoke, Daemon.Did, _now,
            new JsonObject { ["mandateId"] = command.MandateId }).ToJson(), command.MandateId);
        MandateMachine.Revoke(_state, byOther, _now).Error!.Code.Should().Be("PACT-404");

        var revoke = new RevokeMandate(Envelope.Sign(Agent, EnvelopeTypes.MandateRevoke, Daemon.Did, _now,
            new JsonObject { ["mandateId"] = command.MandateId }).ToJson(), command.MandateId);
        Append(MandateMachine.Revoke(_state, revoke, _now).Decision!);
        MandateMachine.Revoke(_state, revoke, _now).Error!.Code.Should().Be("PACT-306");
    }

    [Fact]
    public void Expiry_is_deadline_kind_7_in_the_mandate_stream_after_the_other_kinds()
    {
        var id = Granted([], "P1D");
        var deadline = _state.PendingDeadlines().Single();
        deadline.Kind.Should().Be(DeadlineKind.MandateExpiry);
        ((int)deadline.Kind).Should().Be(7);
        NegotiationMachine.FireDue(_state, _now).IsEmpty.Should().BeTrue();

        _now = IsoDuration.Parse("P1D").AddTo(_now);
        _state.Mandate(id)!.StatusAt(_now).Should().Be(MandateStatus.Expired, "a reached expiry reads expired before it is recorded");
        _state.ApplyingMandate(Agent.Did, "ses_x", Other.Did, "cmp_kitchen-1", _now).Should().BeNull();
        var fired = NegotiationMachine.FireDue(_state, _now);
        fired.Events.Should().ContainSingle();
        fired.Events[0].Stream.Should().Be(id);
        fired.Events[0].Draft.Type.Should().Be("mandate.expired");
        fired.Events[0].Draft.Data["dueAt"]!.GetValue<string>().Should().Be(Timestamp.ToText(_now));
        Append(fired);
        _state.Mandate(id)!.Status.Should().Be(MandateStatus.Expired);
        _state.PendingDeadlines().Should().BeEmpty();
    }

    [Fact]
    public void ExpiresAt_must_be_in_the_future_and_within_a_year()
    {
        MandateMachine.CheckExpiry(_now, _now).Should().ContainSingle().Which.Code.Should().Be("PACT-101");
        MandateMachine.CheckExpiry(IsoDuration.Parse("P1Y").AddTo(_now), _now).Should().BeEmpty();
        MandateMachine.CheckExpiry(IsoDuration.Parse("P1Y").AddTo(_now).AddMilliseconds(1), _now).Should().ContainSingle();
    }

    [Fact]
    public void Decisions_and_acknowledgments_under_a_mandate_count_as_its_actions()
    {
        var id = Granted([]);
        var reference = _state.Mandate(id)!.ActionReference(null);
        Append(Decision.Of(
            new StreamEvent("ses_x", EventDraft.ByDaemon(EventTypes.PolicyDecided, new JsonObject { ["proposalId"] = "prp_x", ["mandateId"] = id })),
            new StreamEvent("ses_x", EventDraft.ByDaemon(EventTypes.WithdrawalAcknowledged, new JsonObject { ["proposalId"] = "prp_y", ["mandate"] = reference }))));
        _state.Mandate(id)!.Actions.Should().Be(2);
        _state.Mandate(id)!.ToResource(_now).Actions.Should().Be(2);
    }
}

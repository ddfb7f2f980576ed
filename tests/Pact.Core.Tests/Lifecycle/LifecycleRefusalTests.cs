using FluentAssertions;
using Pact.Core.Lifecycle;
using Pact.Core.Negotiation;
using Pact.Core.Tests.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Lifecycle;

/// <summary>
/// Every refusal of the lifecycle commands with its §11 code. Alice (a) and Bob (b) are the parties; Carol is a
/// participant of the session but no party (sees the compact, may not act: 205); Mallory sees nothing (404).
/// </summary>
public class LifecycleRefusalTests
{
    private const string Id = "cmp_lab-0002";

    private static LifecycleWorld Signed(RevocationSpec? revocation = null)
    {
        var w = new LifecycleWorld();
        w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob, revocation), null, Carol);
        w.At("2027-01-15T00:00:00.000Z");
        return w;
    }

    public static TheoryData<string, string> RevokeCases => new()
    {
        { "stranger", "PACT-404" },
        { "unknown compact", "PACT-404" },
        { "unknown version", "PACT-404" },
        { "participant who is no party", "PACT-205" },
        { "expired", "PACT-304" },
        { "already revoked", "PACT-304" },
        { "superseded version", "PACT-304" },
        { "second revocation by the initiator", "PACT-304" },
        { "emergency the terms do not allow", "PACT-111" },
        { "conditional without condition", "PACT-111" },
        { "conditional with an unlisted condition", "PACT-111" },
        { "unilateral naming an unlisted condition", "PACT-111" },
        { "stranger with an emergency the terms do not allow", "PACT-404" },
        { "non-party with an emergency the terms do not allow", "PACT-205" },
        { "open revocation and an emergency the terms do not allow", "PACT-304" },
    };

    [Theory]
    [MemberData(nameof(RevokeCases))]
    public void Revoke_is_refused(string situation, string code)
    {
        var conditional = situation.StartsWith("conditional", StringComparison.Ordinal);
        var w = Signed(conditional ? new RevocationSpec(Mode: "conditional", Conditions: ["non-payment"]) : null);
        RevokeCompact command;
        switch (situation)
        {
            case "stranger": command = w.Revoke(Mallory, Id); break;
            case "unknown compact": command = w.Revoke(Alice, "cmp_nothing-here"); break;
            case "unknown version": command = w.Revoke(Alice, Id, version: 2); break;
            case "participant who is no party": command = w.Revoke(Carol, Id); break;
            case "expired":
                w.At("2027-12-01T00:00:00.000Z"); // reached but not recorded yet: judged as if the timer had fired
                command = w.Revoke(Alice, Id);
                break;
            case "already revoked":
                var first = w.Revoked(Alice, Id, emergency: false);
                w.Must(w.AckRevocation(Bob, Id, first));
                w.At("2027-03-01T00:00:00.000Z");
                command = w.Revoke(Bob, Id);
                break;
            case "superseded version":
                w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob, version: 2, predecessor: new(1, w.CompactHash(Id))),
                    w.State.Compact(Id, 1)!.SessionId);
                command = w.Revoke(Alice, Id, version: 1);
                break;
            case "second revocation by the initiator":
                w.Revoked(Alice, Id);
                command = w.Revoke(Alice, Id);
                break;
            case "emergency the terms do not allow": command = w.Revoke(Alice, Id, emergency: true); break;
            case "conditional without condition": command = w.Revoke(Alice, Id); break;
            case "conditional with an unlisted condition": command = w.Revoke(Alice, Id, condition: "boredom"); break;
            case "unilateral naming an unlisted condition": command = w.Revoke(Alice, Id, condition: "boredom"); break;
            case "stranger with an emergency the terms do not allow": command = w.Revoke(Mallory, Id, emergency: true); break;
            case "non-party with an emergency the terms do not allow": command = w.Revoke(Carol, Id, emergency: true); break;
            case "open revocation and an emergency the terms do not allow":
                w.Revoked(Alice, Id);
                command = w.Revoke(Bob, Id, emergency: true);
                break;
            default: throw new ArgumentException(situation);
        }

        var verdict = w.Run(command);

        verdict.ShouldBeRefusedWith(code);
        LifecycleMachine.Check(w.State, command, w.Now)!.Code.Should().Be(code, "Check and Decide agree");
    }

    [Fact]
    public void Refusals_carry_their_status_and_pointer()
    {
        var w = Signed();
        var notAllowed = w.Run(w.Revoke(Alice, Id, emergency: true)).Error!;
        notAllowed.Status.Should().Be(422);
        notAllowed.Errors!.Single().Pointer.Should().Be("/payload/emergency");

        var id = w.Revoked(Alice, Id);
        var mismatch = w.Run(w.AckRevocation(Bob, Id, id, new string('a', 64))).Error!;
        (mismatch.Code, mismatch.Status).Should().Be(("PACT-110", 422));
        mismatch.Errors!.Single().Pointer.Should().Be("/payload/initiationHash");
        w.Run(w.Revoke(Bob, Id)).Error!.Status.Should().Be(409);
        w.Run(w.AckRevocation(Alice, Id, id)).Error!.Status.Should().Be(403);
        w.Run(w.Revoke(Mallory, Id)).Error!.Status.Should().Be(404);
    }

    public static TheoryData<string, string> AckCases => new()
    {
        { "own revocation", "PACT-205" },
        { "someone else's revocation (a non-party participant)", "PACT-205" },
        { "stranger", "PACT-404" },
        { "unknown revocation", "PACT-404" },
        { "revocation of another compact", "PACT-404" },
        { "wrong initiationHash", "PACT-110" },
        { "own revocation with a wrong initiationHash", "PACT-205" },
        { "already acknowledged", "PACT-304" },
        { "already acknowledged, wrong initiationHash", "PACT-304" },
        { "escalated", "PACT-304" },
        { "active", "PACT-304" },
        { "lapsed (mutual)", "PACT-304" },
        { "lapsed (expired)", "PACT-304" },
    };

    [Theory]
    [MemberData(nameof(AckCases))]
    public void Revocation_acknowledgment_is_refused(string situation, string code)
    {
        var w = Signed(situation == "lapsed (mutual)" ? new RevocationSpec(Mode: "mutual") : null);
        var id = w.Revoked(Alice, Id);
        AcknowledgeRevocation command;
        switch (situation)
        {
            case "own revocation": command = w.AckRevocation(Alice, Id, id); break;
            case "someone else's revocation (a non-party participant)": command = w.AckRevocation(Carol, Id, id); break;
            case "stranger": command = w.AckRevocation(Mallory, Id, id); break;
            case "unknown revocation": command = w.AckRevocation(Bob, Id, "rev_01JD0000000000000000000000", new string('0', 64)); break;
            case "revocation of another compact":
                w.SignCompact(Alice, Bob, Lab.Terms("cmp_other-0001", Alice, Bob));
                command = w.AckRevocation(Bob, "cmp_other-0001", id);
                break;
            case "wrong initiationHash": command = w.AckRevocation(Bob, Id, id, new string('f', 64)); break;
            case "own revocation with a wrong initiationHash": command = w.AckRevocation(Alice, Id, id, new string('f', 64)); break;
            case "already acknowledged":
                w.Must(w.AckRevocation(Bob, Id, id));
                command = w.AckRevocation(Bob, Id, id);
                break;
            case "already acknowledged, wrong initiationHash":
                w.Must(w.AckRevocation(Bob, Id, id));
                command = w.AckRevocation(Bob, Id, id, new string('f', 64));
                break;
            case "escalated":
                w.Advance("P7D");
                command = w.AckRevocation(Bob, Id, id);
                break;
            case "active":
                w.Advance("P40D");
                command = w.AckRevocation(Bob, Id, id);
                break;
            case "lapsed (mutual)":
                w.Advance("P8D");
                command = w.AckRevocation(Bob, Id, id);
                break;
            case "lapsed (expired)":
                w.At("2027-12-02T00:00:00.000Z");
                command = w.AckRevocation(Bob, Id, id);
                break;
            default: throw new ArgumentException(situation);
        }

        w.Run(command).ShouldBeRefusedWith(code);
    }

    public static TheoryData<string, string> MarkerCases => new()
    {
        { "marker by a non-party participant", "PACT-205" },
        { "marker by a stranger", "PACT-404" },
        { "marker on an unknown compact", "PACT-404" },
        { "marker the terms do not use", "PACT-101" },
        { "marker recorded twice", "PACT-304" },
        { "marker on an expired compact", "PACT-304" },
        { "marker ack by the recorder", "PACT-205" },
        { "marker ack by a non-party participant", "PACT-205" },
        { "marker ack by a stranger", "PACT-404" },
        { "marker ack of an unknown marker", "PACT-404" },
        { "marker ack with a wrong initiationHash", "PACT-110" },
        { "marker ack after it took effect by timeout", "PACT-304" },
        { "marker ack twice", "PACT-304" },
    };

    [Theory]
    [MemberData(nameof(MarkerCases))]
    public void Marker_commands_are_refused(string situation, string code)
    {
        var w = Signed();
        LifecycleCommand command;
        string Marked() => w.Marked(Alice, Id);
        switch (situation)
        {
            case "marker by a non-party participant": command = w.Marker(Carol, Id); break;
            case "marker by a stranger": command = w.Marker(Mallory, Id); break;
            case "marker on an unknown compact": command = w.Marker(Alice, "cmp_nothing-here"); break;
            case "marker the terms do not use": command = w.Marker(Alice, Id, "x-roof-done"); break;
            case "marker recorded twice":
                Marked();
                command = w.Marker(Bob, Id);
                break;
            case "marker on an expired compact":
                w.At("2027-12-01T00:00:00.000Z");
                command = w.Marker(Alice, Id);
                break;
            case "marker ack by the recorder": command = w.AckMarker(Alice, Id, Marked()); break;
            case "marker ack by a non-party participant": command = w.AckMarker(Carol, Id, Marked()); break;
            case "marker ack by a stranger": command = w.AckMarker(Mallory, Id, Marked()); break;
            case "marker ack of an unknown marker": command = w.AckMarker(Bob, Id, "mrk_01JD0000000000000000000000"); break;
            case "marker ack with a wrong initiationHash": command = w.AckMarker(Bob, Id, Marked(), new string('f', 64)); break;
            case "marker ack after it took effect by timeout":
                {
                    var id = Marked();
                    w.Advance("P7D");
                    command = w.AckMarker(Bob, Id, id);
                    break;
                }
            case "marker ack twice":
                {
                    var id = Marked();
                    w.Must(w.AckMarker(Bob, Id, id));
                    command = w.AckMarker(Bob, Id, id);
                    break;
                }
            default: throw new ArgumentException(situation);
        }

        w.Run(command).ShouldBeRefusedWith(code);
    }

    [Fact]
    public void A_marker_the_terms_do_not_use_points_at_the_marker()
    {
        var w = Signed();
        var error = w.Run(w.Marker(Alice, Id, "x-roof-done")).Error!;
        error.Status.Should().Be(422);
        error.Errors!.Single().Pointer.Should().Be("/payload/marker");
    }

    [Fact]
    public void Lifecycle_commands_are_allowed_in_a_terminated_session()
    {
        var w = new LifecycleWorld();
        var session = w.SignCompact(Alice, Bob, Lab.Terms(Id, Alice, Bob));
        World.Accept(w.W.SessionAction(session, Alice, "terminate"));
        w.At("2027-01-15T00:00:00.000Z");

        var id = w.Revoked(Alice, Id);
        w.Must(w.AckRevocation(Bob, Id, id));
        w.State.Revocation(id)!.Status.Should().Be(RevocationStatus.Acknowledged);
    }
}

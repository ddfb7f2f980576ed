using Pact.Core.Terms;
using FluentAssertions;
using Pact.Core.Errors;
using Pact.Core.Negotiation;
using static Pact.Core.Tests.Negotiation.World;

namespace Pact.Core.Tests.Negotiation;

/// <summary>Every action on a proposal in every status of an active session: the transition it makes or the code refusing it.</summary>
public class TransitionMatrixTests
{
    private const string CompactId = "cmp_kitchen-2026-0042";
    private const string Ok = "ok";

    [Theory]
    [InlineData("open", "sign", Ok, "signed")]
    [InlineData("open", "decline", Ok, "declined")]
    [InlineData("open", "withdraw", Ok, "withdrawal-pending")]
    [InlineData("open", "ack", PactCodes.ProposalStatus, "open")]
    [InlineData("open", "counter", Ok, "countered")]
    [InlineData("withdrawal-pending", "sign", Ok, "signed")]
    [InlineData("withdrawal-pending", "decline", PactCodes.ProposalStatus, "withdrawal-pending")]
    [InlineData("withdrawal-pending", "withdraw", PactCodes.ProposalStatus, "withdrawal-pending")]
    [InlineData("withdrawal-pending", "ack", Ok, "withdrawn")]
    [InlineData("withdrawal-pending", "counter", PactCodes.ProposalStatus, "withdrawal-pending")]
    [InlineData("signed", "sign", PactCodes.ProposalStatus, "signed")]
    [InlineData("signed", "decline", PactCodes.ProposalStatus, "signed")]
    [InlineData("signed", "withdraw", PactCodes.ProposalStatus, "signed")]
    [InlineData("signed", "ack", PactCodes.ProposalStatus, "signed")]
    [InlineData("signed", "counter", PactCodes.CompactState, "signed")]
    [InlineData("declined", "sign", PactCodes.ProposalStatus, "declined")]
    [InlineData("declined", "decline", PactCodes.ProposalStatus, "declined")]
    [InlineData("declined", "withdraw", PactCodes.ProposalStatus, "declined")]
    [InlineData("declined", "ack", PactCodes.ProposalStatus, "declined")]
    [InlineData("declined", "counter", PactCodes.SlotBurned, "declined")]
    [InlineData("countered", "sign", PactCodes.ProposalStatus, "countered")]
    [InlineData("countered", "decline", PactCodes.ProposalStatus, "countered")]
    [InlineData("countered", "withdraw", PactCodes.ProposalStatus, "countered")]
    [InlineData("countered", "ack", PactCodes.ProposalStatus, "countered")]
    [InlineData("countered", "counter", PactCodes.ProposalStatus, "countered")]
    [InlineData("expired", "sign", PactCodes.ProposalStatus, "expired")]
    [InlineData("expired", "decline", PactCodes.ProposalStatus, "expired")]
    [InlineData("expired", "withdraw", PactCodes.ProposalStatus, "expired")]
    [InlineData("expired", "ack", PactCodes.ProposalStatus, "expired")]
    [InlineData("expired", "counter", PactCodes.SlotBurned, "expired")]
    [InlineData("withdrawn", "sign", PactCodes.ProposalStatus, "withdrawn")]
    [InlineData("withdrawn", "decline", PactCodes.ProposalStatus, "withdrawn")]
    [InlineData("withdrawn", "withdraw", PactCodes.ProposalStatus, "withdrawn")]
    [InlineData("withdrawn", "ack", PactCodes.ProposalStatus, "withdrawn")]
    [InlineData("withdrawn", "counter", PactCodes.SlotBurned, "withdrawn")]
    public void Action_on_a_proposal_in_a_status(string status, string action, string expected, string statusAfter)
    {
        var w = new World();
        var session = w.OpenSession(Alice, Alice, Bob);
        var id = w.Create(session, Alice, PartyRole.A, TermsFor(CompactId, 1, Alice, Bob));
        string? withdrawalHash = null;
        switch (status)
        {
            case "withdrawal-pending":
                Accept(w.Negotiate(w.Withdraw(Alice, id)));
                withdrawalHash = w.WithdrawalHashOf(id);
                break;
            case "signed":
                Accept(w.Negotiate(w.Sign(Bob, id)));
                break;
            case "declined":
                Accept(w.Negotiate(w.Decline(Bob, id)));
                break;
            case "countered":
                w.Create(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "first counter"), replaces: id);
                break;
            case "expired":
                w.Advance("P14D");
                w.Tick();
                break;
            case "withdrawn":
                Accept(w.Negotiate(w.Withdraw(Alice, id)));
                withdrawalHash = w.WithdrawalHashOf(id);
                Accept(w.Negotiate(w.Ack(Bob, id)));
                break;
        }
        w.StatusOf(id).ToWire().Should().Be(status);

        var verdict = w.Negotiate(action switch
        {
            "sign" => w.Sign(Bob, id),
            "decline" => w.Decline(Bob, id),
            "withdraw" => w.Withdraw(Alice, id),
            "ack" => w.Ack(Bob, id, withdrawalHash ?? new string('f', 64)),
            "counter" => w.Propose(session, Bob, PartyRole.B, TermsFor(CompactId, 1, Alice, Bob, interaction: "counter"), replaces: id),
            _ => throw new ArgumentException(action, nameof(action)),
        });

        if (expected == Ok) verdict.IsAccepted.Should().BeTrue(verdict.Error?.Detail);
        else verdict.ShouldBeRefusedWith(expected);
        w.StatusOf(id).ToWire().Should().Be(statusAfter);
        w.Sessions[session].Proposals[id].Status.ToWire().Should().Be(statusAfter);
    }
}

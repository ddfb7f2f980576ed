using System.Net;
using System.Text.Json.Nodes;
using Pact.Client;
using Pact.Core.Compacts;
using Pact.Core.Json;
using Pact.Daemon.Tests.Infrastructure;

namespace Pact.Daemon.Tests;

public class NegotiationTests : IAsyncLifetime
{
    /// <summary>The store the daemons of these tests run on (Postgres/OnPostgres.cs runs them again on PostgreSQL).</summary>
    protected virtual DaemonStore Store => DaemonStore.Default;

    private DaemonHost _host = null!;

    public async Task InitializeAsync() => _host = await DaemonHost.StartAsync(store: Store);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Kitchen_remodel_propose_counter_sign_leaves_both_parties_with_the_identical_verified_record()
    {
        var contractor = await Negotiator.RegisterAsync(_host, "Acme Remodeling");
        var homeowner = await Negotiator.RegisterAsync(_host, "Dana Homeowner", "human");
        var session = (await contractor.Client.CreateSessionAsync([contractor.Did, homeowner.Did], "kitchen remodel")).SessionId;

        var terms = await contractor.DraftAsync(homeowner);
        var first = await contractor.Client.ProposeAsync(session, terms, contractor.Authority);
        first.Status.Should().Be("open");

        // The homeowner counters with a narrower scope; the contractor accepts it.
        var countered = (JsonObject)terms.DeepClone();
        countered["scope"]!["outOfScope"] = "Cabinet refinishing is not covered";
        var counter = await homeowner.Client.ProposeAsync(session, countered, homeowner.Authority, replaces: first.ProposalId);
        (await contractor.Client.GetProposalAsync(first.ProposalId)).Status.Should().Be("countered");

        var record = await contractor.Client.SignProposalAsync(counter.ProposalId, contractor.Authority);
        var compactId = terms["compactId"]!.GetValue<string>();
        var contractorCopy = await contractor.Client.GetCompactVersionAsync(compactId, 1);
        var homeownerCopy = await homeowner.Client.GetCompactVersionAsync(compactId, 1);
        Jcs.CanonicalString(contractorCopy.ToJson()).Should().Be(Jcs.CanonicalString(homeownerCopy.ToJson()));
        Jcs.CanonicalString(contractorCopy.ToJson()).Should().Be(Jcs.CanonicalString(record.ToJson()));

        var daemon = await contractor.Client.GetDaemonAsync();
        var (parsed, error) = SignedCompactRecord.FromJson(record.ToJson());
        error.Should().BeNull();
        parsed!.Verify(Pact.Core.Encoding.Base64Url.Decode(daemon.PublicKey)).IsValid.Should().BeTrue();
        parsed.Signatures.Select(s => s.Agent).Should().Equal(homeowner.Did, contractor.Did);

        var compact = await homeowner.Client.GetCompactAsync(compactId);
        compact.Status.Should().Be("in-force");

        var types = new List<string>();
        await foreach (var e in homeowner.Client.GetAllEventsAsync(session)) types.Add(e.Type);
        types.Should().Equal("session.created", "proposal.created", "proposal.created", "proposal.countered", "proposal.signed", "compact.in-force");
    }

    [Fact]
    public async Task A_declined_slot_is_burned_for_that_compact_id_and_version()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var terms = await a.DraftAsync(b);
        var proposal = await a.Client.ProposeAsync(session, terms, a.Authority);
        (await b.Client.DeclineAsync(proposal.ProposalId, "too expensive")).Status.Should().Be("declined");

        var again = () => a.Client.ProposeAsync(session, terms, a.Authority);
        (await again.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-303");
    }

    [Fact]
    public async Task A_countersignature_before_the_withdrawal_acknowledgment_puts_the_compact_in_force()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var proposal = await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);
        var withdrawal = await a.Client.WithdrawAsync(proposal.ProposalId);
        withdrawal.Proposal!.Status.Should().Be("withdrawal-pending");

        await b.Client.SignProposalAsync(proposal.ProposalId, b.Authority);
        var ack = () => b.Client.AcknowledgeWithdrawalAsync(proposal.ProposalId, withdrawal.WithdrawalHash);
        (await ack.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-301");
    }

    [Fact]
    public async Task A_withdrawal_acknowledged_with_its_hash_withdraws_and_a_wrong_hash_is_PACT_110()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var proposal = await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);
        var withdrawal = await a.Client.WithdrawAsync(proposal.ProposalId);

        var wrong = () => b.Client.AcknowledgeWithdrawalAsync(proposal.ProposalId, new string('0', 64));
        (await wrong.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-110");
        (await b.Client.AcknowledgeWithdrawalAsync(proposal.ProposalId, withdrawal.WithdrawalHash)).Status.Should().Be("withdrawn");
    }

    [Fact]
    public async Task Invalid_terms_are_refused_with_every_violation_and_its_pointer_and_nothing_is_recorded()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var terms = await a.DraftAsync(b);
        terms["scope"]!["effective"]!["until"] = terms["scope"]!["effective"]!["from"]!.DeepClone();
        terms["retention"]!["a"]![0]!["derive"] = new JsonArray("x-undefined-operation");

        var propose = () => a.Client.ProposeAsync(session, terms, a.Authority);
        var error = (await propose.Should().ThrowAsync<PactApiException>()).Which;
        error.Status.Should().Be(422);
        error.Errors.Select(e => e.Code).Should().Contain(["PACT-102", "PACT-107"]);
        error.Errors.Should().OnlyContain(e => e.Pointer.StartsWith("/payload/terms/", StringComparison.Ordinal));
        (await a.Client.GetEventsAsync(session)).Events.Should().ContainSingle();
    }

    [Fact]
    public async Task A_first_signature_over_other_terms_is_refused_with_PACT_109()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var terms = await a.DraftAsync(b);
        var signature = a.Client.CreateFirstSignature(terms, a.Authority);
        terms["scope"]!["interaction"] = "Something else entirely";
        var propose = () => a.Client.ProposeAsync(session, terms, signature);
        (await propose.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-109");
    }

    [Fact]
    public async Task A_suspended_session_refuses_new_proposals_with_PACT_305()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        await b.Client.SuspendSessionAsync(session);
        var propose = async () => await a.Client.ProposeAsync(session, await a.DraftAsync(b), a.Authority);
        (await propose.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-305");
    }

    [Fact]
    public async Task An_outsider_cannot_see_a_proposal_or_the_compact()
    {
        var a = await Negotiator.RegisterAsync(_host, "A");
        var b = await Negotiator.RegisterAsync(_host, "B", "human");
        var outsider = await Negotiator.RegisterAsync(_host, "C");
        var session = (await a.Client.CreateSessionAsync([a.Did, b.Did])).SessionId;
        var terms = await a.DraftAsync(b);
        var proposal = await a.Client.ProposeAsync(session, terms, a.Authority);
        await b.Client.SignProposalAsync(proposal.ProposalId, b.Authority);

        var readProposal = () => outsider.Client.GetProposalAsync(proposal.ProposalId);
        (await readProposal.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-404");
        var readCompact = () => outsider.Client.GetCompactAsync(terms["compactId"]!.GetValue<string>());
        (await readCompact.Should().ThrowAsync<PactApiException>()).Which.Code.Should().Be("PACT-404");
    }
}

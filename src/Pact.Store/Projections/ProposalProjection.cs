using System.Text.Json.Nodes;
using Pact.Core.Events;
using Pact.Core.Json;
using Pact.Core.Negotiation;
using Pact.Core.Sessions;
using Pact.Core.Terms;
using Pact.Store.Relational;

namespace Pact.Store.Projections;

/// <summary>
/// The proposals read model: a row per proposal, its status as <see cref="SessionChange"/> says, its signatures,
/// and a history line for every <c>proposal.*</c> event about it. Every such event goes to the stream of the session
/// the proposal was made in, so the session's rows are its §7 state.
/// </summary>
internal sealed class ProposalProjection : IRelationalProjection
{
    private const string InsertSql = """
        INSERT INTO proposals(proposal_id, session_id, compact_id, version, status, proposer, terms, terms_hash, signatures, expires_at, created_at, history)
        VALUES (@id, @session, @compact, @version, @status, @proposer, @terms, @termsHash, @signatures, @expires, @at, @history)
        """;
    private const string HistorySql = "UPDATE proposals SET history = substr(history, 1, length(history) - 1) || ',' || @entry || ']' WHERE proposal_id = @id";
    private const string StatusSql = "UPDATE proposals SET status = @status, history = substr(history, 1, length(history) - 1) || ',' || @entry || ']' WHERE proposal_id = @id";
    private const string SignatureSql = "UPDATE proposals SET signatures = substr(signatures, 1, length(signatures) - 1) || CASE WHEN signatures = '[]' THEN '' ELSE ',' END || @sig || ']' WHERE proposal_id = @id";

    public void Apply(IWriteContext context)
    {
        foreach (var e in context.Events)
        {
            if (!e.Type.StartsWith("proposal.", StringComparison.Ordinal)) continue;
            switch (SessionChange.Of(e))
            {
                case SessionChange.ProposalOpened opened:
                    Insert(context, e, opened.Proposal);
                    break;
                case SessionChange.ProposalStatusChanged changed:
                    Update(context, e, changed.ProposalId, changed.Status);
                    if (e.Type == EventTypes.ProposalSigned) AddSignature(context, e, changed.ProposalId);
                    break;
                default:
                    Update(context, e, e.Data["proposalId"]!.GetValue<string>(), null);
                    break;
            }
        }
    }

    private static void Insert(IWriteContext context, TranscriptEvent e, SessionProposal proposal)
    {
        var terms = (e.Data["envelope"]?["payload"]?["terms"] ?? e.Data["terms"])!.AsObject();
        using var command = context.CreateCommand(InsertSql);
        command.Bind("@id", proposal.ProposalId);
        command.Bind("@session", e.Stream);
        command.Bind("@compact", proposal.CompactId);
        command.Bind("@version", proposal.Version);
        command.Bind("@status", proposal.Status.ToWire());
        command.Bind("@proposer", proposal.Proposer.ToWire());
        command.Bind("@terms", Jcs.CanonicalString(terms));
        command.Bind("@termsHash", proposal.TermsHash);
        command.Bind("@signatures", Jcs.CanonicalString(new JsonArray(Signature(e))));
        command.Bind("@expires", (object?)e.Data["expiresAt"]?.GetValue<string>() ?? DBNull.Value);
        command.Bind("@at", e.Time);
        command.Bind("@history", Jcs.CanonicalString(new JsonArray(History.Entry(e))));
        command.ExecuteNonQuery();
    }

    private static void Update(IWriteContext context, TranscriptEvent e, string proposalId, ProposalStatus? status)
    {
        using var update = context.CreateCommand(status is null ? HistorySql : StatusSql);
        update.Bind("@id", proposalId);
        update.Bind("@entry", Jcs.CanonicalString(History.Entry(e)));
        if (status is { } s) update.Bind("@status", s.ToWire());
        update.ExecuteNonQuery();
    }

    private static void AddSignature(IWriteContext context, TranscriptEvent e, string proposalId)
    {
        using var sign = context.CreateCommand(SignatureSql);
        sign.Bind("@id", proposalId);
        sign.Bind("@sig", Jcs.CanonicalString(Signature(e)));
        sign.ExecuteNonQuery();
    }

    /// <summary>
    /// The envelope's signature as the proposal lists it: with the signing agent and when it signed. A signature made
    /// under a mandate (§14) is recorded in the event already in that form, with its signer and mandate.
    /// </summary>
    private static JsonObject Signature(TranscriptEvent e)
    {
        if (e.Data["envelope"] is null && e.Data["signature"] is JsonObject underMandate) return (JsonObject)underMandate.DeepClone();
        var payload = e.Data["envelope"]!["payload"]!.AsObject();
        var signature = (JsonObject)payload["signature"]!.DeepClone();
        signature["agent"] = e.Actor;
        signature["signedAt"] = payload["issuedAt"]!.GetValue<string>();
        return signature;
    }
}

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
        INSERT INTO proposals(proposal_id, session_id, compact_id, version, status, proposer, terms, terms_hash, signatures, expires_at, created_at, history, bundle_id)
        VALUES (@id, @session, @compact, @version, @status, @proposer, @terms, @termsHash, @signatures, @expires, @at, @history, @bundle)
        """;
    private const string MemberRoleSql = "SELECT proposer FROM proposals WHERE proposal_id = @id AND bundle_id IS NOT NULL";
    // A member's proposal.created follows its bundle.created in the same stream, with only other members in between.
    private const string BundleCreatedSql = """
        SELECT actor, data FROM events
        WHERE stream = @stream AND stream_seq < @before AND type = 'bundle.created'
        ORDER BY stream_seq DESC LIMIT 1
        """;
    private const string HistorySql = "UPDATE proposals SET history = substr(history, 1, length(history) - 1) || ',' || @entry || ']' WHERE proposal_id = @id";
    private const string StatusSql = "UPDATE proposals SET status = @status, history = substr(history, 1, length(history) - 1) || ',' || @entry || ']' WHERE proposal_id = @id";
    private const string SignatureSql = "UPDATE proposals SET signatures = substr(signatures, 1, length(signatures) - 1) || CASE WHEN signatures = '[]' THEN '' ELSE ',' END || @sig || ']' WHERE proposal_id = @id";

    public void Apply(IWriteContext context)
    {
        var members = new Members(context);
        foreach (var e in context.Events)
        {
            if (e.Type == EventTypes.BundleCreated) members.Created(e);
            (string Actor, JsonObject Data)? bundleCreated = e.Type == EventTypes.ProposalCreated && e.Data["bundleId"] is { } bundleId
                ? members.BundleCreated(bundleId.GetValue<string>(), e)
                : null;
            if (!e.Type.StartsWith("proposal.", StringComparison.Ordinal) && e.Type != EventTypes.BundleCommitted) continue;
            switch (SessionChange.Of(e, members))
            {
                case SessionChange.ProposalOpened opened when bundleCreated is not null:
                    InsertMember(context, e, opened.Proposal, bundleCreated.Value);
                    break;
                case SessionChange.ProposalOpened opened:
                    Insert(context, e, opened.Proposal);
                    break;
                case SessionChange.ProposalStatusChanged changed:
                    Update(context, e, changed.ProposalId, changed.Status);
                    if (e.Type == EventTypes.ProposalSigned) AddSignature(context, e, changed.ProposalId);
                    break;
                case SessionChange.ProposalsSigned signed:
                    foreach (var id in signed.ProposalIds) Update(context, e, id, ProposalStatus.Signed);
                    break;
                default:
                    Update(context, e, e.Data["proposalId"]!.GetValue<string>(), null);
                    break;
            }
        }
    }

    private static void Insert(IWriteContext context, TranscriptEvent e, SessionProposal proposal) =>
        Insert(context, e, proposal, (e.Data["envelope"]?["payload"]?["terms"] ?? e.Data["terms"])!.AsObject(), Signature(e), null);

    /// <summary>
    /// A bundle member (§15): its terms and first signature are the coordinator's, from its bundle.created event (whose
    /// envelope signed every member; its issuedAt is when).
    /// </summary>
    private static void InsertMember(IWriteContext context, TranscriptEvent e, SessionProposal proposal, (string Actor, JsonObject Data) created)
    {
        var payload = created.Data["envelope"]!["payload"]!.AsObject();
        var index = created.Data["proposalIds"]!.AsArray().Select(n => n!.GetValue<string>()).ToList().IndexOf(proposal.ProposalId);
        var member = payload["members"]![index]!.AsObject();
        var signature = (JsonObject)member["signature"]!.DeepClone();
        signature["agent"] = created.Actor;
        signature["signedAt"] = payload["issuedAt"]!.GetValue<string>();
        Insert(context, e, proposal, member["terms"]!.AsObject(), signature, e.Data["bundleId"]!.GetValue<string>());
    }

    private static void Insert(IWriteContext context, TranscriptEvent e, SessionProposal proposal, JsonObject terms, JsonObject signature, string? bundleId)
    {
        using var command = context.CreateCommand(InsertSql);
        command.Bind("@id", proposal.ProposalId);
        command.Bind("@session", e.Stream);
        command.Bind("@compact", proposal.CompactId);
        command.Bind("@version", proposal.Version);
        command.Bind("@status", proposal.Status.ToWire());
        command.Bind("@proposer", proposal.Proposer.ToWire());
        command.Bind("@terms", Jcs.CanonicalString(terms));
        command.Bind("@termsHash", proposal.TermsHash);
        command.Bind("@signatures", Jcs.CanonicalString(new JsonArray(signature)));
        command.Bind("@bundle", (object?)bundleId ?? DBNull.Value);
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
    /// Which proposals are bundle members: those of a bundle.created seen in this commit or read back from the events (a
    /// rebuild folds one event at a time), and rows stored with a bundle id, whose proposer is the coordinator's role.
    /// </summary>
    private sealed class Members(IWriteContext context) : IBundleMembership
    {
        private readonly Dictionary<string, (string Actor, JsonObject Data)> _created = new(StringComparer.Ordinal);
        private readonly Dictionary<string, PartyRole> _roles = new(StringComparer.Ordinal);

        public void Created(TranscriptEvent e) => Remember(e.Actor, e.Data);

        /// <summary>The bundle.created before a member's proposal.created.</summary>
        public (string Actor, JsonObject Data) BundleCreated(string bundleId, TranscriptEvent member)
        {
            if (_created.TryGetValue(bundleId, out var known)) return known;
            using var command = context.CreateCommand(BundleCreatedSql);
            command.Bind("@stream", member.Stream);
            command.Bind("@before", member.StreamSeq);
            (string Actor, JsonObject Data)? found = null;
            using (var r = command.ExecuteReader())
            {
                if (r.Read()) found = (r.Text(0), (JsonObject)StrictJson.Parse(r.Text(1))!);
            }
            if (found is not { } created || created.Data["bundleId"]?.GetValue<string>() != bundleId)
                throw new InvalidOperationException($"Member {member.Data["proposalId"]} of bundle {bundleId} does not follow its bundle.created.");
            Remember(created.Actor, created.Data);
            return created;
        }

        public PartyRole? CoordinatorRoleOf(string proposalId)
        {
            if (_roles.TryGetValue(proposalId, out var known)) return known;
            using var command = context.CreateCommand(MemberRoleSql);
            command.Bind("@id", proposalId);
            return command.ExecuteScalar() is string text && Wire.TryParse<PartyRole>(text, out var role) ? role : null;
        }

        private void Remember(string actor, JsonObject data)
        {
            _created[data["bundleId"]!.GetValue<string>()] = (actor, data);
            var ids = data["proposalIds"]!.AsArray();
            var members = data["envelope"]!["payload"]!["members"]!.AsArray();
            for (var i = 0; i < ids.Count; i++)
                _roles[ids[i]!.GetValue<string>()] = Wire.Parse<PartyRole>(members[i]!["signature"]!["party"]!.GetValue<string>());
        }
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

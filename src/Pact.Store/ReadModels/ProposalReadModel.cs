using System.Data.Common;
using System.Text.Json.Nodes;
using Pact.Core.Json;
using Pact.Store.Relational;

namespace Pact.Store.ReadModels;

/// <summary>Proposals and compact versions as the read endpoints show them (written by the proposal and compact projections).</summary>
internal sealed class ProposalReadModel(IRelationalEngine store) : IProposalReadModel
{
    private const string ProposalColumns = "proposal_id, session_id, compact_id, version, status, proposer, terms, terms_hash, signatures, expires_at, history, bundle_id";

    /// <summary>GET /v1/proposals/{id} (§5), plus compactId and version.</summary>
    public Task<ProposalRow?> GetProposalAsync(string proposalId, CancellationToken ct) =>
        store.ReadModelAsync($"row of proposal {proposalId}", null, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = GetProposalSql;
            return GetProposal(command, proposalId);
        }, ct);

    /// <summary>The proposal as the writer's open transaction sees it.</summary>
    public static ProposalRow? GetProposal(IWriteContext context, string proposalId)
    {
        using var command = context.CreateCommand(GetProposalSql);
        return GetProposal(command, proposalId);
    }

    private const string GetProposalSql = $"SELECT {ProposalColumns} FROM proposals WHERE proposal_id = @id";

    private static ProposalRow? GetProposal(DbCommand command, string proposalId)
    {
        command.Bind("@id", proposalId);
        using var r = command.ExecuteReader();
        if (!r.Read()) return null;
        return new ProposalRow(r.Text(0), r.Text(1), r.Text(2), r.GetInt64(3), r.Text(4), r.Text(5),
            StrictJson.Parse(r.Text(6)), r.Text(7), StrictJson.Parse(r.Text(8)), r.IsDBNull(9) ? null : r.Text(9),
            StrictJson.Parse(r.Text(10)), r.IsDBNull(11) ? null : r.Text(11));
    }

    /// <summary>The signed record of one compact version.</summary>
    public Task<JsonObject?> GetRecordAsync(string compactId, long version, CancellationToken ct) =>
        store.ReadModelAsync($"record of compact {compactId} version {version}", null, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT record FROM compacts WHERE compact_id = @id AND version = @version";
            command.Bind("@id", compactId);
            command.Bind("@version", version);
            return command.ExecuteScalar() is string text ? (JsonObject)StrictJson.Parse(text)! : null;
        }, ct);

    /// <summary>Every version of a compact, oldest first, with the history of each.</summary>
    public Task<IReadOnlyList<CompactVersionRow>> GetVersionsAsync(string compactId, CancellationToken ct) =>
        store.ReadModelAsync<IReadOnlyList<CompactVersionRow>>($"versions of compact {compactId}", null, connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT compact_id, version, session_id, status, agent_a, agent_b, compact_hash, in_force_at, history FROM compacts WHERE compact_id = @id ORDER BY version";
            command.Bind("@id", compactId);
            return ReadVersions(command);
        }, ct);

    /// <summary>Compact versions an agent is a party to (the operator: all), current versions only, in id order.</summary>
    public Task<IReadOnlyList<CompactVersionRow>> ListCurrentAsync(string? agent, string? status, string? after, int limit, CancellationToken ct) =>
        store.ReadModelAsync<IReadOnlyList<CompactVersionRow>>("list of compacts", null, connection =>
        {
            using var command = connection.CreateCommand();
            var sql = """
                SELECT c.compact_id, c.version, c.session_id, c.status, c.agent_a, c.agent_b, c.compact_hash, c.in_force_at, c.history
                FROM compacts c
                WHERE c.version = (SELECT MAX(version) FROM compacts d WHERE d.compact_id = c.compact_id)
                """;
            if (agent is not null)
            {
                sql += " AND (c.agent_a = @agent OR c.agent_b = @agent)";
                command.BindFilter("@agent", agent);
            }
            if (status is not null)
            {
                sql += " AND c.status = @status";
                command.BindFilter("@status", status);
            }
            if (after is not null)
            {
                sql += " AND c.compact_id > @after";
                command.BindCursor("@after", after);
            }
            command.CommandText = sql + " ORDER BY c.compact_id LIMIT @limit";
            command.Bind("@limit", limit);
            return ReadVersions(command);
        }, ct);

    private static List<CompactVersionRow> ReadVersions(DbCommand command)
    {
        using var r = command.ExecuteReader();
        var rows = new List<CompactVersionRow>();
        while (r.Read())
        {
            rows.Add(new CompactVersionRow(r.Text(0), r.GetInt64(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5),
                r.Text(6), r.Text(7), (JsonArray)StrictJson.Parse(r.Text(8))!));
        }
        return rows;
    }
}

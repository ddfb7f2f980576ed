using Pact.Core.Events;
using Pact.Core.Sessions;
using Pact.Store.ReadModels;
using Pact.Store.Relational;
using Pact.Store.Webhooks;

namespace Pact.Store;

/// <summary>The typed operations of <see cref="IStoreTransaction"/> over the writer's open transaction, whichever engine it is.</summary>
internal sealed class StoreTransaction(IWriteContext context, NonceStore nonces, SubscriptionCache subscriptions) : IStoreTransaction
{
    private List<string>? _addedSubscriptions;

    public IReadOnlyList<TranscriptEvent> Events => context.Events;

    public long HeadSeq
    {
        get
        {
            using var command = context.CreateCommand("SELECT COALESCE(MAX(seq), 0) FROM events");
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public SessionRow? GetSession(string sessionId) => SessionReadModel.Get(context, sessionId);

    public SessionState GetSessionState(SessionRow row) => SessionReadModel.GetState(context, row);

    public ProposalRow? GetProposal(string proposalId) => ProposalReadModel.GetProposal(context, proposalId);

    public IReadOnlyList<SessionCheckpointRow> ListSessionCheckpoints(string sessionId) => SessionCheckpointReadModel.List(context, sessionId);

    public AgentRecord? FindAgent(string did) => AgentDirectory.Find(context, did);

    public bool InsertAgent(AgentRecord agent) => AgentDirectory.Insert(context, agent);

    public bool ConsumeInvite(string code, string agent, DateTimeOffset now) => AgentDirectory.ConsumeInvite(context, code, agent, now);

    public PolicyRecord? FindPolicy(string policyHash) => PolicyStore.Find(context, policyHash);

    public bool InsertPolicy(PolicyRecord policy) => PolicyStore.Insert(context, policy);

    public void RememberNonce(NonceRecord nonce) => nonces.Remember(context, nonce);

    public void InsertSubscription(SubscriptionRecord subscription, string sealedSecret)
    {
        WebhookOutbox.Insert(context, subscription, sealedSecret);
        // In the creating transaction: events appended after this point in the same batch are already offered to it.
        subscriptions.Put(ActiveSubscription.From(subscription));
        (_addedSubscriptions ??= []).Add(subscription.SubscriptionId);
    }

    /// <summary>The request did not commit: forget the subscriptions it added (the projection would not have used them, their rows being absent).</summary>
    public void Undo()
    {
        foreach (var id in _addedSubscriptions ?? []) subscriptions.Remove(id);
    }
}

using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Pact.Core.Bundles;
using Pact.Core.Lifecycle;
using Pact.Core.Mandates;

namespace Pact.Core.Negotiation;

// Rebuilding a state from its records and indexes (a snapshot) instead of folding the events that made them.
public sealed partial record NegotiationState
{
    /// <summary>
    /// The state whose tables and look-up indexes are these, as a snapshot stored them: nothing is sorted or scanned, so
    /// a restore costs what reading the snapshot costs (ADR 0016, ADR 0017). The indexes are a function of the records,
    /// taken as stored: the snapshot's seal and hash vouch for them, Debug builds check each against a scan whenever it
    /// is read, and the check of a start against the whole log (<see cref="StateSnapshot.Differences"/>) compares them too.
    /// </summary>
    internal static NegotiationState Restore(StateTables tables, StateIndexes indexes) =>
        new(tables.Sessions, tables.Proposals, tables.Bindings, tables.Compacts)
        {
            Lifecycles = tables.Lifecycles,
            Revocations = tables.Revocations,
            Markers = tables.Markers,
            Mandates = tables.Mandates,
            MandateDecisions = tables.MandateDecisions,
            Bundles = tables.Bundles,
            Clock = tables.Clock,
            VersionNumbers = indexes.VersionNumbers,
            SlotProposalIds = indexes.SlotProposalIds,
            LiveProposalIdsByCounterparty = indexes.LiveProposalIdsByCounterparty,
            BoundCompactIdsByAgent = indexes.BoundCompactIdsByAgent,
            RevocationIdsByCompact = indexes.RevocationIdsByCompact,
            MarkerIdsByCompact = indexes.MarkerIdsByCompact,
            MandateIdsByAgent = indexes.MandateIdsByAgent,
            DependentIdsByUpstream = indexes.DependentIdsByUpstream,
            Pending = indexes.Pending, // an open bundle's close is among them
        };

    /// <summary>The records, as a snapshot stores them.</summary>
    internal StateTables Tables => new(Sessions, Proposals, Bindings, Compacts, Lifecycles, Revocations, Markers, Mandates, MandateDecisions, Bundles, Clock);

    /// <summary>The look-up indexes and pending deadlines, as a snapshot stores them beside the records.</summary>
    internal StateIndexes Indexes => new(VersionNumbers, SlotProposalIds, LiveProposalIdsByCounterparty, BoundCompactIdsByAgent,
        RevocationIdsByCompact, MarkerIdsByCompact, MandateIdsByAgent, DependentIdsByUpstream, Pending);
}

/// <summary>What a state holds: its records, table by table, and the clock of the deadline operation being folded.</summary>
internal sealed record StateTables(
    RecordDictionary<string, SessionInfo> Sessions,
    RecordDictionary<string, ProposalRecord> Proposals,
    RecordDictionary<string, CompactBinding> Bindings,
    RecordDictionary<CompactVersionKey, CompactVersionInfo> Compacts,
    RecordDictionary<CompactVersionKey, CompactVersionLifecycle> Lifecycles,
    RecordDictionary<string, RevocationRecord> Revocations,
    RecordDictionary<string, MarkerRecord> Markers,
    RecordDictionary<string, MandateRecord> Mandates,
    ImmutableDictionary<string, JsonObject> MandateDecisions,
    RecordDictionary<string, BundleRecord> Bundles,
    OperationClock? Clock);

/// <summary>What a state keeps beside its records so that no question scans them (see the properties of <see cref="NegotiationState"/>).</summary>
internal sealed record StateIndexes(
    SetIndex<string, long> VersionNumbers,
    SetIndex<CompactVersionKey, string> SlotProposalIds,
    SetIndex<string, string> LiveProposalIdsByCounterparty,
    SetIndex<string, string> BoundCompactIdsByAgent,
    SetIndex<string, string> RevocationIdsByCompact,
    SetIndex<string, string> MarkerIdsByCompact,
    SetIndex<string, string> MandateIdsByAgent,
    SetIndex<string, string> DependentIdsByUpstream,
    DeadlineSet Pending);

using Pact.Core.Events;

namespace Pact.Store;

/// <summary>
/// The audit's check of each stored event, fed in seq order, the same for every engine. Each row is checked against its
/// own hash and its stream's chain, and a stream is marked broken at its first bad row (a failed check, data that is not
/// a JSON object, or a fold that failed), so that what differs because of that row is put down to its session rather
/// than to the whole store. A row that fails its checks is still folded as stored.
/// </summary>
internal sealed class AuditedRows
{
    private readonly Dictionary<string, ChainHead> _heads = new(StringComparer.Ordinal);

    /// <summary>Each stream with a bad row, with the seq of its first.</summary>
    public Dictionary<string, long> Broken { get; } = new(StringComparer.Ordinal);

    /// <summary>Checks <paramref name="row"/>: the event to fold as stored, or null when its data is not a JSON object and cannot be folded.</summary>
    public TranscriptEvent? Admit(StoredEventRow row)
    {
        var chain = _heads.GetValueOrDefault(row.Stream, ChainHead.Genesis);
        var (checkedEvent, hashBreak) = EventChain.ReadStored(row.Seq, row.Stream, row.StreamSeq, row.Type, row.Time, row.Actor, row.Data, row.PrevHash, row.Hash);
        if (chain.Check(row.Seq, row.StreamSeq, row.PrevHash) is not null || hashBreak is not null) MarkBroken(row);
        _heads[row.Stream] = ChainHead.After(row.Seq, row.StreamSeq, row.Hash, row.Time);
        // The hash check parsed the data of a sound row already; only a row that failed it is parsed again, to fold it as stored.
        if (checkedEvent is not null) return checkedEvent;
        if (StoreAuditTables.ParseData(row.Data) is not { } data)
        {
            MarkBroken(row);
            return null;
        }
        return new TranscriptEvent(row.Seq, row.Stream, row.StreamSeq, row.Type, row.Time, row.Actor, data, row.PrevHash, row.Hash);
    }

    /// <summary>Puts a failure of <paramref name="row"/> (say, what folding it left half-written) down to its stream.</summary>
    public void MarkBroken(StoredEventRow row) => Broken.TryAdd(row.Stream, row.Seq);
}

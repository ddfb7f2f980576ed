using Pact.Core.Events;

namespace Pact.Store;

/// <summary>
/// A full scan of the log as every store's <c>VerifyAsync</c> makes it, fed one event at a time in seq order: the seqs
/// have no gap, and each stream's events link to the one before and are never timed before it.
/// </summary>
internal sealed class LogScan
{
    private readonly Dictionary<string, ChainHead> _heads = new(StringComparer.Ordinal);
    private long _expected = 1;

    /// <summary>Checks <paramref name="e"/> against what came before it; a break is a <see cref="TranscriptIntegrityException"/>.</summary>
    public void Add(TranscriptEvent e)
    {
        if (e.Seq != _expected) throw new TranscriptIntegrityException($"Expected seq {_expected}, found {e.Seq}.");
        var head = _heads.GetValueOrDefault(e.Stream, ChainHead.Genesis);
        if ((head.Check(e.Seq, e.StreamSeq, e.PrevHash) ?? head.CheckTime(e.Time)) is { } broken)
            throw new TranscriptIntegrityException($"Event seq {e.Seq} does not follow streamSeq {head.StreamSeq} of stream '{e.Stream}': {broken.Message}");
        _heads[e.Stream] = ChainHead.After(e);
        _expected++;
    }

    /// <summary>What the scan has checked so far.</summary>
    public TranscriptVerification Result => new(_expected - 1, _heads.Count);
}

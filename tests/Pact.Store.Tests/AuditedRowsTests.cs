using FluentAssertions;
using Pact.Core.Events;

namespace Pact.Store.Tests;

/// <summary>The audit's walk over stored rows, which both engines' audits fold from: what marks a stream broken, and at which row.</summary>
public sealed class AuditedRowsTests
{
    private const string Time = "2026-12-07T10:00:00.000Z";

    private static StoredEventRow Row(long seq, string stream, long streamSeq, string prevHash, string data = """{"n":1}""") =>
        new(seq, stream, streamSeq, "session.suspended", Time, "did:key:z", data, prevHash,
            EventChain.HashCanonical(stream, streamSeq, "session.suspended", Time, "did:key:z", data, prevHash));

    // a1 b1 a2 b2 a3, each linked to the one before in its stream.
    private static List<StoredEventRow> Rows()
    {
        var a1 = Row(1, "ses_a", 1, EventChain.GenesisHash);
        var b1 = Row(2, "ses_b", 1, EventChain.GenesisHash);
        var a2 = Row(3, "ses_a", 2, a1.Hash);
        var b2 = Row(4, "ses_b", 2, b1.Hash);
        var a3 = Row(5, "ses_a", 3, a2.Hash);
        return [a1, b1, a2, b2, a3];
    }

    private static (List<long> Folded, Dictionary<string, long> Broken) Walk(IEnumerable<StoredEventRow> rows)
    {
        var audited = new AuditedRows();
        var folded = rows.Select(audited.Admit).OfType<TranscriptEvent>().Select(e => e.Seq).ToList();
        return (folded, audited.Broken);
    }

    [Fact]
    public void A_sound_log_folds_every_row_and_breaks_no_stream()
    {
        var (folded, broken) = Walk(Rows());
        folded.Should().Equal(1, 2, 3, 4, 5);
        broken.Should().BeEmpty();
    }

    [Fact]
    public void A_row_altered_after_its_hash_breaks_its_stream_there_and_is_still_folded_as_stored()
    {
        var rows = Rows();
        rows[2] = rows[2] with { Actor = "did:key:someone-else" };
        var audited = new AuditedRows();
        var folded = rows.Select(audited.Admit).ToList();
        folded.Select(e => e!.Seq).Should().Equal(1, 2, 3, 4, 5);
        folded[2]!.Actor.Should().Be("did:key:someone-else");
        audited.Broken.Should().Equal(new Dictionary<string, long> { ["ses_a"] = 3 });
    }

    [Fact]
    public void A_missing_row_breaks_its_stream_at_the_next_one()
    {
        var rows = Rows();
        rows.RemoveAt(2); // a2: a3 no longer follows a1
        var (folded, broken) = Walk(rows);
        folded.Should().Equal(1, 2, 4, 5);
        broken.Should().Equal(new Dictionary<string, long> { ["ses_a"] = 5 });
    }

    [Fact]
    public void A_stream_with_several_bad_rows_is_named_at_its_first()
    {
        var rows = Rows();
        rows[1] = rows[1] with { PrevHash = new string('9', 64) }; // b1 linked to nothing (and no longer its hash)
        rows[3] = rows[3] with { Type = "session.resumed" }; // b2 altered after its hash
        var (_, broken) = Walk(rows);
        broken.Should().Equal(new Dictionary<string, long> { ["ses_b"] = 2 });
    }

    [Fact]
    public void A_row_whose_data_is_not_an_object_is_not_folded_and_breaks_its_stream()
    {
        var rows = Rows();
        rows[3] = Row(4, "ses_b", 2, rows[1].Hash, "[1]");
        var audited = new AuditedRows();
        var folded = rows.Select(audited.Admit).ToList();
        folded.Select(e => e?.Seq).Should().Equal(1, 2, 3, null, 5);
        audited.Broken.Should().Equal(new Dictionary<string, long> { ["ses_b"] = 4 });
    }

    [Fact]
    public void A_fold_that_failed_breaks_the_stream_of_its_row_unless_an_earlier_row_did()
    {
        var rows = Rows();
        var audited = new AuditedRows();
        rows.ForEach(row => audited.Admit(row));
        audited.MarkBroken(rows[2]);
        audited.MarkBroken(rows[4]);
        audited.Broken.Should().Equal(new Dictionary<string, long> { ["ses_a"] = 3 });
    }
}

using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Events;

namespace Pact.Store.Tests;

/// <summary>
/// The checks every store makes of what it reads back: a stream page's links, a log page's seqs, and the full scan of
/// <c>VerifyAsync</c>. Tampering through the database is covered with each store; here each rule is broken alone.
/// </summary>
public sealed class StoredEventsTests
{
    private static string Hash(char c) => new(c, 64);

    private static TranscriptEvent Event(long seq, string stream, long streamSeq, string prevHash, string hash, string time = "2026-12-07T10:00:00.000Z") =>
        new(seq, stream, streamSeq, "session.suspended", time, "did:key:z", new JsonObject(), prevHash, hash);

    // Two interleaved streams: a1 a2 b1 a3 b2.
    private static List<TranscriptEvent> Log() =>
    [
        Event(1, "ses_a", 1, EventChain.GenesisHash, Hash('1')),
        Event(2, "ses_a", 2, Hash('1'), Hash('2')),
        Event(3, "ses_b", 1, EventChain.GenesisHash, Hash('3')),
        Event(4, "ses_a", 3, Hash('2'), Hash('4')),
        Event(5, "ses_b", 2, Hash('3'), Hash('5')),
    ];

    [Fact]
    public void A_stream_page_must_link_each_event_to_the_one_before_it()
    {
        var a = Log().Where(e => e.Stream == "ses_a").ToList();
        FluentActions.Invoking(() => StoredEvents.CheckStreamPage("ses_a", 0, a)).Should().NotThrow();
        FluentActions.Invoking(() => StoredEvents.CheckStreamPage("ses_a", 1, a[1..])).Should().NotThrow("a page may start inside the stream");

        FluentActions.Invoking(() => StoredEvents.CheckStreamPage("ses_a", 0, [a[0], a[2]]))
            .Should().Throw<TranscriptIntegrityException>().WithMessage("Stream 'ses_a' is not chained at streamSeq 3 (seq 4): Expected streamSeq 2*");
        FluentActions.Invoking(() => StoredEvents.CheckStreamPage("ses_a", 0, [a[0], a[1] with { PrevHash = Hash('9') }]))
            .Should().Throw<TranscriptIntegrityException>().WithMessage("*streamSeq 2 (seq 2): prevHash*");
        FluentActions.Invoking(() => StoredEvents.CheckStreamPage("ses_a", 1, a))
            .Should().Throw<TranscriptIntegrityException>("the page must start right after the stream seq it was read after");
    }

    [Fact]
    public void A_log_page_must_hold_the_seqs_after_its_start_without_a_gap()
    {
        var log = Log();
        FluentActions.Invoking(() => StoredEvents.CheckGlobalPage(0, log)).Should().NotThrow();
        FluentActions.Invoking(() => StoredEvents.CheckGlobalPage(2, log[2..])).Should().NotThrow();
        FluentActions.Invoking(() => StoredEvents.CheckGlobalPage(0, [])).Should().NotThrow();

        FluentActions.Invoking(() => StoredEvents.CheckGlobalPage(0, [log[0], log[2]]))
            .Should().Throw<TranscriptIntegrityException>().WithMessage("The global log has a gap before seq 3.");
        FluentActions.Invoking(() => StoredEvents.CheckGlobalPage(1, log))
            .Should().Throw<TranscriptIntegrityException>().WithMessage("*gap before seq 1*");
    }

    [Fact]
    public void The_full_scan_counts_events_and_streams_and_stops_at_the_first_break()
    {
        var scan = new LogScan();
        Log().ForEach(scan.Add);
        scan.Result.Should().Be(new TranscriptVerification(5, 2));

        Scanning(Log().Where(e => e.Seq != 3)).Should().Throw<TranscriptIntegrityException>().WithMessage("Expected seq 3, found 4.");
        Scanning(Log().Select(e => e.Seq == 4 ? e with { PrevHash = Hash('1') } : e))
            .Should().Throw<TranscriptIntegrityException>().WithMessage("Event seq 4 does not follow streamSeq 2 of stream 'ses_a': prevHash*");
        Scanning(Log().Select(e => e.Seq == 5 ? e with { StreamSeq = 3 } : e))
            .Should().Throw<TranscriptIntegrityException>().WithMessage("Event seq 5 does not follow streamSeq 1 of stream 'ses_b': Expected streamSeq 2*");
        Scanning(Log().Select(e => e.Seq == 4 ? e with { Time = "2026-12-07T09:59:59.999Z" } : e))
            .Should().Throw<TranscriptIntegrityException>().WithMessage("*stream 'ses_a': time*earlier*");
    }

    private static Action Scanning(IEnumerable<TranscriptEvent> events) => () =>
    {
        var scan = new LogScan();
        foreach (var e in events) scan.Add(e);
    };
}

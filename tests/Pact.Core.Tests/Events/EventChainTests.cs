using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Events;

namespace Pact.Core.Tests.Events;

/// <summary>The one chain check the store, replay, the daemon's verify and the SDK's export verifier share.</summary>
public class EventChainTests
{
    private static readonly List<TranscriptEvent> Chain = Build(3);

    private static List<TranscriptEvent> Build(int count)
    {
        var events = new List<TranscriptEvent>();
        var prev = EventChain.GenesisHash;
        for (var i = 1; i <= count; i++)
        {
            var data = new JsonObject { ["n"] = i };
            var time = $"2026-12-06T00:00:0{i}.000Z";
            var hash = EventChain.Hash("ses_a", i, "test.event", time, TranscriptEvent.DaemonActor, data, prev);
            events.Add(new TranscriptEvent(10 * i, "ses_a", i, "test.event", time, TranscriptEvent.DaemonActor, data, prev, hash));
            prev = hash;
        }
        return events;
    }

    [Fact]
    public void An_intact_stream_passes_every_check()
    {
        var head = ChainHead.Genesis;
        foreach (var e in Chain)
        {
            head.Check(e.Seq, e.StreamSeq, e.PrevHash).Should().BeNull();
            head.CheckTime(e.Time).Should().BeNull();
            EventChain.CheckHash(e).Should().BeNull();
            head = ChainHead.After(e);
        }
        head.Should().Be(new ChainHead(3, 30, Chain[2].Hash, Chain[2].Time));
    }

    [Fact]
    public void A_missing_event_is_a_stream_seq_break()
    {
        ChainHead.After(Chain[0]).Check(Chain[2].Seq, Chain[2].StreamSeq, Chain[2].PrevHash)
            .Should().BeEquivalentTo(new { Check = "stream-seq", Member = "streamSeq" });
        ChainHead.Genesis.Check(Chain[1].Seq, Chain[1].StreamSeq, Chain[1].PrevHash)!.Message.Should().Contain("Expected streamSeq 1, found 2");
    }

    [Fact]
    public void A_seq_that_does_not_increase_is_a_stream_seq_break()
    {
        ChainHead.After(Chain[1]).Check(Chain[0].Seq, 3, Chain[1].Hash).Should().BeEquivalentTo(new { Check = "stream-seq", Member = "seq" });
    }

    [Fact]
    public void A_wrong_link_is_a_prev_hash_break_checked_after_the_place()
    {
        ChainHead.After(Chain[0]).Check(Chain[1].Seq, 2, Chain[0].PrevHash).Should().BeEquivalentTo(new { Check = "prev-hash", Member = "prevHash" });
        // Out of place and mislinked: the place is reported.
        ChainHead.After(Chain[0]).Check(Chain[1].Seq, 3, Chain[0].PrevHash)!.Check.Should().Be("stream-seq");
    }

    [Fact]
    public void Reading_from_inside_a_stream_takes_the_first_prev_hash_as_stored()
    {
        var head = ChainHead.Before(2);
        head.Check(Chain[1].Seq, 2, "anything").Should().BeNull();
        head.Check(Chain[2].Seq, 3, Chain[2].PrevHash)!.Check.Should().Be("stream-seq");
    }

    [Fact]
    public void Time_going_back_in_a_stream_is_found()
    {
        ChainHead.After(Chain[1]).CheckTime(Chain[0].Time).Should().BeEquivalentTo(new { Check = "stream-seq", Member = "time" });
        ChainHead.After(Chain[1]).CheckTime(Chain[1].Time).Should().BeNull();
    }

    [Fact]
    public void Altered_content_is_a_hash_break()
    {
        var altered = Chain[1] with { Data = new JsonObject { ["n"] = 99 } };
        EventChain.CheckHash(altered).Should().BeEquivalentTo(new { Check = "hash", Member = "hash" });
        EventChain.CheckHash(Chain[1] with { Hash = Chain[0].Hash })!.Message.Should().Contain(Chain[1].Hash);
    }

    [Fact]
    public void A_stored_row_reads_back_to_the_event_or_names_what_broke()
    {
        var e = Chain[1];
        var (read, broken) = EventChain.ReadStored(e.Seq, e.Stream, e.StreamSeq, e.Type, e.Time, e.Actor, "{\"n\":2}", e.PrevHash, e.Hash);
        broken.Should().BeNull();
        read!.Data.ToJsonString().Should().Be("{\"n\":2}");

        EventChain.ReadStored(e.Seq, e.Stream, e.StreamSeq, e.Type, e.Time, e.Actor, "{\"n\":3}", e.PrevHash, e.Hash).Break
            .Should().BeEquivalentTo(new { Check = "hash", Member = "hash" });
        EventChain.ReadStored(e.Seq, e.Stream, e.StreamSeq, e.Type, e.Time, e.Actor, "{\"n\":2,\"n\":2}", e.PrevHash, e.Hash).Break
            .Should().BeEquivalentTo(new { Check = "hash", Member = "data" });
        EventChain.ReadStored(e.Seq, e.Stream, e.StreamSeq, e.Type, e.Time, e.Actor, "[2]", e.PrevHash, e.Hash)
            .Should().Be((null as TranscriptEvent, new ChainBreak("hash", "data", "The stored data is not a JSON object.")));
    }
}

using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Events;

namespace Pact.Core.Tests.Crypto;

public class EventChainVectorTests
{
    [Fact]
    public void Event_hashes_and_links_match_the_pact_vector_chain()
    {
        var events = TestData.PactVectors["events"]!.AsArray();
        var prev = EventChain.GenesisHash;
        foreach (var node in events)
        {
            var e = TranscriptEvent.FromJson((JsonObject)node!);
            e.PrevHash.Should().Be(prev);
            e.RecomputeHash().Should().Be(e.Hash);
            prev = e.Hash;
        }
    }

    [Fact]
    public void Hashing_from_canonical_data_text_gives_the_same_hash_as_hashing_the_data_value()
    {
        foreach (var node in TestData.PactVectors["events"]!.AsArray())
        {
            var e = TranscriptEvent.FromJson((JsonObject)node!);
            var canonical = Pact.Core.Json.Jcs.CanonicalString(e.Data);
            EventChain.HashCanonical(e.Stream, e.StreamSeq, e.Type, e.Time, e.Actor, canonical, e.PrevHash).Should().Be(e.Hash);
        }
        var odd = EventChain.HashCanonical("ses_\u2028\"x", 9007199254740991, "t\n", "2026-01-01T00:00:00.000Z", "daemon", "{}", EventChain.GenesisHash);
        odd.Should().Be(EventChain.Hash("ses_\u2028\"x", 9007199254740991, "t\n", "2026-01-01T00:00:00.000Z", "daemon", [], EventChain.GenesisHash));
    }
}

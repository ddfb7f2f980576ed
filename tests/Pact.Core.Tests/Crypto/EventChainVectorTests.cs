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
        var prev = TranscriptEvent.GenesisHash;
        foreach (var node in events)
        {
            var e = TranscriptEvent.FromJson((JsonObject)node!);
            e.PrevHash.Should().Be(prev);
            e.RecomputeHash().Should().Be(e.Hash);
            prev = e.Hash;
        }
    }
}

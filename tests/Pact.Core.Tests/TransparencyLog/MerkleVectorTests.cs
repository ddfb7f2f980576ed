using System.Security.Cryptography;
using System.Text.Json.Nodes;
using FluentAssertions;
using Pact.Core.Encoding;
using Pact.Core.TransparencyLog;

namespace Pact.Core.Tests.TransparencyLog;

/// <summary>The prover and verifier against trees computed elsewhere: the CT reference tree and the pact/1 vectors.</summary>
public class MerkleVectorTests
{
    private static JsonObject Ct => (JsonObject)TestData.Json("merkle/ct-reference-tree.json");

    private static JsonObject Pact => (JsonObject)TestData.PactVectors["merkle"]!;

    private static MemoryMerkleTree CtTree()
    {
        var tree = new MemoryMerkleTree();
        foreach (var data in Ct["leafDataHex"]!.AsArray()) tree.Append(MerkleHash.LeafHashOfEntry(Hex.Decode(data!.GetValue<string>())));
        return tree;
    }

    private static MemoryMerkleTree PactTree()
    {
        var tree = new MemoryMerkleTree();
        for (var i = 1; i <= 7; i++) tree.Append(MerkleHash.LeafHash(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"event-{i}"))));
        return tree;
    }

    private static List<byte[]> Hashes(JsonNode? array) => array!.AsArray().Select(h => Hex.Decode(h!.GetValue<string>())).ToList();

    private static List<string> HexList(IEnumerable<byte[]> hashes) => hashes.Select(h => Hex.Encode(h)).ToList();

    [Fact]
    public void Empty_tree_root_is_the_hash_of_nothing()
    {
        Hex.Encode(new MemoryMerkleTree().Root()).Should().Be("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    [Fact]
    public void Ct_reference_roots_match_for_every_size_1_to_8()
    {
        var tree = CtTree();
        foreach (var (size, root) in Ct["roots"]!.AsObject())
            Hex.Encode(tree.Root(long.Parse(size))).Should().Be(root!.GetValue<string>(), $"size {size}");
    }

    [Fact]
    public void Ct_reference_inclusion_paths_are_produced_and_verify()
    {
        var tree = CtTree();
        var cases = Ct["inclusion"]!.AsArray();
        cases.Should().NotBeEmpty();
        foreach (var c in cases)
        {
            var index = c!["leafIndex"]!.GetValue<long>();
            var size = c["treeSize"]!.GetValue<long>();
            var expected = Hashes(c["path"]);
            HexList(tree.InclusionProof(index, size)).Should().Equal(HexList(expected), $"leaf {index} of {size}");
            MerkleVerifier.VerifyInclusion(index, size, tree.SubtreeHash(0, index), expected, tree.Root(size)).Should().BeTrue();
        }
    }

    [Fact]
    public void Ct_reference_consistency_proofs_are_produced_and_verify()
    {
        var tree = CtTree();
        var cases = Ct["consistency"]!.AsArray();
        cases.Should().NotBeEmpty();
        foreach (var c in cases)
        {
            var from = c!["from"]!.GetValue<long>();
            var to = c["to"]!.GetValue<long>();
            var expected = Hashes(c["proof"]);
            HexList(tree.ConsistencyProof(from, to)).Should().Equal(HexList(expected), $"{from} → {to}");
            MerkleVerifier.VerifyConsistency(from, to, tree.Root(from), tree.Root(to), expected).Should().BeTrue();
        }
    }

    [Fact]
    public void Pact_vector_leaf_hashes_are_the_prefixed_event_hashes()
    {
        var tree = PactTree();
        var expected = Pact["leafHashes"]!.AsArray().Select(h => h!.GetValue<string>()).ToList();
        expected.Should().HaveCount(7);
        for (var i = 0; i < expected.Count; i++) Hex.Encode(tree.SubtreeHash(0, i)).Should().Be(expected[i]);
    }

    [Fact]
    public void Pact_vector_roots_match_for_every_size()
    {
        var tree = PactTree();
        var roots = Pact["roots"]!.AsObject();
        roots.Count.Should().Be(7);
        foreach (var (size, root) in roots) Hex.Encode(tree.Root(long.Parse(size))).Should().Be(root!.GetValue<string>());
    }

    [Fact]
    public void Pact_vector_inclusion_proofs_are_produced_and_verify()
    {
        var tree = PactTree();
        foreach (var c in Pact["inclusion"]!.AsArray())
        {
            var index = c!["leafIndex"]!.GetValue<long>();
            var size = c["treeSize"]!.GetValue<long>();
            var expected = Hashes(c["hashes"]);
            HexList(tree.InclusionProof(index, size)).Should().Equal(HexList(expected));
            var root = Hex.Decode(Pact["roots"]![size.ToString()]!.GetValue<string>());
            MerkleVerifier.VerifyInclusion(index, size, tree.SubtreeHash(0, index), expected, root).Should().BeTrue();
        }
    }

    [Fact]
    public void Pact_vector_consistency_proofs_are_produced_and_verify()
    {
        var tree = PactTree();
        foreach (var c in Pact["consistency"]!.AsArray())
        {
            var from = c!["from"]!.GetValue<long>();
            var to = c["to"]!.GetValue<long>();
            var expected = Hashes(c["hashes"]);
            HexList(tree.ConsistencyProof(from, to)).Should().Equal(HexList(expected));
            var root1 = Hex.Decode(Pact["roots"]![from.ToString()]!.GetValue<string>());
            var root2 = Hex.Decode(Pact["roots"]![to.ToString()]!.GetValue<string>());
            MerkleVerifier.VerifyConsistency(from, to, root1, root2, expected).Should().BeTrue();
        }
    }

    [Fact]
    public void Leaf_hash_takes_exactly_the_32_bytes_of_an_event_hash()
    {
        var act = () => MerkleHash.LeafHash(new byte[31]);
        act.Should().Throw<ArgumentException>();
        MerkleHash.LeafHash(new byte[32]).Should().Equal(MerkleHash.LeafHashOfEntry(new byte[32]));
    }
}

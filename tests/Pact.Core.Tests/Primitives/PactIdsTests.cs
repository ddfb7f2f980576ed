using FluentAssertions;
using Pact.Core.Ids;

namespace Pact.Core.Tests.Primitives;

/// <summary>Daemon ids (§0): prefix + 26 Crockford characters, sorting by creation, monotonic within a millisecond.</summary>
public class PactIdsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 22, 33, 31, 123, TimeSpan.Zero);
    private const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    private static long DecodeMillis(string id)
    {
        // The first 10 characters carry the 48-bit millisecond time (50 bits, the top two zero).
        long value = 0;
        foreach (var c in id[4..14]) value = value * 32 + Crockford.IndexOf(c, StringComparison.Ordinal);
        return value;
    }

    public static TheoryData<string> Prefixes() =>
        new(PactIds.Session, PactIds.Proposal, PactIds.Revocation, PactIds.Marker, PactIds.Subscription, PactIds.Delivery, PactIds.Checkpoint);

    [Theory]
    [MemberData(nameof(Prefixes))]
    public void Id_is_the_prefix_and_26_crockford_characters(string prefix)
    {
        var id = new PactIdGenerator().New(prefix, T0);
        id.Should().StartWith(prefix).And.HaveLength(prefix.Length + 26);
        id[prefix.Length..].Should().Match(s => s.All(c => Crockford.Contains(c)));
        PactIds.IsDaemonId(id, prefix).Should().BeTrue();
        PactIds.IsDaemonId(id, prefix == PactIds.Session ? PactIds.Proposal : PactIds.Session).Should().BeFalse();
    }

    [Fact]
    public void The_shared_generator_makes_valid_ids()
    {
        PactIds.IsDaemonId(PactIds.New(PactIds.Session, T0), PactIds.Session).Should().BeTrue();
    }

    [Fact]
    public void Id_carries_the_creation_millisecond()
    {
        var id = new PactIdGenerator().New(PactIds.Session, T0);
        DecodeMillis(id).Should().Be(T0.ToUnixTimeMilliseconds());
        id[4..14].Should().Be("01M803WHQK"); // 1795300411123 ms, encoded independently with Node.js
    }

    [Fact]
    public void Ids_sort_by_creation_time()
    {
        var generator = new PactIdGenerator();
        var ids = Enumerable.Range(0, 200).Select(i => generator.New(PactIds.Proposal, T0.AddMilliseconds(i * 37L + (i % 3)))).ToList();
        ids.Should().BeInAscendingOrder(StringComparer.Ordinal);
        ids.Should().OnlyHaveUniqueItems();
        // Across a year too: ids made later always sort later.
        string.CompareOrdinal(ids[^1], generator.New(PactIds.Proposal, T0.AddYears(1))).Should().BeNegative();
    }

    [Fact]
    public void Ids_within_one_millisecond_strictly_increase()
    {
        var generator = new PactIdGenerator();
        var ids = Enumerable.Range(0, 1000).Select(_ => generator.New(PactIds.Delivery, T0)).ToList();
        ids.Should().BeInAscendingOrder(StringComparer.Ordinal).And.OnlyHaveUniqueItems();
        ids.Select(id => id[4..14]).Distinct().Should().ContainSingle("all share the millisecond");
    }

    [Fact]
    public void A_clock_that_goes_back_does_not_break_the_order()
    {
        var generator = new PactIdGenerator();
        var first = generator.New(PactIds.Marker, T0);
        var second = generator.New(PactIds.Marker, T0.AddSeconds(-5));
        string.CompareOrdinal(first, second).Should().BeNegative();
        DecodeMillis(second).Should().Be(T0.ToUnixTimeMilliseconds());
    }

    [Theory]
    [InlineData("")]
    [InlineData("ses")]
    [InlineData("SES_")]
    [InlineData("sess_")]
    [InlineData("se_")]
    public void Malformed_prefixes_are_a_programming_error(string prefix)
    {
        ((Action)(() => new PactIdGenerator().New(prefix, T0))).Should().Throw<ArgumentException>();
    }

    [Theory]
    [InlineData("ses_01KAKBY04KABCDEFGHJKMNPQRS", true)]
    [InlineData("ses_01KAKBY04KABCDEFGHJKMNPQR", false)] // 25 characters
    [InlineData("ses_01KAKBY04KABCDEFGHJKMNPQRST", false)] // 27 characters
    [InlineData("ses_01KAKBY04KABCDEFGHJKMNPQRI", false)] // I is not Crockford
    [InlineData("ses_01KAKBY04KABCDEFGHJKMNPQRL", false)] // L is not Crockford
    [InlineData("ses_01KAKBY04KABCDEFGHJKMNPQRO", false)] // O is not Crockford
    [InlineData("ses_01KAKBY04KABCDEFGHJKMNPQRU", false)] // U is not Crockford
    [InlineData("ses_01kakc3843abcdefghjkmnpqrs", false)] // lowercase
    [InlineData("ses_01KAKBY04KABCDEFGHJKMNPQRS\n", false)] // final newline
    [InlineData("prp_01KAKBY04KABCDEFGHJKMNPQRS", false)] // another prefix
    [InlineData(null, false)]
    public void Session_ids_are_recognized_strictly(string? id, bool valid)
    {
        PactIds.IsDaemonId(id, PactIds.Session).Should().Be(valid);
    }

    [Theory]
    [InlineData("cmp_kitchen-2026-0042", true)]
    [InlineData("cmp_abcdefgh", true)] // 8, the shortest
    [InlineData("cmp_abcdefg", false)] // 7
    [InlineData("cmp_A_b-9xyz", true)]
    [InlineData("cmp_kitchen.2026", false)]
    [InlineData("cmp_kitchen 2026", false)]
    [InlineData("cmp_kitchen-2026\n", false)]
    [InlineData("CMP_kitchen-2026", false)]
    [InlineData("kitchen-2026-0042", false)]
    [InlineData(null, false)]
    public void Compact_ids_are_cmp_and_8_to_64_safe_characters(string? id, bool valid)
    {
        PactIds.IsCompactId(id).Should().Be(valid);
    }

    [Fact]
    public void Compact_ids_allow_at_most_64_characters_after_the_prefix()
    {
        PactIds.IsCompactId("cmp_" + new string('a', 64)).Should().BeTrue();
        PactIds.IsCompactId("cmp_" + new string('a', 65)).Should().BeFalse();
    }
}

using System.Collections.Immutable;
using FluentAssertions;
using Pact.Core.Negotiation;
using Xunit;

namespace Pact.Core.Tests.Negotiation;

/// <summary>
/// The state's tables and indexes as a restore makes them — a frozen sorted base plus the changes made since (ADR 0016) —
/// answer every question exactly as the persistent trees they replace, whatever was set, filed, moved or taken out
/// after the base was frozen: each is driven by random operations beside its reference and compared after every one.
/// </summary>
public class FrozenBaseTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_record_dictionary_answers_as_a_sorted_dictionary_after_any_changes_to_its_frozen_base(int seed)
    {
        var random = new Random(seed);
        var reference = ImmutableSortedDictionary.Create<string, int>(StringComparer.Ordinal);
        foreach (var i in Enumerable.Range(0, 40)) reference = reference.SetItem(Key(random), i);
        var table = RecordDictionary.FromSorted(StringComparer.Ordinal, reference.ToList());
        for (var step = 0; step < 300; step++)
        {
            var (key, value) = (Key(random), step);
            reference = reference.SetItem(key, value);
            table = table.SetItem(key, value);
            table.Count.Should().Be(reference.Count);
            table.Should().Equal(reference, "every entry, in key order, after step {0}", step);
            var probe = Key(random);
            table.TryGetValue(probe, out var found).Should().Be(reference.TryGetValue(probe, out var expected));
            found.Should().Be(expected);
        }
    }

    [Fact]
    public void A_record_dictionary_refuses_records_out_of_key_order_or_given_twice()
    {
        var act = () => RecordDictionary.FromSorted(StringComparer.Ordinal, [KeyValuePair.Create("b", 1), KeyValuePair.Create("a", 2)]);
        act.Should().Throw<FormatException>();
        act = () => RecordDictionary.FromSorted(StringComparer.Ordinal, [KeyValuePair.Create("a", 1), KeyValuePair.Create("a", 2)]);
        act.Should().Throw<FormatException>();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_set_index_answers_as_sorted_sets_by_key_after_any_changes_to_its_frozen_base(int seed)
    {
        var random = new Random(seed);
        var pairs = Enumerable.Range(0, 60).Select(_ => (Key(random), Key(random))).ToList();
        var reference = pairs.GroupBy(p => p.Item1).ToDictionary(g => g.Key, g => g.Select(p => p.Item2).ToImmutableSortedSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var index = Frozen(reference);
        for (var step = 0; step < 300; step++)
        {
            var (key, item) = (Key(random), Key(random));
            var set = reference.GetValueOrDefault(key, ImmutableSortedSet.Create<string>(StringComparer.Ordinal));
            switch (random.Next(3))
            {
                case 0:
                    index = index.Add(key, item);
                    reference[key] = set.Add(item);
                    break;
                case 1:
                    // Often an item the key holds, so that removals out of the frozen base happen.
                    if (!set.IsEmpty && random.Next(2) == 0) item = set[random.Next(set.Count)];
                    index = index.Remove(key, item);
                    reference[key] = set.Remove(item);
                    break;
                default:
                    var to = Key(random);
                    if (!set.IsEmpty) item = set[random.Next(set.Count)];
                    index = index.Move(key, to, item);
                    if (key != to)
                    {
                        reference[key] = set.Remove(item);
                        reference[to] = reference.GetValueOrDefault(to, ImmutableSortedSet.Create<string>(StringComparer.Ordinal)).Add(item);
                    }
                    break;
            }
            foreach (var k in reference.Keys.Append(Key(random)))
                index.Get(k).Should().Equal(reference.GetValueOrDefault(k) ?? [], "the items under {0} after step {1}", k, step);
            // What a snapshot stores: every key that has items, in order; frozen again, it answers the same.
            var entries = index.Entries().ToList();
            entries.Select(e => e.Key).Should().Equal(reference.Where(r => !r.Value.IsEmpty).Select(r => r.Key).Order(StringComparer.Ordinal), "after step {0}", step);
            foreach (var (k, items) in entries) items.Should().Equal(reference[k]);
            if (step % 50 == 0) index = Frozen(reference);
        }
    }

    [Fact]
    public void A_set_index_refuses_a_base_out_of_order_with_an_empty_key_or_not_adding_up()
    {
        var (o, l) = (StringComparer.Ordinal, StringComparer.Ordinal);
        SetIndex<string, string>.FromSorted(["a", "b"], [0, 2, 3], ["x", "y", "x"], o, l).Get("a").Should().Equal("x", "y");
        foreach (var (keys, starts, items) in new (string[], int[], string[])[]
                 {
                     (["b", "a"], [0, 1, 2], ["x", "x"]),      // keys out of order
                     (["a", "a"], [0, 1, 2], ["x", "y"]),      // a key twice
                     (["a", "b"], [0, 0, 1], ["x"]),           // a key without items
                     (["a"], [0, 2], ["y", "x"]),              // items out of order
                     (["a"], [0, 2], ["x", "x"]),              // an item twice
                     (["a"], [0, 1], ["x", "y"]),              // items left over
                     (["a"], [0], []),                         // starts not one more than the keys
                 })
        {
            var act = () => SetIndex<string, string>.FromSorted(keys, starts, items, o, l);
            act.Should().Throw<FormatException>("[{0}] [{1}] [{2}]", string.Join(",", keys), string.Join(",", starts), string.Join(",", items));
        }
    }

    [Fact]
    public void A_deadline_set_refuses_deadlines_out_of_firing_order()
    {
        var t0 = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var (early, late) = (new Deadline(t0, DeadlineKind.ProposalExpiry, "prp_1"), new Deadline(t0.AddHours(1), DeadlineKind.ProposalExpiry, "prp_1"));
        DeadlineSet.FromSorted([early, early, late]).InOrder().Should().Equal(early, early, late);
        var act = () => DeadlineSet.FromSorted([late, early]);
        act.Should().Throw<FormatException>();
    }

    /// <summary>The frozen base of these sets, as a snapshot stores it: keys in order, each with its items, none empty.</summary>
    private static SetIndex<string, string> Frozen(Dictionary<string, ImmutableSortedSet<string>> sets)
    {
        var entries = sets.Where(s => !s.Value.IsEmpty).OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
        var starts = new List<int> { 0 };
        foreach (var (_, items) in entries) starts.Add(starts[^1] + items.Count);
        return SetIndex<string, string>.FromSorted([.. entries.Select(e => e.Key)], [.. starts], [.. entries.SelectMany(e => e.Value)],
            StringComparer.Ordinal, StringComparer.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_deadline_set_keeps_every_deadline_as_often_as_it_is_pending_after_any_changes_to_its_frozen_base(int seed)
    {
        var random = new Random(seed);
        var t0 = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        // Few distinct deadlines, so that equal ones (a multiset) are common in the base and in the changes.
        Deadline Any() => new(t0.AddHours(random.Next(6)), DeadlineKind.ProposalExpiry, "prp_" + random.Next(3));
        var reference = Enumerable.Range(0, 30).Select(_ => Any()).ToList();
        var set = DeadlineSet.FromSorted([.. reference.Order()]);
        for (var step = 0; step < 300; step++)
        {
            var d = Any();
            if (random.Next(2) == 0)
            {
                set = set.Add(d);
                reference.Add(d);
            }
            else
            {
                set = set.Remove(d);
                reference.Remove(d);
            }
            set.InOrder().Should().Equal(reference.Order(), "after step {0}", step);
            if (step % 50 == 0) set = DeadlineSet.FromSorted([.. set.InOrder()]);
        }
    }

    private static string Key(Random random) => "k" + random.Next(50).ToString("D2", System.Globalization.CultureInfo.InvariantCulture);
}

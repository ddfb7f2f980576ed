using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FluentAssertions;
using Pact.Core.Encoding;
using Pact.Store.Sqlite;

namespace Pact.Store.Tests;

/// <summary>
/// A row seal is stored with the row and checked by every later audit, so its input layout may never change: these
/// tests pin <see cref="RowSeals.Seal"/> to seals computed outside .NET (Python's hmac module, over the layout below)
/// and to the layout written out here the slow way, one incremental HMAC call per part, as the store sealed rows
/// before it hashed them in one call (it wrote lengths with BitConverter, the same bytes on the little-endian machines
/// .NET runs on).
/// </summary>
public sealed class RowSealTests
{
    private static readonly byte[] Key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

    public static TheoryData<object?[]> Rows() => new()
    {
        new object?[] { "nonces", "did:key:z6Mk…", "nonce-1", new string('a', 64), 1_765_000_000L, 200L, "{\"sessionId\":\"ses_1\"}" },
        new object?[] { "agents", "did:key:z6Mk", "pk", "principal", null, "2026-12-07T18:00:00.000Z" },
        new object?[] { "webhook_deliveries", DBNull.Value, -1L, 0L, long.MaxValue, long.MinValue, 2.5, double.NaN },
        new object?[] { "state_snapshots", new byte[] { 0, 1, 2, 255 }, Array.Empty<byte>(), "", "é€😀", "\ud800" },
        new object?[] { "other", 3.0m, true },
        Array.Empty<object?>(),
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_seal_is_the_HMAC_of_each_value_tagged_with_its_type_and_byte_length(object?[] row) =>
        RowSeals.Seal(Key, row).Should().Be(Reference(Key, row));

    [Fact]
    public void Seals_match_those_computed_independently_for_the_same_rows()
    {
        RowSeals.Seal(Key, ["nonces", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "n-1", new string('a', 64), 1_765_000_000L, 200L, "{\"sessionId\":\"ses_1\"}"])
            .Should().Be("8b97f80dea82b9a0654ff1869aefce9b7e9dac42103083a52a42d5a73e465b26");
        RowSeals.Seal(Key, ["webhook_deliveries", null, -1L, 2.5, new byte[] { 0, 1, 255 }, "é€"])
            .Should().Be("f5a1404a5fd6988851be9ab8af4e544fbd1279e097913e4691e0441fa900a11a");
    }

    [Fact]
    public void A_row_larger_than_the_kept_buffer_and_the_small_rows_after_it_seal_as_they_would_alone()
    {
        // Two byte values hashed in place, with small values before, between and after them, and a long text.
        var large = new object?[] { "state_snapshots", 7L, RandomNumberGenerator.GetBytes(200_000), "between", RandomNumberGenerator.GetBytes(65_537), new string('x', 70_000), 2.5 };
        var small = new object?[] { "nonces", "s", "n" };

        RowSeals.Seal(Key, small).Should().Be(Reference(Key, small));
        RowSeals.Seal(Key, large).Should().Be(Reference(Key, large));
        RowSeals.Seal(Key, small).Should().Be(Reference(Key, small));
    }

    [Fact]
    public void The_seal_depends_on_the_key_on_every_value_and_on_where_one_value_ends_and_the_next_begins()
    {
        var row = new object?[] { "nonces", "ab", "c" };
        var seal = RowSeals.Seal(Key, row);

        RowSeals.Seal(RandomNumberGenerator.GetBytes(32), row).Should().NotBe(seal);
        RowSeals.Seal(Key, ["nonces", "a", "bc"]).Should().NotBe(seal);
        RowSeals.Seal(Key, ["nonces", "ab", null]).Should().NotBe(RowSeals.Seal(Key, ["nonces", "ab", ""]));
        RowSeals.Seal(Key, ["nonces", 1L]).Should().NotBe(RowSeals.Seal(Key, ["nonces", "1"]));
    }

    [Fact]
    public void Rows_sealed_on_parallel_threads_get_the_seals_they_get_alone()
    {
        var rows = Enumerable.Range(0, 2_000)
            .Select(i => new object?[] { "nonces", "did:" + i, new string('n', i % 300), (long)i, i % 7 == 0 ? RandomNumberGenerator.GetBytes(i * 40) : null })
            .ToArray();
        var expected = rows.Select(r => Reference(Key, r)).ToArray();

        var actual = new string[rows.Length];
        Parallel.For(0, rows.Length, i => actual[i] = RowSeals.Seal(Key, rows[i]));

        actual.Should().Equal(expected);
    }

    /// <summary>The layout, one part at a time: tag byte, 4-byte little-endian length, the value's bytes.</summary>
    private static string Reference(byte[] key, object?[] values)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        foreach (var value in values)
        {
            var (tag, bytes) = value switch
            {
                null or DBNull => ('n', Array.Empty<byte>()),
                long l => ('i', Encoding.UTF8.GetBytes(l.ToString(CultureInfo.InvariantCulture))),
                double d => ('r', BitConverter.GetBytes(d)),
                string s => ('t', Encoding.UTF8.GetBytes(s)),
                byte[] b => ('b', b),
                _ => ('?', Encoding.UTF8.GetBytes(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")),
            };
            hmac.AppendData([(byte)tag]);
            var length = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            hmac.AppendData(length);
            hmac.AppendData(bytes);
        }
        return Hex.Encode(hmac.GetHashAndReset());
    }
}

using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Pact.Core.Negotiation;

// Every distinct string once: the same agent ids, statuses of terms and category names recur in every session, so a
// table of strings, each record naming its strings by index, keeps the snapshot small and its reading cheap. The table
// is stored in chunks whose sizes come first, so that a start decodes them side by side (ADR 0017).
public sealed partial record StateSnapshot
{
    /// <summary>Strings per chunk of the table: enough to keep a chunk's overhead small, few enough to share a start's work out.</summary>
    private const int StringsPerChunk = 16_384;

    /// <summary>Writes each string as its index in <see cref="Table"/>, adding it there the first time (in encoding order, so deterministic).</summary>
    private sealed class StringTableWriter(Stream output) : BinaryWriter(output, System.Text.Encoding.UTF8, leaveOpen: true)
    {
        private Dictionary<string, int> _ids = new(StringComparer.Ordinal);

        public List<string> Table { get; private set; } = [];

        /// <summary>
        /// What <paramref name="write"/> writes, as bytes of their own that name their strings in this writer's table
        /// (a part of the snapshot read apart from the rest: a section, or terms, decoded on first use).
        /// </summary>
        public byte[] Part(Action<StringTableWriter> write)
        {
            using var buffer = new MemoryStream();
            using (var part = new StringTableWriter(buffer) { _ids = _ids, Table = Table }) write(part);
            return buffer.ToArray();
        }

        public override void Write(string value)
        {
            if (!_ids.TryGetValue(value, out var id))
            {
                id = Table.Count;
                _ids.Add(value, id);
                Table.Add(value);
            }
            Write7BitEncodedInt(id);
        }
    }

    /// <summary>
    /// Reads a part of a snapshot's bytes: the primitives <see cref="BinaryWriter"/> wrote (little-endian, 7-bit encoded
    /// lengths), straight from the array, and strings by their index into the snapshot's table. A read past the part's
    /// end is an <see cref="EndOfStreamException"/>, as with a <see cref="BinaryReader"/>; this one is sealed and reads
    /// no stream, so a start's millions of reads cost no virtual call.
    /// </summary>
    private sealed class SnapshotReader
    {
        private readonly byte[] _body;
        private readonly int _end;
        private int _at;

        /// <summary>A reader of <paramref name="count"/> bytes of <paramref name="body"/> from <paramref name="offset"/>, naming strings in <paramref name="table"/>.</summary>
        public SnapshotReader(byte[] body, int offset, int count, string[] table)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(offset);
            ArgumentOutOfRangeException.ThrowIfNegative(count);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(count, body.Length - offset);
            (_body, _at, _end, Table) = (body, offset, offset + count, table);
        }

        /// <summary>The snapshot's table (what a part read apart later names its strings in).</summary>
        public string[] Table { get; }

        /// <summary>Where the next read starts, in the snapshot's bytes.</summary>
        public int Offset => _at;

        public int Remaining => _end - _at;

        public void Skip(int count) => Take(count);

        public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public byte ReadByte() => _at < _end ? _body[_at++] : throw new EndOfStreamException("The snapshot ends before what it holds does.");

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool ReadBoolean() => ReadByte() switch
        {
            0 => false,
            1 => true,
            var b => throw new FormatException($"{b} is no boolean"),
        };

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(sizeof(short)));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(sizeof(int)));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(sizeof(long)));

        /// <summary>What <see cref="BinaryWriter.Write7BitEncodedInt"/> wrote.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Read7BitEncodedInt()
        {
            uint value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = ReadByte();
                // The fifth byte holds the last four bits of 32: anything more is no int.
                if (shift == 28 && b > 0b1111) throw new FormatException("a 7-bit encoded number is too long");
                value |= (uint)(b & 0x7F) << shift;
                if (b < 0x80) return (int)value;
            }
        }

        /// <summary>A string by its index into the table.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public string ReadString()
        {
            var id = Read7BitEncodedInt();
            return (uint)id < (uint)Table.Length ? Table[id] : throw new FormatException($"string {id} is not in the table of {Table.Length}");
        }

        /// <summary>A string written out (<see cref="BinaryWriter.Write(string)"/>: its UTF-8 length, then its UTF-8).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public string ReadText() => System.Text.Encoding.UTF8.GetString(Take(Read7BitEncodedInt()));

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private ReadOnlySpan<byte> Take(int count)
        {
            if ((uint)count > (uint)(_end - _at)) throw new EndOfStreamException($"{count} bytes do not fit what is left of the snapshot.");
            var span = new ReadOnlySpan<byte>(_body, _at, count);
            _at += count;
            return span;
        }
    }

    /// <summary>The table: its size, the size of each chunk (strings and bytes), then the chunks, each string as length-prefixed UTF-8.</summary>
    private static void WriteTable(BinaryWriter w, List<string> strings)
    {
        var chunks = strings.Chunk(StringsPerChunk).Select(chunk =>
        {
            using var buffer = new MemoryStream();
            using (var c = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                foreach (var s in chunk) c.Write(s);
            }
            return (Strings: chunk.Length, Bytes: buffer.ToArray());
        }).ToList();
        w.Write(strings.Count);
        w.Write(chunks.Count);
        foreach (var (count, bytes) in chunks)
        {
            w.Write(count);
            w.Write(bytes.Length);
        }
        foreach (var (_, bytes) in chunks) w.Write(bytes);
    }

    /// <summary>Reads what <see cref="WriteTable"/> wrote, its chunks in parallel, leaving <paramref name="r"/> after it.</summary>
    private static string[] ReadTable(SnapshotReader r, byte[] body)
    {
        var table = new string[Count(r)];
        var chunks = new (int First, int Strings, int Offset, int Bytes)[Count(r)];
        var (first, offset) = (0, 0);
        for (var i = 0; i < chunks.Length; i++)
        {
            var (strings, bytes) = (r.ReadInt32(), r.ReadInt32());
            if (strings < 0 || strings > table.Length - first || bytes < 0) throw new FormatException($"chunk {i} of the table does not fit it");
            chunks[i] = (first, strings, offset, bytes);
            (first, offset) = (first + strings, checked(offset + bytes));
        }
        var start = r.Offset;
        if (first != table.Length || offset > r.Remaining) throw new FormatException("the table's chunks do not add up to it");
        r.Skip(offset);
        Parallel.ForEach(chunks, chunk => ReadChunk(new SnapshotReader(body, start + chunk.Offset, chunk.Bytes, []), table, chunk.First, chunk.Strings));
        return table;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadChunk(SnapshotReader chunk, string[] table, int first, int count)
    {
        for (var i = first; i < first + count; i++) table[i] = chunk.ReadText();
        if (chunk.Remaining != 0) throw new FormatException($"the chunk of the table from string {first} has bytes after its end");
    }
}

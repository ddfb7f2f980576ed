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

    /// <summary>Reads strings by index into the table of the snapshot it reads a part of.</summary>
    private sealed class StringTableReader : BinaryReader
    {
        /// <summary>A reader of <paramref name="count"/> bytes of <paramref name="body"/> from <paramref name="offset"/>, naming strings in <paramref name="table"/>.</summary>
        public StringTableReader(byte[] body, int offset, int count, string[] table)
            : base(new MemoryStream(body, offset, count, writable: false), System.Text.Encoding.UTF8, leaveOpen: false)
        {
            Origin = offset;
            Table = table;
        }

        /// <summary>Where in the snapshot's bytes this reader's part starts.</summary>
        public int Origin { get; }

        /// <summary>The snapshot's table (what a part read apart later names its strings in).</summary>
        public string[] Table { get; }

        public override string ReadString()
        {
            var id = Read7BitEncodedInt();
            return (uint)id < (uint)Table.Length ? Table[id] : throw new FormatException($"string {id} is not in the table of {Table.Length}");
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
    private static string[] ReadTable(BinaryReader r, byte[] body)
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
        var start = checked((int)r.BaseStream.Position);
        if (first != table.Length || offset > body.Length - start) throw new FormatException("the table's chunks do not add up to it");
        r.BaseStream.Position = start + offset;
        Parallel.ForEach(chunks, chunk => ReadChunk(body, start + chunk.Offset, chunk.Bytes, table, chunk.First, chunk.Strings));
        return table;
    }

    private static void ReadChunk(byte[] body, int offset, int length, string[] table, int first, int count)
    {
        using var chunk = new BinaryReader(new MemoryStream(body, offset, length, writable: false));
        for (var i = first; i < first + count; i++)
        {
            var bytes = chunk.Read7BitEncodedInt();
            var at = (int)chunk.BaseStream.Position;
            if (bytes < 0 || bytes > length - at) throw new FormatException($"string {i} of {bytes} bytes does not fit its chunk");
            table[i] = System.Text.Encoding.UTF8.GetString(body, offset + at, bytes);
            chunk.BaseStream.Position = at + bytes;
        }
        if (chunk.BaseStream.Position != length) throw new FormatException($"the chunk of the table from string {first} has bytes after its end");
    }
}

namespace Pact.Core.Negotiation;

// Every distinct string once: the same agent ids, statuses of terms and category names recur in every session, so a
// table of strings, each record naming its strings by index, keeps the snapshot small and its reading cheap.
public sealed partial record StateSnapshot
{
    /// <summary>Writes each string as its index in <see cref="Table"/>, adding it there the first time (in encoding order, so deterministic).</summary>
    private sealed class StringTableWriter(Stream output) : BinaryWriter(output, System.Text.Encoding.UTF8, leaveOpen: true)
    {
        private Dictionary<string, int> _ids = new(StringComparer.Ordinal);

        public List<string> Table { get; private set; } = [];

        /// <summary>
        /// What <paramref name="write"/> writes, as bytes of their own that name their strings in this writer's table
        /// (a part of the snapshot read apart from the rest: terms, decoded on first use).
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

    /// <summary>Reads strings as text until <see cref="ReadTable"/>, by index into the table from then on.</summary>
    private sealed class StringTableReader(Stream input) : BinaryReader(input, System.Text.Encoding.UTF8, leaveOpen: true)
    {
        private string[]? _table;

        /// <summary>A reader of <paramref name="count"/> bytes of <paramref name="body"/> from <paramref name="offset"/>, naming strings in <paramref name="table"/>.</summary>
        public StringTableReader(byte[] body, int offset, int count, string[] table) : this(new MemoryStream(body, offset, count, writable: false)) => _table = table;

        /// <summary>The table read so far (what a part read apart later names its strings in).</summary>
        public string[] Table => _table ?? throw new InvalidOperationException("The table is not read yet.");

        public void ReadTable()
        {
            var count = ReadInt32();
            if (count < 0 || count > BaseStream.Length - BaseStream.Position) throw new FormatException($"a table of {count} strings cannot fit");
            var table = new string[count];
            for (var i = 0; i < count; i++) table[i] = base.ReadString();
            _table = table;
        }

        public override string ReadString() => _table is null ? base.ReadString() : _table[Read7BitEncodedInt()];
    }
}

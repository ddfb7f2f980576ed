using Microsoft.Data.Sqlite;

namespace Pact.Daemon.Tests.Hardening.StoreTamper;

/// <summary>One byte of pact.db to change: which b-tree's page it lies in, where in the file, and the XOR mask.</summary>
internal sealed record Flip(string BTree, long Page, long Offset, byte Mask)
{
    public override string ToString() => $"{BTree} page {Page} offset {Offset} ^0x{Mask:x2}";

    /// <summary>A copy of <paramref name="file"/> with this byte changed.</summary>
    public byte[] AppliedTo(byte[] file)
    {
        var copy = (byte[])file.Clone();
        copy[Offset] ^= Mask;
        return copy;
    }

    public void ApplyTo(string databasePath)
    {
        using var file = new FileStream(databasePath, FileMode.Open, FileAccess.ReadWrite);
        file.Position = Offset;
        var b = file.ReadByte();
        file.Position = Offset;
        file.WriteByte((byte)(b ^ Mask));
    }
}

/// <summary>
/// The used pages of every b-tree (each table and each index: interior, leaf and overflow pages) of a database file,
/// found by walking each b-tree from its root page as the file format describes it, and flips chosen over them: the
/// same number for every b-tree, each at a random page of it and a random byte of that page.
/// </summary>
internal sealed class PageMap
{
    private readonly byte[] _file;

    private PageMap(byte[] file, int pageSize, IReadOnlyDictionary<string, IReadOnlyList<long>> pages)
    {
        _file = file;
        PageSize = pageSize;
        Pages = pages;
    }

    public int PageSize { get; }

    /// <summary>Each b-tree (table or index name as in sqlite_schema) with its page numbers.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<long>> Pages { get; }

    public static PageMap Read(string databasePath)
    {
        var roots = new List<(string Name, long Root)> { ("sqlite_schema", 1) };
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT name, rootpage FROM sqlite_schema WHERE rootpage > 0 ORDER BY name;";
            using var reader = command.ExecuteReader();
            while (reader.Read()) roots.Add((reader.GetString(0), reader.GetInt64(1)));
        }
        var file = File.ReadAllBytes(databasePath);
        var walker = new BTreeWalker(file);
        var pages = new SortedDictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal);
        foreach (var (name, root) in roots)
        {
            var list = new List<long>();
            walker.Walk(root, list, null);
            list.Sort();
            pages[name] = list;
        }
        return new PageMap(file, walker.PageSize, pages);
    }

    /// <summary>
    /// A digest of everything a read of the file can see: the file header, and every b-tree from page 1 on with each
    /// page's kind, its cells' keys, payloads (overflow included) and child pointers, in tree order. Two files with the
    /// same content digest answer every query alike; free space and bookkeeping that no read uses are left out. Null
    /// when the file cannot be walked (it is then checked the long way).
    /// </summary>
    public static string? ContentDigest(byte[] file)
    {
        try
        {
            var walker = new BTreeWalker(file);
            using var sink = new MemoryStream();
            sink.Write(file, 0, 100);
            // sqlite_schema lists the other roots; walking it first and then every root page it names covers the file's b-trees.
            walker.CollectRoots = true;
            walker.Walk(1, [], sink);
            walker.CollectRoots = false;
            foreach (var root in walker.SchemaRoots().ToList()) walker.Walk(root, [], sink);
            return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(sink.ToArray()));
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentException or InvalidDataException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>Where in <paramref name="page"/> its cell content area starts (0 for an overflow page, which is all content).</summary>
    private int CellContentStart(long page)
    {
        var header = (int)((page - 1) * PageSize) + (page == 1 ? 100 : 0);
        if (_file[header] is not (0x02 or 0x05 or 0x0a or 0x0d)) return 0;
        var start = (_file[header + 5] << 8) | _file[header + 6];
        return start == 0 ? PageSize : Math.Min(start, PageSize - 1);
    }

    /// <summary>At least <paramref name="total"/> flips, the same number per b-tree, reproducible from <paramref name="seed"/>.</summary>
    public List<Flip> ChooseFlips(int seed, int total)
    {
        var random = new Random(seed);
        var perTree = (total + Pages.Count - 1) / Pages.Count;
        var flips = new List<Flip>();
        foreach (var (tree, pages) in Pages)
        {
            for (var i = 0; i < perTree; i++)
            {
                var page = pages[random.Next(pages.Count)];
                // Half the flips land where the page's cells are (used pages of small tables are mostly free space).
                var from = i % 2 == 0 ? CellContentStart(page) : 0;
                var offset = (page - 1) * PageSize + from + random.Next(PageSize - from);
                flips.Add(new Flip(tree, page, offset, (byte)random.Next(1, 256)));
            }
        }
        return flips;
    }
}

/// <summary>Walks SQLite b-tree pages as the file format describes them (interior, leaf and overflow pages), optionally writing their content.</summary>
internal sealed class BTreeWalker
{
    private readonly byte[] _file;
    private readonly int _usable;
    private readonly HashSet<long> _seen = [];
    private readonly List<long> _schemaRoots = [];

    public BTreeWalker(byte[] file)
    {
        _file = file;
        PageSize = (file[16] << 8) | file[17];
        if (PageSize == 1) PageSize = 65536;
        _usable = PageSize - file[20];
    }

    public int PageSize { get; }

    /// <summary>The root pages of the b-trees sqlite_schema lists (found while page 1's tree was walked with a sink).</summary>
    public IEnumerable<long> SchemaRoots() => _schemaRoots;

    /// <summary>Adds <paramref name="page"/> and every page under it to <paramref name="pages"/>, writing their content to <paramref name="sink"/>.</summary>
    public void Walk(long page, List<long> pages, Stream? sink, int depth = 0)
    {
        if (depth > 32 || page < 1 || (long)page * PageSize > _file.Length || !_seen.Add(page)) throw new InvalidDataException($"Bad page {page}.");
        pages.Add(page);
        var start = (int)((page - 1) * PageSize);
        var header = start + (page == 1 ? 100 : 0);
        var type = _file[header];
        if (type is not (0x02 or 0x05 or 0x0a or 0x0d)) throw new InvalidDataException($"Page {page} is not a b-tree page.");
        var interior = type is 0x02 or 0x05;
        var cells = (_file[header + 3] << 8) | _file[header + 4];
        var pointers = header + (interior ? 12 : 8);
        sink?.WriteByte(type);
        for (var i = 0; i < cells; i++)
        {
            var cell = start + ((_file[pointers + 2 * i] << 8) | _file[pointers + 2 * i + 1]);
            if (interior) Walk(BigEndian(cell), pages, sink, depth + 1);
            var at = cell + (interior ? 4 : 0);
            if (type == 0x05)
            {
                var key = Varint(ref at);
                sink?.Write(BitConverter.GetBytes(key));
                continue;
            }
            var payload = Varint(ref at);
            if (type == 0x0d)
            {
                var rowid = Varint(ref at); // read even without a sink: the payload follows it
                sink?.Write(BitConverter.GetBytes(rowid));
            }
            var max = type == 0x0d ? _usable - 35 : ((_usable - 12) * 64 / 255) - 23;
            var local = payload;
            if (payload > max)
            {
                var min = ((_usable - 12) * 32 / 255) - 23;
                local = min + ((payload - min) % (_usable - 4));
                if (local > max) local = min;
            }
            var content = new MemoryStream();
            content.Write(_file, at, (int)local);
            var remaining = payload - local;
            for (var overflow = payload > local ? BigEndian(at + (int)local) : 0; overflow != 0 && remaining > 0;)
            {
                if (!_seen.Add(overflow) || overflow * PageSize > _file.Length) throw new InvalidDataException($"Bad overflow page {overflow}.");
                pages.Add(overflow);
                var o = (int)((overflow - 1) * PageSize);
                var take = (int)Math.Min(remaining, _usable - 4);
                content.Write(_file, o + 4, take);
                remaining -= take;
                overflow = BigEndian(o);
            }
            sink?.Write(content.ToArray());
            if (CollectRoots && type == 0x0d) RememberRoot(content.ToArray());
        }
        if (interior) Walk(BigEndian(header + 8), pages, sink, depth + 1);
    }

    /// <summary>While set, each table-leaf record walked is read as a sqlite_schema row and its rootpage kept.</summary>
    public bool CollectRoots { get; set; }

    /// <summary>Reads a schema record (type, name, tbl_name, rootpage, sql) and keeps its rootpage.</summary>
    private void RememberRoot(byte[] record)
    {
        var at = 0;
        var headerSize = (int)Varint(record, ref at);
        var serials = new List<long>();
        while (at < headerSize) serials.Add(Varint(record, ref at));
        var body = headerSize;
        for (var column = 0; column < serials.Count; column++)
        {
            var serial = serials[column];
            var size = serial switch { 0 or 8 or 9 => 0, 1 => 1, 2 => 2, 3 => 3, 4 => 4, 5 => 6, 6 or 7 => 8, _ => (int)((serial - (serial % 2 == 0 ? 12 : 13)) / 2) };
            if (column == 3)
            {
                long root = serial switch { 8 => 0, 9 => 1, _ => 0 };
                for (var i = 0; i < size; i++) root = (root << 8) | record[body + i];
                if (root > 1) _schemaRoots.Add(root);
                return;
            }
            body += size;
        }
    }

    private long BigEndian(int at) => ((long)_file[at] << 24) | ((long)_file[at + 1] << 16) | ((long)_file[at + 2] << 8) | _file[at + 3];

    private long Varint(ref int at) => Varint(_file, ref at);

    private static long Varint(byte[] bytes, ref int at)
    {
        long value = 0;
        for (var i = 0; i < 8; i++)
        {
            var b = bytes[at++];
            value = (value << 7) | (long)(b & 0x7f);
            if ((b & 0x80) == 0) return value;
        }
        return (value << 8) | bytes[at++];
    }
}

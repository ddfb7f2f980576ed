using Microsoft.Data.Sqlite;

namespace Pact.Daemon.Tests.Hardening.StoreTamper;

/// <summary>One byte of pact.db to change: which b-tree's page it lies in, where in the file, and the XOR mask.</summary>
internal sealed record Flip(string BTree, long Page, long Offset, byte Mask)
{
    public override string ToString() => $"{BTree} page {Page} offset {Offset} ^0x{Mask:x2}";

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
    private PageMap(int pageSize, IReadOnlyDictionary<string, IReadOnlyList<long>> pages)
    {
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
        var pageSize = (file[16] << 8) | file[17];
        if (pageSize == 1) pageSize = 65536;
        var usable = pageSize - file[20];
        var pages = new SortedDictionary<string, IReadOnlyList<long>>(StringComparer.Ordinal);
        foreach (var (name, root) in roots)
        {
            var list = new List<long>();
            Walk(file, pageSize, usable, root, list);
            list.Sort();
            pages[name] = list;
        }
        return new PageMap(pageSize, pages);
    }

    /// <summary>Adds <paramref name="page"/> and every page under it: children, and the overflow chains of its cells.</summary>
    private static void Walk(byte[] file, int pageSize, int usable, long page, List<long> pages)
    {
        pages.Add(page);
        var start = (int)((page - 1) * pageSize);
        var header = start + (page == 1 ? 100 : 0);
        var type = file[header];
        var interior = type is 0x02 or 0x05;
        var cells = (file[header + 3] << 8) | file[header + 4];
        var pointers = header + (interior ? 12 : 8);
        for (var i = 0; i < cells; i++)
        {
            var cell = start + ((file[pointers + 2 * i] << 8) | file[pointers + 2 * i + 1]);
            if (interior) Walk(file, pageSize, usable, BigEndian(file, cell), pages);
            if (type == 0x05) continue; // a table's interior cell holds a key only
            var at = cell + (interior ? 4 : 0);
            var payload = Varint(file, ref at);
            if (type == 0x0d) Varint(file, ref at); // the rowid
            var max = type == 0x0d ? usable - 35 : ((usable - 12) * 64 / 255) - 23;
            if (payload <= max) continue;
            var min = ((usable - 12) * 32 / 255) - 23;
            var local = min + ((payload - min) % (usable - 4));
            if (local > max) local = min;
            for (var overflow = BigEndian(file, at + (int)local); overflow != 0; overflow = BigEndian(file, (int)((overflow - 1) * pageSize)))
                pages.Add(overflow);
        }
        if (interior) Walk(file, pageSize, usable, BigEndian(file, header + 8), pages);
    }

    private static long BigEndian(byte[] file, int at) => ((long)file[at] << 24) | ((long)file[at + 1] << 16) | ((long)file[at + 2] << 8) | file[at + 3];

    private static long Varint(byte[] file, ref int at)
    {
        long value = 0;
        for (var i = 0; i < 8; i++)
        {
            var b = file[at++];
            value = (value << 7) | (long)(b & 0x7f);
            if ((b & 0x80) == 0) return value;
        }
        return (value << 8) | file[at++];
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
                var offset = (page - 1) * PageSize + random.Next(PageSize);
                flips.Add(new Flip(tree, page, offset, (byte)random.Next(1, 256)));
            }
        }
        return flips;
    }
}

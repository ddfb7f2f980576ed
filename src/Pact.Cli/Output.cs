using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Pact.Core.Json;
using Pact.Core.Time;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Pact.Cli;

/// <summary>
/// Writes results: Spectre tables and panels on a terminal, aligned plain text when redirected (so that
/// grep and cut work), JSON under --json.
/// </summary>
internal sealed class Output
{
    private static readonly JsonSerializerOptions IndentedOptions = JsonOptions(indented: true);
    private static readonly JsonSerializerOptions CompactOptions = JsonOptions(indented: false);

    private readonly TextWriter _writer;
    private readonly IAnsiConsole? _console;

    public Output(TextWriter writer, bool rich)
    {
        _writer = writer;
        if (rich)
        {
            _console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.Detect,
                ColorSystem = ColorSystemSupport.Detect,
                Out = new AnsiConsoleOutput(writer),
            });
        }
    }

    public bool Rich => _console is not null;

    public void Line(string text = "")
    {
        if (_console is not null) _console.WriteLine(text);
        else _writer.WriteLine(text);
    }

    /// <summary>A line with Spectre markup on a terminal, <paramref name="plain"/> elsewhere.</summary>
    public void Markup(string markup, string plain)
    {
        if (_console is not null) _console.MarkupLine(markup);
        else _writer.WriteLine(plain);
    }

    /// <summary>Name/value pairs under a title; null values show as "-".</summary>
    public void Fields(string title, IEnumerable<(string Name, string? Value)> fields)
    {
        var list = fields.ToList();
        if (_console is not null)
        {
            var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            foreach (var (name, value) in list) grid.AddRow(new Text(name, new Style(decoration: Decoration.Bold)), new Text(value ?? "-"));
            _console.Write(new Panel(grid).Header(Spectre.Console.Markup.Escape(title)).RoundedBorder());
            return;
        }
        _writer.WriteLine(title);
        var width = list.Count == 0 ? 0 : list.Max(f => f.Name.Length) + 1;
        foreach (var (name, value) in list) _writer.WriteLine($"  {(name + ":").PadRight(width)}  {value ?? "-"}");
    }

    /// <summary>A table; on plain output, columns padded with two spaces between them and a header line.</summary>
    public void Table(string? title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var list = rows.ToList();
        if (_console is not null)
        {
            var table = new Table().RoundedBorder();
            if (title is not null) table.Title(Spectre.Console.Markup.Escape(title));
            for (var i = 0; i < headers.Count; i++)
            {
                // Ids, times and hashes read badly when broken; only the last column (free text) wraps.
                var column = new TableColumn(new Text(headers[i], new Style(decoration: Decoration.Bold)));
                if (i < headers.Count - 1) column.NoWrap();
                table.AddColumn(column);
            }
            foreach (var row in list) table.AddRow(row.Select(c => (IRenderable)new Text(c ?? "-")));
            if (list.Count == 0) table.Caption("(none)");
            _console.Write(table);
            return;
        }
        if (title is not null) _writer.WriteLine(title);
        if (list.Count == 0)
        {
            _writer.WriteLine("  (none)");
            return;
        }
        var widths = headers.Select((h, i) => Math.Max(h.Length, list.Max(r => (i < r.Count ? r[i] ?? "-" : "").Length))).ToArray();
        _writer.WriteLine(Row(headers.Select(h => h.ToUpperInvariant()).ToList(), widths));
        foreach (var row in list) _writer.WriteLine(Row(row, widths));
    }

    private static string Row(IReadOnlyList<string?> cells, int[] widths)
    {
        var parts = new List<string>();
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Count ? cells[i] ?? "-" : "";
            parts.Add(i == widths.Length - 1 ? cell : cell.PadRight(widths[i]));
        }
        return string.Join("  ", parts).TrimEnd();
    }

    /// <summary>Records (a history, a list of duties) as a table of their JSON members; see the JsonArray overload.</summary>
    public void ObjectTable<T>(string title, IEnumerable<T>? items, bool abbreviate = true) =>
        ObjectTable(title, items is null ? null : new JsonArray([.. items.Select(i => (JsonNode?)ToJsonObject(i))]), abbreviate);

    /// <summary>An array of JSON objects as a table, its columns the union of their members in first-seen order.</summary>
    /// <param name="title">The table's title.</param>
    /// <param name="items">The objects.</param>
    /// <param name="abbreviate">Shorten hashes and dids; off where the user must copy them whole (e.g. a withdrawal hash).</param>
    public void ObjectTable(string title, JsonArray? items, bool abbreviate = true)
    {
        var objects = (items ?? []).OfType<JsonObject>().ToList();
        var headers = new List<string>();
        foreach (var o in objects)
        {
            foreach (var (name, _) in o)
            {
                if (!headers.Contains(name)) headers.Add(name);
            }
        }
        if (headers.Count == 0) headers.Add("items");
        Table(title, headers, objects.Select(o => (IReadOnlyList<string?>)headers.Select(h => abbreviate ? Scalar(o[h]) : Text(o[h])).ToList()));
    }

    /// <summary>A JSON value as one cell: strings as they are, hashes and dids shortened, containers summarized.</summary>
    public static string? Scalar(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => Abbreviate(s),
        JsonValue v => v.ToJsonString(),
        JsonArray a => string.Join(", ", a.Select(Scalar)),
        JsonObject o => "{" + string.Join(", ", o.Select(p => $"{p.Key}={Scalar(p.Value)}")) + "}",
        _ => node.ToJsonString(),
    };

    /// <summary>A JSON value in full: a string as it is, anything else as JSON; null stays null.</summary>
    public static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    /// <summary>
    /// Shortens 64-hex digests, did:keys and other long unbroken tokens (signatures), which fill a column without
    /// telling more when whole; --json has them in full.
    /// </summary>
    public static string Abbreviate(string text)
    {
        if (Pact.Core.Encoding.Hex.IsDigest(text)) return text[..12] + "…";
        if (text.StartsWith("did:key:", StringComparison.Ordinal)) return ShortDid(text);
        if (text.Length > 48 && !text.Contains(' ', StringComparison.Ordinal)) return text[..12] + "…";
        return text;
    }

    /// <summary>did:key:z6MkabcdefWXYZ → z6Mkabcd…WXYZ; "daemon" stays.</summary>
    public static string ShortDid(string did)
    {
        var id = did.StartsWith("did:key:", StringComparison.Ordinal) ? did["did:key:".Length..] : did;
        return id.Length <= 16 ? id : id[..8] + "…" + id[^4..];
    }

    public static string? Time(DateTimeOffset? instant) => instant is { } t ? Timestamp.ToText(t) : null;

    /// <summary>A JSON document, indented.</summary>
    public void Json(JsonNode? node) => _writer.WriteLine(node?.ToJsonString(IndentedOptions) ?? "null");

    /// <summary>A result record as JSON, indented, timestamps in the protocol's form.</summary>
    public void Json<T>(T value) => _writer.WriteLine(JsonSerializer.Serialize(value, IndentedOptions));

    /// <summary>A result record as a JSON object (camelCase, timestamps in the protocol's form), to be extended before printing.</summary>
    public static JsonObject ToJsonObject<T>(T value) =>
        JsonSerializer.SerializeToNode(value, CompactOptions) as JsonObject ?? throw new InvalidOperationException($"A {typeof(T).Name} is not a JSON object.");

    /// <summary>One JSON value on one line (JSON Lines, for event streams).</summary>
    public void JsonLine(JsonNode node)
    {
        _writer.WriteLine(node.ToJsonString(CompactOptions));
        _writer.Flush();
    }

    public void Flush() => _writer.Flush();

    /// <summary>Indented JSON for files the user keeps (terms).</summary>
    public static string Indented(JsonNode node) => node.ToJsonString(IndentedOptions);

    /// <summary>A result record as indented JSON for a file the user keeps (an export bundle).</summary>
    public static string Indented<T>(T value) => JsonSerializer.Serialize(value, IndentedOptions);

    private static JsonSerializerOptions JsonOptions(bool indented)
    {
        var options = new JsonSerializerOptions(PactJson.Options) { WriteIndented = indented };
        options.MakeReadOnly();
        return options;
    }
}

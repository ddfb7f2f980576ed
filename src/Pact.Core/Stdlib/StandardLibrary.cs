using Pact.Core.Contracts.Responses;
using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Json;
using Pact.Core.Terms;

namespace Pact.Core.Stdlib;

public sealed record LibraryCategory(string Id, string Definition);

/// <summary>A derivation operation; it may read only the categories in <see cref="OperatesOn"/>.</summary>
public sealed record LibraryOperation(string Id, string Definition, IReadOnlyList<string> OperatesOn, string TypicalParty);

public sealed record LibraryRecipient(string Id, string Definition);

/// <summary>
/// What a draft of this tier starts from: the revocation terms, the negotiation timeout and one
/// retention entry per library category, in the library's category order.
/// </summary>
public sealed record TierDefaults(RevocationTerms Revocation, string? NegotiationTimeout, IReadOnlyList<RetentionEntry> Categories)
{
    public RetentionEntry? For(string category) => Categories.FirstOrDefault(e => e.Category == category);
}

public sealed record LibraryTier(Tier Id, string Definition, TierDefaults Defaults)
{
    internal JsonObject DefaultsJson { get; init; } = [];

    /// <summary>The defaults exactly as the library file writes them (a fresh copy).</summary>
    public JsonObject DefaultsToJson() => (JsonObject)DefaultsJson.DeepClone();
}

/// <summary>
/// A pinned standard library (§4.4): the vocabulary terms may use without defining it, and the tier
/// defaults drafts are built from. pact/1 ships one, contractor-and-service@0.1, loaded once from the
/// embedded copy of the contract's file.
/// </summary>
public sealed class StandardLibrary
{
    public const string ContractorAndServicePin = "contractor-and-service@0.1";
    private const string ResourceName = "Pact.Core.Stdlib.contractor-and-service-0.1.json";

    private static readonly Lazy<StandardLibrary> Builtin = new(() => Load(ResourceName));

    private readonly FrozenDictionary<string, LibraryOperation> _operations;
    private readonly FrozenSet<string> _categories;
    private readonly FrozenSet<string> _recipients;

    private StandardLibrary(string id, string domain, string version, string draftRule, IReadOnlyList<LibraryCategory> categories,
        IReadOnlyList<LibraryOperation> operations, IReadOnlyList<LibraryRecipient> recipients, IReadOnlyList<LibraryTier> tiers)
    {
        Id = id;
        Domain = domain;
        Version = version;
        DraftRule = draftRule;
        Categories = categories;
        Operations = operations;
        Recipients = recipients;
        Tiers = tiers;
        _categories = categories.Select(c => c.Id).ToFrozenSet(StringComparer.Ordinal);
        _recipients = recipients.Select(c => c.Id).ToFrozenSet(StringComparer.Ordinal);
        _operations = operations.ToFrozenDictionary(o => o.Id, StringComparer.Ordinal);
    }

    /// <summary>The pin terms use for this library, "domain@version".</summary>
    public string Id { get; }

    public string Domain { get; }

    public string Version { get; }

    /// <summary>The file's own statement of how drafts are built (what <see cref="DraftBuilder"/> implements).</summary>
    public string DraftRule { get; }

    /// <summary>Categories in library order (the order drafts list them in).</summary>
    public IReadOnlyList<LibraryCategory> Categories { get; }

    public IReadOnlyList<LibraryOperation> Operations { get; }

    public IReadOnlyList<LibraryRecipient> Recipients { get; }

    /// <summary>Tiers in order minimal, standard, advanced.</summary>
    public IReadOnlyList<LibraryTier> Tiers { get; }

    public static StandardLibrary ContractorAndService => Builtin.Value;

    /// <summary>Every library this build knows, in pin order.</summary>
    public static IReadOnlyList<StandardLibrary> All => [Builtin.Value];

    /// <summary>The library a terms' <c>stdlib</c> pin names, or null when none is known by that pin.</summary>
    public static StandardLibrary? Find(string? pin) => All.FirstOrDefault(l => l.Id == pin);

    /// <summary>The newest library for a domain, or null when no library covers it.</summary>
    public static StandardLibrary? ForDomain(string? domain) => All.LastOrDefault(l => l.Domain == domain);

    public bool IsCategory(string id) => _categories.Contains(id);

    public bool IsRecipient(string id) => _recipients.Contains(id);

    public bool IsOperation(string id) => _operations.ContainsKey(id);

    public LibraryOperation? Operation(string id) => _operations.GetValueOrDefault(id);

    public LibraryTier Tier(Tier tier) => Tiers.First(t => t.Id == tier);

    /// <summary>This library's entries as <c>GET /v1/stdlib</c> lists them: categories, operations, recipients, tiers.</summary>
    public IEnumerable<StdlibEntry> EntryList()
    {
        foreach (var c in Categories) yield return new StdlibEntry(c.Id, "category", Domain, Version, c.Definition);
        foreach (var o in Operations) yield return new StdlibEntry(o.Id, "operation", Domain, Version, o.Definition, o.OperatesOn, o.TypicalParty);
        foreach (var r in Recipients) yield return new StdlibEntry(r.Id, "recipient", Domain, Version, r.Definition);
        foreach (var t in Tiers) yield return new StdlibEntry(t.Id.ToWire(), "tier", Domain, Version, t.Definition, Defaults: t.DefaultsToJson());
    }

    /// <summary>The body of <c>GET /v1/stdlib</c> over the given libraries (default: all).</summary>
    public static StdlibEntries Entries(IEnumerable<StandardLibrary>? libraries = null) =>
        new([.. (libraries ?? All).SelectMany(library => library.EntryList())]);

    private static StandardLibrary Load(string resourceName)
    {
        using var stream = typeof(StandardLibrary).Assembly.GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Embedded resource {resourceName} is missing from Pact.Core.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(StrictJson.Parse(buffer.ToArray()));
    }

    /// <summary>Reads a library file. A malformed file is a build defect, so this throws rather than returning errors.</summary>
    internal static StandardLibrary Parse(JsonNode? node)
    {
        var root = node as JsonObject ?? throw Bad("the file is not a JSON object");
        var id = Text(root, "id");
        var domain = Text(root, "domain");
        var version = Text(root, "version");
        if (id != $"{domain}@{version}") throw Bad($"id '{id}' is not domain@version");

        var categories = Items(root, "categories").Select(c => new LibraryCategory(Text(c, "id"), Text(c, "definition"))).ToList();
        var operations = Items(root, "operations").Select(o => new LibraryOperation(
            Text(o, "id"),
            Text(o, "definition"),
            (o["operatesOn"] as JsonArray ?? throw Bad("an operation has no operatesOn")).Select(x => x!.GetValue<string>()).ToList(),
            Text(o, "typicalParty"))).ToList();
        var recipients = Items(root, "recipients").Select(r => new LibraryRecipient(Text(r, "id"), Text(r, "definition"))).ToList();
        var tiers = Items(root, "tiers").Select(ParseTier).ToList();
        if (!tiers.Select(t => t.Id).SequenceEqual(Enum.GetValues<Tier>())) throw Bad("tiers are not minimal, standard, advanced");
        return new StandardLibrary(id, domain, version, Text(root, "draft"), categories, operations, recipients, tiers);
    }

    private static LibraryTier ParseTier(JsonObject tier)
    {
        var name = Text(tier, "id");
        if (!Wire.TryParse<Tier>(name, out var id)) throw Bad($"unknown tier '{name}'");
        var defaults = tier["defaults"] as JsonObject ?? throw Bad($"tier {name} has no defaults");
        // The defaults are terms fragments: read them with the terms reader so they are held to the schema too.
        var errors = new List<FieldError>();
        var reader = new SchemaReader(errors);
        var revocation = TermsReader.ReadRevocation(reader, defaults["revocation"], $"/tiers/{name}/defaults/revocation");
        var timeoutNode = defaults["negotiationTimeout"];
        var timeout = timeoutNode is null ? null : reader.Duration(timeoutNode, $"/tiers/{name}/defaults/negotiationTimeout");
        var entries = new List<RetentionEntry>();
        foreach (var (category, value) in defaults["categories"] as JsonObject ?? throw Bad($"tier {name} has no category defaults"))
        {
            var fragment = (JsonObject)value!.DeepClone();
            fragment.Insert(0, "category", category);
            var entry = TermsReader.ReadRetentionEntry(reader, fragment, $"/tiers/{name}/defaults/categories/{category}");
            if (entry is not null) entries.Add(entry);
        }
        if (errors.Count > 0 || revocation is null)
            throw Bad($"tier {name} defaults are not valid terms: {string.Join("; ", errors.Select(e => $"{e.Pointer}: {e.Message}"))}");
        return new LibraryTier(id, Text(tier, "definition"), new TierDefaults(revocation, timeout, entries)) { DefaultsJson = (JsonObject)defaults.DeepClone() };
    }

    private static string Text(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : throw Bad($"member '{name}' is missing or not a string");

    private static IEnumerable<JsonObject> Items(JsonObject obj, string name) =>
        (obj[name] as JsonArray ?? throw Bad($"'{name}' is not an array")).Select(x => x as JsonObject ?? throw Bad($"an item of '{name}' is not an object"));

    private static InvalidOperationException Bad(string why) => new($"The standard library file is malformed: {why}.");
}

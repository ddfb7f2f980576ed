using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Json;

namespace Pact.Core.Terms;

/// <summary>
/// Reads terms JSON into <see cref="CompactTerms"/>, checking everything terms.schema.json says plus the
/// shape rules §4.2 adds to PACT-101 (real instants, a category once per slice, no upstream disposition
/// without upstream compacts, predecessor null exactly for version 1). Every violation is reported, each
/// with the JSON pointer of the offending node (a missing member: the pointer it would have).
/// </summary>
public static class TermsReader
{
    private static readonly string[] RootMembers =
    [
        "acp", "compactId", "version", "predecessor", "tier", "domain", "stdlib", "parties", "scope",
        "retention", "revocation", "upstream", "definitions", "extensions", "negotiationTimeout",
    ];

    private static readonly string[] PartiesMembers = ["a", "b"];
    private static readonly string[] PartyMembers = ["agent", "principal"];
    private static readonly string[] PrincipalMembers = ["id", "kind", "name"];
    private static readonly string[] ScopeMembers = ["interaction", "effective"];
    private static readonly string[] ScopeOptional = ["outOfScope"];
    private static readonly string[] EffectiveMembers = ["from", "until"];
    private static readonly string[] PredecessorMembers = ["version", "compactHash"];
    private static readonly string[] EntryMembers = ["category", "retain", "derive", "propagate", "disposition"];
    private static readonly string[] DispositionEvents = ["revocation", "expiration", "supersession", "upstream"];
    private static readonly string[] EdgeMembers = ["to", "requiresCompact"];
    private static readonly string[] RequiresCompactMembers = ["minTier"];
    private static readonly string[] RevocationMembers = ["mode", "noticePeriod", "ackTimeout", "emergency", "conditions", "residualObligations"];
    private static readonly string[] UpstreamMembers = ["compactId", "version", "on"];
    private static readonly string[] DefinitionsMembers = ["categories", "operations", "recipients"];
    private static readonly string[] DefinitionMembers = ["id", "definition"];
    private static readonly string[] OperationMembers = ["id", "definition", "operatesOn"];
    private static readonly string[] ExtensionMembers = ["pointer", "note"];
    private static readonly string[] ModeOnly = ["mode"];
    private static readonly string[] ActionOnly = ["action"];

    /// <summary>The terms, or null with every PACT-101 found (sorted by pointer, then code).</summary>
    public static (CompactTerms? Terms, IReadOnlyList<FieldError> Errors) Read(JsonNode? node)
    {
        var r = new SchemaReader([]);
        var terms = ReadTerms(r, node);
        return terms is not null && r.Errors.Count == 0 ? (terms, []) : (null, Sorted(r.Errors));
    }

    /// <summary>Reads a principal { id, kind, name } (also the shape of an agent's principal, §3).</summary>
    public static (Principal? Principal, IReadOnlyList<FieldError> Errors) ReadPrincipal(JsonNode? node, string pointer = "")
    {
        var r = new SchemaReader([]);
        var principal = ReadPrincipal(r, node, pointer);
        return principal is not null && r.Errors.Count == 0 ? (principal, []) : (null, Sorted(r.Errors));
    }

    internal static IReadOnlyList<FieldError> Sorted(IEnumerable<FieldError> errors) =>
        errors.OrderBy(e => e.Pointer, StringComparer.Ordinal).ThenBy(e => e.Code, StringComparer.Ordinal).ToList();

    private static CompactTerms? ReadTerms(SchemaReader r, JsonNode? node)
    {
        var obj = r.Object(node, "", RootMembers);
        if (obj is null) return null;

        var acp = SchemaReader.Member(obj, "acp", "", (n, p) => r.Const(n, p, CompactTerms.AcpVersion));
        var compactId = SchemaReader.Member(obj, "compactId", "", r.CompactId);
        var version = SchemaReader.MemberValue(obj, "version", "", (n, p) => r.Integer(n, p));
        var predecessorOk = true;
        PredecessorRef? predecessor = null;
        if (obj.TryGetPropertyValue("predecessor", out var predNode) && predNode is not null)
        {
            predecessor = ReadPredecessor(r, predNode, "/predecessor");
            predecessorOk = predecessor is not null;
        }
        var tier = SchemaReader.MemberValue(obj, "tier", "", r.Enum<Tier>);
        var domain = SchemaReader.Member(obj, "domain", "", (n, p) => r.String(n, p, 1, 128));
        var stdlib = SchemaReader.Member(obj, "stdlib", "", (n, p) => r.Matching(n, p, SchemaReader.StdlibPattern(), "a library pin like \"contractor-and-service@0.1\""));
        var parties = SchemaReader.Member(obj, "parties", "", (n, p) => ReadParties(r, n, p));
        var scope = SchemaReader.Member(obj, "scope", "", (n, p) => ReadScope(r, n, p));
        var retention = SchemaReader.Member(obj, "retention", "", (n, p) => ReadRetention(r, n, p));
        var revocation = SchemaReader.Member(obj, "revocation", "", (n, p) => ReadRevocation(r, n, p));
        var upstream = SchemaReader.Member(obj, "upstream", "", (n, p) => r.Array(n, p, (i, ip) => ReadUpstream(r, i, ip), maxItems: 64));
        var definitions = SchemaReader.Member(obj, "definitions", "", (n, p) => ReadDefinitions(r, n, p));
        var extensions = SchemaReader.Member(obj, "extensions", "", (n, p) => r.Array(n, p, (i, ip) => ReadExtension(r, i, ip), maxItems: 256));
        var timeoutOk = true;
        string? negotiationTimeout = null;
        if (obj.TryGetPropertyValue("negotiationTimeout", out var timeoutNode) && timeoutNode is not null)
        {
            negotiationTimeout = r.Duration(timeoutNode, "/negotiationTimeout");
            timeoutOk = negotiationTimeout is not null;
        }

        // predecessor is null exactly for version 1 (a wrong non-null one is the negotiation's business, PACT-304).
        if (version is { } v && obj.ContainsKey("predecessor") && predecessorOk)
        {
            if (v == 1 && predNode is not null) r.Fail("/predecessor", "Must be null for version 1.");
            if (v > 1 && predNode is null) r.Fail("/predecessor", $"Version {v} must name the version it supersedes.");
        }

        // An upstream disposition only makes sense when there is an upstream compact to follow. Checked on the
        // JSON, so it is reported even when other parts of the same entry are malformed.
        if (upstream is { Count: 0 })
        {
            foreach (var (pointer, entry) in RawEntries(obj))
            {
                if (entry["disposition"] is JsonObject d && d.ContainsKey("upstream"))
                    r.Fail(pointer + "/disposition/upstream", "There is no upstream compact for an upstream disposition to follow.");
            }
        }

        if (acp is null || compactId is null || version is null || !predecessorOk || tier is null || domain is null || stdlib is null
            || parties is null || scope is null || retention is null || revocation is null || upstream is null || definitions is null
            || extensions is null || !timeoutOk || !obj.ContainsKey("predecessor") || !obj.ContainsKey("negotiationTimeout"))
            return null;

        return new CompactTerms(acp, compactId, version.Value, predecessor, tier.Value, domain, stdlib, parties, scope, retention,
            revocation, upstream, definitions, extensions, negotiationTimeout);
    }

    private static PredecessorRef? ReadPredecessor(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, PredecessorMembers);
        var version = SchemaReader.MemberValue(obj, "version", pointer, (n, p) => r.Integer(n, p));
        var hash = SchemaReader.Member(obj, "compactHash", pointer, r.Hash);
        return version is null || hash is null ? null : new PredecessorRef(version.Value, hash);
    }

    internal static Parties? ReadParties(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, PartiesMembers);
        var a = SchemaReader.Member(obj, "a", pointer, (n, p) => ReadParty(r, n, p));
        var b = SchemaReader.Member(obj, "b", pointer, (n, p) => ReadParty(r, n, p));
        return a is null || b is null ? null : new Parties(a, b);
    }

    private static Party? ReadParty(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, PartyMembers);
        var agent = SchemaReader.Member(obj, "agent", pointer, r.DidKeyId);
        var principal = SchemaReader.Member(obj, "principal", pointer, (n, p) => ReadPrincipal(r, n, p));
        return agent is null || principal is null ? null : new Party(agent, principal);
    }

    private static Principal? ReadPrincipal(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, PrincipalMembers);
        var id = SchemaReader.Member(obj, "id", pointer, (n, p) => r.String(n, p, 1, 256));
        var kind = SchemaReader.MemberValue(obj, "kind", pointer, r.Enum<PrincipalKind>);
        var name = SchemaReader.Member(obj, "name", pointer, (n, p) => r.String(n, p, 1, 256));
        return id is null || kind is null || name is null ? null : new Principal(id, kind.Value, name);
    }

    internal static Scope? ReadScope(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, ScopeMembers, ScopeOptional);
        var interaction = SchemaReader.Member(obj, "interaction", pointer, (n, p) => r.String(n, p, 1, 4096));
        var effective = SchemaReader.Member(obj, "effective", pointer, (n, p) => ReadEffective(r, n, p));
        var outOfScope = SchemaReader.Member(obj, "outOfScope", pointer, (n, p) => r.String(n, p, 0, 4096));
        if (SchemaReader.Has(obj, "outOfScope") && outOfScope is null) return null;
        return interaction is null || effective is null ? null : new Scope(interaction, effective, outOfScope);
    }

    private static EffectiveInterval? ReadEffective(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, EffectiveMembers);
        var from = SchemaReader.MemberValue(obj, "from", pointer, r.Instant);
        var until = SchemaReader.MemberValue(obj, "until", pointer, r.Instant);
        return from is null || until is null ? null : new EffectiveInterval(from.Value, until.Value);
    }

    private static Retention? ReadRetention(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, PartiesMembers);
        var a = SchemaReader.Member(obj, "a", pointer, (n, p) => ReadSlice(r, n, p));
        var b = SchemaReader.Member(obj, "b", pointer, (n, p) => ReadSlice(r, n, p));
        return a is null || b is null ? null : new Retention(a, b);
    }

    private static IReadOnlyList<RetentionEntry>? ReadSlice(SchemaReader r, JsonNode? node, string pointer)
    {
        var slice = r.Array(node, pointer, (n, p) => ReadRetentionEntry(r, n, p), maxItems: 256);
        // A category once per slice; judged on the JSON so a malformed neighbour does not hide a repeat.
        if (node is JsonArray items)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is JsonObject entry && entry["category"] is JsonValue v && v.TryGetValue<string>(out var category) && !seen.Add(category))
                {
                    r.Fail($"{pointer}/{i}/category", $"Category '{category}' appears twice in this slice.");
                    slice = null;
                }
            }
        }
        return slice;
    }

    private static IEnumerable<(string Pointer, JsonObject Entry)> RawEntries(JsonObject terms)
    {
        if (terms["retention"] is not JsonObject retention) yield break;
        foreach (var side in PartiesMembers)
        {
            if (retention[side] is not JsonArray slice) continue;
            for (var i = 0; i < slice.Count; i++)
            {
                if (slice[i] is JsonObject entry) yield return ($"/retention/{side}/{i}", entry);
            }
        }
    }

    internal static RetentionEntry? ReadRetentionEntry(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, EntryMembers);
        var category = SchemaReader.Member(obj, "category", pointer, r.Id);
        var retain = SchemaReader.Member(obj, "retain", pointer, (n, p) => ReadRetain(r, n, p));
        var derive = SchemaReader.Member(obj, "derive", pointer, (n, p) => r.Strings(n, p, r.Id, maxItems: 64, unique: true));
        var propagate = SchemaReader.Member(obj, "propagate", pointer, (n, p) => r.Array(n, p, (i, ip) => ReadEdge(r, i, ip), maxItems: 64));
        var disposition = SchemaReader.Member(obj, "disposition", pointer, (n, p) => ReadDispositions(r, n, p));
        return category is null || retain is null || derive is null || propagate is null || disposition is null
            ? null
            : new RetentionEntry(category, retain, derive, propagate, disposition);
    }

    private static RetainRule? ReadRetain(SchemaReader r, JsonNode? node, string pointer)
    {
        if (node is not JsonObject probe)
        {
            r.Object(node, pointer, ModeOnly);
            return null;
        }
        // oneOf by "mode": find the variant first, then hold the object to that variant's members.
        if (!probe.TryGetPropertyValue("mode", out var modeNode))
        {
            r.Fail(pointer + "/mode", "Member 'mode' is required.");
            return null;
        }
        var mode = r.Enum<RetainMode>(modeNode, pointer + "/mode");
        if (mode is null) return null;
        switch (mode.Value)
        {
            case RetainMode.Period:
                {
                    var obj = r.Object(node, pointer, ["mode", "period", "anchor"]);
                    var period = SchemaReader.Member(obj, "period", pointer, r.Duration);
                    var anchor = SchemaReader.MemberValue(obj, "anchor", pointer, r.Enum<RetainAnchor>);
                    return period is null || anchor is null ? null : new RetainRule(RetainMode.Period, period, anchor);
                }
            case RetainMode.UntilMarker:
                {
                    var obj = r.Object(node, pointer, ["mode", "marker"]);
                    var marker = SchemaReader.Member(obj, "marker", pointer, r.Id);
                    return marker is null ? null : new RetainRule(RetainMode.UntilMarker, Marker: marker);
                }
            default:
                {
                    var obj = r.Object(node, pointer, ModeOnly);
                    return obj is null ? null : new RetainRule(mode.Value);
                }
        }
    }

    private static Dispositions? ReadDispositions(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, [], DispositionEvents);
        if (obj is null) return null;
        var ok = true;
        DispositionRule? Read(string name)
        {
            if (!obj.TryGetPropertyValue(name, out var value)) return null;
            var rule = ReadDisposition(r, value, JsonPointer.Append(pointer, name));
            if (rule is null) ok = false;
            return rule;
        }
        var result = new Dispositions(Read("revocation"), Read("expiration"), Read("supersession"), Read("upstream"));
        return ok ? result : null;
    }

    private static DispositionRule? ReadDisposition(SchemaReader r, JsonNode? node, string pointer)
    {
        if (node is not JsonObject probe)
        {
            r.Object(node, pointer, ActionOnly);
            return null;
        }
        if (!probe.TryGetPropertyValue("action", out var actionNode))
        {
            r.Fail(pointer + "/action", "Member 'action' is required.");
            return null;
        }
        var action = r.Enum<DispositionAction>(actionNode, pointer + "/action");
        if (action is null) return null;
        switch (action.Value)
        {
            case DispositionAction.Retain:
                {
                    var obj = r.Object(node, pointer, ["action", "period"]);
                    var period = SchemaReader.Member(obj, "period", pointer, r.Duration);
                    return period is null ? null : new DispositionRule(DispositionAction.Retain, period);
                }
            case DispositionAction.Transition:
                {
                    var obj = r.Object(node, pointer, ["action", "derive", "propagate"], ["period"]);
                    var period = SchemaReader.Member(obj, "period", pointer, r.Duration);
                    var derive = SchemaReader.Member(obj, "derive", pointer, (n, p) => r.Strings(n, p, r.Id, unique: true));
                    var propagate = SchemaReader.Member(obj, "propagate", pointer, (n, p) => r.Array(n, p, (i, ip) => ReadEdge(r, i, ip)));
                    if (SchemaReader.Has(obj, "period") && period is null) return null;
                    return derive is null || propagate is null ? null : new DispositionRule(DispositionAction.Transition, period, derive, propagate);
                }
            default:
                {
                    var obj = r.Object(node, pointer, ActionOnly);
                    return obj is null ? null : new DispositionRule(action.Value);
                }
        }
    }

    private static PropagationEdge? ReadEdge(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, EdgeMembers);
        var to = SchemaReader.Member(obj, "to", pointer, r.Id);
        var requires = SchemaReader.Member(obj, "requiresCompact", pointer, (n, p) => r.Object(n, p, RequiresCompactMembers));
        var minTier = SchemaReader.MemberValue(requires, "minTier", pointer + "/requiresCompact", r.Enum<Tier>);
        return to is null || minTier is null ? null : new PropagationEdge(to, minTier.Value);
    }

    internal static RevocationTerms? ReadRevocation(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, RevocationMembers);
        var mode = SchemaReader.MemberValue(obj, "mode", pointer, r.Enum<RevocationMode>);
        var notice = SchemaReader.Member(obj, "noticePeriod", pointer, r.Duration);
        var ack = SchemaReader.Member(obj, "ackTimeout", pointer, r.Duration);
        var emergency = SchemaReader.MemberValue(obj, "emergency", pointer, r.Boolean);
        var conditions = SchemaReader.Member(obj, "conditions", pointer, (n, p) => r.Strings(n, p, r.Id, maxItems: 64, unique: true));
        var residual = SchemaReader.Member(obj, "residualObligations", pointer, (n, p) => r.Strings(n, p, (i, ip) => r.String(i, ip, 1, 256), maxItems: 64));
        if (mode == RevocationMode.Conditional && conditions is { Count: 0 })
        {
            r.Fail(pointer + "/conditions", "Conditional revocation needs at least one condition to name.");
            return null;
        }
        return mode is null || notice is null || ack is null || emergency is null || conditions is null || residual is null
            ? null
            : new RevocationTerms(mode.Value, notice, ack, emergency.Value, conditions, residual);
    }

    private static UpstreamRef? ReadUpstream(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, UpstreamMembers);
        var compactId = SchemaReader.Member(obj, "compactId", pointer, r.CompactId);
        var version = SchemaReader.MemberValue(obj, "version", pointer, (n, p) => r.Integer(n, p));
        var on = SchemaReader.Member(obj, "on", pointer, (n, p) => ReadTriggers(r, n, p));
        return compactId is null || version is null || on is null ? null : new UpstreamRef(compactId, version.Value, on);
    }

    private static List<UpstreamTrigger>? ReadTriggers(SchemaReader r, JsonNode? node, string pointer)
    {
        // Read as strings (unique, non-empty), then map: the enum check reports per item.
        var names = r.Strings(node, pointer, (n, p) => r.Enum<UpstreamTrigger>(n, p)?.ToWire(), minItems: 1, unique: true);
        return names?.Select(Wire.Parse<UpstreamTrigger>).ToList();
    }

    private static Definitions? ReadDefinitions(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, DefinitionsMembers);
        var categories = SchemaReader.Member(obj, "categories", pointer, (n, p) => r.Array(n, p, (i, ip) => ReadDefinition(r, i, ip), maxItems: 256));
        var operations = SchemaReader.Member(obj, "operations", pointer, (n, p) => r.Array(n, p, (i, ip) => ReadOperation(r, i, ip), maxItems: 256));
        var recipients = SchemaReader.Member(obj, "recipients", pointer, (n, p) => r.Array(n, p, (i, ip) => ReadDefinition(r, i, ip), maxItems: 256));
        return categories is null || operations is null || recipients is null ? null : new Definitions(categories, operations, recipients);
    }

    private static VocabularyDefinition? ReadDefinition(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, DefinitionMembers);
        var id = SchemaReader.Member(obj, "id", pointer, r.InlineId);
        var definition = SchemaReader.Member(obj, "definition", pointer, (n, p) => r.String(n, p, 1, 4096));
        return id is null || definition is null ? null : new VocabularyDefinition(id, definition);
    }

    private static OperationDefinition? ReadOperation(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, OperationMembers);
        var id = SchemaReader.Member(obj, "id", pointer, r.InlineId);
        var definition = SchemaReader.Member(obj, "definition", pointer, (n, p) => r.String(n, p, 1, 4096));
        var operatesOn = SchemaReader.Member(obj, "operatesOn", pointer, (n, p) => r.Strings(n, p, r.Id, minItems: 1, unique: true));
        return id is null || definition is null || operatesOn is null ? null : new OperationDefinition(id, definition, operatesOn);
    }

    private static TermsExtension? ReadExtension(SchemaReader r, JsonNode? node, string pointer)
    {
        var obj = r.Object(node, pointer, ExtensionMembers);
        var target = SchemaReader.Member(obj, "pointer", pointer, (n, p) => r.Matching(n, p, SchemaReader.PointerPattern(), "a JSON pointer into the terms (empty, or starting with '/')"));
        var note = SchemaReader.Member(obj, "note", pointer, (n, p) => r.String(n, p, 1, 1024));
        return target is null || note is null ? null : new TermsExtension(target, note);
    }
}

using System.Text.Json.Nodes;
using Pact.Core.Time;

namespace Pact.Core.Terms;

/// <summary>
/// The terms both parties sign (§4.1), member for member as terms.schema.json has them. Read them with
/// <see cref="TermsReader"/>; <see cref="ToJson"/> gives back the same JSON value (same JCS bytes), so the
/// model can stand in for the document that was hashed. Durations keep their text: "P7Y" and "P84M" are
/// different terms even where they measure the same time.
/// </summary>
public sealed record CompactTerms(
    string Acp,
    string CompactId,
    long Version,
    PredecessorRef? Predecessor,
    Tier Tier,
    string Domain,
    string Stdlib,
    Parties Parties,
    Scope Scope,
    Retention Retention,
    RevocationTerms Revocation,
    IReadOnlyList<UpstreamRef> Upstream,
    Definitions Definitions,
    IReadOnlyList<TermsExtension> Extensions,
    string? NegotiationTimeout)
{
    /// <summary>The only "acp" value pact/1 terms carry.</summary>
    public const string AcpVersion = "0.1";

    /// <summary>The negotiation timeout as a duration, or null when the terms leave it open.</summary>
    public IsoDuration? NegotiationTimeoutDuration => NegotiationTimeout is null ? null : IsoDuration.Parse(NegotiationTimeout);

    /// <summary>The side the agent is on, or null when it is not a party.</summary>
    public PartyRole? RoleOf(string agentDid) =>
        Parties.A.Agent == agentDid ? PartyRole.A : Parties.B.Agent == agentDid ? PartyRole.B : null;

    public JsonObject ToJson() => new()
    {
        ["acp"] = Acp,
        ["compactId"] = CompactId,
        ["version"] = Version,
        ["predecessor"] = Predecessor?.ToJson(),
        ["tier"] = Tier.ToWire(),
        ["domain"] = Domain,
        ["stdlib"] = Stdlib,
        ["parties"] = Parties.ToJson(),
        ["scope"] = Scope.ToJson(),
        ["retention"] = Retention.ToJson(),
        ["revocation"] = Revocation.ToJson(),
        ["upstream"] = JsonArrays.Of(Upstream, u => u.ToJson()),
        ["definitions"] = Definitions.ToJson(),
        ["extensions"] = JsonArrays.Of(Extensions, e => e.ToJson()),
        ["negotiationTimeout"] = NegotiationTimeout,
    };
}

/// <summary>The version a successor supersedes: its number and its compactHash.</summary>
public sealed record PredecessorRef(long Version, string CompactHash)
{
    public JsonObject ToJson() => new() { ["version"] = Version, ["compactHash"] = CompactHash };
}

public sealed record Parties(Party A, Party B)
{
    public Party this[PartyRole role] => role == PartyRole.A ? A : B;

    public JsonObject ToJson() => new() { ["a"] = A.ToJson(), ["b"] = B.ToJson() };
}

public sealed record Party(string Agent, Principal Principal)
{
    public JsonObject ToJson() => new() { ["agent"] = Agent, ["principal"] = Principal.ToJson() };
}

/// <summary>Who an agent acts for: a did:key or an opaque id, its kind and a display name.</summary>
public sealed record Principal(string Id, PrincipalKind Kind, string Name)
{
    public JsonObject ToJson() => new() { ["id"] = Id, ["kind"] = Kind.ToWire(), ["name"] = Name };
}

public sealed record Scope(string Interaction, EffectiveInterval Effective, string? OutOfScope)
{
    public JsonObject ToJson()
    {
        var obj = new JsonObject { ["interaction"] = Interaction, ["effective"] = Effective.ToJson() };
        // Optional member: absent stays absent.
        if (OutOfScope is not null) obj["outOfScope"] = OutOfScope;
        return obj;
    }
}

/// <summary>The half-open interval [From, Until) in which the compact is effective.</summary>
public sealed record EffectiveInterval(DateTimeOffset From, DateTimeOffset Until)
{
    public bool IsEmpty => From >= Until;

    public bool Contains(DateTimeOffset instant) => instant >= From && instant < Until;

    public JsonObject ToJson() => new() { ["from"] = Timestamp.ToText(From), ["until"] = Timestamp.ToText(Until) };
}

/// <summary>Each party's retention slice: what it may keep, derive and pass on, per category.</summary>
public sealed record Retention(IReadOnlyList<RetentionEntry> A, IReadOnlyList<RetentionEntry> B)
{
    public IReadOnlyList<RetentionEntry> this[PartyRole role] => role == PartyRole.A ? A : B;

    public JsonObject ToJson() => new()
    {
        ["a"] = JsonArrays.Of(A, e => e.ToJson()),
        ["b"] = JsonArrays.Of(B, e => e.ToJson()),
    };
}

/// <summary>One category of one party's slice.</summary>
public sealed record RetentionEntry(
    string Category,
    RetainRule Retain,
    IReadOnlyList<string> Derive,
    IReadOnlyList<PropagationEdge> Propagate,
    Dispositions Disposition)
{
    public JsonObject ToJson() => new()
    {
        ["category"] = Category,
        ["retain"] = Retain.ToJson(),
        ["derive"] = JsonArrays.OfStrings(Derive),
        ["propagate"] = JsonArrays.Of(Propagate, p => p.ToJson()),
        ["disposition"] = Disposition.ToJson(),
    };
}

/// <summary>
/// How long a category is kept while the compact lives. Which members are set follows the mode:
/// <c>period</c> has Period and Anchor, <c>until-marker</c> has Marker, the others have neither.
/// </summary>
public sealed record RetainRule(RetainMode Mode, string? Period = null, RetainAnchor? Anchor = null, string? Marker = null)
{
    public IsoDuration? PeriodDuration => Period is null ? null : IsoDuration.Parse(Period);

    public JsonObject ToJson()
    {
        var obj = new JsonObject { ["mode"] = Mode.ToWire() };
        if (Period is not null) obj["period"] = Period;
        if (Anchor is { } anchor) obj["anchor"] = anchor.ToWire();
        if (Marker is not null) obj["marker"] = Marker;
        return obj;
    }
}

/// <summary>A directed propagation right: the category may go to recipient <see cref="To"/> bound by a compact of at least <see cref="MinTier"/>.</summary>
public sealed record PropagationEdge(string To, Tier MinTier)
{
    public JsonObject ToJson() => new() { ["to"] = To, ["requiresCompact"] = new JsonObject { ["minTier"] = MinTier.ToWire() } };
}

/// <summary>
/// What happens to a category on each lifecycle event. A member is null when the terms leave it out —
/// the schema lets the reader accept that, validation refuses it (PACT-104).
/// </summary>
public sealed record Dispositions(
    DispositionRule? Revocation,
    DispositionRule? Expiration,
    DispositionRule? Supersession,
    DispositionRule? Upstream)
{
    public DispositionRule? this[LifecycleEvent lifecycleEvent] => lifecycleEvent switch
    {
        LifecycleEvent.Revocation => Revocation,
        LifecycleEvent.Expiration => Expiration,
        LifecycleEvent.Supersession => Supersession,
        _ => Upstream,
    };

    /// <summary>The dispositions the terms give, in the order revocation, expiration, supersession, upstream.</summary>
    public IEnumerable<(LifecycleEvent Event, DispositionRule Rule)> Present()
    {
        foreach (var e in Enum.GetValues<LifecycleEvent>())
        {
            if (this[e] is { } rule) yield return (e, rule);
        }
    }

    public JsonObject ToJson()
    {
        var obj = new JsonObject();
        foreach (var (e, rule) in Present()) obj[e.ToWire()] = rule.ToJson();
        return obj;
    }
}

/// <summary>
/// One disposition: <c>delete</c>; <c>retain</c> with Period; <c>transition</c> with Derive and Propagate and an
/// optional Period; <c>retain-indefinitely</c>.
/// </summary>
public sealed record DispositionRule(
    DispositionAction Action,
    string? Period = null,
    IReadOnlyList<string>? Derive = null,
    IReadOnlyList<PropagationEdge>? Propagate = null)
{
    public IsoDuration? PeriodDuration => Period is null ? null : IsoDuration.Parse(Period);

    public JsonObject ToJson()
    {
        var obj = new JsonObject { ["action"] = Action.ToWire() };
        if (Period is not null) obj["period"] = Period;
        if (Derive is not null) obj["derive"] = JsonArrays.OfStrings(Derive);
        if (Propagate is not null) obj["propagate"] = JsonArrays.Of(Propagate, p => p.ToJson());
        return obj;
    }
}

public sealed record RevocationTerms(
    RevocationMode Mode,
    string NoticePeriod,
    string AckTimeout,
    bool Emergency,
    IReadOnlyList<string> Conditions,
    IReadOnlyList<string> ResidualObligations)
{
    public IsoDuration NoticePeriodDuration => IsoDuration.Parse(NoticePeriod);

    public IsoDuration AckTimeoutDuration => IsoDuration.Parse(AckTimeout);

    public JsonObject ToJson() => new()
    {
        ["mode"] = Mode.ToWire(),
        ["noticePeriod"] = NoticePeriod,
        ["ackTimeout"] = AckTimeout,
        ["emergency"] = Emergency,
        ["conditions"] = JsonArrays.OfStrings(Conditions),
        ["residualObligations"] = JsonArrays.OfStrings(ResidualObligations),
    };
}

/// <summary>A compact this one depends on, and which of its lifecycle events carry over.</summary>
public sealed record UpstreamRef(string CompactId, long Version, IReadOnlyList<UpstreamTrigger> On)
{
    public JsonObject ToJson() => new()
    {
        ["compactId"] = CompactId,
        ["version"] = Version,
        ["on"] = JsonArrays.Of(On, t => JsonValue.Create(t.ToWire())),
    };
}

/// <summary>Inline vocabulary for "x-" ids the standard library does not have.</summary>
public sealed record Definitions(
    IReadOnlyList<VocabularyDefinition> Categories,
    IReadOnlyList<OperationDefinition> Operations,
    IReadOnlyList<VocabularyDefinition> Recipients)
{
    public static Definitions Empty { get; } = new([], [], []);

    public JsonObject ToJson() => new()
    {
        ["categories"] = JsonArrays.Of(Categories, c => c.ToJson()),
        ["operations"] = JsonArrays.Of(Operations, o => o.ToJson()),
        ["recipients"] = JsonArrays.Of(Recipients, r => r.ToJson()),
    };
}

public sealed record VocabularyDefinition(string Id, string Definition)
{
    public JsonObject ToJson() => new() { ["id"] = Id, ["definition"] = Definition };
}

public sealed record OperationDefinition(string Id, string Definition, IReadOnlyList<string> OperatesOn)
{
    public JsonObject ToJson() => new() { ["id"] = Id, ["definition"] = Definition, ["operatesOn"] = JsonArrays.OfStrings(OperatesOn) };
}

/// <summary>A declared deviation from a tier rule, covering the node at <see cref="Pointer"/> and everything below it.</summary>
public sealed record TermsExtension(string Pointer, string Note)
{
    public JsonObject ToJson() => new() { ["pointer"] = Pointer, ["note"] = Note };
}

internal static class JsonArrays
{
    public static JsonArray Of<T>(IEnumerable<T> items, Func<T, JsonNode?> map)
    {
        var array = new JsonArray();
        foreach (var item in items) array.Add(map(item));
        return array;
    }

    public static JsonArray OfStrings(IEnumerable<string> items) => Of(items, s => JsonValue.Create(s));
}

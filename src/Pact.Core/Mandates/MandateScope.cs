using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Identity;
using Pact.Core.Ids;

namespace Pact.Core.Mandates;

/// <summary>
/// Where a mandate may act (§14): each member that is given narrows it — the session must be listed in
/// <see cref="Sessions"/>, the other party's agent in <see cref="Counterparties"/>, the compact id must start with
/// <see cref="CompactIdPrefix"/>. An empty scope covers every proposal addressed to the agent.
/// </summary>
public sealed record MandateScope(IReadOnlyList<string>? Sessions, IReadOnlyList<string>? Counterparties, string? CompactIdPrefix)
{
    public static MandateScope Everything { get; } = new(null, null, null);

    /// <summary>Whether a proposal in <paramref name="sessionId"/> for <paramref name="compactId"/>, the other party being <paramref name="counterparty"/>, is in scope.</summary>
    public bool Covers(string sessionId, string counterparty, string compactId) =>
        (Sessions is null || Sessions.Contains(sessionId, StringComparer.Ordinal))
        && (Counterparties is null || Counterparties.Contains(counterparty, StringComparer.Ordinal))
        && (CompactIdPrefix is null || compactId.StartsWith(CompactIdPrefix, StringComparison.Ordinal));

    /// <summary>
    /// Reads <c>scope</c> as the grant carries it, every defect a PACT-101 under <paramref name="pointer"/> (§11 judges the
    /// inside of <c>scope</c> after the envelope checks and visibility).
    /// </summary>
    public static (MandateScope? Scope, IReadOnlyList<FieldError> Errors) Read(JsonNode? node, string pointer)
    {
        var errors = new List<FieldError>();
        void Fail(string at, string message) => errors.Add(new FieldError(at, PactCodes.InvalidPayload, message));
        if (node is not JsonObject obj)
        {
            Fail(pointer, "scope is an object { sessions?, counterparties?, compactIdPrefix? }.");
            return (null, errors);
        }
        foreach (var (name, _) in obj)
        {
            if (name is not ("sessions" or "counterparties" or "compactIdPrefix")) Fail($"{pointer}/{name}", $"Unknown member '{name}'.");
        }
        var sessions = List(obj, "sessions", pointer, s => PactIds.IsDaemonId(s, PactIds.Session), "a session id (ses_…)", Fail);
        var counterparties = List(obj, "counterparties", pointer, DidKey.IsValid, "an Ed25519 did:key", Fail);
        string? prefix = null;
        if (obj.TryGetPropertyValue("compactIdPrefix", out var p))
        {
            if (p is JsonValue v && v.TryGetValue<string>(out var text) && text.Length is > 0 and <= 68) prefix = text;
            else Fail(pointer + "/compactIdPrefix", "compactIdPrefix is a string of 1–68 characters.");
        }
        return errors.Count > 0 ? (null, errors) : (new MandateScope(sessions, counterparties, prefix), errors);
    }

    private static List<string>? List(JsonObject obj, string name, string pointer, Func<string, bool> valid, string what, Action<string, string> fail)
    {
        if (!obj.TryGetPropertyValue(name, out var node)) return null;
        if (node is not JsonArray { Count: > 0 } array)
        {
            fail($"{pointer}/{name}", $"{name} is a non-empty list.");
            return null;
        }
        var items = new List<string>();
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonValue v && v.TryGetValue<string>(out var text) && valid(text)) items.Add(text);
            else fail($"{pointer}/{name}/{i}", $"Each entry is {what}.");
        }
        return items;
    }
}

using System.Text.Json.Nodes;
using Pact.Core.Errors;
using Pact.Core.Terms;
using Pact.Core.Time;

namespace Pact.Core.Compliance;

/// <summary>What a party wants to do with a category: the three dimensions the check judges ("retain", "derive", "propagate").</summary>
public enum ComplianceAction
{
    Retain,
    Derive,
    Propagate,
}

/// <summary>
/// A compliance question (§6.3): may <see cref="Party"/> do <see cref="Action"/> on <see cref="Category"/> at
/// <see cref="At"/> (default now) under <see cref="Version"/> (default the current one)? <see cref="Operation"/>
/// is read for derive, <see cref="Recipient"/> and <see cref="RecipientCompactTier"/> for propagate.
/// </summary>
public sealed record ComplianceRequest(
    PartyRole Party,
    ComplianceAction Action,
    string Category,
    string? Operation = null,
    string? Recipient = null,
    Tier? RecipientCompactTier = null,
    long? Version = null,
    DateTimeOffset? At = null)
{
    public const string Title = "Compliance request is invalid";

    private static readonly string[] Members = ["party", "action", "category", "operation", "recipient", "recipientCompactTier", "version", "at"];

    /// <summary>
    /// Reads the request body. Wrong members are 422 PACT-101 with a pointer each (all of them); unknown members
    /// are ignored (the body is not signed). A present member set to null counts as left out.
    /// </summary>
    public static (ComplianceRequest? Request, PactError? Error) FromJson(JsonNode? body)
    {
        if (body is not JsonObject o) return (null, PactError.InvalidPayload("The body must be a JSON object.", ""));
        var errors = new List<FieldError>();
        void Fail(string member, string message) => errors.Add(new FieldError("/" + member, PactCodes.InvalidPayload, message));

        var party = Enumerated<PartyRole>(o, "party", required: true, Fail, "\"a\" or \"b\"");
        var action = Enumerated<ComplianceAction>(o, "action", required: true, Fail, "\"retain\", \"derive\" or \"propagate\"");
        var category = Text(o, "category", required: true, Fail);
        var operation = Text(o, "operation", required: false, Fail);
        var recipient = Text(o, "recipient", required: false, Fail);
        var tier = Enumerated<Tier>(o, "recipientCompactTier", required: false, Fail, "\"minimal\", \"standard\" or \"advanced\"");

        long? version = null;
        if (o["version"] is { } v)
        {
            if (v is JsonValue value && value.TryGetValue<long>(out var n) && n >= 1) version = n;
            else if (v is JsonValue d && d.TryGetValue<double>(out var x) && x >= 1 && x == Math.Floor(x) && x <= 9007199254740992d) version = (long)x;
            else Fail("version", "version must be a positive integer.");
        }

        DateTimeOffset? at = null;
        if (o["at"] is { } a)
        {
            if (a is JsonValue value && value.TryGetValue<string>(out var text) && Timestamp.TryParse(text, out var instant)) at = instant;
            else Fail("at", "at must be a timestamp like 2026-11-21T22:33:31.123Z.");
        }

        if (errors.Count > 0) return (null, PactError.FromFieldErrors(Title, errors));
        return (new ComplianceRequest(party!.Value, action!.Value, category!, operation, recipient, tier, version, at), null);
    }

    /// <summary>The request as JSON (members left out are null).</summary>
    public JsonObject ToJson() => new()
    {
        [Members[0]] = Party.ToWire(),
        [Members[1]] = Action.ToWire(),
        [Members[2]] = Category,
        [Members[3]] = Operation,
        [Members[4]] = Recipient,
        [Members[5]] = RecipientCompactTier?.ToWire(),
        [Members[6]] = Version,
        [Members[7]] = At is { } t ? Timestamp.ToText(t) : null,
    };

    private static T? Enumerated<T>(JsonObject o, string member, bool required, Action<string, string> fail, string expected) where T : struct, Enum
    {
        var node = o[member];
        if (node is null)
        {
            if (required) fail(member, $"{member} is required: {expected}.");
            return null;
        }
        if (node is JsonValue v && v.TryGetValue<string>(out var text) && Wire.TryParse<T>(text, out var value)) return value;
        fail(member, $"{member} must be {expected}.");
        return null;
    }

    private static string? Text(JsonObject o, string member, bool required, Action<string, string> fail)
    {
        var node = o[member];
        if (node is null)
        {
            if (required) fail(member, $"{member} is required.");
            return null;
        }
        if (node is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 0) return text;
        fail(member, $"{member} must be a non-empty string.");
        return null;
    }
}

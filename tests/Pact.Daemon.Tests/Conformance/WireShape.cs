using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Pact.Daemon.Tests.Conformance;

/// <summary>
/// The shape of a JSON document with the values that change from run to run left out: members in the order
/// written, explicit nulls kept, strings as <c>s</c> and numbers as <c>n</c> (a non-empty list of either as <c>[s…]</c>) — except short lower-case words
/// and upper-case codes (statuses, kinds, check names, warnings), which are written out because they are part of the contract too.
/// Members named in <paramref name="documents"/> (terms, event data) are shown as <c>doc</c>: their shape is
/// the caller's or the event type's, not the response's.
/// </summary>
internal static partial class WireShape
{
    public static readonly string[] Documents = ["terms", "data"];

    public static string Of(JsonNode? node, IReadOnlyCollection<string>? documents = null)
    {
        var sb = new StringBuilder();
        Write(sb, node, documents ?? Documents);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? node, IReadOnlyCollection<string> documents)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject obj:
                sb.Append('{');
                var first = true;
                foreach (var (name, value) in obj)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    sb.Append(name).Append(':');
                    if (documents.Contains(name) && value is not null) sb.Append("doc");
                    else Write(sb, value, documents);
                }
                sb.Append('}');
                break;
            case JsonArray array:
                var items = array.Select(item => Of(item, documents)).ToList();
                // Lists of ids or hashes vary in length with timing (proof paths); their items' kind is what counts.
                if (items.Count > 0 && items.All(i => i == items[0]) && items[0] is "s" or "n") sb.Append('[').Append(items[0]).Append("…]");
                else sb.Append('[').AppendJoin(',', items).Append(']');
                break;
            default:
                var scalar = node.AsValue();
                sb.Append(scalar.GetValueKind() switch
                {
                    JsonValueKind.String when Word().IsMatch(scalar.GetValue<string>()) => '"' + scalar.GetValue<string>() + '"',
                    JsonValueKind.String => "s",
                    JsonValueKind.Number => Integral(node) ? "n" : "f",
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => "?",
                });
                break;
        }
    }

    /// <summary>Whether a number is written as an integer (no fraction, no exponent).</summary>
    private static bool Integral(JsonNode number) => number.ToJsonString().All(c => char.IsAsciiDigit(c) || c == '-');

    [GeneratedRegex(@"^([a-z][a-z0-9-]{0,39}(\.[a-z0-9*-]+)*|[A-Z][A-Z_]{1,39})\z", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}

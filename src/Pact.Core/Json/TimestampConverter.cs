using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pact.Core.Time;

namespace Pact.Core.Json;

/// <summary>
/// Instants written as the protocol writes them (§0: UTC, three fractional digits, 'Z'); read in that form, or in
/// any ISO 8601 form a tolerant reader accepts.
/// </summary>
public sealed class TimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (Timestamp.TryParse(text, out var instant)) return instant;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out instant)
            ? instant
            : throw new JsonException($"'{text}' is not an instant.");
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Timestamp.ToText(value));
}

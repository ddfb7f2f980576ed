namespace Pact.Store.Postgres;

/// <summary>
/// PostgreSQL's text cannot hold U+0000 (SQLite's can, and the free text of a request reaches the read models as it
/// came: a display name, a topic, a label). Every string the shared SQL binds on PostgreSQL goes through
/// <see cref="Encode"/> and every string it reads through <see cref="Decode"/> (<c>Sql.Bind</c> and <c>Sql.Text</c>),
/// so both stores hold and serve the same characters. The events' data is canonical JSON, where NUL is the escape
/// <c>\u0000</c>, so it needs none of this.
/// </summary>
/// <remarks>
/// Text with no NUL that does not start with U+FFFF is stored as it is: every key and almost every value. Any other
/// text is stored as U+FFFF followed by the text with U+FFFF written as U+FFFF U+FFFF and NUL as U+FFFF '0'. Reading
/// undoes that for text starting with U+FFFF, which only an encoded value does. Keys never hold NUL (the daemon makes
/// or checks them), so equality on keys is unchanged.
/// </remarks>
internal static class PostgresText
{
    private const char Escape = '\uFFFF';

    public static string Encode(string text)
    {
        if (text.Length == 0 || (text[0] != Escape && !text.Contains('\0', StringComparison.Ordinal))) return text;
        var encoded = new System.Text.StringBuilder(text.Length + 4).Append(Escape);
        foreach (var c in text)
        {
            if (c == '\0') encoded.Append(Escape).Append('0');
            else if (c == Escape) encoded.Append(Escape).Append(Escape);
            else encoded.Append(c);
        }
        return encoded.ToString();
    }

    public static string Decode(string stored)
    {
        if (stored.Length == 0 || stored[0] != Escape) return stored;
        var text = new System.Text.StringBuilder(stored.Length);
        for (var i = 1; i < stored.Length; i++)
        {
            var c = stored[i];
            if (c == Escape && i + 1 < stored.Length)
                text.Append(stored[++i] == '0' ? '\0' : Escape);
            else
                text.Append(c);
        }
        return text.ToString();
    }
}

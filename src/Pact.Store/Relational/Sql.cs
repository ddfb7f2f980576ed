using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Pact.Store.Postgres;

namespace Pact.Store.Relational;

/// <summary>The few helpers the engine-neutral SQL needs.</summary>
internal static class Sql
{
    /// <summary>
    /// Adds the parameter <paramref name="name"/> (with its <c>@</c>) holding <paramref name="value"/> (null as SQL NULL);
    /// text on PostgreSQL as <see cref="PostgresText"/> stores it, read back with <see cref="Text"/>.
    /// </summary>
    public static DbCommand Bind(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value is string text && command is NpgsqlCommand ? PostgresText.Encode(text) : value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    // U+0000 (NUL) in stored free text is escaped on PostgreSQL (see Bind); in a request's query string it meets keys.
    // No stored key holds it (ids, DIDs and statuses are checked or made by the daemon), so both engines answer as
    // SQLite does when a filter or a cursor holds NUL.

    /// <summary>
    /// Binds a list filter compared with <c>=</c> to stored keys. Text holding NUL equals no key: it is bound as SQL
    /// NULL, which no comparison matches.
    /// </summary>
    public static DbCommand BindFilter(this DbCommand command, string name, string value) =>
        command.Bind(name, value.Contains('\0', StringComparison.Ordinal) ? null : value);

    /// <summary>
    /// Binds a paging cursor compared with <c>&gt;</c> to stored keys in ordinal order. Text holding NUL is cut before
    /// it: a key without NUL is greater than <c>p + "\0" + rest</c> exactly when it is greater than <c>p</c>.
    /// </summary>
    public static DbCommand BindCursor(this DbCommand command, string name, string value) =>
        command.Bind(name, value.IndexOf('\0', StringComparison.Ordinal) is var nul and >= 0 ? value[..nul] : value);

    /// <summary>A command on <paramref name="connection"/> (in <paramref name="transaction"/>, if any) running <paramref name="sql"/>.</summary>
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Whether <paramref name="e"/> is a primary-key or unique violation, in either engine.</summary>
    public static bool IsUniqueViolation(Exception e) =>
        e is SqliteException { SqliteExtendedErrorCode: 1555 or 2067 } || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>The text column <paramref name="ordinal"/> as it was bound (on PostgreSQL, <see cref="PostgresText"/> decoded).</summary>
    public static string Text(this DbDataReader reader, int ordinal) =>
        reader is NpgsqlDataReader ? PostgresText.Decode(reader.GetString(ordinal)) : reader.GetString(ordinal);

    /// <summary>The nullable text column <paramref name="ordinal"/>, as <see cref="Text"/> reads it.</summary>
    public static string? NullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.Text(ordinal);
}

using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Pact.Store.Relational;

/// <summary>The few helpers the engine-neutral SQL needs.</summary>
internal static class Sql
{
    /// <summary>Adds the parameter <paramref name="name"/> (with its <c>@</c>) holding <paramref name="value"/> (null as SQL NULL).</summary>
    public static DbCommand Bind(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

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

    /// <summary>The nullable text column <paramref name="ordinal"/>.</summary>
    public static string? NullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

using Microsoft.Data.Sqlite;

namespace Pact.Store.Sqlite;

/// <summary>
/// The writer connection's prepared statements, kept across requests. Microsoft.Data.Sqlite prepares a command's
/// SQL on its first execution and throws the statement away when the command is disposed; for the handful of
/// small inserts and key look-ups an append runs, parsing and planning cost more than executing. A rented command
/// goes back to the cache when disposed (parameters cleared, statement kept). Writer thread only.
/// </summary>
internal sealed class StatementCache(SqliteConnection connection) : IDisposable
{
    // Every SQL text the writer uses is a constant; the bound keeps a caller that builds SQL dynamically harmless.
    private const int MaxStatements = 256;

    private readonly Dictionary<string, CachedCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>A command for <paramref name="sql"/> bound to <paramref name="transaction"/>; dispose it when done.</summary>
    public SqliteCommand Rent(string sql, SqliteTransaction? transaction)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            if (_commands.Count >= MaxStatements) return new SqliteCommand(sql, connection, transaction);
            command = new CachedCommand(sql, connection);
            _commands[sql] = command;
        }
        else if (command.Rented)
        {
            // The same statement is still in use further up the stack (an open reader): a one-off for this call.
            return new SqliteCommand(sql, connection, transaction);
        }
        command.Rented = true;
        command.Transaction = transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values) command.Close();
        _commands.Clear();
    }

    private sealed class CachedCommand(string sql, SqliteConnection connection) : SqliteCommand(sql, connection)
    {
        private bool _closing;
        private SqliteDataReader? _reader;

        public bool Rented { get; set; }

        public void Close()
        {
            _closing = true;
            Dispose();
        }

        // ExecuteNonQuery and ExecuteScalar go through here too.
        public override SqliteDataReader ExecuteReader(System.Data.CommandBehavior behavior) => _reader = base.ExecuteReader(behavior);

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_closing)
            {
                // Back to the cache: the prepared statement stays, this use's reader, parameters and transaction go
                // (a reader left open would make every later use of the statement throw).
                if (_reader is { IsClosed: false }) _reader.Dispose();
                _reader = null;
                Parameters.Clear();
                Transaction = null;
                Rented = false;
                return;
            }
            base.Dispose(disposing);
        }
    }
}

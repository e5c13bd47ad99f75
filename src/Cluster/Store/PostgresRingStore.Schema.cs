using Npgsql;

namespace MetricsCluster.Cluster.Store;

/// <summary>The table, its creation and the SQL text of every statement (docs/format/ring.md).</summary>
public sealed partial class PostgresRingStore
{
    // SQLSTATEs that CREATE TABLE IF NOT EXISTS raises when another process creates the same table at the same
    // moment: the IF NOT EXISTS check and the catalog inserts are not atomic, so the loser of the race hits the unique
    // index of pg_type (23505), finds the row type already there (42710, seen in tests with 8 racing stores) or sees
    // the relation itself appear (42P07). Either way the table now exists.
    private const string UniqueViolation = "23505";
    private const string DuplicateObject = "42710";
    private const string DuplicateTable = "42P07";

    /// <summary>Creates the table on the first successful connection; a failure leaves it to the next call.</summary>
    private async Task EnsureSchemaAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return;
        }

        await _schemaLock.WaitAsync(cancellationToken);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            await using var cmd = new NpgsqlCommand(_sql.CreateTable, conn);
            try
            {
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState is UniqueViolation or DuplicateObject or DuplicateTable)
            {
                // Another process won the creation race (see above).
            }

            _schemaReady = true;
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    /// <summary>The statements for one table name (validated as a plain identifier, so splicing it is safe).</summary>
    private sealed class Statements
    {
        public Statements(string table)
        {
            Channel = table + "_changed";
            CreateTable =
                $"CREATE TABLE IF NOT EXISTS {table} (" +
                "key text PRIMARY KEY, version bigint NOT NULL, value bytea NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())";
            Select = $"SELECT version, value FROM {table} WHERE key = @key";

            // The NOTIFY rides in the same statement as the write: pg_notify is called once per written row (the
            // LATERAL is correlated to it, so no row means no notification) and is delivered when the statement
            // commits, so a watcher that hears it always reads the new version.
            const string notify = " SELECT w.version FROM w CROSS JOIN LATERAL (SELECT pg_notify(@channel, w.key)) AS n";
            Insert =
                $"WITH w AS (INSERT INTO {table} (key, version, value) VALUES (@key, 1, @value) " +
                "ON CONFLICT (key) DO NOTHING RETURNING key, version)" + notify;
            Update =
                $"WITH w AS (UPDATE {table} SET value = @value, version = version + 1, updated_at = now() " +
                "WHERE key = @key AND version = @version RETURNING key, version)" + notify;
        }

        /// <summary>Gets the NOTIFY channel: the table name plus <c>_changed</c>; the payload is the key.</summary>
        public string Channel { get; }

        public string CreateTable { get; }

        public string Select { get; }

        /// <summary>Gets the first write of a key: version 1, or no row when someone else inserted it first.</summary>
        public string Insert { get; }

        /// <summary>Gets a later write: version + 1, or no row when the version moved on (conflict).</summary>
        public string Update { get; }

        public string Listen => $"LISTEN {Channel}";
    }
}

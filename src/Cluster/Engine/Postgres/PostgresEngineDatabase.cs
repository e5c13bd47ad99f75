using System.Net.Sockets;
using Npgsql;
using Orleans.Runtime;

namespace MetricsCluster.Cluster.Engine.Postgres;

/// <summary>
/// The one PostgreSQL database behind a silo's membership table and grain storage: a pooled data source, the schema
/// (created once per process, safely when several silos start at once) and the error wording shared by both.
/// </summary>
/// <remarks>
/// Every etag of every table is drawn from one sequence, <c>metrics_cluster_etag</c>, so an etag is never reused,
/// not even by a row deleted and created again: a stale writer can never match by coincidence.
/// Schema (all tables carry the <c>metrics_cluster_</c> prefix so the database can be shared with other software):
/// <list type="bullet">
/// <item><c>metrics_cluster_membership_version(cluster_id text PK, version integer, etag bigint)</c>: one row per cluster,
/// Orleans' table version and its etag.</item>
/// <item><c>metrics_cluster_membership(cluster_id, silo_address, ...)</c>: one row per silo incarnation (see <see cref="PostgresMembershipTable"/>).</item>
/// <item><c>metrics_cluster_grain_state(service_id, grain_type, grain_id, state_name, payload bytea, etag bigint)</c>
/// (see <see cref="PostgresGrainStorage"/>).</item>
/// </list>
/// </remarks>
internal sealed class PostgresEngineDatabase : IAsyncDisposable, IDisposable
{
    /// <summary>Key of the transaction-scoped advisory lock that serialises schema creation ("MCENGINE" in ASCII).</summary>
    private const long SchemaLockKey = 0x4D43_454E_4749_4E45;

    // CREATE TABLE IF NOT EXISTS alone races: two sessions can both pass the existence check and one then fails on
    // the pg_type unique index. The advisory lock makes the silos of one database create it one after another.
    private const string SchemaSql = """
        SELECT pg_advisory_xact_lock(@lock);
        CREATE SEQUENCE IF NOT EXISTS metrics_cluster_etag;
        CREATE TABLE IF NOT EXISTS metrics_cluster_membership_version (
            cluster_id  text    NOT NULL PRIMARY KEY,
            version     integer NOT NULL,
            etag        bigint  NOT NULL
        );
        CREATE TABLE IF NOT EXISTS metrics_cluster_membership (
            cluster_id        text        NOT NULL REFERENCES metrics_cluster_membership_version (cluster_id) ON DELETE CASCADE,
            silo_address      text        NOT NULL,
            silo_name         text        NOT NULL,
            host_name         text        NOT NULL,
            status            integer     NOT NULL,
            proxy_port        integer     NOT NULL,
            role_name         text        NULL,
            update_zone       integer     NOT NULL,
            fault_zone        integer     NOT NULL,
            start_time        timestamptz NOT NULL,
            i_am_alive_time   timestamptz NOT NULL,
            suspecting_silos  text[]      NOT NULL,
            suspecting_times  timestamptz[] NOT NULL,
            etag              bigint      NOT NULL,
            PRIMARY KEY (cluster_id, silo_address)
        );
        CREATE TABLE IF NOT EXISTS metrics_cluster_grain_state (
            service_id  text        NOT NULL,
            grain_type  text        NOT NULL,
            grain_id    text        NOT NULL,
            state_name  text        NOT NULL,
            payload     bytea       NOT NULL,
            etag        bigint      NOT NULL,
            updated_at  timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (service_id, grain_type, grain_id, state_name)
        );
        """;

    private readonly NpgsqlDataSource _dataSource;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>Initializes a new instance of the <see cref="PostgresEngineDatabase"/> class.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    public PostgresEngineDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);

        // Named in every error; the password never is.
        Endpoint = $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary>Gets "PostgreSQL host:port/database", for messages.</summary>
    public string Endpoint { get; }

    /// <summary>Opens a connection, creating the schema on the first call of this process.</summary>
    /// <param name="operation">What the caller is doing, for the error message.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>An open connection the caller disposes.</returns>
    public async Task<NpgsqlConnection> OpenAsync(string operation, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(operation, cancellationToken);
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(operation, e);
        }
    }

    /// <summary>Creates the tables if they are missing; safe to call from several processes at once.</summary>
    /// <param name="operation">What the caller is doing, for the error message.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>A task that completes when the tables exist.</returns>
    public async Task EnsureSchemaAsync(string operation, CancellationToken cancellationToken = default)
    {
        if (_schemaReady)
        {
            return;
        }

        await _schemaGate.WaitAsync(cancellationToken);
        try
        {
            if (_schemaReady)
            {
                return;
            }

            await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using NpgsqlTransaction tx = await connection.BeginTransactionAsync(cancellationToken);
            await using (var command = new NpgsqlCommand(SchemaSql, connection, tx))
            {
                command.Parameters.AddWithValue("lock", SchemaLockKey);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await tx.CommitAsync(cancellationToken);
            _schemaReady = true;
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(operation, e);
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    /// <summary>
    /// Wraps a failure to reach or use the database into an exception that names the endpoint (never the password).
    /// </summary>
    /// <param name="operation">What the caller was doing.</param>
    /// <param name="inner">The Npgsql or socket failure.</param>
    /// <returns>The exception to throw.</returns>
    /// <remarks>
    /// The Npgsql exception is named, not attached: this exception crosses silos (a grain's storage failure reaches
    /// its caller), and Orleans has no codec for Npgsql's types, so an attached one turned the whole reply into a
    /// CodecNotFoundException that named nothing.
    /// </remarks>
    public OrleansException Unavailable(string operation, Exception inner) =>
        new($"{operation} failed: {Endpoint} could not be used ({inner.GetType().Name}: {inner.Message})");

    /// <summary>Tells whether <paramref name="e"/> is a database or network failure (not a caller bug).</summary>
    /// <param name="e">The exception.</param>
    /// <returns><see langword="true"/> for Npgsql, socket, I/O and timeout failures.</returns>
    public static bool IsUnavailable(Exception e) =>
        e is NpgsqlException or SocketException or IOException or TimeoutException;

    /// <inheritdoc />
    /// <remarks>Both forms exist because a container disposed synchronously refuses IAsyncDisposable-only singletons.</remarks>
    public void Dispose()
    {
        _dataSource.Dispose();
        _schemaGate.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        _schemaGate.Dispose();
    }
}

using Google.Protobuf;
using MetricsCluster.Cluster.Ring;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MetricsCluster.Cluster.Store;

/// <summary>
/// The <c>postgres</c> membership store: one row per ring key in a table (<c>docs/format/ring.md</c>), updated with
/// compare-and-swap on a version column, with a NOTIFY after every write so watchers in other processes refresh at
/// once.
/// </summary>
/// <remarks>
/// <para>Every database round trip is bounded by <see cref="RingStoreOptions.OperationTimeout"/>; a server that is down
/// or too slow surfaces as <see cref="RingStoreUnavailableException"/>, so callers fall back to their last known ring
/// instead of hanging. Conflicts (another writer won) are retried with jittered backoff; outages are not retried
/// beyond one reconnect, because the caller's own loop (heartbeat, watch) already retries.</para>
/// <para>Thread-safe. Cancel every watch before disposing the store.</para>
/// </remarks>
public sealed partial class PostgresRingStore : IRingStore, IAsyncDisposable
{
    // Full-jitter backoff between CAS attempts: uniform in [0, min(cap, base * 2^attempt)]. The base keeps two
    // racing heartbeats apart after one round trip; the cap keeps a crowded key from stalling a writer for long.
    private static readonly TimeSpan s_casBackoffBase = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_casBackoffCap = TimeSpan.FromSeconds(1);

    private readonly RingStoreOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _listenDataSource;
    private readonly Statements _sql;
    private readonly string _endpoint;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>Initializes a new instance of the <see cref="PostgresRingStore"/> class; connects lazily.</summary>
    /// <param name="options">The store settings; the postgres ones are validated here.</param>
    /// <param name="logger">Receives outages seen by watches.</param>
    /// <param name="timeProvider">The clock of timeouts, polls and backoffs (G6).</param>
    /// <exception cref="ArgumentException">A postgres setting is invalid; the message names its flag.</exception>
    public PostgresRingStore(RingStoreOptions options, ILogger<PostgresRingStore> logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.ValidatePostgres();
        _options = options;
        _logger = logger;
        _time = timeProvider;
        _sql = new Statements(options.PostgresTable);

        // Whole seconds, rounded up: Npgsql's resolution. The caller-side bound in RunAsync is exact.
        int seconds = (int)Math.Ceiling(options.OperationTimeout.TotalSeconds);
        var builder = new NpgsqlConnectionStringBuilder(options.PostgresConnectionString)
        {
            Timeout = seconds,
            CommandTimeout = seconds,
            CancellationTimeout = 500,
        };
        _endpoint = $"{builder.Host}:{builder.Port}";
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);

        // Each watch holds one LISTEN connection for its lifetime; unpooled so that closing it really ends the
        // session (and its LISTEN) instead of parking it in the pool.
        builder.Pooling = false;
        _listenDataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <inheritdoc />
    public Task<VersionedRingDesc?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return RunAsync(key, (conn, ct) => ReadAsync(conn, key, ct), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Makes at most <see cref="RingStoreOptions.MaxCasRetries"/> attempts; when other writers win every one of them
    /// it throws <see cref="RingStoreUnavailableException"/> naming the key and the attempts, so callers treat it
    /// like any other store failure (keep the last known ring, try again next heartbeat).
    /// </remarks>
    public async Task<VersionedRingDesc?> CasAsync(string key, Func<RingDesc?, RingDesc?> update, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(update);
        for (int attempt = 1; attempt <= _options.MaxCasRetries; attempt++)
        {
            // A fresh parse per attempt: update may mutate what it is given.
            VersionedRingDesc? current = await GetAsync(key, cancellationToken);
            RingDesc? next = update(current?.Desc);
            if (next is null)
            {
                return current;
            }

            byte[] value = next.ToByteArray();
            long? written = await RunAsync(key, (conn, ct) => WriteAsync(conn, key, current?.Version, value, ct), cancellationToken);
            if (written is long version)
            {
                return new VersionedRingDesc(next, version);
            }

            if (attempt < _options.MaxCasRetries)
            {
                await Task.Delay(CasBackoff(attempt), _time, cancellationToken);
            }
        }

        throw new RingStoreUnavailableException(
            $"compare-and-swap of ring key '{key}' in table {_options.PostgresTable} gave up after {_options.MaxCasRetries} attempts: " +
            "other writers changed it every time (see --ring.postgres.max-cas-retries)");
    }

    /// <summary>Closes the pooled connections. Watches still running fail and keep retrying until cancelled.</summary>
    /// <returns>A task that completes when the pools are closed.</returns>
    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        await _listenDataSource.DisposeAsync();
        _schemaLock.Dispose();
    }

    private static TimeSpan CasBackoff(int attempt)
    {
        double ceilingMs = Math.Min(s_casBackoffCap.TotalMilliseconds, s_casBackoffBase.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceilingMs);
    }

    private async Task<VersionedRingDesc?> ReadAsync(NpgsqlConnection conn, string key, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(_sql.Select, conn);
        cmd.Parameters.AddWithValue("key", key);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        long version = reader.GetInt64(0);
        byte[] value = (byte[])reader.GetValue(1);
        try
        {
            return new VersionedRingDesc(RingDesc.Parser.ParseFrom(value), version);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RingStoreUnavailableException(
                $"ring key '{key}' version {version} in table {_options.PostgresTable}: the value is not a RingDesc ({value.Length} bytes)", e);
        }
    }

    /// <returns>The new version, or null when another writer changed the row first (conflict).</returns>
    private async Task<long?> WriteAsync(NpgsqlConnection conn, string key, long? expectedVersion, byte[] value, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(expectedVersion is null ? _sql.Insert : _sql.Update, conn);
        cmd.Parameters.AddWithValue("key", key);
        cmd.Parameters.AddWithValue("value", value);
        cmd.Parameters.AddWithValue("channel", _sql.Channel);
        if (expectedVersion is long expected)
        {
            cmd.Parameters.AddWithValue("version", expected);
        }

        object? result = await cmd.ExecuteScalarAsync(cancellationToken);
        return result is long version ? version : null;
    }
}

using System.Runtime.CompilerServices;
using MetricsCluster.Cluster.Ring;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MetricsCluster.Cluster.Store;

/// <summary>Watching one key: LISTEN for the writers' NOTIFY, and poll as a heartbeat of the store itself.</summary>
public sealed partial class PostgresRingStore
{
    /// <inheritdoc />
    /// <remarks>
    /// <para>Yields the current descriptor at once, again as soon as a NOTIFY for <paramref name="key"/> arrives (a
    /// write by any process), and otherwise every <see cref="RingStoreOptions.PollInterval"/>, <b>even when nothing
    /// changed</b>: each yield is a successful read, so consumers (the ring client) treat it as proof that the store
    /// is alive and may compare versions to skip unchanged descriptors. A key never written yields an empty
    /// <see cref="RingDesc"/> with version 0.</para>
    /// <para>While the server cannot be reached the watch yields nothing and throws nothing: it logs a warning,
    /// reconnects every poll interval and resumes with a fresh read once the server is back (notifications sent in
    /// between are lost, the read covers them). Cancelling <paramref name="cancellationToken"/> ends it with
    /// <see cref="OperationCanceledException"/>.</para>
    /// </remarks>
    public async IAsyncEnumerable<VersionedRingDesc> WatchAsync(string key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await using var watch = new KeyWatch(this, key);
        while (true)
        {
            yield return await watch.NextAsync(cancellationToken);
        }
    }

    /// <summary>The state of one watch: its own LISTEN connection and when it last read. Not thread-safe.</summary>
    private sealed class KeyWatch : IAsyncDisposable
    {
        private readonly PostgresRingStore _store;
        private readonly string _key;
        private NpgsqlConnection? _conn;
        private volatile bool _notified;
        private long _lastRead;
        private bool _failing;

        public KeyWatch(PostgresRingStore store, string key)
        {
            _store = store;
            _key = key;
        }

        /// <summary>Waits for the next read to be due, reads, and retries through outages until it succeeds.</summary>
        public async Task<VersionedRingDesc> NextAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                try
                {
                    if (_conn is null)
                    {
                        // A (re)connected watch reads at once: notifications sent while it was away are lost.
                        await ConnectAsync(cancellationToken);
                    }
                    else
                    {
                        await WaitForChangeOrPollAsync(_conn, cancellationToken);
                    }

                    VersionedRingDesc current = await ReadAsync(_conn!, cancellationToken);
                    if (_failing)
                    {
                        _failing = false;
                        _store._logger.LogInformation(
                            "ring store postgres at {Endpoint}: watch of key {Key} reads again (version {Version})", _store._endpoint, _key, current.Version);
                    }

                    return current;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
                catch (Exception e) when (IsConnectionFailure(e) || e is PostgresException or RingStoreUnavailableException)
                {
                    LogFailure(e);
                    await DropConnectionAsync();
                    await Task.Delay(_store._options.PollInterval, _store._time, cancellationToken);
                }
            }
        }

        public ValueTask DisposeAsync() => DropConnectionAsync();

        private async Task ConnectAsync(CancellationToken cancellationToken)
        {
            using var timeout = new CancellationTokenSource(_store._options.OperationTimeout, _store._time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            NpgsqlConnection conn = await _store._listenDataSource.OpenConnectionAsync(linked.Token);
            try
            {
                await _store.EnsureSchemaAsync(conn, linked.Token);
                conn.Notification += OnNotification;
                await using var listen = new NpgsqlCommand(_store._sql.Listen, conn);
                await listen.ExecuteNonQueryAsync(linked.Token);
            }
            catch
            {
                await conn.DisposeAsync();
                throw;
            }

            _conn = conn;
        }

        private async Task WaitForChangeOrPollAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
        {
            // Notifications for other keys of the same table also wake WaitAsync; keep waiting out the poll
            // interval unless ours arrived.
            while (!_notified)
            {
                TimeSpan left = _store._options.PollInterval - _store._time.GetElapsedTime(_lastRead);
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                // Whole milliseconds, at least 1: Npgsql passes the timeout to the socket, where 0 means wait forever
                // (a remainder under 1 ms hung the watch until the next notification).
                int ms = Math.Max(1, (int)Math.Ceiling(left.TotalMilliseconds));
                await conn.WaitAsync(ms, cancellationToken);
            }
        }

        private async Task<VersionedRingDesc> ReadAsync(NpgsqlConnection conn, CancellationToken cancellationToken)
        {
            // Cleared before reading, so a notification that lands during the read triggers one more read.
            _notified = false;
            using var timeout = new CancellationTokenSource(_store._options.OperationTimeout, _store._time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            VersionedRingDesc? current = await _store.ReadAsync(conn, _key, linked.Token);
            _lastRead = _store._time.GetTimestamp();
            return current ?? new VersionedRingDesc(new RingDesc(), 0);
        }

        private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
        {
            if (e.Payload == _key)
            {
                _notified = true;
            }
        }

        private void LogFailure(Exception e)
        {
            if (!_failing)
            {
                _failing = true;
                _store._logger.LogWarning(
                    "ring store postgres at {Endpoint}: watch of key {Key} failed ({Error}); retrying every {Interval}, the last known ring stays in use",
                    _store._endpoint, _key, e.Message, _store._options.PollInterval);
            }
            else
            {
                _store._logger.LogDebug("ring store postgres at {Endpoint}: watch of key {Key} still failing ({Error})", _store._endpoint, _key, e.Message);
            }
        }

        private async ValueTask DropConnectionAsync()
        {
            if (_conn is { } conn)
            {
                _conn = null;
                conn.Notification -= OnNotification;
                try
                {
                    await conn.DisposeAsync();
                }
                catch (Exception e) when (IsConnectionFailure(e) || e is PostgresException)
                {
                    // Closing a broken session may fail; it is gone either way.
                }
            }
        }
    }
}

using System.Net.Sockets;
using Npgsql;

namespace MetricsCluster.Cluster.Store;

/// <summary>Bounded database round trips and the mapping of their failures to <see cref="RingStoreUnavailableException"/>.</summary>
public sealed partial class PostgresRingStore
{
    private const string UndefinedTable = "42P01";

    /// <summary>
    /// Runs <paramref name="operation"/> on a pooled connection within <see cref="RingStoreOptions.OperationTimeout"/>
    /// in total. A connection failure clears the pool and, while budget remains, tries once more on a fresh
    /// connection: after a server restart every pooled connection is dead, and only the first use finds out.
    /// </summary>
    private async Task<T> RunAsync<T>(string key, Func<NpgsqlConnection, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        bool retried = false;
        while (true)
        {
            TimeSpan budget = _options.OperationTimeout - _time.GetElapsedTime(start);
            try
            {
                if (budget <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"no time left of the {_options.OperationTimeout} operation timeout");
                }

                return await RunOnceAsync(operation, budget, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (PostgresException e) when (e.SqlState == UndefinedTable && !retried)
            {
                // The table is gone (a fresh database behind the same address): create it again.
                _schemaReady = false;
                retried = true;
            }
            catch (Exception e) when (IsConnectionFailure(e))
            {
                _dataSource.Clear();
                if (retried || e is TimeoutException or OperationCanceledException)
                {
                    throw Unavailable(key, e);
                }

                retried = true;
            }
            catch (PostgresException e)
            {
                throw Unavailable(key, e);
            }
        }
    }

    private async Task<T> RunOnceAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> operation, TimeSpan budget, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(budget, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        Task<T> work = OpenAndRunAsync(operation, linked.Token);
        try
        {
            // Npgsql honours the token, but a cancellation that must reach a dead server can take a while; this
            // bound is what guarantees the caller its answer on time.
            return await work.WaitAsync(budget, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            await linked.CancelAsync();
            _ = work.ContinueWith(
                static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
    }

    private async Task<T> OpenAndRunAsync<T>(Func<NpgsqlConnection, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection conn = await _dataSource.OpenConnectionAsync(cancellationToken);
        await EnsureSchemaAsync(conn, cancellationToken);
        return await operation(conn, cancellationToken);
    }

    /// <summary>
    /// True for failures that say "the server cannot be reached right now" rather than "the server rejected this":
    /// socket and I/O errors, timeouts, and the SQLSTATE classes 08 (connection exception), 57P (shutdown, not yet
    /// accepting connections) and 53 (too many connections).
    /// </summary>
    private static bool IsConnectionFailure(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("53", StringComparison.Ordinal),
        NpgsqlException or SocketException or IOException or TimeoutException or OperationCanceledException => true,
        _ => false,
    };

    private RingStoreUnavailableException Unavailable(string key, Exception e)
    {
        string what = e is TimeoutException or OperationCanceledException
            ? $"no answer within {_options.OperationTimeout}"
            : e.Message;

        // The endpoint, never the connection string: it may hold a password.
        return new RingStoreUnavailableException($"ring store postgres at {_endpoint}, key '{key}': {what}", e);
    }
}

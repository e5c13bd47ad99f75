using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Tsdb.Wal;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Ingester;

/// <summary>
/// Keeps one tenant's WAL writable through I/O errors such as a full disk. A failed append is answered with a
/// retryable <see cref="IngesterUnavailableException"/> (nothing of it was acknowledged), and while the WAL is
/// failed each push, and the sync loop, try <see cref="WriteAheadLog.Recover"/> at most once per
/// <see cref="IngesterOptions.WalRecoveryInterval"/>, so the tenant heals once space is back without a restart and
/// without re-reading a segment on every push. Errors are logged once when the failure starts, then at most once
/// per <see cref="LogInterval"/> with the count since (a retrying client would otherwise log thousands a minute).
/// Thread-safe.
/// </summary>
internal sealed class WalGuard
{
    /// <summary>How often a persisting failure is logged again.</summary>
    internal static readonly TimeSpan LogInterval = TimeSpan.FromMinutes(1);

    private readonly string _tenant;
    private readonly TimeSpan _retryInterval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private long _nextAttempt;
    private long _nextLog;
    private long _suppressed;
    private long _errors;
    private bool _failing;

    internal WalGuard(string tenant, TimeSpan retryInterval, TimeProvider time, ILogger logger)
    {
        _tenant = tenant;
        _retryInterval = retryInterval;
        _time = time;
        _logger = logger;
    }

    /// <summary>Write errors of this tenant's WAL since start (failed appends and failed recoveries).</summary>
    internal long Errors => Interlocked.Read(ref _errors);

    /// <summary>
    /// Returns when <paramref name="wal"/> can take an append, recovering it if it failed and a recovery is due;
    /// otherwise throws the retryable error a push answers with.
    /// </summary>
    internal void EnsureWritable(WriteAheadLog wal)
    {
        if (!wal.Failed)
        {
            return;
        }

        if (!TryRecover(wal))
        {
            throw Unavailable("the disk is still failing");
        }
    }

    /// <summary>Recovers <paramref name="wal"/> if it failed and no attempt ran within the retry interval; true when it is writable.</summary>
    internal bool TryRecover(WriteAheadLog wal)
    {
        lock (_lock)
        {
            if (!wal.Failed)
            {
                return true;
            }

            long now = _time.GetTimestamp();
            if (now < _nextAttempt)
            {
                return false;
            }

            _nextAttempt = now + (long)(_retryInterval.TotalSeconds * _time.TimestampFrequency);
            try
            {
                wal.Recover();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Interlocked.Increment(ref _errors);
                LogSampled(e, "recovering the WAL failed");
                return false;
            }

            // Healed only once a write succeeds (OnWriteSucceeded): a fresh segment can be created on a disk that is
            // still too full for the records that follow.
            return true;
        }
    }

    /// <summary>True from a write error until a write succeeds again.</summary>
    internal bool Failing => Volatile.Read(ref _failing);

    /// <summary>Call after each successful append: ends a failure (logged once) so the next one is logged at once.</summary>
    internal void OnWriteSucceeded()
    {
        if (!Volatile.Read(ref _failing))
        {
            return;
        }

        lock (_lock)
        {
            if (_failing)
            {
                _logger.LogWarning("tenant {Tenant}: WAL writable again after {Errors} write errors; accepting writes", _tenant, Errors);
                _failing = false;
                _nextLog = 0;
                _suppressed = 0;
            }
        }
    }

    /// <summary>Counts and logs (sampled) an append that failed on the WAL; returns the exception the push answers with.</summary>
    internal IngesterUnavailableException OnWriteError(Exception e)
    {
        Interlocked.Increment(ref _errors);
        lock (_lock)
        {
            Volatile.Write(ref _failing, true);
            // The first recovery attempt waits one interval: an immediate one would hit the same full disk.
            _nextAttempt = _time.GetTimestamp() + (long)(_retryInterval.TotalSeconds * _time.TimestampFrequency);
            LogSampled(e, "writing the WAL failed; refusing writes until it recovers");
        }

        return Unavailable(e.Message);
    }

    private IngesterUnavailableException Unavailable(string why) => new(
        $"tenant {_tenant}: the ingester cannot write its WAL ({why}); the push was not stored, retry {ErrorId.Tag(ErrorId.IngesterWalWriteFailing)}. " +
        "Free space on the ingester's data volume; it recovers without a restart");

    // Caller holds _lock.
    private void LogSampled(Exception e, string what)
    {
        long now = _time.GetTimestamp();
        if (now < _nextLog)
        {
            _suppressed++;
            return;
        }

        _nextLog = now + (long)(LogInterval.TotalSeconds * _time.TimestampFrequency);
        _logger.LogError(e, "tenant {Tenant}: {What} ({Suppressed} similar errors since the last log)", _tenant, what, _suppressed);
        _suppressed = 0;
    }
}

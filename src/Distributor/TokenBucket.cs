namespace MetricsCluster.Distributor;

/// <summary>
/// A token bucket with the semantics of Go's <c>rate.Limiter.AllowN</c>, which Mimir's ingestion
/// limiter uses: it starts full, refills continuously at the rate up to the burst, and a request
/// either takes all its tokens or none; an infinite rate, like Go's <c>rate.Inf</c>, admits everything.
/// Rate and burst are passed on each call so runtime overrides apply immediately. Thread-safe.
/// </summary>
public sealed class TokenBucket
{
    private readonly Lock _lock = new();
    private double _tokens = double.NaN;
    private DateTimeOffset _last;

    /// <summary>Takes <paramref name="n"/> tokens if all are available.</summary>
    /// <param name="n">Tokens wanted; 0 always succeeds.</param>
    /// <param name="rate">Tokens per second.</param>
    /// <param name="burst">Bucket size.</param>
    /// <param name="now">Current time from the injected clock (G6).</param>
    /// <returns>True when taken.</returns>
    public bool TryTake(long n, double rate, int burst, DateTimeOffset now)
    {
        if (double.IsPositiveInfinity(rate))
        {
            // Go's limiter skips the bucket for rate.Inf; here it also keeps 0 * Inf (NaN) out of it.
            return true;
        }

        lock (_lock)
        {
            if (double.IsNaN(_tokens))
            {
                _tokens = burst;
                _last = now;
            }

            // A clock that steps backwards refills nothing rather than draining the bucket.
            double elapsed = Math.Max(0, (now - _last).TotalSeconds);
            _last = now > _last ? now : _last;
            _tokens = Math.Min(burst, _tokens + (elapsed * rate));
            if (n <= _tokens)
            {
                _tokens -= n;
                return true;
            }

            return false;
        }
    }
}

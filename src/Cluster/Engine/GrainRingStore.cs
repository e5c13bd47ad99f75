using System.Runtime.CompilerServices;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Cluster.Store;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// <see cref="IRingStore"/> over the ring grains: reads and compare-and-swap go to <see cref="IRingGrain"/>, a watch
/// asks every poll interval with the version it has (the reply carries the descriptor only when it changed). Any
/// failure of the grain (its silo gone, its storage unreachable) is <see cref="RingStoreUnavailableException"/>: the
/// ring clients keep their last descriptor, and health does not depend on the store (it is Orleans membership's).
/// </summary>
public sealed class GrainRingStore(IGrainFactory grains, ILogger<GrainRingStore> logger, TimeSpan? pollInterval = null, int maxCasAttempts = 10) : IRingStore
{
    private readonly TimeSpan _pollInterval = pollInterval ?? TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public async Task<VersionedRingDesc?> GetAsync(string key, CancellationToken cancellationToken)
    {
        RingVersion v = await CallAsync(key, g => g.Get(-1), cancellationToken).ConfigureAwait(false);
        return v.Version == 0 ? null : new VersionedRingDesc(RingDesc.Parser.ParseFrom(v.Desc), v.Version);
    }

    /// <inheritdoc />
    public async Task<VersionedRingDesc?> CasAsync(string key, Func<RingDesc?, RingDesc?> update, CancellationToken cancellationToken)
    {
        RingVersion current = await CallAsync(key, g => g.Get(-1), cancellationToken).ConfigureAwait(false);
        for (int attempt = 1; ; attempt++)
        {
            RingDesc? desc = current.Version == 0 ? null : RingDesc.Parser.ParseFrom(current.Desc);
            RingDesc? next = update(desc?.Clone());
            if (next is null)
            {
                return desc is null ? null : new VersionedRingDesc(desc, current.Version);
            }

            byte[] bytes = Google.Protobuf.MessageExtensions.ToByteArray(next);
            RingCasResult result = await CallAsync(key, g => g.CompareAndSwap(current.Version, bytes), cancellationToken).ConfigureAwait(false);
            if (result.Written)
            {
                return new VersionedRingDesc(next, result.Current.Version);
            }

            if (attempt >= maxCasAttempts)
            {
                throw new RingStoreUnavailableException($"the {key} ring changed under {maxCasAttempts} compare-and-swap attempts in a row");
            }

            current = result.Current;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<VersionedRingDesc> WatchAsync(string key, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        RingDesc last = new();
        long version = -1;
        while (!cancellationToken.IsCancellationRequested)
        {
            RingVersion? v = null;
            try
            {
                v = await CallAsync(key, g => g.Get(version), cancellationToken).ConfigureAwait(false);
            }
            catch (RingStoreUnavailableException e)
            {
                logger.LogDebug(e, "reading the {Key} ring failed; retrying", key);
            }

            if (v is not null)
            {
                if (v.Version != version)
                {
                    last = v.Version == 0 ? new RingDesc() : RingDesc.Parser.ParseFrom(v.Desc);
                    version = v.Version;
                }

                // Every answer is yielded: the client counts it as the store being reachable.
                yield return new VersionedRingDesc(last.Clone(), version);
            }

            try
            {
                await Task.Delay(_pollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private async Task<T> CallAsync<T>(string key, Func<IRingGrain, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            // Bounded well below Orleans' 30 s response timeout: a ring read that hangs must not stall a start-up.
            return await call(grains.GetGrain<IRingGrain>(key)).WaitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new RingStoreUnavailableException($"the {key} ring grain did not answer: {e.GetType().Name}: {e.Message}", e);
        }
    }
}

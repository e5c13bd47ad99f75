using System.Text;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Replication;

/// <summary>
/// The distributor's and querier's view of the ingester ring as one <see cref="IIngesterClient"/> (Mimir's
/// distributor push fan-out and distributor_queryable): a push writes each series to its replication set and
/// succeeds on a quorum; reads ask every ingester that may hold a series and merge the replicas' answers.
/// Thread-safe.
/// </summary>
public sealed partial class ReplicatedIngesterClient : IIngesterClient, IIngesterStats
{
    private readonly IReadRing _ring;
    private readonly Func<InstanceDesc, IIngesterClient> _clientFor;
    private readonly ILogger<ReplicatedIngesterClient> _logger;

    /// <summary>Creates the client.</summary>
    /// <param name="ring">The ingester ring.</param>
    /// <param name="clientFor">The (pooled) client of one ingester; called per request, so it should be cheap.</param>
    /// <param name="logger">Receives failures that did not cost the quorum.</param>
    public ReplicatedIngesterClient(IReadRing ring, Func<InstanceDesc, IIngesterClient> clientFor, ILogger<ReplicatedIngesterClient> logger)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentNullException.ThrowIfNull(clientFor);
        ArgumentNullException.ThrowIfNull(logger);
        _ring = ring;
        _clientFor = clientFor;
        _logger = logger;
    }

    /// <summary>
    /// Writes every series of <paramref name="batch"/> to its replication set (key: tenant + labels, Mimir's
    /// ShardByAllLabels) and metadata to the set of tenant + family name (Mimir's ShardByMetricName); returns once
    /// every series and metadata entry has a quorum. Each ingester gets its own copy of its series, made before this
    /// method first yields and disposed when that ingester's call ends (also when it ends after this method
    /// returned), so <paramref name="batch"/> is only read during the call and stays the caller's to dispose.
    /// </summary>
    /// <exception cref="QuorumException">Some series lost its quorum; <see cref="QuorumException.Retryable"/> tells a 5xx from a 4xx.</exception>
    /// <exception cref="RingUnavailableException">Too few healthy ingesters.</exception>
    public async ValueTask<PushResult> PushAsync(string tenant, PushBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ulong seed = ShardKey.TenantSeed(tenant);
        int series = batch.SeriesCount;
        var keys = new uint[series + batch.Metadata.Count];
        var entries = batch.Series;
        for (int i = 0; i < series; i++)
        {
            keys[i] = ShardKey.ForSeries(seed, entries[i].Hash);
        }

        for (int m = 0; m < batch.Metadata.Count; m++)
        {
            keys[series + m] = ShardKey.ForSeries(seed, XxHash64.Hash(Encoding.UTF8.GetBytes(batch.Metadata[m].MetricFamilyName)));
        }

        var responses = new PushResponses(batch.SampleCount);
        await Quorum.DoBatchAsync(
            _ring,
            RingOperation.Write,
            keys,
            (instance, indexes, ct) =>
            {
                // Copied now, synchronously: DoBatch dispatches before it yields, while the caller's batch is valid.
                var own = Slice(batch, indexes);
                return SendAsync(instance, tenant, own, responses, ct);
            },
            cancellationToken).ConfigureAwait(false);
        return responses.Close();
    }

    /// <summary>Builds the batch of one ingester: the series (and metadata) at <paramref name="indexes"/>.</summary>
    private static PushBatch Slice(PushBatch batch, int[] indexes)
    {
        int series = batch.SeriesCount;

        // Sized like a remote-write body holding these series (PushBatch's rule: ≥ 16 bytes per series, ≥ 11 per
        // sample), so copying into it never regrows its pooled arrays on the push path (G11); above
        // PushBatch.PresizeLimit the batch grows instead, so a huge push does not reserve worst-case arrays.
        int size = 0;
        foreach (int i in indexes)
        {
            if (i < series)
            {
                var e = batch.Series[i];
                size += e.LabelsLength + 16 + (11 * e.SampleCount);
            }
        }

        var own = new PushBatch(size);
        var ts = batch.Timestamps;
        var vs = batch.Values;
        foreach (int i in indexes)
        {
            if (i >= series)
            {
                own.Metadata.Add(batch.Metadata[i - series]);
                continue;
            }

            var e = batch.Series[i];
            own.AddSeries(batch.LabelsOf(i), e.Hash);
            for (int s = e.FirstSample; s < e.FirstSample + e.SampleCount; s++)
            {
                own.AddSample(ts[s], vs[s]);
            }
        }

        return own;
    }

    private async Task SendAsync(InstanceDesc instance, string tenant, PushBatch own, PushResponses responses, CancellationToken cancellationToken)
    {
        using (own)
        {
            try
            {
                var result = await _clientFor(instance).PushAsync(tenant, own, cancellationToken).ConfigureAwait(false);
                responses.Add(own.SampleCount, result);
            }
            catch (Exception e)
            {
                LogPushFailed(e, instance.Id, instance.Addr);
                throw;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "push to ingester {Instance} ({Addr}) failed")]
    private partial void LogPushFailed(Exception e, string instance, string addr);

    [LoggerMessage(Level = LogLevel.Warning, Message = "read from ingester {Instance} ({Addr}) failed")]
    private partial void LogReadFailed(Exception e, string instance, string addr);
}

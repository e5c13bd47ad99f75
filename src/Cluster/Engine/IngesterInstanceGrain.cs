using Orleans.Concurrency;
using Orleans.Placement;
using Google.Protobuf;
using MetricsCluster.Cluster.Payload;
using MetricsCluster.Cluster.Payload.Wire;
using Microsoft.Extensions.Logging;

namespace MetricsCluster.Cluster.Engine;

/// <summary>One ingester as a whole (key: the instance id), pinned to its silo like the tenant grains.</summary>
[InstancePinnedPlacement]
[Immovable]
[Reentrant]
internal sealed class IngesterInstanceGrain(LocalIngester local, ILogger<IngesterInstanceGrain> log) : Grain, IIngesterInstanceGrain
{
    /// <inheritdoc />
    public async Task<GrainReply> AllUserStats(CancellationToken cancellationToken)
    {
        try
        {
            var all = await local.Stats.AllUserStatsAsync(cancellationToken).ConfigureAwait(true);
            var resp = new AllUserStatsResponse();
            resp.Tenants.AddRange(all.Select(t => new TenantStats { Tenant = t.Tenant, Stats = PayloadConvert.ToWire(t.Stats) }));
            return GrainReply.Ok(resp.ToByteArray());
        }
        catch (Exception e)
        {
            var (code, message) = GrainErrors.Classify(e, "ingester/AllUserStats", log);
            return GrainReply.Fail(code, message);
        }
    }
}

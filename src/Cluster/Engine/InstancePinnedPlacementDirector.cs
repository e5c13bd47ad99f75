using Orleans.Runtime.Placement;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// Places a pinned grain on the active silo whose name (<c>--ring.instance-id</c>) is the instance id in the grain's
/// key, and refuses every other silo: a grain whose WAL is on a dead silo's disk must never activate elsewhere, where
/// it would start an empty head and answer as if the data were gone. While that silo is down every call fails fast
/// and the caller's quorum uses the other replicas; when a silo with the same name joins again, the next call
/// activates the grain there and it finds its WAL.
/// </summary>
internal sealed class InstancePinnedPlacementDirector(IClusterMembershipService membership) : IPlacementDirector
{
    /// <inheritdoc />
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString() ?? string.Empty;
        string instance = InstancePinnedPlacement.InstanceOf(key);
        var members = membership.CurrentSnapshot.Members;

        // The newest generation: after a restart this silo's view may still hold the instance's previous process as
        // Active for a moment (its death is learnt from the membership table), and that one is gone.
        SiloAddress? newest = null;
        foreach (SiloAddress silo in context.GetCompatibleSilos(target))
        {
            if (members.TryGetValue(silo, out ClusterMember? member) && member.Status == SiloStatus.Active && string.Equals(member.Name, instance, StringComparison.Ordinal)
                && (newest is null || silo.Generation > newest.Generation))
            {
                newest = silo;
            }
        }

        if (newest is not null)
        {
            return Task.FromResult(newest);
        }

        throw new OrleansException(
            $"grain {target.GrainIdentity} is pinned to instance '{instance}', which is not an active silo hosting {target.GrainIdentity.Type} (it may be down or not started yet)");
    }
}

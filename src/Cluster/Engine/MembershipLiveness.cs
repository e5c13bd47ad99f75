using MetricsCluster.Cluster.Ring;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// Ring health from Orleans membership: an instance is alive while an Active silo carries its name
/// (<c>--ring.instance-id</c>). A restarted instance is a new silo with the same name, alive as soon as it is Active;
/// a killed one stays alive here until Orleans declares it dead (probes missed, votes taken: docs/operations.md), and
/// calls to it fail fast meanwhile, which the quorum absorbs. The name set is rebuilt once per membership version.
/// </summary>
public sealed class MembershipLiveness(IClusterMembershipService membership) : IInstanceLiveness
{
    private volatile Names? _names;

    /// <inheritdoc />
    public bool IsAlive(string instanceId) => Current().Active.Contains(instanceId);

    /// <inheritdoc />
    public string Describe(string instanceId) => Current().Status.TryGetValue(instanceId, out string? status) ? status : "absent";

    private Names Current()
    {
        ClusterMembershipSnapshot snapshot = membership.CurrentSnapshot;
        Names? names = _names;
        if (names is not null && names.Version == snapshot.Version)
        {
            return names;
        }

        var active = new HashSet<string>(StringComparer.Ordinal);
        var status = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (ClusterMember member in snapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Active)
            {
                active.Add(member.Name);
            }

            // The newest incarnation of a name speaks for it: an Active restart wins over its dead predecessor.
            if (member.Status == SiloStatus.Active || !status.ContainsKey(member.Name))
            {
                status[member.Name] = member.Status + " " + member.SiloAddress;
            }
        }

        names = new Names(snapshot.Version, active, status);
        _names = names;
        return names;
    }

    private sealed record Names(MembershipVersion Version, HashSet<string> Active, Dictionary<string, string> Status);
}

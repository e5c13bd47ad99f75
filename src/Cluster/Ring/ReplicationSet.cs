namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// The instances an operation must reach (Mimir's ring.ReplicationSet): it succeeds when at most
/// <see cref="MaxErrors"/> of them fail, or — with zones — when failures fall in at most
/// <see cref="MaxUnavailableZones"/> zones.
/// </summary>
/// <param name="Instances">The instances, distinct.</param>
/// <param name="MaxErrors">Failures tolerated when zones are not used.</param>
/// <param name="MaxUnavailableZones">Zones whose instances may all fail when zones are used (0 otherwise).</param>
public sealed record ReplicationSet(IReadOnlyList<InstanceDesc> Instances, int MaxErrors, int MaxUnavailableZones);

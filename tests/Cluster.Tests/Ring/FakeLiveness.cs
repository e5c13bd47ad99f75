using MetricsCluster.Cluster.Ring;

namespace MetricsCluster.Cluster.Tests.Ring;

/// <summary>
/// An <see cref="IInstanceLiveness"/> the test drives: every instance is alive until <see cref="Kill"/>ed, and alive
/// again after <see cref="Revive"/> (Orleans membership declaring a silo dead, and a silo of that name joining again).
/// </summary>
internal sealed class FakeLiveness : IInstanceLiveness
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _dead = new(StringComparer.Ordinal);

    public FakeLiveness(params string[] dead) => _dead.UnionWith(dead);

    public void Kill(string id)
    {
        lock (_lock)
        {
            _dead.Add(id);
        }
    }

    public void Revive(string id)
    {
        lock (_lock)
        {
            _dead.Remove(id);
        }
    }

    public bool IsAlive(string instanceId)
    {
        lock (_lock)
        {
            return !_dead.Contains(instanceId);
        }
    }

    public string Describe(string instanceId) => IsAlive(instanceId) ? "Active (test)" : "Dead (test)";
}

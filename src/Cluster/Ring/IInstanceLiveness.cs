namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// Whether a ring instance's process is alive: the ring's health half (ARCHITECTURE "Cluster mode": tokens and states
/// in the ring descriptor, health from Orleans membership). A ring instance is healthy for an operation when its
/// state allows the operation and its process is alive.
/// </summary>
public interface IInstanceLiveness
{
    /// <summary>Whether the process named <paramref name="instanceId"/> is alive now.</summary>
    bool IsAlive(string instanceId);

    /// <summary>A word for the ring page: the membership status of <paramref name="instanceId"/> (e.g. Active, Dead, absent).</summary>
    string Describe(string instanceId);
}

/// <summary>
/// The single-process binding (<c>--ring.store=memory</c>): every instance in the ring is this process, which is
/// alive while it answers.
/// </summary>
public sealed class ThisProcessLiveness : IInstanceLiveness
{
    /// <summary>The one instance.</summary>
    public static readonly ThisProcessLiveness Instance = new();

    /// <inheritdoc />
    public bool IsAlive(string instanceId) => true;

    /// <inheritdoc />
    public string Describe(string instanceId) => "this process";
}

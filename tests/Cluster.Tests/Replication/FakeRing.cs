using MetricsCluster.Cluster.Ring;

namespace MetricsCluster.Cluster.Tests.Replication;

/// <summary>
/// An <see cref="IReadRing"/> with fixed replication sets: by default key k goes to the <see cref="ReplicationFactor"/>
/// instances starting at position k mod n (so neighbouring keys share instances, as on a real ring), with MaxErrors =
/// RF − quorum; <see cref="SetFor"/> overrides it per key. The read set is every instance with <see cref="ReadMaxErrors"/>.
/// </summary>
internal sealed class FakeRing : IReadRing
{
    private readonly List<InstanceDesc> _instances;

    public FakeRing(params InstanceDesc[] instances) => _instances = [.. instances];

    public int ReplicationFactor { get; set; } = 3;

    public int ReadMaxErrors { get; set; } = 1;

    public Func<uint, ReplicationSet>? SetFor { get; set; }

    public IReadOnlyDictionary<string, InstanceDesc> Instances => _instances.ToDictionary(i => i.Id);

    public IReadOnlyList<InstanceDesc> List => _instances;

    public static InstanceDesc Instance(string id, string zone = "") =>
        new() { Id = id, Addr = id + ":9095", Zone = zone, State = InstanceState.Active };

    public static FakeRing Of(int count) => new([.. Enumerable.Range(0, count).Select(i => Instance("ingester-" + i))]);

    public ReplicationSet Get(uint key, RingOperation operation)
    {
        if (SetFor is { } f)
        {
            return f(key);
        }

        if (_instances.Count == 0)
        {
            throw new RingUnavailableException("empty ring");
        }

        int rf = Math.Min(ReplicationFactor, _instances.Count);
        int start = (int)(key % (uint)_instances.Count);
        var set = Enumerable.Range(0, rf).Select(i => _instances[(start + i) % _instances.Count]).ToList();
        return new ReplicationSet(set, rf - ((rf / 2) + 1), 0);
    }

    /// <summary>Whether the default placement puts <paramref name="key"/> on <paramref name="id"/>.</summary>
    public bool Owns(uint key, string id) => Get(key, RingOperation.Write).Instances.Any(i => i.Id == id);

    public ReplicationSet GetReplicationSetForOperation(RingOperation operation) => new(_instances, ReadMaxErrors, 0);

    public bool IsHealthy(InstanceDesc instance, RingOperation operation) => true;
}

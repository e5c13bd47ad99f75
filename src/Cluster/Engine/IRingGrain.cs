namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// One ring's descriptor (key: the ring's name, "ingester", "store-gateway", "compactor"), held in grain state
/// (<see cref="EngineStorage.Name"/>) and changed only by compare-and-swap on its version. A virtual grain: when its
/// silo dies it activates elsewhere from the persisted state.
/// </summary>
[Alias("mc.ring")]
public interface IRingGrain : IGrainWithStringKey
{
    /// <summary>
    /// The descriptor and its version; when <paramref name="knownVersion"/> is the current version the descriptor
    /// bytes are left out (the caller has them).
    /// </summary>
    [Alias("get")]
    Task<RingVersion> Get(long knownVersion);

    /// <summary>
    /// Writes <paramref name="desc"/> (a <c>RingDesc</c>) if the current version is <paramref name="expectedVersion"/>
    /// (0 = never written); returns whether it did, with the version and descriptor now stored.
    /// </summary>
    [Alias("cas")]
    Task<RingCasResult> CompareAndSwap(long expectedVersion, byte[] desc);
}

/// <summary>A ring descriptor's bytes and version (0 = never written).</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.ring-version")]
public sealed class RingVersion
{
    /// <summary>The <c>RingDesc</c> bytes; empty when never written or when the caller already has this version.</summary>
    [Id(0)]
    public byte[] Desc { get; init; } = [];

    /// <summary>Incremented by one per successful write; 0 before the first.</summary>
    [Id(1)]
    public long Version { get; init; }
}

/// <summary>What a compare-and-swap did.</summary>
[GenerateSerializer]
[Immutable]
[Alias("mc.ring-cas")]
public sealed class RingCasResult
{
    /// <summary>Whether the write happened.</summary>
    [Id(0)]
    public bool Written { get; init; }

    /// <summary>The descriptor now stored.</summary>
    [Id(1)]
    public RingVersion Current { get; init; } = new();
}

/// <summary>The persisted state of a <see cref="IRingGrain"/>.</summary>
[GenerateSerializer]
[Alias("mc.ring-state")]
public sealed class RingGrainState
{
    /// <summary>The <c>RingDesc</c> bytes (docs/format/ring.md).</summary>
    [Id(0)]
    public byte[] Desc { get; set; } = [];

    /// <summary>The version of <see cref="Desc"/>.</summary>
    [Id(1)]
    public long Version { get; set; }
}

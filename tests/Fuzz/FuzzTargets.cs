using MetricsCluster.Fuzz.Tests.Framework;
using MetricsCluster.Fuzz.Tests.Targets;

namespace MetricsCluster.Fuzz.Tests;

/// <summary>Every decoder and parser that reads untrusted or on-disk bytes (G19). A new decoder adds a line here.</summary>
public static class FuzzTargets
{
    /// <summary>All targets, in a fixed order.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        FuzzTarget.Of<RemoteWriteBodyTarget>(),
        FuzzTarget.Of<RemoteWriteProtoTarget>(),
        FuzzTarget.Of<SnappyTarget>(),
        FuzzTarget.Of<PushCodecTarget>(),
        FuzzTarget.Of<GrainStreamTarget>(),
        FuzzTarget.Of<ExpositionTextTarget>(),
        FuzzTarget.Of<OpenMetricsTarget>(),
        FuzzTarget.Of<PromQLTarget>(),
        FuzzTarget.Of<WalRecordTarget>(),
        FuzzTarget.Of<WalSegmentTarget>(),
        FuzzTarget.Of<IndexTarget>(),
        FuzzTarget.Of<ChunkSegmentTarget>(),
        FuzzTarget.Of<XorChunkTarget>(),
        FuzzTarget.Of<XorRoundTripTarget>(),
        FuzzTarget.Of<AgentConfigTarget>(),
        FuzzTarget.Of<FileSdTarget>(),
        FuzzTarget.Of<ClusterConfigTarget>(),
    ];

    /// <summary>The targets by name, for theories.</summary>
    public static TheoryDataNames Names => [.. All.Select(t => t.Name)];

    /// <summary>Looks a target up by name.</summary>
    public static FuzzTarget Get(string name) => All.Single(t => t.Name == name);
}

/// <summary>Theory rows of target names (strings serialize, so each target is its own test case in the runner).</summary>
public sealed class TheoryDataNames : Xunit.TheoryData<string>;

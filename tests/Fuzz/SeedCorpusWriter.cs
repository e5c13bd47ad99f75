using MetricsCluster.Fuzz.Tests.Framework;
using MetricsCluster.Fuzz.Tests.Seeds;
using Xunit;

namespace MetricsCluster.Fuzz.Tests;

/// <summary>
/// Regenerates the committed seed corpus from the project's own encoders. Opt-in (<c>FUZZ_WRITE_SEEDS=1</c>) so a
/// normal run never rewrites the source tree; after an encoder change, run it and commit the diff.
/// </summary>
public sealed class SeedCorpusWriter
{
    private static readonly Dictionary<string, Func<IEnumerable<(string Name, byte[] Data)>>> s_seeds = new()
    {
        ["remote-write-body"] = ProtoSeeds.Bodies,
        ["remote-write-proto"] = ProtoSeeds.WriteRequests,
        ["snappy"] = ProtoSeeds.SnappyBlocks,
        ["push-codec"] = ProtoSeeds.PushRequests,
        ["grain-stream"] = ProtoSeeds.GrainStreams,
        ["exposition-text"] = TextSeeds.ExpositionText,
        ["openmetrics"] = TextSeeds.OpenMetrics,
        ["promql"] = TextSeeds.PromQL,
        ["wal-record"] = TsdbSeeds.WalRecordSeeds,
        ["wal-segment"] = TsdbSeeds.WalSegmentSeeds,
        ["index"] = TsdbSeeds.IndexSeeds,
        ["chunk-segment"] = TsdbSeeds.ChunkSegmentSeeds,
        ["xor-chunk"] = TsdbSeeds.XorChunkSeeds,
        ["xor-roundtrip"] = TsdbSeeds.XorRoundTripSeeds,
        ["agent-config"] = TextSeeds.AgentConfigs,
        ["file-sd"] = TextSeeds.FileSd,
        ["cluster-config"] = TextSeeds.ClusterConfigs,
    };

    [Fact]
    public void Every_target_has_a_seed_generator() =>
        Assert.Equal(FuzzTargets.All.Select(t => t.Name).Order(), s_seeds.Keys.Order());

    [Fact]
    public void Write_seed_corpus_when_asked()
    {
        if (Environment.GetEnvironmentVariable("FUZZ_WRITE_SEEDS") != "1")
        {
            return;
        }

        foreach (var (target, seeds) in s_seeds)
        {
            foreach (var (name, data) in seeds())
            {
                CorpusStore.SaveSeed(target, "seed-" + name, data);
            }
        }
    }
}

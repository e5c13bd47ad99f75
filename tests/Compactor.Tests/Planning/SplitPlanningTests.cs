using MetricsCluster.Compactor.Planning;
using Xunit;

namespace MetricsCluster.Compactor.Tests.Planning;

/// <summary>The split stage of the planner (<c>--compactor.split-and-merge-shards</c> &gt; 0, Mimir's split-and-merge).</summary>
public sealed class SplitPlanningTests
{
    private static Dictionary<string, string> Shard(int i, int n) =>
        new() { ["__org_id__"] = "tenant-1", [CompactionGroupKey.ShardIdLabel] = $"{i}_of_{n}" };

    [Fact]
    public void Replicas_of_the_smallest_range_become_one_split_job()
    {
        var f = new PlanningFixture();
        f.Add(0, 2);
        f.Add(0, 2);
        f.Add(0, 2);

        var job = Assert.Single(f.Plan(nowHours: 5, shards: 4).Jobs);

        Assert.True(job.IsSplit);
        Assert.Equal(4, job.SplitShards);
        Assert.Equal(3, job.Blocks.Count);
        Assert.Equal((PlanningFixture.Ms(0), PlanningFixture.Ms(2)), (job.RangeStart, job.RangeEnd));
        Assert.Contains("-split-4-", job.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void A_single_block_never_split_is_split_and_without_shards_it_is_left_alone()
    {
        var f = new PlanningFixture();
        f.Add(0, 2);

        Assert.True(Assert.Single(f.Plan(nowHours: 5, shards: 2).Jobs).IsSplit);
        Assert.Empty(f.Plan(nowHours: 5).Jobs);
    }

    [Fact]
    public void Split_blocks_of_a_complete_12h_range_are_merged_per_shard()
    {
        var f = new PlanningFixture();
        for (int w = 0; w < 6; w++)
        {
            f.Add(2 * w, (2 * w) + 2, level: 2, labels: Shard(1, 2));
            f.Add(2 * w, (2 * w) + 2, level: 2, labels: Shard(2, 2));
        }

        var jobs = f.Plan(nowHours: 30, shards: 2).Jobs;

        Assert.Equal(["1_of_2", "2_of_2"], jobs.Select(j => j.ShardId).Order());
        Assert.All(jobs, j => Assert.False(j.IsSplit));
        Assert.All(jobs, j => Assert.Equal(6, j.Blocks.Count));
        Assert.All(jobs, j => Assert.All(j.Blocks, b => Assert.Equal(j.ShardId, CompactionGroupKey.ShardIdOf(b))));
    }

    [Fact]
    public void A_window_still_to_split_holds_back_every_larger_merge_over_it()
    {
        var f = new PlanningFixture();
        for (int w = 0; w < 5; w++)
        {
            f.Add(2 * w, (2 * w) + 2, level: 2, labels: Shard(1, 2));
            f.Add(2 * w, (2 * w) + 2, level: 2, labels: Shard(2, 2));
        }

        f.Add(10, 12);
        f.Add(10, 12);

        var job = Assert.Single(f.Plan(nowHours: 30, shards: 2).Jobs);

        Assert.True(job.IsSplit);
        Assert.Equal((PlanningFixture.Ms(10), PlanningFixture.Ms(12)), (job.RangeStart, job.RangeEnd));
    }
}

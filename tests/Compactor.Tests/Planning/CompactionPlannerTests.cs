using MetricsCluster.Compactor.Planning;
using Xunit;

namespace MetricsCluster.Compactor.Tests.Planning;

public sealed class CompactionPlannerTests
{
    [Fact]
    public void Replicas_of_a_2h_window_become_one_vertical_job_only_once_the_wait_elapsed()
    {
        var f = new PlanningFixture();
        for (int i = 0; i < 3; i++)
        {
            f.Add(0, 2, level: 1, uploadedAt: 3 + (i * 0.1), labels: new() { ["__org_id__"] = "t", ["__ingester_id__"] = $"ingester-{i}" });
        }

        // The last replica was uploaded at 3.2h: 24 minutes later it is still inside the 25m wait.
        var early = f.Plan(nowHours: 3.2 + (24.0 / 60));
        Assert.Empty(early.Jobs);
        var waiting = Assert.Single(early.Waiting);
        Assert.Equal(PlanningFixture.At(3.2).AddMinutes(25), waiting.ReadyAt);

        var plan = f.Plan(nowHours: 3.2 + (25.0 / 60));
        Assert.Equal(["Vertical 0-2h: 0-2 0-2 0-2"], PlanningFixture.Describe(plan.Jobs));
        Assert.Empty(plan.Waiting);
        Assert.Equal("0@{}", plan.Jobs[0].Group.ToString());
    }

    [Fact]
    public void A_zero_wait_period_never_holds_a_job_back()
    {
        var f = new PlanningFixture();
        f.Add(0, 2, uploadedAt: 3);
        f.Add(0, 2, uploadedAt: 3);
        Assert.Single(f.Plan(nowHours: 3, wait: TimeSpan.Zero).Jobs);
    }

    [Theory]
    // A job holding a level-1 block waits for every one of its blocks (Mimir checks all of them) ...
    [InlineData(1, 2, 10.0, 9.9, true)]
    [InlineData(2, 1, 9.9, 10.0, true)]
    // ... but a job of compacted blocks only never waits, however recent.
    [InlineData(2, 2, 10.0, 10.0, false)]
    [InlineData(1, 1, 5.0, 5.0, false)]
    public void The_first_level_wait_applies_to_jobs_holding_a_level_1_block(int levelA, int levelB, double uploadA, double uploadB, bool waits)
    {
        var f = new PlanningFixture();
        f.Add(0, 2, levelA, uploadA);
        f.Add(0, 2, levelB, uploadB);
        var plan = f.Plan(nowHours: 10.1);
        Assert.Equal(waits ? 0 : 1, plan.Jobs.Count);
        Assert.Equal(waits ? 1 : 0, plan.Waiting.Count);
    }

    [Fact]
    public void Six_adjacent_2h_blocks_of_a_complete_12h_range_become_one_horizontal_job()
    {
        var f = new PlanningFixture();
        for (int h = 0; h < 12; h += 2)
        {
            f.Add(h, h + 2, level: 2);
        }

        var plan = f.Plan(nowHours: 13);
        Assert.Equal(["Horizontal 0-12h: 0-2 2-4 4-6 6-8 8-10 10-12"], PlanningFixture.Describe(plan.Jobs));
    }

    [Theory]
    // Three 2h blocks of [0h, 12h): the range may still grow, so no job ...
    [InlineData(7, false, false)]
    [InlineData(23.9, false, false)]
    // ... until the range ended a whole range length ago (12h + 12h), ...
    [InlineData(24, false, true)]
    // ... or a newer block shows the range is over.
    [InlineData(13, true, true)]
    public void An_incomplete_12h_range_is_merged_only_once_it_cannot_grow(double now, bool newerBlock, bool planned)
    {
        var f = new PlanningFixture();
        f.Add(0, 2, level: 2);
        f.Add(2, 4, level: 2);
        f.Add(4, 6, level: 2);
        if (newerBlock)
        {
            f.Add(12, 14, level: 2);
        }

        var plan = f.Plan(now);
        Assert.Equal(planned ? ["Horizontal 0-12h: 0-2 2-4 4-6"] : [], PlanningFixture.Describe(plan.Jobs));
    }

    [Fact]
    public void Two_12h_blocks_become_a_24h_job()
    {
        var f = new PlanningFixture();
        f.Add(0, 12, level: 3);
        f.Add(12, 24, level: 3);
        var plan = f.Plan(nowHours: 25);
        Assert.Equal(["Horizontal 0-24h: 0-12 12-24"], PlanningFixture.Describe(plan.Jobs));
    }

    [Fact]
    public void Replicas_are_merged_vertically_before_their_window_joins_a_larger_range()
    {
        var f = new PlanningFixture();
        for (int h = 0; h < 12; h += 2)
        {
            f.Add(h, h + 2, level: 2);
        }

        f.Add(10, 12, level: 1);
        var plan = f.Plan(nowHours: 14);

        // The 12h job over [0h, 12h) conflicts with the vertical job of [10h, 12h), so it comes on a later run.
        Assert.Equal(["Vertical 10-12h: 10-12 10-12"], PlanningFixture.Describe(plan.Jobs));
    }

    [Theory]
    [InlineData(new[] { 0 }, "Vertical 0-2h: 0-2 0-2 0-2")]
    [InlineData(new[] { 0, 1 }, "Vertical 0-2h: 0-2 0-2")]
    [InlineData(new[] { 0, 1, 2 }, null)]
    public void Blocks_with_a_no_compact_or_deletion_mark_are_never_planned(int[] excluded, string? expected)
    {
        var f = new PlanningFixture();
        var replicas = Enumerable.Range(0, 4).Select(_ => f.Add(0, 2)).ToList();
        foreach (int i in excluded)
        {
            f.Excluded.Add(replicas[i].Ulid);
        }

        var plan = f.Plan(nowHours: 5);
        Assert.Equal(expected is null ? [] : [expected], PlanningFixture.Describe(plan.Jobs));
        Assert.DoesNotContain(plan.Jobs.SelectMany(j => j.Blocks), b => f.Excluded.Contains(b.Ulid));
    }

    [Fact]
    public void An_excluded_block_does_not_count_as_the_tenants_newest()
    {
        var f = new PlanningFixture();
        f.Add(0, 2, level: 2);
        f.Add(2, 4, level: 2);
        f.Excluded.Add(f.Add(12, 14, level: 2).Ulid);

        // Only the marked block would show that [0h, 12h) is over.
        Assert.Empty(f.Plan(nowHours: 15).Jobs);
    }

    [Theory]
    [InlineData("cluster", "a", "b", 0, 0)]
    [InlineData("__compactor_shard_id__", "1_of_2", "2_of_2", 0, 0)]
    public void Blocks_of_different_external_labels_or_resolutions_are_never_mixed(string label, string valueA, string valueB, long resA, long resB)
    {
        var f = new PlanningFixture();
        f.Add(0, 2, labels: new() { [label] = valueA }, resolution: resA);
        f.Add(0, 2, labels: new() { [label] = valueA }, resolution: resA);
        f.Add(0, 2, labels: new() { [label] = valueB }, resolution: resB);
        f.Add(0, 2, labels: new() { [label] = valueB }, resolution: resB);
        f.Add(0, 2, labels: new() { [label] = valueB }, resolution: resB);

        var plan = f.Plan(nowHours: 5);
        Assert.Equal(2, plan.Jobs.Count);
        Assert.All(plan.Jobs, j => Assert.Single(j.Blocks.Select(b => (b.Thanos!.Labels[label], b.Thanos.DownsampleResolution)).Distinct()));
        Assert.Equal([2, 3], plan.Jobs.Select(j => j.Blocks.Count).Order());
        Assert.Equal(2, plan.Jobs.Select(j => j.Key).Distinct().Count());
    }

    [Fact]
    public void Downsampled_blocks_are_grouped_apart_and_never_compacted()
    {
        // The merge re-cuts XOR samples and cannot merge aggregate chunks (docs/compactor.md#downsampling).
        var f = new PlanningFixture();
        f.Add(0, 2);
        f.Add(0, 2);
        f.Add(0, 2, resolution: 300_000);
        f.Add(0, 2, resolution: 300_000);
        f.Add(0, 2, resolution: 3_600_000);
        f.Add(0, 2, resolution: 3_600_000);

        var job = Assert.Single(f.Plan(nowHours: 5).Jobs);
        Assert.Equal("0@{}", job.Group.ToString());
        Assert.Equal(2, job.Blocks.Count);
    }

    [Fact]
    public void The_tenant_and_ingester_labels_do_not_split_a_group()
    {
        var f = new PlanningFixture();
        f.Add(0, 2, labels: new() { ["__org_id__"] = "t", ["__ingester_id__"] = "i-1", ["env"] = "prod" });
        f.Add(0, 2, labels: new() { ["__ingester_id__"] = "i-2", ["env"] = "prod" });
        f.Add(0, 2, labels: new() { ["env"] = "prod" });

        var job = Assert.Single(f.Plan(nowHours: 5).Jobs);
        Assert.Equal(3, job.Blocks.Count);
        Assert.Equal("0@{env=\"prod\"}", job.Group.ToString());
    }

    [Fact]
    public void Jobs_are_ordered_smallest_range_oldest_blocks_first()
    {
        var f = new PlanningFixture();
        for (int h = 0; h < 12; h += 2)
        {
            f.Add(h, h + 2, level: 2);
        }

        f.Add(24, 36, level: 3);
        f.Add(36, 48, level: 3);
        f.Add(38, 40);
        f.Add(38, 40);
        f.Add(12, 14);
        f.Add(12, 14);
        f.Add(12.5, 13);

        var plan = f.Plan(nowHours: 50);
        Assert.Equal(
            ["Vertical 12-14h: 12-14 12-14 12.5-13", "Vertical 38-40h: 38-40 38-40", "Horizontal 0-12h: 0-2 2-4 4-6 6-8 8-10 10-12"],
            PlanningFixture.Describe(plan.Jobs));
    }

    [Fact]
    public void A_block_not_aligned_to_a_range_is_merged_at_the_first_range_that_contains_it()
    {
        var f = new PlanningFixture();
        f.Add(0, 1, level: 2);
        f.Add(1, 3, level: 2);  // Crosses 2h: left out of [0h, 2h) ...
        f.Add(3, 12, level: 2); // ... as this one is of [2h, 4h).
        Assert.Equal(["Horizontal 0-12h: 0-1 1-3 3-12"], PlanningFixture.Describe(f.Plan(nowHours: 13).Jobs));
    }

    [Fact]
    public void A_block_larger_than_the_largest_range_is_never_planned()
    {
        var f = new PlanningFixture();
        f.Add(24, 72, level: 4);
        f.Add(24, 26);
        Assert.Empty(f.Plan(nowHours: 100).Jobs);
    }

    [Fact]
    public void Sources_of_a_block_already_compacted_are_redundant_not_planned_again()
    {
        var f = new PlanningFixture();
        var a = f.Add(0, 2);
        var b = f.Add(0, 2);
        var merged = f.Add(0, 2, level: 2, sources: [a.Ulid, b.Ulid]);

        var plan = f.Plan(nowHours: 5);
        Assert.Empty(plan.Jobs);
        Assert.Equal([a.Ulid, b.Ulid], plan.Redundant.Select(m => m.Ulid).Order());
        Assert.DoesNotContain(merged, plan.Redundant);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(7_199_999, 0)]
    [InlineData(7_200_000, 7_200_000)]
    [InlineData(-1, -7_200_000)]
    [InlineData(-7_200_000, -7_200_000)]
    [InlineData(-7_200_001, -14_400_000)]
    public void RangeStart_rounds_down_to_the_aligned_range(long t, long expected) =>
        Assert.Equal(expected, CompactionPlanner.RangeStart(t, 7_200_000));

    [Fact]
    public void The_planner_rejects_invalid_ranges() =>
        Assert.Contains("not divisible by previous one", Assert.Throws<ArgumentException>(
            () => new CompactionPlanner([TimeSpan.FromHours(2), TimeSpan.FromHours(5)], TimeSpan.Zero, TimeProvider.System)).Message);
}

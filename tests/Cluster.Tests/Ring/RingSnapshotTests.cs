using MetricsCluster.Cluster.Ring;
using Xunit;
using static MetricsCluster.Cluster.Tests.Ring.RingBuilder;

namespace MetricsCluster.Cluster.Tests.Ring;

public sealed class RingSnapshotTests
{
    // Four instances, one token each, a quarter of the way apart.
    private static RingDesc Four(InstanceState b = InstanceState.Active) => Desc(
        Instance("a", [100]), Instance("b", [200], b), Instance("c", [300]), Instance("d", [400]));

    [Theory]
    [InlineData(50u, "a,b,c")]
    [InlineData(100u, "b,c,d")] // A key equal to a token goes to the next token (Mimir: first token above the key).
    [InlineData(150u, "b,c,d")]
    [InlineData(350u, "d,a,b")] // Wraps around the top of the ring.
    [InlineData(400u, "a,b,c")]
    [InlineData(uint.MaxValue, "a,b,c")]
    public void Takes_rf_distinct_instances_clockwise(uint key, string expected)
    {
        ReplicationSet set = Snapshot(Four()).Get(key, RingOperation.Write);
        Assert.Equal(expected.Split(','), Ids(set));
        Assert.Equal(1, set.MaxErrors);
        Assert.Equal(0, set.MaxUnavailableZones);
    }

    [Fact]
    public void Skips_further_tokens_of_an_instance_already_taken()
    {
        var desc = Desc(Instance("a", [100, 150, 160]), Instance("b", [200]), Instance("c", [300]), Instance("d", [400]));
        Assert.Equal(["a", "b", "c"], Ids(Snapshot(desc).Get(50, RingOperation.Write)));
    }

    [Theory]
    [InlineData(InstanceState.Joining)]
    [InlineData(InstanceState.Leaving)]
    [InlineData(InstanceState.Pending)]
    public void Write_extends_over_a_non_active_instance_and_leaves_it_out(InstanceState state)
    {
        ReplicationSet set = Snapshot(Four(b: state)).Get(50, RingOperation.Write);

        // b is taken but extends the walk to d; it is not healthy for writes, so the set is a, c, d of 4 slots.
        Assert.Equal(["a", "c", "d"], Ids(set));
        Assert.Equal(0, set.MaxErrors);
    }

    [Fact]
    public void Read_keeps_a_leaving_instance_without_extending()
    {
        ReplicationSet set = Snapshot(Four(b: InstanceState.Leaving)).Get(50, RingOperation.Read);
        Assert.Equal(["a", "b", "c"], Ids(set));
        Assert.Equal(1, set.MaxErrors);
    }

    [Fact]
    public void Dead_instance_is_filtered_and_eats_the_tolerated_error()
    {
        ReplicationSet set = Snapshot(Four(), dead: ["c"]).Get(50, RingOperation.Write);
        Assert.Equal(["a", "b"], Ids(set));
        Assert.Equal(0, set.MaxErrors);
    }

    [Fact]
    public void Two_unhealthy_of_three_fail_with_a_message_naming_the_counts()
    {
        // b and d are dead, c is LEAVING (extends the walk to d): one healthy replica of three slots.
        var desc = Desc(Instance("a", [100]), Instance("b", [200]), Instance("c", [300], InstanceState.Leaving), Instance("d", [400]));
        var e = Assert.Throws<RingUnavailableException>(() => Snapshot(desc, dead: ["b", "d"]).Get(50, RingOperation.Write));
        Assert.Contains("at least 3 healthy replicas required, could only find 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("unhealthy: b, c, d", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, 0)] // One instance and RF 3: quorum of min(RF, 1) = 1.
    [InlineData(2, 0)] // Two instances: both must answer.
    [InlineData(3, 1)]
    public void Rf_larger_than_the_ring_uses_every_instance(int instances, int maxErrors)
    {
        var desc = Desc([.. new[] { "a", "b", "c" }.Take(instances).Select((id, i) => Instance(id, [(uint)(100 * (i + 1))]))]);
        ReplicationSet set = Snapshot(desc).Get(50, RingOperation.Write);
        Assert.Equal(instances, set.Instances.Count);
        Assert.Equal(maxErrors, set.MaxErrors);
    }

    [Fact]
    public void Empty_ring_is_unavailable()
    {
        Assert.Throws<RingUnavailableException>(() => Snapshot(new RingDesc()).Get(1, RingOperation.Write));
        Assert.Throws<RingUnavailableException>(() => Snapshot(new RingDesc()).GetReplicationSetForOperation(RingOperation.Read));
    }

    [Fact]
    public void Zone_aware_takes_one_instance_per_zone()
    {
        var desc = Desc(Instance("a", [100], zone: "z1"), Instance("b", [200], zone: "z1"), Instance("c", [300], zone: "z2"), Instance("d", [400], zone: "z3"), Instance("e", [500], zone: "z2"));
        ReplicationSet set = Snapshot(desc, zoneAware: true).Get(50, RingOperation.Write);
        Assert.Equal(["a", "c", "d"], Ids(set));
        Assert.Equal(1, set.MaxErrors);
        Assert.Equal(1, set.MaxUnavailableZones);

        // Without zone awareness the same ring gives a, b, c.
        Assert.Equal(["a", "b", "c"], Ids(Snapshot(desc).Get(50, RingOperation.Write)));
    }

    private static RingDesc SixInThreeZones(InstanceState a1 = InstanceState.Active) => Desc(
        Instance("a1", [100], a1, "za"), Instance("a2", [200], zone: "za"),
        Instance("b1", [300], zone: "zb"), Instance("b2", [400], zone: "zb"),
        Instance("c1", [500], zone: "zc"), Instance("c2", [600], zone: "zc"));

    [Theory]
    [InlineData(50u, "a1,b1,c1")]
    [InlineData(150u, "a2,b1,c1")]
    [InlineData(450u, "c1,a1,b1")]
    [InlineData(550u, "c2,a1,b1")]
    public void Three_zones_with_two_instances_each(uint key, string expected)
    {
        ReplicationSet set = Snapshot(SixInThreeZones(), zoneAware: true).Get(key, RingOperation.Write);
        Assert.Equal(expected.Split(','), Ids(set));
        Assert.Equal(3, set.Instances.Select(i => i.Zone).Distinct().Count());
    }

    [Fact]
    public void Zone_aware_extension_replaces_within_the_same_zone()
    {
        ReplicationSet set = Snapshot(SixInThreeZones(a1: InstanceState.Leaving), zoneAware: true).Get(50, RingOperation.Write);
        Assert.Equal(["a2", "b1", "c1"], Ids(set));
        Assert.Equal(0, set.MaxErrors);
    }

    [Fact]
    public void Zone_aware_without_declared_zones_reports_no_zone_tolerance()
    {
        // Zone awareness on, but nobody declared a zone: plain RF walk, and the errors must be counted per instance.
        ReplicationSet set = Snapshot(Four(), zoneAware: true).Get(50, RingOperation.Write);
        Assert.Equal(["a", "b", "c"], Ids(set));
        Assert.Equal(1, set.MaxErrors);
        Assert.Equal(0, set.MaxUnavailableZones);
    }

    [Fact]
    public void Zone_aware_extension_with_two_healthy_in_one_zone_reports_no_zone_tolerance()
    {
        // For reads a PENDING instance is healthy but extends the set: zone za then holds two replicas of four.
        ReplicationSet set = Snapshot(SixInThreeZones(a1: InstanceState.Pending), zoneAware: true).Get(50, RingOperation.Read);
        Assert.Equal(["a1", "a2", "b1", "c1"], Ids(set));
        Assert.Equal(1, set.MaxErrors);
        Assert.Equal(0, set.MaxUnavailableZones);
    }

    [Fact]
    public void Zone_aware_with_fewer_zones_than_rf_needs_all_zones()
    {
        var desc = Desc(Instance("a", [100], zone: "z1"), Instance("b", [200], zone: "z2"), Instance("c", [300], zone: "z1"), Instance("d", [400], zone: "z2"));
        ReplicationSet set = Snapshot(desc, zoneAware: true).Get(50, RingOperation.Write);
        Assert.Equal(["a", "b"], Ids(set));
        Assert.Equal(0, set.MaxErrors);
    }

    [Theory]
    [InlineData(5, 0, 5, 1)]
    [InlineData(5, 1, 4, 0)]
    [InlineData(3, 0, 3, 1)]
    [InlineData(3, 1, 2, 0)]
    [InlineData(1, 0, 1, 0)]
    [InlineData(2, 0, 2, 0)] // Smaller than RF 3: both must answer (the third replica may have left).
    public void Replication_set_for_operation_quorum_math(int instances, int unhealthy, int expectedInstances, int expectedMaxErrors)
    {
        var list = Enumerable.Range(0, instances).Select(i => Instance("i" + i, [(uint)(100 * (i + 1))])).ToArray();
        string[] dead = [.. Enumerable.Range(0, unhealthy).Select(i => "i" + i)];
        ReplicationSet set = Snapshot(Desc(list), dead: dead).GetReplicationSetForOperation(RingOperation.Read);
        Assert.Equal(expectedInstances, set.Instances.Count);
        Assert.Equal(expectedMaxErrors, set.MaxErrors);
        Assert.Equal(0, set.MaxUnavailableZones);
    }

    [Theory]
    [InlineData(3, 2)]
    [InlineData(5, 2)] // RF/2 = 1 failure tolerated, whatever the ring size.
    [InlineData(2, 1)] // Smaller than RF: no failure tolerated.
    public void Replication_set_for_operation_fails_beyond_rf_over_2_failures(int instances, int unhealthy)
    {
        var list = Enumerable.Range(0, instances).Select(i => Instance("i" + i, [(uint)(100 * (i + 1))])).ToArray();
        string[] dead = [.. Enumerable.Range(0, unhealthy).Select(i => "i" + i)];
        var e = Assert.Throws<RingUnavailableException>(() => Snapshot(Desc(list), dead: dead).GetReplicationSetForOperation(RingOperation.Read));
        Assert.Contains("too many unhealthy instances", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zone_aware_replication_set_for_operation_drops_failed_zones()
    {
        RingSnapshot healthy = Snapshot(SixInThreeZones(), zoneAware: true);
        ReplicationSet all = healthy.GetReplicationSetForOperation(RingOperation.Read);
        Assert.Equal(6, all.Instances.Count);
        Assert.Equal(0, all.MaxErrors);
        Assert.Equal(1, all.MaxUnavailableZones);

        // b2 is dead: zone zb has failed, so its healthy b1 is left out too and no further zone may fail.
        ReplicationSet oneZoneDown = Snapshot(SixInThreeZones(), zoneAware: true, dead: ["b2"]).GetReplicationSetForOperation(RingOperation.Read);
        Assert.Equal(["a1", "a2", "c1", "c2"], Ids(oneZoneDown));
        Assert.Equal(0, oneZoneDown.MaxUnavailableZones);

        Assert.Throws<RingUnavailableException>(() =>
            Snapshot(SixInThreeZones(), zoneAware: true, dead: ["b2", "c1"]).GetReplicationSetForOperation(RingOperation.Read));
    }

    [Theory]
    [InlineData("write", InstanceState.Active, true, true)]
    [InlineData("write", InstanceState.Active, false, false)]
    [InlineData("write", InstanceState.Leaving, true, false)]
    [InlineData("write", InstanceState.Joining, true, false)]
    [InlineData("write", InstanceState.Pending, true, false)]
    [InlineData("read", InstanceState.Leaving, true, true)]
    [InlineData("read", InstanceState.Leaving, false, false)]
    [InlineData("read", InstanceState.Pending, true, true)]
    [InlineData("read", InstanceState.Joining, true, false)]
    [InlineData("reporting", InstanceState.Joining, true, true)]
    [InlineData("reporting", InstanceState.Active, false, false)]
    public void Health_needs_a_state_the_operation_allows_and_a_live_process(string operation, InstanceState state, bool alive, bool healthy)
    {
        RingOperation op = new[] { RingOperation.Write, RingOperation.Read, RingOperation.Reporting }.Single(o => o.Name == operation);
        RingSnapshot ring = Snapshot(new RingDesc(), dead: alive ? Array.Empty<string>() : new[] { "x" });
        Assert.Equal(healthy, ring.IsHealthy(Instance("x", [1], state), op));
    }

    [Fact]
    public void Liveness_is_asked_at_each_call_not_frozen_in_the_snapshot()
    {
        var liveness = new FakeLiveness();
        var ring = new RingSnapshot(Four(), new RingOptions(), liveness);
        Assert.Equal(["a", "b", "c"], Ids(ring.Get(50, RingOperation.Write)));

        // The same snapshot (no descriptor change: nothing heartbeats any more) follows membership both ways.
        liveness.Kill("b");
        Assert.False(ring.IsHealthy(ring.Instances["b"], RingOperation.Write));
        Assert.Equal(["a", "c"], Ids(ring.Get(50, RingOperation.Write)));
        Assert.Equal(["a", "c", "d"], Ids(ring.GetReplicationSetForOperation(RingOperation.Read)).Order());

        liveness.Revive("b");
        Assert.True(ring.IsHealthy(ring.Instances["b"], RingOperation.Write));
        Assert.Equal(["a", "b", "c"], Ids(ring.Get(50, RingOperation.Write)));
    }

    [Fact]
    public void This_process_liveness_leaves_health_to_the_state()
    {
        var ring = new RingSnapshot(Four(b: InstanceState.Leaving), new RingOptions(), ThisProcessLiveness.Instance);
        Assert.True(ring.IsHealthy(ring.Instances["a"], RingOperation.Write));
        Assert.False(ring.IsHealthy(ring.Instances["b"], RingOperation.Write));
        Assert.Equal(["a", "c", "d"], Ids(ring.Get(50, RingOperation.Write)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Random_tokens_spread_the_space_between_three_instances(int seed)
    {
        var random = new Random(seed);
        var taken = new HashSet<uint>();
        var desc = new RingDesc();
        foreach (string id in new[] { "a", "b", "c" })
        {
            uint[] tokens = TokenGenerator.Generate(128, taken, random);
            taken.UnionWith(tokens);
            desc.Instances[id] = Instance(id, tokens);
        }

        RingSnapshot ring = Snapshot(desc);
        IReadOnlyDictionary<string, double> owned = TokenOwnership.Compute(ring.Instances);
        Assert.Equal(1.0, owned.Values.Sum(), 6);
        Assert.All(owned.Values, o => Assert.InRange(o, 0.20, 0.47));

        // The replication sets agree: every instance is the first replica of about its share of 30k keys.
        var primary = new Dictionary<string, int>();
        var keys = new Random(seed + 100);
        for (int i = 0; i < 30_000; i++)
        {
            string first = ring.Get((uint)keys.NextInt64(0, 1L << 32), RingOperation.Write).Instances[0].Id;
            primary[first] = primary.GetValueOrDefault(first) + 1;
        }

        Assert.All(owned, kv => Assert.InRange(primary[kv.Key] / 30_000.0, kv.Value - 0.03, kv.Value + 0.03));
    }

    [Fact]
    public void Ownership_is_per_zone_and_zero_without_tokens()
    {
        var desc = Desc(Instance("a", [0], zone: "z1"), Instance("b", [1u << 31], zone: "z1"), Instance("c", [5], zone: "z2"), Instance("d", [], zone: "z2"));
        IReadOnlyDictionary<string, double> owned = TokenOwnership.Compute(Snapshot(desc).Instances);
        Assert.Equal(0.5, owned["a"], 9);
        Assert.Equal(0.5, owned["b"], 9);
        Assert.Equal(1.0, owned["c"], 9);
        Assert.Equal(0.0, owned["d"]);
    }
}

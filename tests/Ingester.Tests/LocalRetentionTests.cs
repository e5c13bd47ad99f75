using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Storage.Shipping;
using MetricsCluster.Tsdb.Block;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

using static MetricsCluster.Ingester.Tests.HeadCompactorTests;

namespace MetricsCluster.Ingester.Tests;

/// <summary>
/// The ingester deletes a local block only once it is shipped and its maxTime is older than the local retention
/// period, and never from under a query reading it (Mimir -blocks-storage.tsdb.retention-period).
/// </summary>
public sealed class LocalRetentionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ingester-retention-" + Guid.NewGuid().ToString("N"));
    private readonly FixedTime _time = new(T0);

    private string TenantDir => Path.Combine(_dir, Tenant);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(12, true, false)] // Shipped, not old enough.
    [InlineData(13, true, true)] // Shipped, exactly the retention after maxTime.
    [InlineData(20, false, false)] // Old enough but never shipped.
    public async Task Deletes_only_shipped_blocks_past_the_retention(int hoursAfterMaxTime, bool shipped, bool deleted)
    {
        using var ing = await Start();
        await PushRange(ing, T0, T0 + (7 * Hour));
        Assert.Equal(2, await ing.CompactHeadsAsync(force: false, null, default));
        var db = Assert.Single(ing.OpenTenants);
        var (old, young) = (db.Blocks[0].Meta, db.Blocks[1].Meta);
        if (shipped)
        {
            MarkShipped(old.Ulid, young.Ulid);
        }

        _time.Now = old.MaxTime + (hoursAfterMaxTime * Hour);
        Assert.Equal(deleted ? 1 : 0, ing.ApplyLocalRetention());

        Assert.Equal(!deleted, Directory.Exists(Path.Combine(TenantDir, old.Ulid.ToString())));
        Assert.Equal(!deleted, db.Blocks.Any(b => b.Meta.Ulid == old.Ulid));
        Assert.True(Directory.Exists(Path.Combine(TenantDir, young.Ulid.ToString())));
        Assert.DoesNotContain(Directory.EnumerateDirectories(TenantDir), d => d.Contains(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_block_being_read_is_deleted_only_after_the_read_finishes()
    {
        using var ing = await Start();
        await PushRange(ing, T0, T0 + (7 * Hour));
        await ing.CompactHeadsAsync(force: false, null, default);
        var db = Assert.Single(ing.OpenTenants);
        var block = db.Blocks[0];
        MarkShipped(block.Meta.Ulid);
        string dir = Path.Combine(TenantDir, block.Meta.Ulid.ToString());

        Assert.True(block.TryAcquire());
        _time.Now = block.Meta.MaxTime + (14 * Hour);
        Assert.Equal(1, ing.ApplyLocalRetention());

        // Gone for new queries, still readable by the one holding the lease.
        Assert.DoesNotContain(db.Blocks, b => b.Meta.Ulid == block.Meta.Ulid);
        Assert.False(block.TryAcquire());
        Assert.True(Directory.Exists(dir));
        Assert.NotEmpty(block.Reader.Index.AllPostings());

        block.Release();
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task Leftovers_of_a_crash_during_deletion_are_removed_at_start()
    {
        Directory.CreateDirectory(Path.Combine(TenantDir, "wal"));
        string leftover = Path.Combine(TenantDir, Ulid.New(1, new Random(1)) + ".tmp-for-deletion");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "index"), "half deleted");

        using var ing = await Start();

        Assert.False(Directory.Exists(leftover));
    }

    private void MarkShipped(params Ulid[] ulids)
    {
        var state = new ShipperState();
        foreach (var u in ulids)
        {
            state.Uploaded.Add(u);
        }

        state.WriteTo(TenantDir);
    }

    private async Task<Ingester> Start()
    {
        var options = new IngesterOptions { TsdbDir = _dir, WalSegmentSize = 64 * 1024, HeadCompactionInterval = TimeSpan.Zero };
        var ing = new Ingester(options, new StaticOverrides(new Limits()), new MetricsRegistry(), NullLogger<Ingester>.Instance, _time);
        await ing.StartAsync(default);
        return ing;
    }

    /// <summary>A clock the test sets (G6).</summary>
    private sealed class FixedTime(long nowMs) : TimeProvider
    {
        public long Now { get; set; } = nowMs;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Now);
    }
}

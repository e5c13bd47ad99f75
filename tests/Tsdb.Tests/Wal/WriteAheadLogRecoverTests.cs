using MetricsCluster.Tests.Shared;
using MetricsCluster.Tsdb.Wal;
using Xunit;

namespace MetricsCluster.Tsdb.Tests.Wal;

/// <summary><see cref="WriteAheadLog.Recover"/> on a real full disk (a small tmpfs): nothing logged before is lost.</summary>
public sealed class WriteAheadLogRecoverTests
{
    // Larger than the WAL's in-memory buffer, so a write on a full disk always needs new blocks and fails.
    private const int Big = 200 * 1024;

    [Fact]
    public void A_wal_that_failed_on_a_full_disk_recovers_once_space_is_freed_and_keeps_every_record_logged_before()
    {
        using var disk = SmallDisk.Mount(4 * 1024 * 1024);
        string walDir = Path.Combine(disk.Path, "wal");
        var logged = new List<byte[]>();
        using (var wal = WriteAheadLog.Open(walDir, new WalOptions { SegmentSize = 1024 * 1024 }))
        {
            for (int i = 0; i < 5; i++)
            {
                logged.Add(WalTestDir.Record(3000, i));
                wal.Log(logged[^1]);
            }

            disk.Fill();
            Assert.ThrowsAny<IOException>(() => wal.Log(WalTestDir.Record(Big, 100)));
            Assert.True(wal.Failed);
            Assert.ThrowsAny<IOException>(() => wal.Log(WalTestDir.Record(10, 101)));

            // While the disk stays full, each attempt cuts its torn record away again and reuses the segment number.
            for (int attempt = 0; attempt < 3; attempt++)
            {
                try
                {
                    wal.Recover();
                    Assert.ThrowsAny<IOException>(() => wal.Log(WalTestDir.Record(Big, 200 + attempt)));
                }
                catch (IOException)
                {
                    // The repair itself needed a page the full disk did not have.
                }
            }

            Assert.True(Directory.GetFiles(walDir).Length <= 2);
            disk.Free();
            wal.Recover();
            Assert.False(wal.Failed);
            for (int i = 10; i < 13; i++)
            {
                logged.Add(WalTestDir.Record(i == 11 ? Big : 3000, i));
                wal.Log(logged[^1]);
            }

            wal.Sync();
        }

        var replayed = new List<byte[]>();
        Assert.Null(WalReplay.ReadAndRepair(walDir, r => replayed.Add(r.ToArray())));
        Assert.Equal(logged.Count, replayed.Count);
        Assert.All(logged.Zip(replayed), p => Assert.True(p.First.AsSpan().SequenceEqual(p.Second)));
    }
}

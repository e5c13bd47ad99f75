using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Tsdb.Tests.Wal;

/// <summary>A per-test WAL directory under the temp path, deleted on dispose (G18).</summary>
internal sealed class WalTestDir : IDisposable
{
    public const int PageSize = 32 * 1024;

    public WalTestDir()
    {
        Root = Path.Combine(Path.GetTempPath(), "mc-wal-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>The WAL directory (created by <see cref="WriteAheadLog.Open"/>).</summary>
    public string Wal => Path.Combine(Root, "wal");

    public string Segment(int index) => Path.Combine(Wal, index.ToString("D8"));

    public WriteAheadLog Open(int segmentSize = 64 * 1024, bool fsyncEveryLog = false) =>
        WriteAheadLog.Open(Wal, new WalOptions { SegmentSize = segmentSize, FsyncOnEveryLog = fsyncEveryLog });

    /// <summary>Replays and repairs, returning copies of the records.</summary>
    public (List<byte[]> Records, WalCorruption? Corruption) Replay()
    {
        var records = new List<byte[]>();
        var corruption = WalReplay.ReadAndRepair(Wal, r => records.Add(r.ToArray()));
        return (records, corruption);
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    /// <summary>A record of <paramref name="size"/> bytes whose content identifies <paramref name="seed"/>.</summary>
    public static byte[] Record(int size, int seed)
    {
        var b = new byte[size];
        new Random(seed).NextBytes(b);
        if (size > 0)
        {
            b[0] = (byte)RecordType.Samples;
        }

        return b;
    }
}

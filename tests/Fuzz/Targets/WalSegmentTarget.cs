using MetricsCluster.Fuzz.Tests.Framework;
using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// A WAL directory holding the input (as mutated, then with its fragment checksums re-sealed) as its only segment, replayed and repaired as at ingester start-up
/// (<see cref="WalReplay.ReadAndRepair"/>), each record then decoded. Documented outcomes: a returned
/// <see cref="WalCorruption"/> (damage repaired), <see cref="InvalidDataException"/>, <see cref="NotSupportedException"/>
/// (zstd or unknown flags) and <see cref="WalRecordException"/> from the record decoders.
/// </summary>
public sealed class WalSegmentTarget : IFuzzTarget
{
    // One directory per process; the driver runs one input at a time, so it is rewritten for each.
    private static readonly Lazy<string> s_dir = new(() => FuzzTempDirectory.Create("fuzz-wal-"));

    /// <inheritdoc/>
    public static string Name => "wal-segment";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        Replay(input.ToArray());
        Replay(ChecksumFixup.WalSegment(input));
    }

    private static void Replay(byte[] segment)
    {
        string dir = s_dir.Value;
        foreach (string f in Directory.GetFiles(dir))
        {
            File.Delete(f);
        }

        File.WriteAllBytes(Path.Combine(dir, "00000000"), segment);
        try
        {
            WalReplay.ReadAndRepair(dir, record =>
            {
                try
                {
                    WalRecordTarget.Decode(record);
                }
                catch (WalRecordException)
                {
                }
            });
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException)
        {
        }
    }
}

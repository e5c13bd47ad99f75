using MetricsCluster.Fuzz.Tests.Framework;
using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// A WAL directory holding the input as its only segment, replayed and repaired as at ingester start-up
/// (<see cref="WalReplay.ReadAndRepair"/>), each record then decoded. Documented outcomes: a returned
/// <see cref="WalCorruption"/> (damage repaired), <see cref="InvalidDataException"/>, <see cref="NotSupportedException"/>
/// (zstd or unknown flags) and <see cref="WalRecordException"/> from the record decoders.
/// </summary>
public sealed class WalSegmentTarget : IFuzzTarget
{
    // One directory per process; the driver runs one input at a time, so it is rewritten for each.
    private static readonly Lazy<string> s_dir = new(() => Directory.CreateTempSubdirectory("fuzz-wal-").FullName);

    /// <inheritdoc/>
    public static string Name => "wal-segment";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        string dir = s_dir.Value;
        foreach (string f in Directory.GetFiles(dir))
        {
            File.Delete(f);
        }

        File.WriteAllBytes(Path.Combine(dir, "00000000"), input.ToArray());
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

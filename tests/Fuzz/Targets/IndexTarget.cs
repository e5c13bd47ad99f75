using MetricsCluster.Fuzz.Tests.Framework;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// The block index reader over an in-memory index file, walked as the querier does (names, values, postings,
/// series), as mutated and with its checksums re-sealed; it may only throw <see cref="BlockCorruptionException"/>.
/// </summary>
public sealed class IndexTarget : IFuzzTarget
{
    // A damaged postings list can name many refs; reading a bounded number per list keeps one input fast.
    private const int MaxSeriesPerList = 64;

    /// <inheritdoc/>
    public static string Name => "index";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        Walk(input.ToArray());
        Walk(ChecksumFixup.Index(input));
    }

    private static void Walk(byte[] index)
    {
        try
        {
            using var reader = new IndexReader(index);
            foreach (ulong r in reader.AllPostings().Take(MaxSeriesPerList))
            {
                _ = reader.Series(r).Labels.ToString();
            }

            foreach (string name in reader.LabelNames())
            {
                foreach (string value in reader.LabelValues(name))
                {
                    foreach (ulong r in reader.Postings(name, value).Take(MaxSeriesPerList))
                    {
                        _ = reader.SeriesLabels(r);
                    }
                }
            }
        }
        catch (BlockCorruptionException)
        {
        }
    }
}

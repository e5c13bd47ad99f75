using System.Globalization;

namespace MetricsCluster.Tsdb.Wal;

/// <summary>
/// Constants and names of the Prometheus WAL layout (tsdb/wlog/wlog.go), shared by the writer, the
/// reader and checkpoints. See docs/format/wal.md.
/// </summary>
internal static class WalFormat
{
    /// <summary>Fragments never cross a page, and the reader skips padding to page boundaries.</summary>
    public const int PageSize = 32 * 1024;

    /// <summary>Fragment header: type byte, BE16 length, BE32 CRC32C of the fragment data.</summary>
    public const int HeaderSize = 7;

    /// <summary>Largest fragment payload (one that fills a whole page).</summary>
    public const int MaxFragmentData = PageSize - HeaderSize;

    /// <summary>Low three bits of the fragment type byte: the fragment kind.</summary>
    public const byte KindMask = 0x07;

    /// <summary>Type byte flag: the record is snappy-compressed (block format).</summary>
    public const byte SnappyFlag = 0x08;

    /// <summary>Type byte flag: the record is zstd-compressed.</summary>
    public const byte ZstdFlag = 0x10;

    /// <summary>Type byte bits that no known Prometheus version sets.</summary>
    public const byte UnknownFlags = 0xE0;

    /// <summary>Prefix of checkpoint directory names (checkpoint.00000123).</summary>
    public const string CheckpointPrefix = "checkpoint.";

    /// <summary>Fragment kinds (recType in wlog.go).</summary>
    public const byte PageTerm = 0, Full = 1, First = 2, Middle = 3, Last = 4;

    /// <summary>The file name of segment <paramref name="index"/>: eight zero-padded decimal digits.</summary>
    public static string SegmentName(int index) => index.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>The full path of segment <paramref name="index"/> in <paramref name="dir"/>.</summary>
    public static string SegmentPath(string dir, int index) => Path.Combine(dir, SegmentName(index));

    /// <summary>The directory name of the checkpoint covering segments up to <paramref name="index"/>.</summary>
    public static string CheckpointName(int index) => CheckpointPrefix + SegmentName(index);

    /// <summary>
    /// Parses a segment file name. Like Prometheus' listSegments any all-digit name counts, so a
    /// directory written by Prometheus is read the same way.
    /// </summary>
    public static bool TryParseSegmentName(string name, out int index)
    {
        index = -1;
        if (name.Length == 0 || name.Length > 9)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        index = int.Parse(name, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>Sorted indices of the segment files in <paramref name="dir"/> (empty when it does not exist).</summary>
    public static List<int> ListSegments(string dir)
    {
        var result = new List<int>();
        if (!Directory.Exists(dir))
        {
            return result;
        }

        foreach (string path in Directory.EnumerateFiles(dir))
        {
            if (TryParseSegmentName(Path.GetFileName(path), out int index))
            {
                result.Add(index);
            }
        }

        result.Sort();
        return result;
    }

    /// <summary>Checks that segment indices have no holes, naming the first missing one.</summary>
    public static void RequireContiguous(string dir, List<int> segments, int expectedFirst)
    {
        int expected = expectedFirst;
        foreach (int s in segments)
        {
            if (s != expected)
            {
                throw new InvalidDataException(
                    $"WAL directory {dir}: segment {SegmentName(expected)} is missing (found {SegmentName(s)} next); refusing to replay past a hole");
            }

            expected++;
        }
    }
}

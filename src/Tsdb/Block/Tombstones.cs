namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// The block's <c>tombstones</c> file (<c>docs/format/block.md</c> §4): <c>BE32 0x0130BA30 · 0x01 ·
/// stone* · BE32 CRC32C(stones)</c>. Only the empty file is written: deletion is not supported yet.
/// </summary>
public static class Tombstones
{
    /// <summary>File name inside the block directory.</summary>
    public const string FileName = "tombstones";

    /// <summary>Header magic (BE32).</summary>
    public const uint Magic = 0x0130BA30;

    /// <summary>Format version byte.</summary>
    public const byte FormatVersion = 1;

    /// <summary>
    /// The complete file without stones: magic, version, and the CRC32C of zero bytes, which is 0.
    /// </summary>
    public static ReadOnlySpan<byte> Empty => [0x01, 0x30, 0xBA, 0x30, FormatVersion, 0x00, 0x00, 0x00, 0x00];

    /// <summary>Writes an empty tombstones file into <paramref name="blockDir"/> and fsyncs it.</summary>
    public static void WriteEmpty(string blockDir)
    {
        using var f = new FileStream(Path.Combine(blockDir, FileName), FileMode.Create, FileAccess.Write, FileShare.None);
        f.Write(Empty);
        f.Flush(flushToDisk: true);
    }
}

using System.Text.Json;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>A block of a filesystem bucket as its meta.json describes it.</summary>
/// <param name="Id">The ULID (directory name).</param>
/// <param name="MinTime">meta.json minTime.</param>
/// <param name="MaxTime">meta.json maxTime.</param>
/// <param name="Level">compaction.level.</param>
/// <param name="Sources">compaction.sources.</param>
public sealed record BucketBlock(string Id, long MinTime, long MaxTime, int Level, HashSet<string> Sources)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Id} level {Level} [{MinTime},{MaxTime}) from {Sources.Count}";
}

/// <summary>Reads a tenant's blocks straight from a filesystem bucket, for the compaction tests.</summary>
public static class BucketBlocks
{
    /// <summary>The block in <paramref name="dir"/>, or null when its meta.json is missing (partial, or deleted meanwhile).</summary>
    public static BucketBlock? Read(string dir)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "meta.json")));
            var root = json.RootElement;
            var compaction = root.GetProperty("compaction");
            return new BucketBlock(
                Path.GetFileName(dir),
                root.GetProperty("minTime").GetInt64(),
                root.GetProperty("maxTime").GetInt64(),
                compaction.GetProperty("level").GetInt32(),
                [.. compaction.GetProperty("sources").EnumerateArray().Select(s => s.GetString()!)]);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Complete blocks of the tenant without a deletion mark in their directory.</summary>
    public static List<BucketBlock> Live(string tenantDir) =>
        [.. Directory.GetDirectories(tenantDir)
            .Where(d => !File.Exists(Path.Combine(d, "deletion-mark.json")))
            .Select(Read)
            .OfType<BucketBlock>()];

    /// <summary>Whether two of <paramref name="blocks"/> overlap in time.</summary>
    public static bool Overlapping(IEnumerable<BucketBlock> blocks)
    {
        var sorted = blocks.OrderBy(b => b.MinTime).ToList();
        return sorted.Zip(sorted.Skip(1)).Any(p => p.Second.MinTime < p.First.MaxTime);
    }

    /// <summary>Bytes of a block's data files (chunks, index), without meta.json and marks.</summary>
    public static long DataBytes(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is not ("meta.json" or "deletion-mark.json" or "no-compact-mark.json"))
            .Sum(f => new FileInfo(f).Length);
}

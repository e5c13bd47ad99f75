using System.Text.Json;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Reads the ingester's local block directories the way the shipper sees them.</summary>
public static class BlockDirs
{
    /// <summary>The ULIDs of the complete blocks (directories holding meta.json) under a tenant dir, sorted.</summary>
    public static List<string> Complete(string tenantDir) =>
        !Directory.Exists(tenantDir)
            ? []
            : [.. Directory.GetDirectories(tenantDir)
                .Where(d => !Path.GetFileName(d).Contains('.', StringComparison.Ordinal) && File.Exists(Path.Combine(d, "meta.json")))
                .Select(d => Path.GetFileName(d)!)
                .Order(StringComparer.Ordinal)];

    /// <summary>The files a block is shipped as, keyed as in the bucket (<c>tenant/ULID/rel</c>), with sizes; tombstones are never shipped.</summary>
    public static Dictionary<string, long> ShippedFiles(string tenant, string blockDir)
    {
        string ulid = Path.GetFileName(blockDir);
        return Directory.GetFiles(blockDir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "tombstones")
            .ToDictionary(f => $"{tenant}/{ulid}/{Path.GetRelativePath(blockDir, f).Replace('\\', '/')}", f => new FileInfo(f).Length, StringComparer.Ordinal);
    }

    /// <summary>The ULIDs <c>thanos.shipper.json</c> records as uploaded (empty when the file does not exist yet), sorted.</summary>
    public static List<string> RecordedAsShipped(string tenantDir)
    {
        string path = Path.Combine(tenantDir, "thanos.shipper.json");
        if (!File.Exists(path))
        {
            return [];
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return [.. doc.RootElement.GetProperty("uploaded").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal)];
    }

    /// <summary>Copies a directory tree.</summary>
    public static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from))
        {
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        }

        foreach (string d in Directory.GetDirectories(from))
        {
            Copy(d, Path.Combine(to, Path.GetFileName(d)));
        }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Adds the Mimir/Thanos <c>thanos</c> section to a block written by Prometheus tooling, as a block upload would.</summary>
public static class ThanosSection
{
    /// <summary>
    /// Rewrites <c>blockDir/meta.json</c> with <c>thanos{version 1, labels{__org_id__}, downsample{resolution 0}, source,
    /// files[]}</c> (the shape of src/Tsdb/Block/ThanosMeta.cs; <c>files</c> lists every file but meta.json with its size).
    /// </summary>
    public static void Add(string blockDir, string tenant, string source)
    {
        string metaPath = Path.Combine(blockDir, "meta.json");
        var meta = JsonNode.Parse(File.ReadAllText(metaPath))!.AsObject();
        var files = new JsonArray();
        foreach (string f in Directory.GetFiles(blockDir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(blockDir, f).Replace('\\', '/')).Order(StringComparer.Ordinal))
        {
            files.Add(f == "meta.json"
                ? new JsonObject { ["rel_path"] = f }
                : new JsonObject { ["rel_path"] = f, ["size_bytes"] = new FileInfo(Path.Combine(blockDir, f)).Length });
        }

        meta["thanos"] = new JsonObject
        {
            ["version"] = 1,
            ["labels"] = new JsonObject { ["__org_id__"] = tenant },
            ["downsample"] = new JsonObject { ["resolution"] = 0 },
            ["source"] = source,
            ["files"] = files,
        };
        File.WriteAllText(metaPath, meta.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}

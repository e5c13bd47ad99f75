using System.Text.Json;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// The <c>thanos</c> section of <c>meta.json</c> (Thanos <c>metadata.Thanos</c>), which Mimir's
/// ingester writes on shipped blocks: external labels (<c>__org_id__</c> = tenant), downsampling
/// resolution, source and the file list with sizes. Field order as Go writes it.
/// </summary>
public sealed class ThanosMeta
{
    /// <summary>Thanos meta version; Thanos writes 1.</summary>
    public int Version { get; set; } = 1;

    /// <summary>External labels, written sorted by key (Go sorts map keys); Mimir sets <c>__org_id__</c>.</summary>
    public SortedDictionary<string, string> Labels { get; } = new(StringComparer.Ordinal);

    /// <summary>Downsampling resolution in ms; 0 = raw data.</summary>
    public long DownsampleResolution { get; set; }

    /// <summary>Producer of the block, e.g. <c>ingester</c> or <c>compactor</c>.</summary>
    public string Source { get; set; } = "ingester";

    /// <summary>Files of the block relative to its directory, in lexical order.</summary>
    public List<BlockFile> Files { get; } = [];

    /// <summary>A copy of the version, labels, resolution and source, without the file list (a new block fills its own).</summary>
    /// <returns>The copy.</returns>
    public ThanosMeta Clone()
    {
        var copy = new ThanosMeta { Version = Version, DownsampleResolution = DownsampleResolution, Source = Source };
        foreach (var (k, v) in Labels)
        {
            copy.Labels[k] = v;
        }

        return copy;
    }

    internal void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject("thanos");
        w.WriteNumber("version", Version);
        w.WriteStartObject("labels");
        foreach (var (k, v) in Labels)
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
        w.WriteStartObject("downsample");
        w.WriteNumber("resolution", DownsampleResolution);
        w.WriteEndObject();
        w.WriteString("source", Source);
        if (Files.Count > 0)
        {
            w.WriteStartArray("files");
            foreach (var f in Files)
            {
                w.WriteStartObject();
                w.WriteString("rel_path", f.RelPath);
                if (f.SizeBytes != 0)
                {
                    w.WriteNumber("size_bytes", f.SizeBytes);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        // Go's omitempty does not apply to structs, so Thanos always writes the empty index_stats object.
        w.WriteStartObject("index_stats");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    internal static ThanosMeta FromElement(JsonElement e)
    {
        var t = new ThanosMeta
        {
            Version = e.TryGetProperty("version", out var v) ? v.GetInt32() : 0,
            Source = e.TryGetProperty("source", out var s) ? s.GetString() ?? string.Empty : string.Empty,
        };
        if (e.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in labels.EnumerateObject())
            {
                t.Labels[p.Name] = p.Value.GetString() ?? string.Empty;
            }
        }

        if (e.TryGetProperty("downsample", out var d) && d.TryGetProperty("resolution", out var r))
        {
            t.DownsampleResolution = r.GetInt64();
        }

        if (e.TryGetProperty("files", out var files) && files.ValueKind == JsonValueKind.Array)
        {
            foreach (var f in files.EnumerateArray())
            {
                long size = f.TryGetProperty("size_bytes", out var sz) ? sz.GetInt64() : 0;
                t.Files.Add(new BlockFile(f.GetProperty("rel_path").GetString() ?? string.Empty, size));
            }
        }

        return t;
    }
}

/// <summary>One entry of <c>thanos.files</c>: a path relative to the block directory and its size (0 = omitted, as for <c>meta.json</c> itself).</summary>
/// <param name="RelPath">Path with '/' separators, e.g. <c>chunks/000001</c>.</param>
/// <param name="SizeBytes">File size in bytes.</param>
public readonly record struct BlockFile(string RelPath, long SizeBytes);

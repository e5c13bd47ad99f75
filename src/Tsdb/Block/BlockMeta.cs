using System.Buffers;
using System.Text.Json;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// A block's <c>meta.json</c>: Prometheus' <c>tsdb.BlockMeta</c> plus the <c>thanos</c> section that
/// Mimir's shipper and store-gateway use (format in <c>docs/format/block.md</c>). Written by hand with
/// <see cref="Utf8JsonWriter"/> (no reflection, G20) in exactly Go's field order and tab indentation;
/// read with <see cref="JsonDocument"/>, tolerating unknown and missing optional fields.
/// </summary>
public sealed class BlockMeta
{
    /// <summary>File name inside the block directory.</summary>
    public const string FileName = "meta.json";

    /// <summary>The only meta format version Prometheus accepts.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Block ID (= directory name).</summary>
    public Ulid Ulid { get; set; }

    /// <summary>Inclusive lower bound of all sample timestamps, in ms.</summary>
    public long MinTime { get; set; }

    /// <summary>Exclusive upper bound: every sample has <c>MinTime ≤ t &lt; MaxTime</c>.</summary>
    public long MaxTime { get; set; }

    /// <summary>Counts; zero fields are omitted from the JSON (Go <c>omitempty</c>).</summary>
    public BlockStats Stats { get; set; } = new();

    /// <summary>Compaction level and source blocks.</summary>
    public BlockCompaction Compaction { get; set; } = new();

    /// <summary>Meta format version; always <see cref="CurrentVersion"/> when written.</summary>
    public int Version { get; set; } = CurrentVersion;

    /// <summary>The Thanos/Mimir section, or null to omit it (a plain Prometheus block).</summary>
    public ThanosMeta? Thanos { get; set; }

    /// <summary>Serialises as Go's <c>json.MarshalIndent(meta, "", "\t")</c> does (no trailing newline).</summary>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, IndentCharacter = '\t', IndentSize = 1 }))
        {
            Write(w);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses <c>meta.json</c> content.</summary>
    /// <exception cref="InvalidDataException">Malformed JSON, a missing required field, or a version other than 1.</exception>
    public static BlockMeta Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            return FromElement(doc.RootElement);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"invalid {FileName}: {e.Message}", e);
        }
    }

    /// <summary>Reads <c>&lt;blockDir&gt;/meta.json</c>.</summary>
    public static BlockMeta ReadFrom(string blockDir) => Parse(File.ReadAllBytes(Path.Combine(blockDir, FileName)));

    /// <summary>Writes <c>&lt;blockDir&gt;/meta.json</c> via <c>meta.json.tmp</c>, fsync and rename (as Prometheus does).</summary>
    public void WriteTo(string blockDir)
    {
        string path = Path.Combine(blockDir, FileName);
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(ToJson());
            f.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
    }

    private void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("ulid", Ulid.ToString());
        w.WriteNumber("minTime", MinTime);
        w.WriteNumber("maxTime", MaxTime);
        w.WriteStartObject("stats");
        WriteNonZero(w, "numSamples", Stats.NumSamples);
        WriteNonZero(w, "numSeries", Stats.NumSeries);
        WriteNonZero(w, "numChunks", Stats.NumChunks);
        WriteNonZero(w, "numTombstones", Stats.NumTombstones);
        w.WriteEndObject();
        w.WriteStartObject("compaction");
        w.WriteNumber("level", Compaction.Level);
        if (Compaction.Sources.Count > 0)
        {
            w.WriteStartArray("sources");
            foreach (var s in Compaction.Sources)
            {
                w.WriteStringValue(s.ToString());
            }

            w.WriteEndArray();
        }

        WriteParents(w, Compaction.Parents);
        w.WriteEndObject();
        w.WriteNumber("version", Version);
        if (Thanos is { } t)
        {
            t.Write(w);
        }

        w.WriteEndObject();
    }

    // Go: Parents []BlockDesc `json:"parents,omitempty"`, after sources (and the omitted deletable flag).
    private static void WriteParents(Utf8JsonWriter w, List<BlockDesc> parents)
    {
        if (parents.Count == 0)
        {
            return;
        }

        w.WriteStartArray("parents");
        foreach (var p in parents)
        {
            w.WriteStartObject();
            w.WriteString("ulid", p.Ulid.ToString());
            w.WriteNumber("minTime", p.MinTime);
            w.WriteNumber("maxTime", p.MaxTime);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteNonZero(Utf8JsonWriter w, string name, ulong value)
    {
        if (value != 0)
        {
            w.WriteNumber(name, value);
        }
    }

    private static BlockMeta FromElement(JsonElement root)
    {
        var meta = new BlockMeta
        {
            Ulid = Ulid.Parse(root.GetProperty("ulid").GetString() ?? string.Empty),
            MinTime = root.GetProperty("minTime").GetInt64(),
            MaxTime = root.GetProperty("maxTime").GetInt64(),
            Version = root.GetProperty("version").GetInt32(),
        };
        if (meta.Version != CurrentVersion)
        {
            throw new FormatException($"unsupported meta version {meta.Version}");
        }

        if (root.TryGetProperty("stats", out var stats))
        {
            meta.Stats = new BlockStats
            {
                NumSamples = GetUInt64(stats, "numSamples"),
                NumSeries = GetUInt64(stats, "numSeries"),
                NumChunks = GetUInt64(stats, "numChunks"),
                NumTombstones = GetUInt64(stats, "numTombstones"),
            };
        }

        if (root.TryGetProperty("compaction", out var c))
        {
            meta.Compaction.Level = c.TryGetProperty("level", out var level) ? level.GetInt32() : 0;
            if (c.TryGetProperty("sources", out var sources) && sources.ValueKind == JsonValueKind.Array)
            {
                foreach (var s in sources.EnumerateArray())
                {
                    meta.Compaction.Sources.Add(Ulid.Parse(s.GetString() ?? string.Empty));
                }
            }

            if (c.TryGetProperty("parents", out var parents) && parents.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in parents.EnumerateArray())
                {
                    meta.Compaction.Parents.Add(new BlockDesc(
                        Ulid.Parse(p.GetProperty("ulid").GetString() ?? string.Empty),
                        p.GetProperty("minTime").GetInt64(),
                        p.GetProperty("maxTime").GetInt64()));
                }
            }
        }

        if (root.TryGetProperty("thanos", out var thanos) && thanos.ValueKind == JsonValueKind.Object)
        {
            meta.Thanos = ThanosMeta.FromElement(thanos);
        }

        return meta;
    }

    internal static ulong GetUInt64(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? v.GetUInt64() : 0;
}

/// <summary>The <c>stats</c> object of <c>meta.json</c> (Prometheus 2.x fields).</summary>
public sealed class BlockStats
{
    /// <summary>Total samples in all chunks.</summary>
    public ulong NumSamples { get; set; }

    /// <summary>Series in the index.</summary>
    public ulong NumSeries { get; set; }

    /// <summary>Chunks in the segment files.</summary>
    public ulong NumChunks { get; set; }

    /// <summary>Tombstone intervals (0 for a freshly written block).</summary>
    public ulong NumTombstones { get; set; }
}

/// <summary>The <c>compaction</c> object of <c>meta.json</c>.</summary>
public sealed class BlockCompaction
{
    /// <summary>1 for a block written from a head; larger for merged blocks.</summary>
    public int Level { get; set; } = 1;

    /// <summary>Level-1 blocks this block was built from; a new block lists itself.</summary>
    public List<Ulid> Sources { get; } = [];

    /// <summary>The blocks merged directly into this one (Prometheus <c>parents</c>); empty, and omitted, for a block written from a head.</summary>
    public List<BlockDesc> Parents { get; } = [];
}

/// <summary>One entry of <c>compaction.parents</c> (Prometheus <c>tsdb.BlockDesc</c>).</summary>
/// <param name="Ulid">The parent block's ID.</param>
/// <param name="MinTime">The parent's <c>minTime</c>, ms.</param>
/// <param name="MaxTime">The parent's <c>maxTime</c> (exclusive), ms.</param>
public readonly record struct BlockDesc(Ulid Ulid, long MinTime, long MaxTime);

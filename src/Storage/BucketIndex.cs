using System.Buffers;
using System.IO.Compression;
using System.Text.Json;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Storage;

/// <summary>
/// A tenant's bucket index, <c>&lt;tenant&gt;/bucket-index.json.gz</c> (Mimir <c>bucketindex.Index</c>): the complete
/// blocks (including ones marked for deletion), the deletion marks and when it was built, so the store-gateway,
/// querier and compactor need not list the bucket. Gzipped JSON in Mimir's field names, written by hand with
/// <see cref="Utf8JsonWriter"/> (no reflection, G20):
/// <c>{"version":1,"blocks":[{"block_id","min_time","max_time","uploaded_at",...}],"block_deletion_marks":[{"block_id","deletion_time"}],"updated_at":s}</c>.
/// </summary>
public sealed class BucketIndex
{
    /// <summary>The object name inside the tenant's prefix.</summary>
    public const string FileName = "bucket-index.json.gz";

    /// <summary>The only index version (Mimir <c>IndexVersion1</c>).</summary>
    public const int CurrentVersion = 1;

    /// <summary>Gets the complete blocks, sorted by ID.</summary>
    public List<BucketIndexBlock> Blocks { get; } = [];

    /// <summary>Gets the deletion marks, sorted by block ID.</summary>
    public List<BlockDeletionMark> BlockDeletionMarks { get; } = [];

    /// <summary>Gets or sets when the index was built, in Unix seconds.</summary>
    public long UpdatedAt { get; set; }

    /// <summary>The key of <paramref name="tenant"/>'s index in the bucket.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <returns><c>&lt;tenant&gt;/bucket-index.json.gz</c>.</returns>
    public static string Key(string tenant) => $"{tenant}/{FileName}";

    /// <summary>Serialises the index as (uncompressed) JSON.</summary>
    /// <returns>The UTF-8 JSON bytes.</returns>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("version", CurrentVersion);
            w.WriteStartArray("blocks");
            foreach (var b in Blocks)
            {
                w.WriteStartObject();
                w.WriteString("block_id", b.Id.ToString());
                w.WriteNumber("min_time", b.MinTime);
                w.WriteNumber("max_time", b.MaxTime);
                w.WriteNumber("uploaded_at", b.UploadedAt);
                if (b.Source.Length > 0)
                {
                    w.WriteString("source", b.Source);
                }

                if (b.CompactionLevel != 0)
                {
                    w.WriteNumber("compaction_level", b.CompactionLevel);
                }

                if (b.Resolution != 0)
                {
                    w.WriteNumber("downsample_resolution", b.Resolution);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("block_deletion_marks");
            foreach (var m in BlockDeletionMarks)
            {
                w.WriteStartObject();
                w.WriteString("block_id", m.Id.ToString());
                w.WriteNumber("deletion_time", m.DeletionTime);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("updated_at", UpdatedAt);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Serialises the index as gzipped JSON, the stored form.</summary>
    /// <returns>The gzip bytes.</returns>
    public byte[] ToGzip()
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(ToJson());
        }

        return output.ToArray();
    }

    /// <summary>Parses uncompressed index JSON, ignoring unknown fields (Mimir adds optional ones).</summary>
    /// <param name="json">The JSON bytes.</param>
    /// <returns>The index.</returns>
    /// <exception cref="InvalidDataException">Malformed JSON, a missing field, or a version other than 1.</exception>
    public static BucketIndex Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            int version = root.GetProperty("version").GetInt32();
            if (version != CurrentVersion)
            {
                throw new FormatException($"unsupported version {version}");
            }

            var index = new BucketIndex { UpdatedAt = root.GetProperty("updated_at").GetInt64() };
            foreach (var b in Array(root, "blocks"))
            {
                index.Blocks.Add(new BucketIndexBlock(
                    Ulid.Parse(b.GetProperty("block_id").GetString() ?? string.Empty),
                    b.GetProperty("min_time").GetInt64(),
                    b.GetProperty("max_time").GetInt64(),
                    b.TryGetProperty("uploaded_at", out var up) ? up.GetInt64() : 0,
                    b.TryGetProperty("source", out var src) ? src.GetString() ?? string.Empty : string.Empty,
                    b.TryGetProperty("compaction_level", out var lvl) ? lvl.GetInt32() : 0,
                    b.TryGetProperty("downsample_resolution", out var res) ? res.GetInt64() : 0));
            }

            foreach (var m in Array(root, "block_deletion_marks"))
            {
                index.BlockDeletionMarks.Add(new BlockDeletionMark(
                    Ulid.Parse(m.GetProperty("block_id").GetString() ?? string.Empty),
                    m.GetProperty("deletion_time").GetInt64()));
            }

            return index;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"invalid {FileName}: {e.Message}", e);
        }
    }

    /// <summary>Parses the stored (gzipped) form.</summary>
    /// <param name="gzip">The gzip bytes.</param>
    /// <returns>The index.</returns>
    /// <exception cref="InvalidDataException">Not gzip, or invalid JSON inside.</exception>
    public static BucketIndex ParseGzip(byte[] gzip)
    {
        using var input = new MemoryStream(gzip);
        using var gz = new GZipStream(input, CompressionMode.Decompress);
        using var json = new MemoryStream();
        gz.CopyTo(json);
        return Parse(json.GetBuffer().AsSpan(0, (int)json.Length));
    }

    private static IEnumerable<JsonElement> Array(JsonElement root, string name) =>
        root.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array ? a.EnumerateArray() : [];
}

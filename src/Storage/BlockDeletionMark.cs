using System.Buffers;
using System.Text.Json;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Storage;

/// <summary>
/// A block marked for deletion (Thanos <c>metadata.DeletionMark</c>, Mimir <c>bucketindex.BlockDeletionMark</c>). In the
/// bucket index it is <c>{"block_id","deletion_time"}</c>; as a marker object it is
/// <c>{"id":"&lt;ULID&gt;","deletion_time":&lt;unix s&gt;,"version":1}</c>, stored twice: in the block dir
/// (<c>&lt;tenant&gt;/&lt;ULID&gt;/deletion-mark.json</c>, Thanos) and as the global copy
/// (<c>&lt;tenant&gt;/markers/&lt;ULID&gt;-deletion-mark.json</c>, Mimir) so a tenant's marks can be listed without
/// walking every block.
/// </summary>
/// <param name="Id">The block ID (<c>block_id</c>, <c>id</c> in the marker).</param>
/// <param name="DeletionTime">When the block was marked, in Unix seconds (<c>deletion_time</c>).</param>
public sealed record BlockDeletionMark(Ulid Id, long DeletionTime)
{
    /// <summary>The marker's name inside the block dir.</summary>
    public const string FileName = "deletion-mark.json";

    /// <summary>The tenant sub-directory holding the global marker copies.</summary>
    public const string MarkersDirectory = "markers";

    /// <summary>The suffix of a global marker's name, after the block ID.</summary>
    public const string GlobalSuffix = "-" + FileName;

    /// <summary>The only marker version (Thanos <c>DeletionMarkVersion1</c>).</summary>
    public const int CurrentVersion = 1;

    /// <summary>The key of the marker inside the block dir.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The block.</param>
    /// <returns><c>&lt;tenant&gt;/&lt;ULID&gt;/deletion-mark.json</c>.</returns>
    public static string BlockKey(string tenant, Ulid id) => $"{tenant}/{id}/{FileName}";

    /// <summary>The key of the global copy of the marker.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The block.</param>
    /// <returns><c>&lt;tenant&gt;/markers/&lt;ULID&gt;-deletion-mark.json</c>.</returns>
    public static string GlobalKey(string tenant, Ulid id) => $"{tenant}/{MarkersDirectory}/{id}{GlobalSuffix}";

    /// <summary>Serialises the marker object as Thanos writes it.</summary>
    /// <returns>The UTF-8 JSON bytes.</returns>
    public byte[] ToMarkerJson()
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", Id.ToString());
            w.WriteNumber("deletion_time", DeletionTime);
            w.WriteNumber("version", CurrentVersion);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses a marker object, ignoring unknown fields (Thanos adds <c>details</c>).</summary>
    /// <param name="json">The marker's bytes.</param>
    /// <param name="expected">The block the marker's key names; the marker must agree.</param>
    /// <returns>The mark.</returns>
    /// <exception cref="InvalidDataException">Malformed JSON, a missing field, another version or another block ID.</exception>
    public static BlockDeletionMark ParseMarker(ReadOnlySpan<byte> json, Ulid expected)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.TryGetProperty("version", out var v) && v.GetInt32() != CurrentVersion)
            {
                throw new FormatException($"unsupported version {v.GetInt32()}");
            }

            if (root.TryGetProperty("id", out var idElement) && Ulid.Parse(idElement.GetString() ?? string.Empty) != expected)
            {
                throw new FormatException($"marker names block {idElement.GetString()}, expected {expected}");
            }

            return root.TryGetProperty("deletion_time", out var time)
                ? new BlockDeletionMark(expected, time.GetInt64())
                : throw new FormatException("missing deletion_time");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"invalid {FileName} of block {expected}: {e.Message}", e);
        }
    }
}

using System.Buffers;
using System.Text.Json;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Compactor;

/// <summary>
/// A block the compactor must leave alone (Thanos <c>metadata.NoCompactMark</c>, as Mimir writes it since PR 6588
/// for blocks it cannot compact): <c>{"id","version":1,"details","no_compact_time","reason"}</c>, stored in the block dir
/// (<c>&lt;tenant&gt;/&lt;ULID&gt;/no-compact-mark.json</c>) and as a global copy under <c>&lt;tenant&gt;/markers/</c> so a
/// run lists a tenant's marks without walking every block. A marked block stays queryable; it is only never merged.
/// </summary>
/// <param name="Id">The block.</param>
/// <param name="Reason">Why: <see cref="CriticalReason"/> for a block the merge could not read, or <c>manual</c>.</param>
/// <param name="Details">The error that caused the mark, for the operator.</param>
/// <param name="NoCompactTime">When it was marked, Unix seconds.</param>
public sealed record NoCompactMark(Ulid Id, string Reason, string Details, long NoCompactTime)
{
    /// <summary>The marker's name inside the block dir.</summary>
    public const string FileName = "no-compact-mark.json";

    /// <summary>The suffix of a global marker's name, after the block ID.</summary>
    public const string GlobalSuffix = "-" + FileName;

    /// <summary>Thanos' <c>CriticalNoCompactReason</c>: the block cannot be compacted (corrupt index or chunks).</summary>
    public const string CriticalReason = "critical";

    /// <summary>The key inside the block dir.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The block.</param>
    /// <returns><c>&lt;tenant&gt;/&lt;ULID&gt;/no-compact-mark.json</c>.</returns>
    public static string BlockKey(string tenant, Ulid id) => $"{tenant}/{id}/{FileName}";

    /// <summary>The key of the global copy.</summary>
    /// <param name="tenant">The tenant.</param>
    /// <param name="id">The block.</param>
    /// <returns><c>&lt;tenant&gt;/markers/&lt;ULID&gt;-no-compact-mark.json</c>.</returns>
    public static string GlobalKey(string tenant, Ulid id) => $"{tenant}/{Storage.BlockDeletionMark.MarkersDirectory}/{id}{GlobalSuffix}";

    /// <summary>Serialises the marker as Thanos writes it.</summary>
    /// <returns>The UTF-8 JSON bytes.</returns>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", Id.ToString());
            w.WriteNumber("version", 1);
            w.WriteString("details", Details);
            w.WriteNumber("no_compact_time", NoCompactTime);
            w.WriteString("reason", Reason);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

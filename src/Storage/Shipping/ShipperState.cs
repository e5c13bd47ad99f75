using System.Buffers;
using System.Text.Json;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.Storage.Shipping;

/// <summary>
/// The shipper's record of which local blocks are in the bucket: <c>&lt;tenant dir&gt;/thanos.shipper.json</c>,
/// <c>{"version":1,"uploaded":[ulids],"shipped":{ulid:unix ms}}</c>: Thanos' <c>shipper.Meta</c> (the name Mimir's
/// runbooks use) plus, as Mimir's shipper records it, when each block was uploaded, which the ingester's local
/// retention counts from (a block is kept until store-gateways and queriers have had time to discover it).
/// Written by hand with <see cref="Utf8JsonWriter"/> (no reflection, G20) via a temporary file, fsync and rename,
/// so a crash leaves the old or the new record, never a torn one.
/// </summary>
public sealed class ShipperState
{
    /// <summary>File name inside the tenant directory.</summary>
    public const string FileName = "thanos.shipper.json";

    /// <summary>The only format version written and read.</summary>
    public const int CurrentVersion = 1;

    /// <summary>Gets the blocks known to be complete in the bucket (meta.json uploaded last).</summary>
    public SortedSet<Ulid> Uploaded { get; } = [];

    /// <summary>
    /// When each uploaded block was uploaded (Unix ms). A block recorded by a version that did not write the time has
    /// none until the shipper's next round stamps it with that round's time (so it is kept the longer, never less).
    /// </summary>
    public Dictionary<Ulid, long> ShippedAtMs { get; } = [];

    /// <summary>Records <paramref name="ulid"/> as uploaded at <paramref name="atMs"/> (Unix ms).</summary>
    public void MarkShipped(Ulid ulid, long atMs)
    {
        Uploaded.Add(ulid);
        ShippedAtMs[ulid] = atMs;
    }

    /// <summary>Serialises the state as indented JSON.</summary>
    /// <returns>The UTF-8 JSON bytes.</returns>
    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, IndentCharacter = '\t', IndentSize = 1 }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", CurrentVersion);
            w.WriteStartArray("uploaded");
            foreach (var u in Uploaded)
            {
                w.WriteStringValue(u.ToString());
            }

            w.WriteEndArray();
            w.WriteStartObject("shipped");
            foreach (var u in Uploaded)
            {
                if (ShippedAtMs.TryGetValue(u, out long at))
                {
                    w.WriteNumber(u.ToString(), at);
                }
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses <c>thanos.shipper.json</c> content.</summary>
    /// <param name="json">The file's bytes.</param>
    /// <returns>The state.</returns>
    /// <exception cref="InvalidDataException">Malformed JSON, an invalid ULID, or a version other than 1.</exception>
    public static ShipperState Parse(ReadOnlySpan<byte> json)
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

            var state = new ShipperState();
            if (root.TryGetProperty("uploaded", out var uploaded) && uploaded.ValueKind == JsonValueKind.Array)
            {
                foreach (var u in uploaded.EnumerateArray())
                {
                    state.Uploaded.Add(Ulid.Parse(u.GetString() ?? string.Empty));
                }
            }

            if (root.TryGetProperty("shipped", out var shipped) && shipped.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in shipped.EnumerateObject())
                {
                    state.MarkShipped(Ulid.Parse(p.Name), p.Value.GetInt64());
                }
            }

            return state;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"invalid {FileName}: {e.Message}", e);
        }
    }

    /// <summary>Reads <c>&lt;tenantDir&gt;/thanos.shipper.json</c>; a missing file is an empty state.</summary>
    /// <param name="tenantDir">The tenant's TSDB directory.</param>
    /// <returns>The state.</returns>
    /// <exception cref="InvalidDataException">The file exists but is not a valid state.</exception>
    public static ShipperState ReadFrom(string tenantDir)
    {
        string path = Path.Combine(tenantDir, FileName);
        return File.Exists(path) ? Parse(File.ReadAllBytes(path)) : new ShipperState();
    }

    /// <summary>Writes <c>&lt;tenantDir&gt;/thanos.shipper.json</c> atomically (temporary file, fsync, rename).</summary>
    /// <param name="tenantDir">The tenant's TSDB directory.</param>
    public void WriteTo(string tenantDir)
    {
        string path = Path.Combine(tenantDir, FileName);
        string tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(ToJson());
            f.Flush(flushToDisk: true);
        }

        File.Move(tmp, path, overwrite: true);
    }
}

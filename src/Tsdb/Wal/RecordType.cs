namespace MetricsCluster.Tsdb.Wal;

/// <summary>
/// The first byte of every WAL record (Prometheus tsdb/record/record.go). The values are on disk:
/// never change or reuse one (G8). Prometheus' newer types (7..13, histograms and samples v2) are
/// reported as <see cref="Unknown"/> because this store does not write them.
/// </summary>
public enum RecordType : byte
{
    /// <summary>An empty record or a type this code does not know.</summary>
    Unknown = 255,

    /// <summary>Series definitions: reference plus label set.</summary>
    Series = 1,

    /// <summary>Float samples, delta-encoded against the first sample.</summary>
    Samples = 2,

    /// <summary>Deleted time ranges per series.</summary>
    Tombstones = 3,

    /// <summary>Exemplars (read past, never written here).</summary>
    Exemplars = 4,

    /// <summary>Memory-mapped chunk markers (out-of-order WAL only; never written here).</summary>
    MmapMarkers = 5,

    /// <summary>Per-series metric metadata (type, unit, help).</summary>
    Metadata = 6,
}

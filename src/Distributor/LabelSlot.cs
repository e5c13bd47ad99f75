namespace MetricsCluster.Distributor;

/// <summary>One received label pair as absolute slices of the decoded request (G10: no copy).</summary>
/// <param name="NameStart">Offset of the name.</param>
/// <param name="NameLength">Length of the name.</param>
/// <param name="ValueStart">Offset of the value.</param>
/// <param name="ValueLength">Length of the value.</param>
internal readonly record struct LabelSlot(int NameStart, int NameLength, int ValueStart, int ValueLength)
{
    /// <summary>The name bytes, valid as long as <paramref name="data"/> is.</summary>
    public ReadOnlySpan<byte> Name(ReadOnlySpan<byte> data) => data.Slice(NameStart, NameLength);

    /// <summary>The value bytes, valid as long as <paramref name="data"/> is.</summary>
    public ReadOnlySpan<byte> Value(ReadOnlySpan<byte> data) => data.Slice(ValueStart, ValueLength);
}

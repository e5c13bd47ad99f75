namespace MetricsCluster.Core.Snappy;

/// <summary>
/// Encoder of the snappy <em>block</em> format (reference/wire-formats.md §1.2) for remote-write and remote-read
/// bodies: a thin wrapper over Snappier (<see cref="Snappier.Snappy"/>), so the codec is chosen in one place.
/// </summary>
public static class SnappyEncoder
{
    /// <summary>The most <see cref="Encode(ReadOnlySpan{byte}, Span{byte})"/> can write for <paramref name="sourceLength"/> input bytes.</summary>
    public static int MaxEncodedLength(int sourceLength) => Snappier.Snappy.GetMaxCompressedLength(sourceLength);

    /// <summary>Encodes <paramref name="src"/> into <paramref name="dst"/> (at least <see cref="MaxEncodedLength"/> bytes, G9).</summary>
    /// <returns>The number of bytes written.</returns>
    public static int Encode(ReadOnlySpan<byte> src, Span<byte> dst) => Snappier.Snappy.Compress(src, dst);

    /// <summary>Encodes <paramref name="src"/> into a new array of exactly the encoded length.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> src) => Snappier.Snappy.CompressToArray(src);
}

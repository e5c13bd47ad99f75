using MetricsCluster.Core;
using MetricsCluster.Core.Snappy;

namespace MetricsCluster.Distributor;

/// <summary>
/// Checks on a snappy <em>block</em> body before it is decoded, and the decode itself: the block
/// format starts with the uvarint decoded length, which lets an oversize request be refused before
/// any memory is spent on it, and the framed (stream) format, which remote write forbids, starts with
/// a magic chunk.
/// </summary>
public static class SnappyBody
{
    /// <summary>Start of the snappy framed format: stream identifier chunk "sNaPpY".</summary>
    public static ReadOnlySpan<byte> FramedMagic => [0xFF, 0x06, 0x00, 0x00, 0x73, 0x4E, 0x61, 0x50, 0x70, 0x59];

    /// <summary>True when <paramref name="body"/> is in the snappy framed format.</summary>
    public static bool IsFramed(ReadOnlySpan<byte> body) => body.StartsWith(FramedMagic);

    /// <summary>Reads the decoded-length header of a block; false when it is missing or not a valid uvarint.</summary>
    public static bool TryReadDecodedLength(ReadOnlySpan<byte> body, out ulong length)
    {
        length = 0;

        // The snappy header is a uvarint of a 32-bit length: at most 5 bytes.
        for (int i = 0, shift = 0; i < body.Length && i < 5; i++, shift += 7)
        {
            byte b = body[i];
            length |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return length <= uint.MaxValue;
            }
        }

        length = 0;
        return false;
    }

    /// <summary>
    /// The most a block of <paramref name="compressedLength"/> bytes can decode to. The densest
    /// element is a 2-byte-offset copy: 3 bytes for 64 output bytes, so the output is below 22 times
    /// the input. A header claiming more is a lie that would make the decoder allocate for nothing.
    /// </summary>
    public static ulong MaxDecodedLength(int compressedLength) => ((ulong)compressedLength * 22) + 64;

    /// <summary>
    /// Decodes a block into an array rented from <see cref="BoundedArrayPool"/> (decoded bodies over a megabyte are
    /// not kept in a pool after the push, see there); corrupt input
    /// surfaces as <see cref="InvalidDataException"/> (with nothing left rented).
    /// </summary>
    /// <param name="body">The block; its header must already have passed the checks above.</param>
    /// <param name="length">The decoded length: only the first <paramref name="length"/> bytes of the result are data.</param>
    /// <returns>The rented buffer. The caller owns it and must hand it to <see cref="Return"/> exactly once.</returns>
    public static byte[] RentDecoded(ReadOnlySpan<byte> body, out int length)
    {
        int declared = SnappyDecoder.GetDecodedLength(body);
        byte[] buffer = BoundedArrayPool.Rent<byte>(Math.Max(declared, 1));
        try
        {
            length = SnappyDecoder.Decode(body, buffer);
            return buffer;
        }
        catch
        {
            Return(buffer);
            throw;
        }
    }

    /// <summary>Returns a buffer from <see cref="RentDecoded"/> to the pool; in DEBUG it is poisoned first (G11).</summary>
    public static void Return(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
#if DEBUG
        // Exposes use-after-return: a reader of a returned buffer sees garbage, not plausible data.
        buffer.AsSpan().Fill(0xCD);
#endif
        BoundedArrayPool.Return(buffer);
    }
}

using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace MetricsCluster.Core.Snappy;

/// <summary>
/// Decoder of the snappy <em>block</em> format (reference/wire-formats.md §1.2), used for remote-write
/// bodies and for WAL records written compressed by Prometheus. It decodes into a span the caller owns
/// (G9), so the caller chooses the memory: a pooled array, a reused buffer or the stack.
/// </summary>
/// <remarks>
/// Every access goes through span indexing and slicing, so hostile input can only ever produce an
/// <see cref="InvalidDataException"/>, never an out-of-bounds read or write. Copies whose offset is
/// shorter than their length (runs) are handled. The framed (stream) format is not understood here.
/// </remarks>
public static class SnappyDecoder
{
    /// <summary>Reads the decoded length from the block's uvarint header.</summary>
    /// <param name="src">The whole block.</param>
    /// <returns>The number of bytes the block decodes to.</returns>
    /// <exception cref="InvalidDataException">The header is missing, not a valid uvarint, or above <see cref="int.MaxValue"/>.</exception>
    public static int GetDecodedLength(ReadOnlySpan<byte> src)
    {
        ReadHeader(src, out int length);
        return length;
    }

    /// <summary>Decodes the block <paramref name="src"/> into <paramref name="dst"/>.</summary>
    /// <param name="src">The whole block, header included.</param>
    /// <param name="dst">Receives the decoded bytes; at least <see cref="GetDecodedLength"/> bytes long. Bytes past the decoded length are left alone.</param>
    /// <returns>The number of bytes written, which is the header's decoded length.</returns>
    /// <exception cref="InvalidDataException">The block is corrupt; the message names the byte offset in <paramref name="src"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="dst"/> is shorter than the decoded length.</exception>
    public static int Decode(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        int s = ReadHeader(src, out int n);
        if (dst.Length < n)
        {
            throw new ArgumentException($"the destination holds {dst.Length} bytes but the block decodes to {n}", nameof(dst));
        }

        // From here on only dst[..n] is written: the header's length bounds every element.
        dst = dst[..n];
        int o = 0;
        while (s < src.Length)
        {
            int at = s;
            byte tag = src[s++];
            int length, offset;
            switch (tag & 3)
            {
                case 0:
                    s = CopyLiteral(src, s, at, tag, dst, ref o);
                    continue;
                case 1:
                    if (s >= src.Length)
                    {
                        ThrowCorrupt("copy with a 1-byte offset is cut short", at);
                    }

                    length = 4 + ((tag >> 2) & 7);
                    offset = ((tag >> 5) << 8) | src[s++];
                    break;
                case 2:
                    if (src.Length - s < 2)
                    {
                        ThrowCorrupt("copy with a 2-byte offset is cut short", at);
                    }

                    length = 1 + (tag >> 2);
                    offset = BinaryPrimitives.ReadUInt16LittleEndian(src[s..]);
                    s += 2;
                    break;
                default:
                    if (src.Length - s < 4)
                    {
                        ThrowCorrupt("copy with a 4-byte offset is cut short", at);
                    }

                    length = 1 + (tag >> 2);
                    uint offset32 = BinaryPrimitives.ReadUInt32LittleEndian(src[s..]);
                    s += 4;

                    // Anything above int.MaxValue is also above the output written so far.
                    offset = offset32 > int.MaxValue ? int.MaxValue : (int)offset32;
                    break;
            }

            Copy(dst, ref o, offset, length, at);
        }

        if (o != n)
        {
            ThrowCorrupt($"the block decodes to {o.ToString(CultureInfo.InvariantCulture)} bytes but its header says {n.ToString(CultureInfo.InvariantCulture)}", src.Length);
        }

        return n;
    }

    /// <summary>Reads the header; returns the offset of the first element.</summary>
    private static int ReadHeader(ReadOnlySpan<byte> src, out int length)
    {
        // A uvarint as Go's binary.Uvarint reads it (up to 10 bytes), then the snappy limit of 32
        // bits; an int span cannot hold more than int.MaxValue, so that is the practical limit.
        ulong v = 0;
        for (int i = 0, shift = 0; i < src.Length && i < 10; i++, shift += 7)
        {
            byte b = src[i];
            if (b < 0x80)
            {
                if (i == 9 && b > 1)
                {
                    break;
                }

                v |= (ulong)b << shift;
                if (v > int.MaxValue)
                {
                    ThrowCorrupt($"a decoded length of {v.ToString(CultureInfo.InvariantCulture)} bytes is too large", 0);
                }

                length = (int)v;
                return i + 1;
            }

            v |= (ulong)(b & 0x7F) << shift;
        }

        ThrowCorrupt("missing or invalid decoded-length header", 0);
        length = 0;
        return 0;
    }

    /// <summary>Copies the literal whose tag was at <paramref name="at"/>; returns the input offset after it.</summary>
    private static int CopyLiteral(ReadOnlySpan<byte> src, int s, int at, byte tag, Span<byte> dst, ref int o)
    {
        uint m = (uint)tag >> 2;
        if (m >= 60)
        {
            // The next (m - 59) bytes hold the length minus one, little-endian.
            int extra = (int)m - 59;
            if (src.Length - s < extra)
            {
                ThrowCorrupt("literal length is cut short", at);
            }

            m = 0;
            for (int k = 0; k < extra; k++)
            {
                m |= (uint)src[s + k] << (8 * k);
            }

            s += extra;
        }

        // Widened: m + 1 overflows uint for a 4-byte length of 0xFFFFFFFF.
        ulong length = (ulong)m + 1;
        if (length > (ulong)(src.Length - s))
        {
            ThrowCorrupt($"literal of {length.ToString(CultureInfo.InvariantCulture)} bytes runs past the end of the input", at);
        }

        if (length > (ulong)(dst.Length - o))
        {
            ThrowCorrupt($"literal of {length.ToString(CultureInfo.InvariantCulture)} bytes runs past the decoded length", at);
        }

        int len = (int)length;
        src.Slice(s, len).CopyTo(dst[o..]);
        o += len;
        return s + len;
    }

    /// <summary>Repeats <paramref name="length"/> bytes from <paramref name="offset"/> bytes back in the output.</summary>
    private static void Copy(Span<byte> dst, ref int o, int offset, int length, int at)
    {
        if (offset == 0)
        {
            ThrowCorrupt("copy offset 0 is invalid", at);
        }

        if (offset > o)
        {
            ThrowCorrupt($"copy offset {offset.ToString(CultureInfo.InvariantCulture)} reaches before the start of the output ({o.ToString(CultureInfo.InvariantCulture)} bytes written)", at);
        }

        if (length > dst.Length - o)
        {
            ThrowCorrupt($"copy of {length.ToString(CultureInfo.InvariantCulture)} bytes runs past the decoded length", at);
        }

        if (offset >= length)
        {
            // Source and destination do not overlap.
            dst.Slice(o - offset, length).CopyTo(dst[o..]);
            o += length;
            return;
        }

        // A run: the output is periodic with period offset, so after each step the copy distance
        // can double (any multiple of the period reproduces it) and the two ranges never overlap.
        int distance = offset;
        while (length > 0)
        {
            int chunk = Math.Min(distance, length);
            dst.Slice(o - distance, chunk).CopyTo(dst[o..]);
            o += chunk;
            length -= chunk;
            distance *= 2;
        }
    }

    [DoesNotReturn]
    private static void ThrowCorrupt(string reason, int offset) =>
        throw new InvalidDataException($"{reason} at byte offset {offset.ToString(CultureInfo.InvariantCulture)}");
}

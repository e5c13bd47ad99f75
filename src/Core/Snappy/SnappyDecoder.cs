using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace MetricsCluster.Core.Snappy;

/// <summary>
/// Decoder of the snappy <em>block</em> format (reference/wire-formats.md §1.2), used for remote-write and
/// remote-read bodies and for WAL records written compressed by Prometheus. A thin wrapper over Snappier
/// (<see cref="Snappier.Snappy"/>) that keeps our contract: the caller reads the decoded length first and
/// checks it against its own limit before it allocates anything, then decodes into a span it owns (G9),
/// so the caller chooses the memory: a pooled array, a reused buffer or the stack.
/// </summary>
/// <remarks>
/// The header is read here, not by Snappier: Snappier 1.3.2 reports a header of 2^31 or more as a negative
/// length (and then "decodes" it to 0 bytes), and only errors on a header over 32 bits, so the bound every
/// caller relies on would not hold. Hostile input can only ever produce an <see cref="InvalidDataException"/>;
/// its message says what was wrong. The framed (stream) format is not understood here.
/// </remarks>
public static class SnappyDecoder
{
    /// <summary>Reads the decoded length from the block's uvarint header; reads nothing else.</summary>
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
    /// <exception cref="InvalidDataException">The block is corrupt; the message says how.</exception>
    /// <exception cref="ArgumentException"><paramref name="dst"/> is shorter than the decoded length.</exception>
    public static int Decode(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        ReadHeader(src, out int n);
        if (dst.Length < n)
        {
            throw new ArgumentException($"the destination holds {dst.Length} bytes but the block decodes to {n}", nameof(dst));
        }

        int written;
        try
        {
            // Only dst[..n] may be written: Snappier is handed exactly that much.
            written = Snappier.Snappy.Decompress(src, dst[..n]);
        }
        catch (InvalidDataException e)
        {
            // Snappier's reasons: "Invalid copy offset", "Incomplete Snappy block." (input ends early or the output
            // falls short of the header), "Data too long" (the output would pass the header).
            throw Corrupt(src.Length, n, e.Message, e);
        }
        catch (InvalidOperationException e)
        {
            // Snappier's own header parse refuses some headers ours accepts (a non-minimal uvarint over 5 bytes).
            throw Corrupt(src.Length, n, e.Message, e);
        }

        if (written != n)
        {
            throw Corrupt(src.Length, n, $"it decodes to {written.ToString(CultureInfo.InvariantCulture)} bytes", null);
        }

        return n;
    }

    /// <summary>
    /// Decodes the block into a new array, after checking the header's length against <paramref name="maxDecodedLength"/>:
    /// a header over the limit is refused before anything is allocated.
    /// </summary>
    /// <exception cref="InvalidDataException">The header is over the limit, or the block is corrupt.</exception>
    public static byte[] DecodeToArray(ReadOnlySpan<byte> src, int maxDecodedLength)
    {
        int n = GetDecodedLength(src);
        if (n > maxDecodedLength)
        {
            ThrowBadHeader($"a decoded length of {n.ToString(CultureInfo.InvariantCulture)} bytes is over the limit of {maxDecodedLength.ToString(CultureInfo.InvariantCulture)}");
        }

        byte[] dst = new byte[n];
        Decode(src, dst);
        return dst;
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
                    ThrowBadHeader($"a decoded length of {v.ToString(CultureInfo.InvariantCulture)} bytes is too large");
                }

                length = (int)v;
                return i + 1;
            }

            v |= (ulong)(b & 0x7F) << shift;
        }

        ThrowBadHeader("missing or invalid decoded-length header");
        length = 0;
        return 0;
    }

    private static InvalidDataException Corrupt(int srcLength, int declared, string reason, Exception? inner) =>
        new($"corrupt snappy block ({srcLength.ToString(CultureInfo.InvariantCulture)} bytes, header says {declared.ToString(CultureInfo.InvariantCulture)} decoded bytes): {reason}", inner);

    [DoesNotReturn]
    private static void ThrowBadHeader(string reason) => throw new InvalidDataException("snappy block: " + reason);
}

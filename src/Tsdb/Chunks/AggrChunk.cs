using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Chunks;

/// <summary>
/// Thanos' aggregate chunk (encoding <see cref="ChunkEncoding.Aggr"/>), byte for byte: for each
/// <see cref="AggrType"/> in order, <c>uvarint len</c> followed, when len &gt; 0, by the sub-chunk's encoding byte and
/// its <c>len</c> data bytes; len 0 means the aggregate is absent (<c>docs/format/chunks.md</c> §5). Keeping Thanos'
/// layout lets Thanos' tools read our downsampled blocks and keeps one series per raw series in the index.
/// </summary>
public static class AggrChunk
{
    /// <summary>Number of aggregates (sub-chunk slots) in a chunk.</summary>
    public const int AggrCount = 5;

    /// <summary>Encodes one sub-chunk per <see cref="AggrType"/>; a null or empty entry is stored as absent.</summary>
    /// <param name="parts">Exactly <see cref="AggrCount"/> entries, indexed by <see cref="AggrType"/>.</param>
    /// <returns>The chunk data (without the segment's encoding byte).</returns>
    public static byte[] Encode(IReadOnlyList<XorChunk?> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count != AggrCount)
        {
            throw new ArgumentException($"an aggregate chunk has {AggrCount} parts, not {parts.Count}", nameof(parts));
        }

        int size = 0;
        foreach (var p in parts)
        {
            int len = p is { NumSamples: > 0 } ? p.Bytes.Length : 0;
            size += Varint.MaxLength + (len > 0 ? 1 + len : 0);
        }

        var buffer = new byte[size];
        int at = 0;
        foreach (var p in parts)
        {
            if (p is not { NumSamples: > 0 })
            {
                at += Varint.PutUvarint(buffer.AsSpan(at), 0);
                continue;
            }

            var bytes = p.Bytes;
            at += Varint.PutUvarint(buffer.AsSpan(at), (ulong)bytes.Length);
            buffer[at++] = ChunkEncoding.Xor;
            bytes.CopyTo(buffer.AsSpan(at));
            at += bytes.Length;
        }

        return buffer[..at];
    }

    /// <summary>
    /// Finds the XOR data of <paramref name="type"/> in <paramref name="chunk"/>. False when the aggregate is absent;
    /// a malformed chunk (truncated, a bad length or a sub-chunk that is not XOR) throws.
    /// </summary>
    /// <exception cref="InvalidDataException">The chunk is malformed; the message says where.</exception>
    public static bool TryGet(ReadOnlyMemory<byte> chunk, AggrType type, out ReadOnlyMemory<byte> xorData)
    {
        int at = 0;
        var span = chunk.Span;
        for (int i = 0; i <= (int)type; i++)
        {
            int n = ReadUvarint(span[at..], out ulong len);
            if (n <= 0)
            {
                throw new InvalidDataException($"aggregate chunk: bad length of sub-chunk {(AggrType)i} at byte {at}");
            }

            at += n;
            if (len == 0)
            {
                if (i == (int)type)
                {
                    xorData = default;
                    return false;
                }

                continue;
            }

            if (len > (ulong)(span.Length - at - 1))
            {
                throw new InvalidDataException($"aggregate chunk: sub-chunk {(AggrType)i} of {len} bytes at byte {at} runs past the chunk's {span.Length} bytes");
            }

            if (i == (int)type)
            {
                if (span[at] != ChunkEncoding.Xor)
                {
                    throw new InvalidDataException($"aggregate chunk: sub-chunk {type} has encoding {span[at]}; only XOR ({ChunkEncoding.Xor}) is supported");
                }

                xorData = chunk.Slice(at + 1, (int)len);
                return true;
            }

            at += 1 + (int)len;
        }

        xorData = default;
        return false;
    }

    // Go's binary.Uvarint: returns the bytes read, or 0 when truncated or longer than 10 bytes.
    private static int ReadUvarint(ReadOnlySpan<byte> src, out ulong value)
    {
        value = 0;
        for (int i = 0, shift = 0; i < src.Length && i < Varint.MaxLength; i++, shift += 7)
        {
            byte b = src[i];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return i + 1;
            }
        }

        return 0;
    }
}

using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>Chunk reads: the chunks cache first, then ranged reads of the segment files, every segment at once.</summary>
internal sealed partial class BucketBlock
{
    /// <summary>
    /// Fetches the chunks at <paramref name="chunkRefs"/>, checking each one's CRC32C. Chunks held by the chunks
    /// cache cost no bucket request; a cached record that fails its check is dropped from the cache and read from the
    /// bucket like a miss. The others are read per segment file, all segments concurrently; each range runs to the
    /// next wanted chunk, at most <see cref="BucketStoreOptions.ChunkSizeEstimateBytes"/>, and the longer ones are
    /// read again in one more batch (their length is known from the first read). What was read goes to the cache.
    /// </summary>
    /// <returns>Per ref: encoding and data.</returns>
    public async Task<Dictionary<ulong, (byte Encoding, ReadOnlyMemory<byte> Data)>> ChunksAsync(IEnumerable<ulong> chunkRefs, CancellationToken cancellationToken)
    {
        ulong[] refs = [.. chunkRefs.Distinct().Order()];
        var result = new Dictionary<ulong, (byte, ReadOnlyMemory<byte>)>(refs.Length);
        var missing = new List<ulong>(refs.Length);
        if (_chunksCache is null)
        {
            missing.AddRange(refs);
        }
        else
        {
            var cached = await _chunksCache.FetchAsync([.. refs.Select(CacheKey)], cancellationToken).ConfigureAwait(false);
            foreach (ulong r in refs)
            {
                if (cached.TryGetValue(CacheKey(r), out byte[]? record) && TryDecodeCached(r, record, out var chunk))
                {
                    result[r] = chunk;
                }
                else
                {
                    missing.Add(r);
                }
            }
        }

        var read = new List<(ulong Ref, byte[] Record)>(missing.Count);
        await Task.WhenAll(missing.GroupBy(r => (int)(r >> 32)).Select(segment => ReadSegmentAsync(segment.Key, [.. segment], read, cancellationToken))).ConfigureAwait(false);
        foreach (var (r, record) in read)
        {
            result[r] = IndexRangeDecoder.DecodeChunk(record, (long)(r & 0xFFFF_FFFF), SegmentKey(r));
        }

        if (_chunksCache is not null)
        {
            await _chunksCache.StoreAsync([.. read.Select(x => (CacheKey(x.Ref), x.Record))], cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>Reads the chunk records of <paramref name="refs"/> (ascending, one segment) into <paramref name="into"/>, each checked.</summary>
    private async Task ReadSegmentAsync(int segment, ulong[] refs, List<(ulong Ref, byte[] Record)> into, CancellationToken cancellationToken)
    {
        string key = ObjectKey(Tenant, Meta.Ulid, SegmentFile(segment));
        var ranges = new List<ByteRange>(refs.Length);
        for (int i = 0; i < refs.Length; i++)
        {
            long offset = (long)(refs[i] & 0xFFFF_FFFF);
            long next = i + 1 < refs.Length ? (long)(refs[i + 1] & 0xFFFF_FFFF) : long.MaxValue;
            ranges.Add(new ByteRange(offset, Math.Min(next, offset + _options.ChunkSizeEstimateBytes)));
        }

        var tooLong = new List<(ulong Ref, ByteRange Range)>();
        await ReadRangesAsync(key, ranges, (i, bytes) =>
        {
            long size = IndexRangeDecoder.ChunkSize(bytes.Span);
            if (size > bytes.Length && bytes.Length == ranges[i].Length)
            {
                lock (tooLong)
                {
                    tooLong.Add((refs[i], new ByteRange(ranges[i].Start, ranges[i].Start + size)));
                }

                return;
            }

            Add(refs[i], bytes, key, into);
        }, cancellationToken).ConfigureAwait(false);

        tooLong.Sort((a, b) => a.Range.Start.CompareTo(b.Range.Start));
        await ReadRangesAsync(key, [.. tooLong.Select(t => t.Range)], (i, bytes) => Add(tooLong[i].Ref, bytes, key, into), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks one chunk record (throwing a corruption error naming the object and offset) and keeps exactly its bytes.</summary>
    private static void Add(ulong chunkRef, ReadOnlyMemory<byte> bytes, string key, List<(ulong Ref, byte[] Record)> into)
    {
        long size = IndexRangeDecoder.ChunkSize(bytes.Span);
        var record = size > 0 && size <= bytes.Length ? bytes[..(int)size] : bytes;
        IndexRangeDecoder.DecodeChunk(record, (long)(chunkRef & 0xFFFF_FFFF), key);
        lock (into)
        {
            into.Add((chunkRef, record.ToArray()));
        }
    }

    /// <summary>Decodes a cached chunk record; a damaged one (bad length or CRC) is removed from the cache.</summary>
    private bool TryDecodeCached(ulong chunkRef, byte[] record, out (byte Encoding, ReadOnlyMemory<byte> Data) chunk)
    {
        try
        {
            if (IndexRangeDecoder.ChunkSize(record) == record.Length)
            {
                chunk = IndexRangeDecoder.DecodeChunk(record, (long)(chunkRef & 0xFFFF_FFFF), SegmentKey(chunkRef));
                return true;
            }
        }
        catch (BlockCorruptionException)
        {
            // Falls through: the bucket's copy is read instead.
        }

        _chunksCache!.Invalidate(CacheKey(chunkRef));
        chunk = default;
        return false;
    }

    private ChunkCacheKey CacheKey(ulong chunkRef) => new(Tenant, Meta.Ulid, chunkRef);

    private string SegmentKey(ulong chunkRef) => ObjectKey(Tenant, Meta.Ulid, SegmentFile((int)(chunkRef >> 32)));
}

using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>Ranged reads of postings lists, series entries and chunks.</summary>
internal sealed partial class BucketBlock
{
    /// <summary>Fetches and decodes the postings lists of <paramref name="keys"/>, from the cache when held.</summary>
    public async Task<Dictionary<(string Name, string Value), ulong[]>> PostingsAsync(List<(string Name, string Value)> keys, CancellationToken cancellationToken)
    {
        var result = new Dictionary<(string, string), ulong[]>();
        var missing = new List<(string Name, string Value, ByteRange Range)>();
        foreach (var (name, value) in keys.Distinct())
        {
            if (!Header.TryGetPostingsRange(name, value, out var range))
            {
                result[(name, value)] = [];
            }
            else if (_cache.TryGetPostings(Tenant, Meta.Ulid, name, value, out byte[] cached))
            {
                result[(name, value)] = IndexRangeDecoder.DecodePostings(cached, range.Start, _indexKey);
            }
            else
            {
                missing.Add((name, value, range));
            }
        }

        missing.Sort((a, b) => a.Range.Start.CompareTo(b.Range.Start));
        var decoded = new ulong[missing.Count][];
        await ReadRangesAsync(_indexKey, [.. missing.Select(m => m.Range)], (i, bytes) =>
        {
            decoded[i] = IndexRangeDecoder.DecodePostings(bytes.Span, missing[i].Range.Start, _indexKey);
            _cache.StorePostings(Tenant, Meta.Ulid, missing[i].Name, missing[i].Value, bytes.ToArray());
        }, cancellationToken).ConfigureAwait(false);

        for (int i = 0; i < missing.Count; i++)
        {
            result[(missing[i].Name, missing[i].Value)] = decoded[i];
        }

        return result;
    }

    /// <summary>
    /// Fetches and decodes the series entries of <paramref name="refs"/> (ascending), from the cache when held.
    /// An entry's length is unknown until read, so each range runs to the next wanted entry, at most
    /// <see cref="BucketStoreOptions.SeriesSizeEstimateBytes"/>; a longer entry is read again in full.
    /// </summary>
    public async Task<IndexSeries[]> SeriesAsync(ulong[] refs, CancellationToken cancellationToken)
    {
        var result = new IndexSeries[refs.Length];
        var missing = new List<int>();
        var ranges = new List<ByteRange>();
        for (int i = 0; i < refs.Length; i++)
        {
            long offset = SeriesOffset(refs[i]);
            if (_cache.TryGetSeries(Tenant, Meta.Ulid, refs[i], out byte[] cached))
            {
                result[i] = Header.DecodeSeries(cached, offset, _indexKey);
                continue;
            }

            long next = i + 1 < refs.Length ? SeriesOffset(refs[i + 1]) : Header.PostingsStart;
            missing.Add(i);
            ranges.Add(new ByteRange(offset, Math.Min(next, offset + _options.SeriesSizeEstimateBytes)));
        }

        var tooShort = new List<int>();
        await ReadRangesAsync(_indexKey, ranges, (k, bytes) =>
        {
            if (!TryDecodeSeries(refs[missing[k]], bytes.Span, out result[missing[k]]))
            {
                lock (tooShort)
                {
                    tooShort.Add(missing[k]);
                }
            }
        }, cancellationToken).ConfigureAwait(false);

        foreach (int i in tooShort)
        {
            long offset = SeriesOffset(refs[i]);
            var head = await ReadRangeAsync(_indexKey, offset, Math.Min(offset + 16, Header.PostingsStart), cancellationToken).ConfigureAwait(false);
            long size = IndexRangeDecoder.SeriesEntrySize(head);
            var entry = await ReadRangeAsync(_indexKey, offset, size < 0 ? offset + head.Length : Math.Min(offset + size, Header.PostingsStart), cancellationToken).ConfigureAwait(false);
            result[i] = Header.DecodeSeries(entry, offset, _indexKey);
            _cache.StoreSeries(Tenant, Meta.Ulid, refs[i], entry);
        }

        return result;
    }

    /// <summary>
    /// Fetches the chunks at <paramref name="chunkRefs"/>, checking each one's CRC32C. Chunks are not cached
    /// (Mimir caches them only in memcached or redis). Like series, each range runs to the next wanted chunk of
    /// the segment, at most <see cref="BucketStoreOptions.ChunkSizeEstimateBytes"/>; longer ones are read again.
    /// </summary>
    /// <returns>Per ref: encoding and data.</returns>
    public async Task<Dictionary<ulong, (byte Encoding, ReadOnlyMemory<byte> Data)>> ChunksAsync(IEnumerable<ulong> chunkRefs, CancellationToken cancellationToken)
    {
        var result = new Dictionary<ulong, (byte, ReadOnlyMemory<byte>)>();
        foreach (var segment in chunkRefs.Distinct().Order().GroupBy(r => (int)(r >> 32)).ToList())
        {
            string key = ObjectKey(Tenant, Meta.Ulid, SegmentFile(segment.Key));
            var refs = segment.ToArray();
            var ranges = new List<ByteRange>(refs.Length);
            for (int i = 0; i < refs.Length; i++)
            {
                long offset = (long)(refs[i] & 0xFFFF_FFFF);
                long next = i + 1 < refs.Length ? (long)(refs[i + 1] & 0xFFFF_FFFF) : long.MaxValue;
                ranges.Add(new ByteRange(offset, Math.Min(next, offset + _options.ChunkSizeEstimateBytes)));
            }

            var decoded = new (byte, ReadOnlyMemory<byte>)[refs.Length];
            var tooShort = new List<int>();
            await ReadRangesAsync(key, ranges, (i, bytes) =>
            {
                long size = IndexRangeDecoder.ChunkSize(bytes.Span);
                if (size > bytes.Length && bytes.Length == ranges[i].Length)
                {
                    lock (tooShort)
                    {
                        tooShort.Add(i);
                    }

                    return;
                }

                decoded[i] = IndexRangeDecoder.DecodeChunk(bytes, ranges[i].Start, key);
            }, cancellationToken).ConfigureAwait(false);

            foreach (int i in tooShort)
            {
                long size = IndexRangeDecoder.ChunkSize((await ReadRangeAsync(key, ranges[i].Start, ranges[i].Start + 16, cancellationToken).ConfigureAwait(false)).AsSpan());
                var bytes = await ReadRangeAsync(key, ranges[i].Start, ranges[i].Start + Math.Max(size, 0), cancellationToken).ConfigureAwait(false);
                decoded[i] = IndexRangeDecoder.DecodeChunk(bytes, ranges[i].Start, key);
            }

            for (int i = 0; i < refs.Length; i++)
            {
                result[refs[i]] = decoded[i];
            }
        }

        return result;
    }

    /// <summary>Decodes a series entry read by estimate; false when the entry runs past the bytes read.</summary>
    private bool TryDecodeSeries(ulong seriesRef, ReadOnlySpan<byte> bytes, out IndexSeries series)
    {
        long offset = SeriesOffset(seriesRef);
        long size = IndexRangeDecoder.SeriesEntrySize(bytes);
        if (size > bytes.Length && offset + size <= Header.PostingsStart)
        {
            series = null!;
            return false;
        }

        // A size past the series section is left to DecodeSeries, which reports the truncation with its offset.
        var entry = size < 0 || size > bytes.Length ? bytes : bytes[..(int)size];
        series = Header.DecodeSeries(entry, offset, _indexKey);
        _cache.StoreSeries(Tenant, Meta.Ulid, seriesRef, entry.ToArray());
        return true;
    }

    /// <summary>The index offset of a series ref (offset / 16), checked to lie in the series section.</summary>
    private long SeriesOffset(ulong seriesRef)
    {
        ulong offset = seriesRef * 16;
        if (seriesRef > uint.MaxValue || offset < IndexReader.HeaderSize || offset >= (ulong)Header.PostingsStart)
        {
            throw new BlockCorruptionException(_indexKey, "series", (long)Math.Min(offset, long.MaxValue), $"series ref {seriesRef} is outside the series section (before {Header.PostingsStart})");
        }

        return (long)offset;
    }
}

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

        // An entry longer than its estimate is read again, all of them in one more batch: the first read already
        // holds the entry's length varint, so its exact range is known.
        var tooLong = new List<(int Index, ByteRange Range)>();
        await ReadRangesAsync(_indexKey, ranges, (k, bytes) =>
        {
            if (!TryDecodeSeries(refs[missing[k]], bytes.Span, out result[missing[k]]))
            {
                long offset = SeriesOffset(refs[missing[k]]);
                lock (tooLong)
                {
                    tooLong.Add((missing[k], new ByteRange(offset, Math.Min(offset + IndexRangeDecoder.SeriesEntrySize(bytes.Span), Header.PostingsStart))));
                }
            }
        }, cancellationToken).ConfigureAwait(false);

        tooLong.Sort((a, b) => a.Range.Start.CompareTo(b.Range.Start));
        await ReadRangesAsync(_indexKey, [.. tooLong.Select(t => t.Range)], (k, entry) =>
        {
            int i = tooLong[k].Index;
            result[i] = Header.DecodeSeries(entry.Span, tooLong[k].Range.Start, _indexKey);
            _cache.StoreSeries(Tenant, Meta.Ulid, refs[i], entry.ToArray());
        }, cancellationToken).ConfigureAwait(false);

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

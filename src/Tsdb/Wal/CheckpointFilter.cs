using MetricsCluster.Core;

namespace MetricsCluster.Tsdb.Wal;

/// <summary>
/// Filters the records of one checkpoint run and re-encodes what is kept into the checkpoint's own
/// WAL, one output record per input record (as Prometheus). Metadata is written last, latest per series.
/// </summary>
internal sealed class CheckpointFilter : IDisposable
{
    private readonly WriteAheadLog _out;
    private readonly Func<ulong, bool> _keep;
    private readonly long _mint;
    private readonly List<RefSeries> _series = [];
    private readonly List<RefSample> _samples = [];
    private readonly List<Tombstone> _stones = [];
    private readonly List<RefMetadata> _metadataIn = [];
    private readonly Dictionary<ulong, RefMetadata> _metadata = [];
    private ValueBuffer _buf = new(64 * 1024);
    private int _droppedSeries, _droppedSamples, _totalSeries, _totalSamples;

    public CheckpointFilter(WriteAheadLog output, Func<ulong, bool> keep, long mint)
    {
        _out = output;
        _keep = keep;
        _mint = mint;
    }

    public void OnRecord(ReadOnlySpan<byte> rec)
    {
        switch (WalRecords.TypeOf(rec))
        {
            case RecordType.Series:
                FilterSeries(rec);
                break;
            case RecordType.Samples:
                FilterSamples(rec);
                break;
            case RecordType.Tombstones:
                FilterTombstones(rec);
                break;
            case RecordType.Metadata:
                _metadataIn.Clear();
                WalRecords.DecodeMetadata(rec, _metadataIn);
                foreach (var m in _metadataIn)
                {
                    if (_keep(m.Ref))
                    {
                        _metadata[m.Ref] = m;
                    }
                }

                break;
            default:
                // Exemplars, mmap markers and types from newer Prometheus versions are not carried over.
                break;
        }
    }

    /// <summary>Writes the metadata record, closes the output (fsync) and returns the counts.</summary>
    public CheckpointStats Finish()
    {
        if (_metadata.Count > 0)
        {
            _buf.Length = 0;
            var md = _metadata.Values.OrderBy(m => m.Ref).ToArray();
            WalRecords.EncodeMetadata(ref _buf, md);
            _out.Log(_buf.Written);
        }

        _out.Dispose();
        return new CheckpointStats(_droppedSeries, _droppedSamples, _totalSeries, _totalSamples);
    }

    public void Dispose()
    {
        _out.Dispose();
        _buf.Dispose();
    }

    private void FilterSeries(ReadOnlySpan<byte> rec)
    {
        _series.Clear();
        WalRecords.DecodeSeries(rec, _series);
        _buf.Length = 0;
        WalRecords.BeginSeries(ref _buf);
        int kept = 0;
        foreach (var s in _series)
        {
            if (_keep(s.Ref))
            {
                WalRecords.AddSeries(ref _buf, s.Ref, s.Labels);
                kept++;
            }
        }

        _totalSeries += _series.Count;
        _droppedSeries += _series.Count - kept;
        LogIfAny(kept);
    }

    private void FilterSamples(ReadOnlySpan<byte> rec)
    {
        _samples.Clear();
        WalRecords.DecodeSamples(rec, _samples);
        _buf.Length = 0;
        WalRecords.BeginSamples(ref _buf);
        var state = default(SamplesEncoderState);
        int kept = 0;
        foreach (var s in _samples)
        {
            if (s.T >= _mint && _keep(s.Ref))
            {
                WalRecords.AddSample(ref _buf, ref state, s.Ref, s.T, s.V);
                kept++;
            }
        }

        _totalSamples += _samples.Count;
        _droppedSamples += _samples.Count - kept;
        LogIfAny(kept);
    }

    private void FilterTombstones(ReadOnlySpan<byte> rec)
    {
        _stones.Clear();
        WalRecords.DecodeTombstones(rec, _stones);
        int kept = 0;
        for (int i = 0; i < _stones.Count; i++)
        {
            // A stone ending before mint only covers samples that the checkpoint drops anyway.
            if (_stones[i].MaxT >= _mint && _keep(_stones[i].Ref))
            {
                _stones[kept++] = _stones[i];
            }
        }

        _buf.Length = 0;
        WalRecords.EncodeTombstones(ref _buf, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_stones)[..kept]);
        LogIfAny(kept);
    }

    private void LogIfAny(int kept)
    {
        if (kept > 0)
        {
            _out.Log(_buf.Written);
        }
    }
}

using MetricsCluster.Core;
using MetricsCluster.Tsdb.Wal;

namespace MetricsCluster.Tsdb.Head;

/// <summary>WAL replay on start-up.</summary>
public sealed partial class Head
{
    /// <summary>
    /// Rebuilds the head from the WAL in <paramref name="walDir"/> (newest checkpoint, then segments), before
    /// the head takes writes. A torn or corrupt tail is cut off by <see cref="WalReplay.ReadAndRepair"/>; the
    /// returned <see cref="ReplayStats.Corruption"/> says where and how much, for the caller to log.
    /// Samples older than <paramref name="minValidTime"/> (the newest local block's max time) are already in a
    /// block and are skipped, so a crash between writing a block and checkpointing the WAL cannot duplicate them.
    /// </summary>
    public ReplayStats Replay(string walDir, long minValidTime = long.MinValue)
    {
        RaiseMinValid(minValidTime);
        var stats = new ReplayStats();
        var seriesBuf = new List<RefSeries>();
        var samplesBuf = new List<RefSample>();

        // A series can appear in several series records (e.g. in a checkpoint and again later); later refs map to the first.
        var aliases = new Dictionary<ulong, MemSeries>();
        long maxRef = 0;
        stats.Corruption = WalReplay.ReadAndRepair(walDir, rec =>
        {
            switch (WalRecords.TypeOf(rec))
            {
                case RecordType.Series:
                    seriesBuf.Clear();
                    WalRecords.DecodeSeries(rec, seriesBuf);
                    foreach (var rs in seriesBuf)
                    {
                        maxRef = Math.Max(maxRef, (long)rs.Ref);
                        var replayed = ReplaySeries(rs);
                        aliases[rs.Ref] = replayed;
                        if (replayed.Ref != rs.Ref)
                        {
                            _walAliases[rs.Ref] = replayed;
                        }

                        stats.Series++;
                    }

                    break;
                case RecordType.Samples:
                    samplesBuf.Clear();
                    WalRecords.DecodeSamples(rec, samplesBuf);
                    foreach (var smp in samplesBuf)
                    {
                        if (!aliases.TryGetValue(smp.Ref, out var s))
                        {
                            stats.UnknownRefSamples++;
                            continue;
                        }

                        if (smp.T < minValidTime)
                        {
                            stats.InBlockSamples++;
                            continue;
                        }

                        if (MemSeries.Check(s.MaxTime, s.LastValue, smp.T, smp.V) != AppendCheck.Ok)
                        {
                            stats.SkippedSamples++;
                            continue;
                        }

                        s.Append(smp.T, smp.V, _options.BlockRangeMs);
                        UpdateTimeBounds(smp.T, smp.T);
                        stats.Samples++;
                    }

                    break;
                default:
                    // Tombstones, exemplars and metadata records carry nothing the head keeps yet.
                    break;
            }
        });

        Interlocked.Exchange(ref _lastRef, Math.Max(Interlocked.Read(ref _lastRef), maxRef));
        return stats;
    }

    private MemSeries ReplaySeries(RefSeries rs)
    {
        var bytes = rs.Labels.Bytes;
        var s = _series.GetOrCreate(bytes, rs.Labels.Hash, () => new MemSeries(rs.Ref, rs.Labels, _chunks) { WalLogged = true }, out bool created);
        if (created)
        {
            OnSeriesCreated(s!);
        }

        return s!;
    }
}

/// <summary>What a WAL replay found.</summary>
public sealed class ReplayStats
{
    /// <summary>Series records read.</summary>
    public long Series { get; set; }

    /// <summary>Samples applied.</summary>
    public long Samples { get; set; }

    /// <summary>Samples skipped because they were out of order or duplicates (as at ingest time).</summary>
    public long SkippedSamples { get; set; }

    /// <summary>Samples skipped because a local block already holds their time range.</summary>
    public long InBlockSamples { get; set; }

    /// <summary>Samples whose series record was missing.</summary>
    public long UnknownRefSamples { get; set; }

    /// <summary>The repaired corruption, if any.</summary>
    public WalCorruption? Corruption { get; set; }
}

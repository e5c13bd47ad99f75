using MetricsCluster.Agent.Parsing;

namespace MetricsCluster.Agent.Scrape;

/// <content>Turning a fetched page into samples: Prometheus' <c>scrapeLoop.append</c>.</content>
public sealed partial class ScrapeLoop
{
    /// <summary>Counts of the scrape that failed last (kept so the report shows how many samples a limit saw).</summary>
    private AppendCounts _failedCounts;

    /// <summary>
    /// Parses and appends a page without HTTP, as one successful scrape would (allocation tests); returns the
    /// number of samples appended.
    /// </summary>
    internal int AppendForTest(ReadOnlySpan<byte> page, bool openMetrics, long ts)
    {
        _batch.Clear();
        _seriesCur.Clear();
        Append(page, openMetrics, ts);
        (_seriesPrev, _seriesCur) = (_seriesCur, _seriesPrev);
        return _batch.Count;
    }

    private AppendCounts Append(ReadOnlySpan<byte> page, bool openMetrics, long ts)
    {
        AppendCounts counts = default;
        try
        {
            if (openMetrics)
            {
                var p = new OpenMetricsParser(page);
                AppendSamples(ref p, ts, ref counts);
            }
            else
            {
                var p = new PromTextParser(page);
                AppendSamples(ref p, ts, ref counts);
            }
        }
        catch
        {
            _failedCounts = counts;
            throw;
        }

        _cache.EndScrape();
        return counts;
    }

    /// <summary>
    /// The hot loop: one cache lookup per sample line; labels are built only for series texts not in the cache
    /// (G13). A sample limit breach keeps counting, so the report shows the real total, and then fails the scrape.
    /// </summary>
    private void AppendSamples<TParser>(ref TParser p, long scrapeTs, ref AppendCounts counts)
        where TParser : IExpositionParser, allows ref struct
    {
        bool overLimit = false;
        EntryKind kind;
        while ((kind = p.Next()) != EntryKind.EndOfInput)
        {
            if (kind != EntryKind.Series)
            {
                continue;
            }

            counts.Scraped++;
            var raw = p.Series;
            if (!_cache.TryGet(raw, out var entry))
            {
                entry = _cache.Add(raw, SampleLabels.Build(raw, _target, _labelScratch));
                counts.SeriesAdded += entry.Dropped ? 0 : 1;
            }

            if (entry.Dropped)
            {
                continue;
            }

            counts.PostRelabeling++;
            if (_target.SampleLimit > 0 && counts.PostRelabeling > _target.SampleLimit)
            {
                overLimit = true;
                continue;
            }

            // Series with their own timestamp are not tracked for staleness, as in Prometheus.
            bool ownTimestamp = _target.HonorTimestamps && p.HasTimestamp;
            if (!ownTimestamp && !_seriesCur.Add(entry.Labels))
            {
                // The same series twice in one page: keep the first value, as storage would reject the second.
                continue;
            }

            _batch.Add(new ScrapedSample(entry.Labels, ownTimestamp ? p.TimestampMs : scrapeTs, p.Value));
        }

        if (overLimit)
        {
            throw new ScrapeFailedException($"sample_limit exceeded ({counts.PostRelabeling} samples after metric relabeling, limit {_target.SampleLimit})");
        }
    }

    /// <summary>The numbers behind <c>scrape_samples_scraped</c>, <c>..._post_metric_relabeling</c> and <c>scrape_series_added</c>.</summary>
    private struct AppendCounts
    {
        public int Scraped;
        public int PostRelabeling;
        public int SeriesAdded;
    }
}

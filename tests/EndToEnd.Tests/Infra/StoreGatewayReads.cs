using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Queries of <see cref="ShippedBlocks"/> data through a cluster's querier, and the store-gateways' side of them.</summary>
public static partial class StoreGatewayReads
{
    /// <summary>An instant query of the raw range selector covering every sample, at the last sample's time.</summary>
    /// <param name="http">The client.</param>
    /// <param name="querier">The querier.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="data">The data written.</param>
    public static async Task<(int Status, string Raw)> QueryRawAsync(HttpClient http, MetricsClusterProcess querier, string tenant, PastSeries data)
    {
        long windowSeconds = ((data.EndMs - data.StartMs) / 1000) + 60;
        var (status, _, raw) = await QueryApi.GetAsync(
            http,
            querier.BaseUri,
            FormattableString.Invariant($"/prometheus/api/v1/query?query={data.Metric}[{windowSeconds}s]&time={data.EndMs / 1000}"),
            tenant);
        return (status, raw);
    }

    /// <summary>
    /// Polls until the query answers 200 with at least every sample (the querier re-reads the bucket index on its
    /// own schedule), then asserts the exact samples: a replica sample returned twice fails, it is not polled away.
    /// </summary>
    /// <param name="http">The client.</param>
    /// <param name="cluster">The cluster.</param>
    /// <param name="tenant">The tenant.</param>
    /// <param name="data">The data written.</param>
    /// <param name="when">The situation, for failure messages.</param>
    public static async Task AssertEverySampleOnceAsync(HttpClient http, LocalCluster cluster, string tenant, PastSeries data, string when)
    {
        string raw = string.Empty;
        await Poll.UntilAsync(
            async () =>
            {
                (int status, raw) = await QueryRawAsync(http, cluster.Querier, tenant, data);
                if (status != 200)
                {
                    return $"{status}: {Shorten(raw)}";
                }

                long total = CountSamples(raw);
                return total >= data.TotalSamples ? null : $"{total} of {data.TotalSamples} samples";
            },
            TimeSpan.FromSeconds(120),
            $"{when}: every sample from the store-gateways");
        AssertExactSamples(raw, data, when);
    }

    /// <summary>Asserts that a 200 answer of <see cref="QueryRawAsync"/> holds every sample of every series exactly once.</summary>
    /// <param name="raw">The answer.</param>
    /// <param name="data">The data written.</param>
    /// <param name="when">The situation, for failure messages.</param>
    public static void AssertExactSamples(string raw, PastSeries data, string when)
    {
        using var json = JsonDocument.Parse(raw);
        var result = json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().ToList();
        Assert.Equal(data.SeriesCount, result.Count);
        foreach (var series in result)
        {
            string label = series.GetProperty("metric").GetProperty("s").GetString()!;
            int s = int.Parse(label, CultureInfo.InvariantCulture);
            var values = series.GetProperty("values").EnumerateArray()
                .Select(v => (T: (long)Math.Round(v[0].GetDouble() * 1000), V: double.Parse(v[1].GetString()!, CultureInfo.InvariantCulture)))
                .ToList();
            Assert.True(values.Count == data.Points, $"{when}: series s={label} has {values.Count} samples, expected {data.Points}");
            Assert.Equal(Enumerable.Range(0, data.Points).Select(i => (data.StartMs + (i * data.StepMs), PastSeries.Value(s, i))), values);
        }
    }

    /// <summary>The block ids a consistency-check failure names (<c>The failed blocks are: ...</c>).</summary>
    /// <param name="raw">The error answer.</param>
    public static HashSet<string> FailedBlocks(string raw) =>
        FailedBlocksRegex().Match(raw).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet();

    /// <summary>
    /// The store-gateway's lookups of a block's expanded postings (the series a matcher set selects) in its index cache:
    /// every block it reads for a select makes exactly one, hit or miss. (Raw postings lookups are no such count: a
    /// repeated query finds the expanded postings cached and looks no raw list up.)
    /// </summary>
    /// <param name="http">The client.</param>
    /// <param name="gateway">The store-gateway.</param>
    public static async Task<double> PostingsRequestsAsync(HttpClient http, MetricsClusterProcess gateway)
    {
        string text = await http.GetStringAsync(new Uri(gateway.BaseUri, "/metrics"));
        return text.Split('\n')
            .Where(l => l.StartsWith("thanos_store_index_cache_requests_total{", StringComparison.Ordinal) && l.Contains("item_type=\"ExpandedPostings\"", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>The first 2,000 characters of an answer, for failure messages.</summary>
    /// <param name="raw">The answer.</param>
    public static string Shorten(string raw) => raw.Length > 2000 ? raw[..2000] + "..." : raw;

    private static long CountSamples(string raw)
    {
        using var json = JsonDocument.Parse(raw);
        return json.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Sum(r => (long)r.GetProperty("values").GetArrayLength());
    }

    [GeneratedRegex("The failed blocks are: ([0-9A-Z ]+)")]
    private static partial Regex FailedBlocksRegex();
}

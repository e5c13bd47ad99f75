using MetricsCluster.Agent.Parsing;
using MetricsCluster.Agent.Scrape;
using MetricsCluster.Agent.Tests.Parsing;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.Scrape;

/// <summary>
/// G10/G19 budgets as tests: parsing a page allocates nothing, and neither does a steady-state scrape of an
/// unchanged page once the series cache is warm (every line is a cache hit).
/// </summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ParsingThePageAllocatesNothing(bool openMetrics)
    {
        byte[] page = openMetrics ? NodeExporterPageTests.OpenMetricsPage : NodeExporterPageTests.TextPage;
        Assert.Equal(507, Count(page, openMetrics));

        long before = GC.GetAllocatedBytesForCurrentThread();
        int samples = Count(page, openMetrics);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(507, samples);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SteadyStateAppendAllocatesNothing(bool openMetrics)
    {
        byte[] page = openMetrics ? NodeExporterPageTests.OpenMetricsPage : NodeExporterPageTests.TextPage;
        using var http = new HttpClient();
        var loop = new ScrapeLoop(
            new ScrapeTarget { Labels = Labels.FromStrings("job", "node", "instance", "n:9100"), Url = new Uri("http://n:9100/metrics") },
            http,
            new MemorySink(),
            TimeProvider.System);

        // Two warm-up scrapes fill the cache and size the batch list and both series sets.
        Assert.Equal(507, loop.AppendForTest(page, openMetrics, 1000));
        Assert.Equal(507, loop.AppendForTest(page, openMetrics, 2000));

        long before = GC.GetAllocatedBytesForCurrentThread();
        int appended = loop.AppendForTest(page, openMetrics, 3000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(507, appended);
        Assert.Equal(0, allocated);
    }

    private static int Count(byte[] page, bool openMetrics)
    {
        int n = 0;
        if (openMetrics)
        {
            var p = new OpenMetricsParser(page);
            while (p.Next() is var k && k != EntryKind.EndOfInput)
            {
                n += k == EntryKind.Series ? 1 : 0;
            }
        }
        else
        {
            var p = new PromTextParser(page);
            while (p.Next() is var k && k != EntryKind.EndOfInput)
            {
                n += k == EntryKind.Series ? 1 : 0;
            }
        }

        return n;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MetricsCluster.Agent.Scrape;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.Scrape;

/// <summary>One scrape of a real <c>prometheus-node-exporter</c> started on a loopback port for the test.</summary>
public sealed class NodeExporterScrapeTests
{
    [Fact]
    public async Task ScrapesARealNodeExporter()
    {
        int port = FreePort();
        using var process = Process.Start(new ProcessStartInfo("prometheus-node-exporter", $"--web.listen-address=127.0.0.1:{port}")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            using var http = new HttpClient();
            var url = new Uri($"http://127.0.0.1:{port}/metrics");
            await WaitUntilServingAsync(http, url, process);
            var sink = new MemorySink();
            var loop = new ScrapeLoop(
                new ScrapeTarget { Labels = Labels.FromStrings("job", "node", "instance", url.Authority), Url = url, Timeout = TimeSpan.FromSeconds(30) },
                http,
                sink,
                TimeProvider.System);

            await loop.ScrapeOnceAsync(CancellationToken.None);

            var batch = sink.Batches.Single();
            Assert.True(batch.Report("up") == 1, loop.Status.LastError);
            Assert.True(batch.Report("scrape_samples_scraped") > 100);
            Assert.Contains(batch, s => s.Labels.MetricName == "node_exporter_build_info" && s.Labels.Get("job") == "node");
            Assert.Equal(batch.Report("scrape_samples_scraped"), batch.Count - 5);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task WaitUntilServingAsync(HttpClient http, Uri url, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, "node exporter exited");
            try
            {
                using var r = await http.GetAsync(url);
                if (r.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }

            Assert.True(DateTime.UtcNow < deadline, "node exporter did not start serving");
            await Task.Delay(50);
        }
    }
}

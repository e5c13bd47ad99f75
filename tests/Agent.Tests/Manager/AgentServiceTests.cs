using MetricsCluster.Agent.Manager;
using MetricsCluster.Agent.Tests.RemoteWrite;
using MetricsCluster.Agent.Tests.Scrape;
using MetricsCluster.Core.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace MetricsCluster.Agent.Tests.Manager;

/// <summary>The agent service end to end inside the test process: file, scrape, remote write, reloads (G18).</summary>
public sealed class AgentServiceTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mc-agentsvc-" + Guid.NewGuid().ToString("N"));
    private TestExporter _exporter = null!;
    private TestReceiver _first = null!;
    private TestReceiver _second = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        _exporter = await TestExporter.StartAsync();
        _exporter.ServeText("page_metric 1\n");
        _first = await TestReceiver.StartAsync();
        _second = await TestReceiver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _exporter.DisposeAsync();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Reload_switches_remote_write_and_a_bad_file_keeps_the_running_config()
    {
        string file = Path.Combine(_dir, "agent.yml");
        await File.WriteAllTextAsync(file, Config(_first, "cluster: a"));
        await using var agent = new AgentService(new AgentOptions { ConfigFile = file, DataDir = _dir }, new MetricsRegistry(), NullLoggerFactory.Instance, TimeProvider.System);
        await agent.StartAsync(CancellationToken.None);
        await WaitAsync(() => _first.Samples.Any(s => s.Series.Contains("page_metric", StringComparison.Ordinal) && s.Series.Contains("cluster=\"a\"", StringComparison.Ordinal)));
        Assert.True(Directory.Exists(Path.Combine(_dir, "agent", "queue", "q")));

        await File.WriteAllTextAsync(file, "scrape_configs: [{job_name: ''}]");
        string? error = await agent.ReloadAsync(CancellationToken.None);
        Assert.NotNull(error);
        Assert.Contains("job_name", error, StringComparison.Ordinal);
        Assert.Single(agent.Targets().Active);

        await File.WriteAllTextAsync(file, Config(_second, "cluster: b"));
        Assert.Null(await agent.ReloadAsync(CancellationToken.None));
        await WaitAsync(() => _second.Samples.Any(s => s.Series.Contains("page_metric", StringComparison.Ordinal) && s.Series.Contains("cluster=\"b\"", StringComparison.Ordinal)));
        int firstCount = _first.Samples.Count;
        await WaitAsync(() => _second.Samples.Count(s => s.Series.Contains("page_metric", StringComparison.Ordinal)) >= 3);
        Assert.Equal(firstCount, _first.Samples.Count);
        Assert.Single(agent.Targets().Active);
    }

    private string Config(TestReceiver receiver, string external) => $$"""
        global:
          scrape_interval: 1s
          external_labels: { {{external}} }
        scrape_configs:
          - job_name: j
            static_configs:
              - targets: ['{{_exporter.Url.Authority}}']
        remote_write:
          - url: {{receiver.Url}}
            name: q
            queue_config: {batch_send_deadline: 100ms}
        """;

    private static async Task WaitAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 60s");
            await Task.Delay(50);
        }
    }
}

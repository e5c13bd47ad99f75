using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Manager;
using MetricsCluster.Agent.Tests.Scrape;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.Manager;

/// <summary>The sinks between the scrape loops and the queues.</summary>
public sealed class SinkTests
{
    [Theory]
    [InlineData("a=\"1\"", "a=\"1\",cluster=\"c\",env=\"e\"")]
    [InlineData("a=\"1\",cluster=\"mine\"", "a=\"1\",cluster=\"mine\",env=\"e\"")] // The series' label wins, as Prometheus.
    public async Task External_labels_are_added_unless_the_series_has_them(string series, string expected)
    {
        var inner = new MemorySink();
        var sink = new ExternalLabelsSink(inner, Labels.FromStrings("cluster", "c", "env", "e"));
        await sink.WriteAsync([new ScrapedSample(Parse(series), 1, 2)], CancellationToken.None);
        Assert.Equal(Parse(expected), Assert.Single(Assert.Single(inner.Batches)).Labels);
    }

    [Fact]
    public async Task Write_relabeling_drops_and_rewrites_per_queue_and_the_fan_out_reaches_every_queue()
    {
        var rules = AgentConfig.Parse("""
            remote_write:
              - url: http://127.0.0.1:1/push
                write_relabel_configs:
                  - source_labels: [__name__]
                    regex: secret_.*
                    action: drop
                  - target_label: via
                    replacement: q1
            """).RemoteWrite[0].WriteRelabelConfigs;
        var q1 = new MemorySink();
        var q2 = new MemorySink();
        var fanOut = new FanOutSink([new RelabelingSink(q1, rules), q2]);
        await fanOut.WriteAsync([new(Labels.FromStrings("__name__", "secret_x"), 1, 1), new(Labels.FromStrings("__name__", "public_y"), 1, 1)], CancellationToken.None);

        Assert.Equal([Labels.FromStrings("__name__", "public_y", "via", "q1")], Assert.Single(q1.Batches).Select(s => s.Labels));
        Assert.Equal(2, Assert.Single(q2.Batches).Count);
    }

    [Fact]
    public async Task A_swap_routes_later_writes_to_the_new_sink()
    {
        var first = new MemorySink();
        var second = new MemorySink();
        var sink = new SwitchableSink(first);
        await sink.WriteAsync([new(Labels.FromStrings("__name__", "a"), 1, 1)], CancellationToken.None);
        Assert.Same(first, await sink.SwapAsync(second, CancellationToken.None));
        await sink.WriteAsync([new(Labels.FromStrings("__name__", "b"), 2, 1)], CancellationToken.None);
        Assert.Single(first.Batches);
        Assert.Equal("b", Assert.Single(Assert.Single(second.Batches)).Labels.MetricName);
    }

    [Theory]
    [InlineData("", "https://example.org/api/v1/push", "9d5b8a2c7d8b3f8e")]
    [InlineData("primary", "https://example.org/api/v1/push", "primary")]
    public void Queue_directories_are_the_name_or_a_stable_hash_of_the_url(string name, string url, string expected)
    {
        var rw = new RemoteWriteConfig { Url = new Uri(url), Name = name };
        string actual = RemoteWriteSet.QueueName(rw);
        if (name.Length > 0)
        {
            Assert.Equal(expected, actual);
        }
        else
        {
            Assert.Matches("^[0-9a-f]{16}$", actual);
            Assert.Equal(actual, RemoteWriteSet.QueueName(rw with { }));
            Assert.NotEqual(actual, RemoteWriteSet.QueueName(rw with { Url = new Uri(url + "2") }));
        }
    }

    [Fact]
    public void Without_remote_write_and_without_a_default_destination_the_config_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => RemoteWriteSet.Validate(new AgentConfig(), "/tmp/q", hasDefaultTransport: false));
        Assert.Contains("remote_write", e.Message, StringComparison.Ordinal);
        RemoteWriteSet.Validate(new AgentConfig(), "/tmp/q", hasDefaultTransport: true);
    }

    private static Labels Parse(string pairs)
    {
        var b = new LabelsBuilder();
        foreach (string p in pairs.Split(','))
        {
            int eq = p.IndexOf('=', StringComparison.Ordinal);
            b.Set(p[..eq], p[(eq + 2)..^1]);
        }

        return b.Build();
    }
}

using MetricsCluster.Agent.RemoteWrite;
using Xunit;

namespace MetricsCluster.Agent.Tests.RemoteWrite;

public sealed class RemoteWriteOptionsTests
{
    [Fact]
    public void DefaultsAreDocumentedPrometheusOnes()
    {
        var o = new RemoteWriteOptions();
        Assert.Equal(2000, o.MaxSamplesPerSend);
        Assert.Equal(TimeSpan.FromSeconds(5), o.BatchSendDeadline);
        Assert.Equal(TimeSpan.FromMilliseconds(30), o.MinBackoff);
        Assert.Equal(TimeSpan.FromSeconds(5), o.MaxBackoff);
        Assert.True(o.RetryOnHttp429);
        Assert.Equal(TimeSpan.FromSeconds(30), o.RemoteTimeout);
    }

    public static TheoryData<string, Action<RemoteWriteOptions>> Invalid => new()
    {
        { "url", o => o.Url = new Uri("ftp://x/") },
        { "queue_directory", o => o.QueueDirectory = string.Empty },
        { "queue_config.capacity", o => o.Capacity = 0 },
        { "queue_config.min_shards", o => o.MinShards = 0 },
        { "queue_config.max_shards", o => o.MaxShards = 0 },
        { "queue_config.max_samples_per_send", o => o.MaxSamplesPerSend = 0 },
        { "queue_config.max_backoff", o => o.MaxBackoff = TimeSpan.FromMilliseconds(1) },
        { "queue_config.max_queue_bytes", o => o.MaxQueueBytes = 1024 },
        { "authorization", o => { o.BearerToken = "t"; o.BasicAuthUsername = "u"; } },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void ValidateNamesTheOffendingKey(string key, Action<RemoteWriteOptions> breakIt)
    {
        var o = new RemoteWriteOptions { Url = new Uri("http://127.0.0.1:1/api/v1/write"), QueueDirectory = "/tmp/q" };
        o.Validate(requireUrl: true);
        breakIt(o);
        var ex = Assert.Throws<ArgumentException>(() => o.Validate(requireUrl: true));
        Assert.Contains(key + " ", ex.Message, StringComparison.Ordinal);
    }
}

using MetricsCluster.Config;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Host.Tests;

public sealed class ConfigTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"mc-config-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public async Task Yaml_keys_mirror_flags_and_flags_win()
    {
        await File.WriteAllTextAsync(_file, """
            server:
              http_listen_port: 9100
            data:
              dir: /tmp/x
            distributor:
              ingestion_rate_limit: 5000
            validation:
              create_grace_period: 1h30m
            """);
        var config = await Run("--config.file", _file, "--server.http-listen-port=9200", "-auth.multitenancy-enabled=false");
        Assert.Equal(9200, config.HttpListenPort);
        Assert.Equal("/tmp/x", config.DataDir);
        Assert.Equal(5000, config.Limits.IngestionRate);
        Assert.Equal(TimeSpan.FromMinutes(90), config.Limits.CreationGracePeriod);
        Assert.False(config.MultitenancyEnabled);
    }

    [Theory]
    [InlineData("server:\n  http_port: 1\n", "unknown key \"server.http_port\" at line 2")]
    [InlineData("server:\n  http_listen_port: abc\n", "server.http_listen_port (--server.http-listen-port): expected an integer")]
    [InlineData("validation:\n  create_grace_period: 10x\n", "validation.create_grace_period")]
    [InlineData("server: [1, 2]\n", "server")]
    [InlineData("a:\n  {b: 1\nc:\n  d: e\n", "invalid YAML")] // Found by tests/Fuzz (crash de2f8fb8): YamlDotNet threw InvalidOperationException.
    [InlineData("server:\n  ? [a]\n  : b\n", "the key at line 2 must be a plain name")] // A complex key was cast to a scalar (InvalidCastException).
    public async Task Yaml_errors_name_the_key(string yaml, string expected)
    {
        await File.WriteAllTextAsync(_file, yaml);
        var e = Assert.Throws<ConfigException>(() => YamlConfigFile.Apply(_file, new ClusterConfig()));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Defaults_are_the_embedded_single_process_mode()
    {
        var c = new ClusterConfig();
        Assert.Equal("all", c.Target);
        Assert.Equal(9009, c.HttpListenPort);
        Assert.Equal("./data", c.DataDir);
        Assert.True(c.MultitenancyEnabled);
        Assert.Equal(10000, c.Limits.IngestionRate);
        Assert.Equal(200000, c.Limits.IngestionBurstSize);
        Assert.Equal(150000, c.Limits.MaxGlobalSeriesPerUser);
    }

    [Fact]
    public async Task Querier_flags_and_yaml_keys_feed_the_engine_options()
    {
        var defaults = new ClusterConfig().EngineOptions();
        Assert.Equal(TimeSpan.FromMinutes(2), defaults.Timeout);
        Assert.Equal(50_000_000, defaults.MaxSamples);
        Assert.Equal(20, defaults.MaxConcurrent);
        Assert.Equal(TimeSpan.FromMinutes(5), defaults.LookbackDelta);

        await File.WriteAllTextAsync(_file, """
            querier:
              timeout: 30s
              max_samples: 1000
            """);
        var o = (await Run("--config.file", _file, "--querier.max-concurrent=4", "--querier.lookback-delta=1m", "--querier.timeout=45s")).EngineOptions();
        Assert.Equal(TimeSpan.FromSeconds(45), o.Timeout);
        Assert.Equal(1000, o.MaxSamples);
        Assert.Equal(4, o.MaxConcurrent);
        Assert.Equal(TimeSpan.FromMinutes(1), o.LookbackDelta);
    }

    [Fact]
    public async Task Instance_limit_flags_and_yaml_keys_feed_the_distributor_and_ingester_options()
    {
        var defaults = new ClusterConfig();
        Assert.Equal((2000, 1L << 30), (defaults.DistributorOptions().MaxInflightPushRequests, defaults.DistributorOptions().MaxInflightPushRequestsBytes));
        Assert.Equal((30_000, 1000), (defaults.IngesterOptions().MaxInflightPushRequests, defaults.IngesterOptions().MaxTenants));

        await File.WriteAllTextAsync(_file, """
            distributor:
              instance_limits:
                max_inflight_push_requests: 10
                max_inflight_push_requests_bytes: 400000000
            ingester:
              instance_limits:
                max_tenants: 5
            """);
        var config = await Run("--config.file", _file, "--ingester.instance-limits.max-inflight-push-requests=7");
        Assert.Equal((10, 400_000_000L), (config.DistributorOptions().MaxInflightPushRequests, config.DistributorOptions().MaxInflightPushRequestsBytes));
        Assert.Equal((7, 5), (config.IngesterOptions().MaxInflightPushRequests, config.IngesterOptions().MaxTenants));

        // The bytes limit must let the largest push in: at least 3 x max-recv-msg-size.
        Assert.Contains(
            "distributor.instance-limits.max-inflight-push-requests-bytes",
            Assert.Throws<ConfigException>(() => new ClusterConfig { DistributorMaxInflightPushRequestsBytes = 1000 }.Validate()).Message);
    }

    [Fact]
    public void Querier_limits_must_be_positive()
    {
        Assert.Contains("querier.max-concurrent must be positive", Assert.Throws<ConfigException>(() => new ClusterConfig { QuerierMaxConcurrent = 0 }.Validate()).Message);
        Assert.Contains("querier.timeout must be positive", Assert.Throws<ConfigException>(() => new ClusterConfig { QuerierTimeout = TimeSpan.Zero }.Validate()).Message);
    }

    [Fact]
    public void Query_frontend_settings_are_validated_at_start()
    {
        static string Error(ClusterConfig c) => Assert.Throws<ConfigException>(c.Validate).Message;
        Assert.Contains("-querier.max-query-parallelism must be at least 1", Error(new ClusterConfig { QueryFrontendMaxQueryParallelism = 0 }));
        Assert.Contains("-query-frontend.max-outstanding-requests-per-tenant must be at least 1", Error(new ClusterConfig { QueryFrontendMaxOutstandingRequestsPerTenant = 0 }));
        Assert.Contains("may only be enabled in conjunction with -query-frontend.split-queries-by-interval", Error(new ClusterConfig { QueryFrontendCacheResults = true, QueryFrontendSplitQueriesByInterval = TimeSpan.Zero }));
        Assert.Contains("unsupported backend \"redis\"", Error(new ClusterConfig { QueryFrontendCacheResults = true, QueryFrontendResultsCacheBackend = "redis" }));
        Assert.Contains("-query-frontend.results-cache.memcached.addresses must list host:port", Error(new ClusterConfig { QueryFrontendCacheResults = true, QueryFrontendResultsCacheBackend = "memcached" }));
    }

    [Fact]
    public async Task Query_frontend_flags_reach_its_options()
    {
        var o = (await Run("--query-frontend.cache-results=true", "--query-frontend.results-cache.backend=memcached", "--query-frontend.results-cache.memcached.addresses=a:11211, b:11211", "--querier.max-query-parallelism=3", "--query-frontend.max-total-query-length=720h")).QueryFrontendOptions();
        Assert.Equal(["a:11211", "b:11211"], o.MemcachedAddresses);
        Assert.Equal((3, TimeSpan.FromHours(720), TimeSpan.FromHours(24), TimeSpan.FromMinutes(1)), (o.MaxQueryParallelism, o.MaxTotalQueryLength, o.SplitQueriesByInterval, o.MaxCacheFreshness));
    }

    [Fact]
    public void Config_dump_round_trips_through_the_yaml_loader()
    {
        var c = new ClusterConfig { HttpListenPort = 1234, DataDir = "/var/lib/mc", MultitenancyEnabled = false };
        File.WriteAllText(_file, ConfigDump.ToYaml(c));
        var back = new ClusterConfig();
        YamlConfigFile.Apply(_file, back);
        Assert.Equal(ConfigDump.ToYaml(c), ConfigDump.ToYaml(back));
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("10m", 600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1d2h", 93_600_000)]
    [InlineData("500ms", 500)]
    public void Durations_parse_as_prometheus(string s, long ms)
    {
        Assert.True(PromDuration.TryParse(s, out var d));
        Assert.Equal(ms, (long)d.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("1m1h")]
    [InlineData("5x")]
    public void Bad_durations_are_rejected(string s) => Assert.False(PromDuration.TryParse(s, out _));

    private static async Task<ClusterConfig> Run(params string[] args)
    {
        ClusterConfig? seen = null;
        var root = Config.CommandLine.Build((c, _) =>
        {
            seen = c;
            return Task.FromResult(0);
        });
        Assert.Equal(0, await root.Parse(args).InvokeAsync());
        return seen!;
    }
}

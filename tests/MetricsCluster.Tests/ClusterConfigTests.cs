using MetricsCluster.Config;
using Xunit;

namespace MetricsCluster.Host.Tests;

public sealed class ClusterConfigTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"mc-cluster-config-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void Defaults_are_mimirs_and_keep_the_single_process_mode()
    {
        var c = new ClusterConfig { DataDir = "/d" };
        Assert.Equal("memory", c.RingStore);
        Assert.Equal(Environment.MachineName, c.RingInstanceId);
        Assert.Equal(TimeSpan.FromSeconds(5), c.RingHeartbeatPeriod);
        Assert.Equal(TimeSpan.FromSeconds(15), c.RingHeartbeatTimeout);
        Assert.Equal(3, c.IngesterReplicationFactor);
        Assert.Equal(128, c.IngesterRingNumTokens);
        Assert.Equal(3, c.StoreGatewayReplicationFactor);
        Assert.Equal(9095, c.RpcListenPort);
        Assert.Equal(TimeSpan.FromSeconds(2), c.IngesterClientRemoteTimeout);
        Assert.Equal(Path.Combine("/d", "tokens"), c.EffectiveTokensFilePath);

        // One process with the memory store holds every series itself.
        Assert.Equal(1, c.EffectiveIngesterReplicationFactor);
        Assert.Equal(1, c.EffectiveStoreGatewayReplicationFactor);
        c.RingStore = "postgres";
        Assert.Equal(3, c.EffectiveIngesterReplicationFactor);
    }

    [Fact]
    public async Task Flags_and_mimir_style_yaml_keys_set_the_cluster_options()
    {
        await File.WriteAllTextAsync(_file, """
            ingester:
              ring:
                kvstore:
                  store: postgres
                replication_factor: 5
                num_tokens: 64
                instance_availability_zone: zone-a
                heartbeat_period: 2s
            store_gateway:
              sharding_ring:
                replication_factor: 2
            server:
              grpc_listen_port: 9300
            """);
        var c = await Run(
            "--config.file", _file,
            "--ring.postgres.connection-string=Host=127.0.0.1;Port=5432",
            "--ring.instance-id=ingester-7",
            "--ring.instance-addr=10.0.0.7",
            "--ingester.ring.tokens-file-path=/t/tokens",
            "--ring.heartbeat-timeout=30s",
            "--ring.unregister-timeout=4s",
            "--ingester.client.remote-timeout=3s");
        Assert.Equal("postgres", c.RingStore);
        Assert.Equal("Host=127.0.0.1;Port=5432", c.RingPostgresConnectionString);
        Assert.Equal(5, c.IngesterReplicationFactor);
        Assert.Equal(64, c.IngesterRingNumTokens);
        Assert.Equal("zone-a", c.RingZone);
        Assert.Equal(TimeSpan.FromSeconds(2), c.RingHeartbeatPeriod);
        Assert.Equal(TimeSpan.FromSeconds(30), c.RingHeartbeatTimeout);
        Assert.Equal(TimeSpan.FromSeconds(4), c.RingUnregisterTimeout);
        Assert.Equal(2, c.StoreGatewayReplicationFactor);
        Assert.Equal(9300, c.RpcListenPort);
        Assert.Equal("ingester-7", c.RingInstanceId);
        Assert.Equal("10.0.0.7", c.EffectiveInstanceAddr);
        Assert.Equal("/t/tokens", c.EffectiveTokensFilePath);
        Assert.Equal(TimeSpan.FromSeconds(3), c.IngesterClientRemoteTimeout);
    }

    [Fact]
    public void The_instance_address_defaults_to_the_bound_listen_address()
    {
        Assert.Equal("127.0.0.1", new ClusterConfig { HttpListenAddress = "127.0.0.1" }.EffectiveInstanceAddr);
        string any = new ClusterConfig { HttpListenAddress = "0.0.0.0" }.EffectiveInstanceAddr;
        Assert.NotEqual("0.0.0.0", any);
        Assert.True(System.Net.IPAddress.TryParse(any, out _), any);
    }

    [Fact]
    public void The_connection_string_is_masked_in_the_config_dump()
    {
        string yaml = ConfigDump.ToYaml(new ClusterConfig { RingStore = "postgres", RingPostgresConnectionString = "Host=db;Password=hunter2" });
        Assert.DoesNotContain("hunter2", yaml, StringComparison.Ordinal);
        Assert.Contains("connection_string: \"********\"", yaml, StringComparison.Ordinal);
        Assert.Contains("rpc_listen_port: 9095", yaml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ring.store must be memory, postgres or azure")]
    [InlineData("ring.postgres.connection-string is required when ring.store is postgres")]
    [InlineData("ring.heartbeat-timeout must be longer than ring.heartbeat-period")]
    [InlineData("ring.unregister-timeout must be positive")]
    [InlineData("ingester.replication-factor must be at least 1")]
    [InlineData("store-gateway.sharding-ring.replication-factor must be at least 1")]
    [InlineData("ingester.ring.num-tokens must be at least 1")]
    [InlineData("server.rpc-listen-port must differ from server.http-listen-port")]
    [InlineData("ingester.client.remote-timeout must be positive")]
    [InlineData("ring.instance-id must not be empty")]
    [InlineData("ring.azure.connection-string is required when ring.store is azure")]
    public void Invalid_cluster_settings_name_their_key(string expected)
    {
        var c = new ClusterConfig();
        switch (expected.Split(' ')[0])
        {
            case "ring.store": c.RingStore = "consul"; break;
            case "ring.postgres.connection-string": c.RingStore = "postgres"; break;
            case "ring.azure.connection-string": c.RingStore = "azure"; break;
            case "ring.heartbeat-timeout": c.RingHeartbeatTimeout = TimeSpan.FromSeconds(5); break;
            case "ring.unregister-timeout": c.RingUnregisterTimeout = TimeSpan.Zero; break;
            case "ingester.replication-factor": c.IngesterReplicationFactor = 0; break;
            case "store-gateway.sharding-ring.replication-factor": c.StoreGatewayReplicationFactor = 0; break;
            case "ingester.ring.num-tokens": c.IngesterRingNumTokens = 0; break;
            case "server.rpc-listen-port": c.RpcListenPort = c.HttpListenPort; break;
            case "ingester.client.remote-timeout": c.IngesterClientRemoteTimeout = TimeSpan.Zero; break;
            case "ring.instance-id": c.RingInstanceId = string.Empty; break;
        }

        Assert.Contains(expected, Assert.Throws<ConfigException>(c.Validate).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("distributor", "memory", true)]
    [InlineData("querier", "memory", true)]
    [InlineData("distributor", "postgres", false)]
    [InlineData("querier,store-gateway", "postgres", false)]
    [InlineData("all", "memory", false)]
    [InlineData("ingester", "memory", false)]
    public void A_distributor_or_querier_alone_needs_the_shared_ring_store(string target, string store, bool fails)
    {
        var c = new ClusterConfig { RingStore = store, RingPostgresConnectionString = "Host=x" };
        var modules = ModuleRegistry.Resolve(target);
        if (fails)
        {
            Assert.Contains("ring.store", Assert.Throws<ConfigException>(() => c.ValidateModules(modules)).Message, StringComparison.Ordinal);
        }
        else
        {
            c.ValidateModules(modules);
        }
    }

    [Fact]
    public void The_sample_cluster_config_loads_and_validates()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "MetricsCluster.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        }

        var c = new ClusterConfig { RingPostgresConnectionString = "Host=127.0.0.1" };
        YamlConfigFile.Apply(Path.Combine(root, "deploy", "cluster", "cluster.yaml"), c);
        c.Validate();
        Assert.Equal("postgres", c.RingStore);
        Assert.Equal(3, c.EffectiveIngesterReplicationFactor);
        Assert.Equal(1, c.EffectiveStoreGatewayReplicationFactor);
        Assert.False(c.MultitenancyEnabled);
    }

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

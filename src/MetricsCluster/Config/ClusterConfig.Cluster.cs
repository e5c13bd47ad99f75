using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace MetricsCluster.Config;

/// <summary>The cluster-mode settings: ring, Orleans membership and grain-state store, silo port (issues 5 and 13).</summary>
public sealed partial class ClusterConfig
{
    /// <summary>The single-process membership store (<c>--ring.store=memory</c>).</summary>
    public const string RingStoreMemory = "memory";

    /// <summary>Orleans membership and grain state in PostgreSQL (<c>--ring.store=postgres</c>).</summary>
    public const string RingStorePostgres = "postgres";

    /// <summary>Orleans membership in Azure Table storage, grain state in Azure Blob storage (<c>--ring.store=azure</c>).</summary>
    public const string RingStoreAzure = "azure";

    /// <summary>
    /// Where the Orleans cluster keeps its membership and the rings' descriptors: <c>memory</c> (one process, no
    /// silo), <c>postgres</c> or <c>azure</c> (<c>--ring.store</c>).
    /// </summary>
    public string RingStore { get; set; } = RingStoreMemory;

    /// <summary>Npgsql connection string of the <c>postgres</c> store (<c>--ring.postgres.connection-string</c>); masked in /config.</summary>
    public string RingPostgresConnectionString { get; set; } = string.Empty;

    /// <summary>Azure Storage connection string of the <c>azure</c> store (<c>--ring.azure.connection-string</c>); masked in /config.</summary>
    public string RingAzureConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// The deployment mode, named once: a single process with the in-memory ring and in-process bindings
    /// (<c>memory</c>), or a silo of an Orleans cluster (every other store).
    /// </summary>
    public DeploymentMode Mode => RingStore == RingStoreMemory ? DeploymentMode.SingleProcess : DeploymentMode.Cluster;

    /// <summary>This process's id in every ring it joins (<c>--ring.instance-id</c>); the host name by default, as Mimir.</summary>
    public string RingInstanceId { get; set; } = Environment.MachineName;

    /// <summary>
    /// Address other processes reach this one at (<c>--ring.instance-addr</c>); empty = the HTTP listen address when it
    /// names one, else the first non-loopback IPv4 address, else 127.0.0.1 (see <see cref="EffectiveInstanceAddr"/>).
    /// </summary>
    public string RingInstanceAddr { get; set; } = string.Empty;

    /// <summary>Availability zone of this instance; empty = zones not used (<c>--ring.zone</c>).</summary>
    public string RingZone { get; set; } = string.Empty;

    /// <summary>How often silos probe each other's liveness (<c>--ring.heartbeat-period</c>; Orleans' probe period).</summary>
    public TimeSpan RingHeartbeatPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// About how long an unresponsive instance stays healthy before Orleans declares it dead
    /// (<c>--ring.heartbeat-timeout</c>; missed probes = this / the period, at least 2).
    /// </summary>
    public TimeSpan RingHeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long each ring write of a leaving instance (LEAVING, unregister) may take before shutdown goes on without
    /// it, so a membership store that is down cannot keep the process from exiting (<c>--ring.unregister-timeout</c>).
    /// </summary>
    public TimeSpan RingUnregisterTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Ingesters each series is written to (<c>--ingester.replication-factor</c>).</summary>
    public int IngesterReplicationFactor { get; set; } = 3;

    /// <summary>Where the ingester keeps its ring tokens across restarts; empty = <c>&lt;data.dir&gt;/tokens</c>.</summary>
    public string IngesterRingTokensFilePath { get; set; } = string.Empty;

    /// <summary>Tokens each ingester owns in the ring (<c>--ingester.ring.num-tokens</c>).</summary>
    public int IngesterRingNumTokens { get; set; } = 128;

    /// <summary>Store-gateways each block is loaded by (<c>--store-gateway.sharding-ring.replication-factor</c>).</summary>
    public int StoreGatewayReplicationFactor { get; set; } = 3;

    /// <summary>The silo-to-silo port of the Orleans cluster (<c>--server.rpc-listen-port</c>).</summary>
    public int RpcListenPort { get; set; } = 9095;

    /// <summary>Deadline of one push to one ingester (<c>--ingester.client.remote-timeout</c>).</summary>
    public TimeSpan IngesterClientRemoteTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The tokens file path with its default applied.</summary>
    public string EffectiveTokensFilePath =>
        IngesterRingTokensFilePath.Length > 0 ? IngesterRingTokensFilePath : Path.Combine(DataDir, "tokens");

    /// <summary>The address registered in the rings, with its defaults applied (host only, no port).</summary>
    public string EffectiveInstanceAddr
    {
        get
        {
            if (RingInstanceAddr.Length > 0)
            {
                return RingInstanceAddr;
            }

            // A process bound to one address is only reachable there; 0.0.0.0 says nothing about where.
            if (HttpListenAddress.Length > 0 && IPAddress.TryParse(HttpListenAddress, out var bound) && !bound.Equals(IPAddress.Any))
            {
                return HttpListenAddress;
            }

            return FirstNonLoopbackIPv4() ?? "127.0.0.1";
        }
    }

    /// <summary>
    /// The replication factor the ingester ring uses: 1 in a single process with the memory store, where the one
    /// ingester holds everything; the configured value otherwise.
    /// </summary>
    public int EffectiveIngesterReplicationFactor => Mode == DeploymentMode.SingleProcess ? 1 : IngesterReplicationFactor;

    /// <summary>The store-gateway ring's replication factor, with the same single-process rule.</summary>
    public int EffectiveStoreGatewayReplicationFactor => Mode == DeploymentMode.SingleProcess ? 1 : StoreGatewayReplicationFactor;

    /// <summary>The cluster-mode flags, in help order.</summary>
    internal static readonly ConfigOption[] ClusterFlags =
    [
        ConfigOption.Str("ring.store", "Where the Orleans cluster keeps membership and ring descriptors: memory (one process, no silo), postgres or azure (shared by every process of the cluster).", c => c.RingStore, (c, v) => c.RingStore = v) with { YamlAliases = ["ingester.ring.kvstore.store"] },
        ConfigOption.Str("ring.postgres.connection-string", "Npgsql connection string of the postgres ring store, e.g. Host=127.0.0.1;Port=5432;Username=mc;Database=mc; shown masked.", c => c.RingPostgresConnectionString.Length > 0 ? "********" : string.Empty, (c, v) => c.RingPostgresConnectionString = v) with { YamlAliases = ["ingester.ring.kvstore.postgres.connection_string"] },
        ConfigOption.Str("ring.azure.connection-string", "Azure Storage connection string of the azure ring store (membership in Tables, ring descriptors in Blobs); shown masked.", c => c.RingAzureConnectionString.Length > 0 ? "********" : string.Empty, (c, v) => c.RingAzureConnectionString = v),
        ConfigOption.Str("ring.instance-id", "This instance's id in every ring it joins and its Orleans silo name (keep it stable across restarts); default: the host name.", c => c.RingInstanceId, (c, v) => c.RingInstanceId = v) with { YamlAliases = ["ingester.ring.instance_id"] },
        ConfigOption.Str("ring.instance-addr", "Address the other processes reach this one at; empty = the HTTP listen address if it names one, else the first non-loopback IPv4, else 127.0.0.1.", c => c.RingInstanceAddr, (c, v) => c.RingInstanceAddr = v) with { YamlAliases = ["ingester.ring.instance_addr"] },
        ConfigOption.Str("ring.zone", "Availability zone of this instance; replicas are spread over zones when every instance has one.", c => c.RingZone, (c, v) => c.RingZone = v) with { YamlAliases = ["ingester.ring.instance_availability_zone"] },
        ConfigOption.Dur("ring.heartbeat-period", "How often silos probe each other's liveness (Orleans membership probes).", c => c.RingHeartbeatPeriod, (c, v) => c.RingHeartbeatPeriod = v) with { YamlAliases = ["ingester.ring.heartbeat_period"] },
        ConfigOption.Dur("ring.heartbeat-timeout", "About how long an unresponsive instance stays healthy before Orleans declares it dead and the rings skip it.", c => c.RingHeartbeatTimeout, (c, v) => c.RingHeartbeatTimeout = v) with { YamlAliases = ["ingester.ring.heartbeat_timeout"] },
        ConfigOption.Dur("ring.unregister-timeout", "How long a leaving instance's ring writes (LEAVING, unregister) may take before shutdown goes on without them.", c => c.RingUnregisterTimeout, (c, v) => c.RingUnregisterTimeout = v),
        ConfigOption.Int("ingester.replication-factor", "Ingesters each series is written to; a write succeeds on a quorum (RF/2+1). Forced to 1 with the memory ring store.", c => c.IngesterReplicationFactor, (c, v) => c.IngesterReplicationFactor = v) with { YamlAliases = ["ingester.ring.replication_factor"] },
        ConfigOption.Str("ingester.ring.tokens-file-path", "File keeping the ingester's ring tokens across restarts; empty = <data.dir>/tokens.", c => c.IngesterRingTokensFilePath, (c, v) => c.IngesterRingTokensFilePath = v),
        ConfigOption.Int("ingester.ring.num-tokens", "Ring tokens each ingester owns.", c => c.IngesterRingNumTokens, (c, v) => c.IngesterRingNumTokens = v),
        ConfigOption.Int("store-gateway.sharding-ring.replication-factor", "Store-gateways each block is loaded by. Forced to 1 with the memory ring store.", c => c.StoreGatewayReplicationFactor, (c, v) => c.StoreGatewayReplicationFactor = v),
        ConfigOption.Int("server.rpc-listen-port", "The Orleans silo-to-silo port of every cluster-mode process (ring.store postgres or azure).", c => c.RpcListenPort, (c, v) => c.RpcListenPort = v) with { YamlAliases = ["server.grpc_listen_port"] },
        ConfigOption.Dur("ingester.client.remote-timeout", "Deadline of one push from a distributor to one ingester.", c => c.IngesterClientRemoteTimeout, (c, v) => c.IngesterClientRemoteTimeout = v) with { YamlAliases = ["ingester_client.remote_timeout"] },
    ];

    /// <summary>Checks the cluster settings; each failure names its key.</summary>
    public void ValidateCluster()
    {
        if (RingStore is not (RingStoreMemory or RingStorePostgres or RingStoreAzure))
        {
            throw new ConfigException($"ring.store must be memory, postgres or azure (got \"{RingStore}\")");
        }

        if (RingStore == RingStorePostgres && RingPostgresConnectionString.Length == 0)
        {
            throw new ConfigException("ring.postgres.connection-string is required when ring.store is postgres");
        }

        if (RingStore == RingStoreAzure && RingAzureConnectionString.Length == 0)
        {
            throw new ConfigException("ring.azure.connection-string is required when ring.store is azure");
        }

        if (RingInstanceId.Length == 0)
        {
            throw new ConfigException("ring.instance-id must not be empty");
        }

        if (RingHeartbeatPeriod <= TimeSpan.Zero)
        {
            throw new ConfigException("ring.heartbeat-period must be positive");
        }

        if (RingUnregisterTimeout <= TimeSpan.Zero)
        {
            throw new ConfigException("ring.unregister-timeout must be positive");
        }

        if (RingHeartbeatTimeout <= RingHeartbeatPeriod)
        {
            throw new ConfigException("ring.heartbeat-timeout must be longer than ring.heartbeat-period");
        }

        if (IngesterReplicationFactor < 1)
        {
            throw new ConfigException("ingester.replication-factor must be at least 1");
        }

        if (StoreGatewayReplicationFactor < 1)
        {
            throw new ConfigException("store-gateway.sharding-ring.replication-factor must be at least 1");
        }

        if (IngesterRingNumTokens < 1)
        {
            throw new ConfigException("ingester.ring.num-tokens must be at least 1");
        }

        if (RpcListenPort is < 0 or > 65535 || (Mode == DeploymentMode.Cluster && RpcListenPort == 0))
        {
            throw new ConfigException("server.rpc-listen-port must be between 1 and 65535 (the silo port)");
        }

        if (RpcListenPort != 0 && RpcListenPort == HttpListenPort)
        {
            throw new ConfigException("server.rpc-listen-port must differ from server.http-listen-port");
        }

        if (IngesterClientRemoteTimeout <= TimeSpan.Zero)
        {
            throw new ConfigException("ingester.client.remote-timeout must be positive");
        }
    }

    /// <summary>
    /// Checks what only the resolved modules tell: a distributor or querier without an ingester in its process can
    /// only find the ingesters through a shared ring store.
    /// </summary>
    /// <param name="modules">The resolved modules.</param>
    public void ValidateModules(IReadOnlySet<string> modules)
    {
        bool needsRemote = (modules.Contains(ModuleRegistry.Distributor) || modules.Contains(ModuleRegistry.Querier)) && !modules.Contains(ModuleRegistry.IngesterService);
        if (needsRemote && Mode == DeploymentMode.SingleProcess)
        {
            throw new ConfigException(
                "ring.store: a distributor or querier without an ingester in the same process finds the ingesters through a shared ring; set --ring.store=postgres with --ring.postgres.connection-string (or azure with --ring.azure.connection-string), or add the ingester to --target");
        }
    }

    private static string? FirstNonLoopbackIPv4()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
                ?.ToString();
        }
        catch (NetworkInformationException)
        {
            return null;
        }
    }
}

using System.Globalization;

namespace MetricsCluster.Config;

/// <summary>
/// One setting: its flag (<c>--server.http-listen-port</c>), which is also its YAML key with dots as nesting
/// and dashes as underscores (<c>server: {http_listen_port: 9009}</c>), its help, and how to read and set it.
/// </summary>
public sealed record ConfigOption(string Flag, string Help, bool IsBool, Func<ClusterConfig, string> Get, Action<ClusterConfig, string> Set)
{
    /// <summary>The YAML path of this option, e.g. <c>server.http_listen_port</c>.</summary>
    public string YamlKey => Flag.Replace('-', '_');

    /// <summary>Other YAML paths the config file accepts for this option, e.g. Mimir's <c>limits.compactor_blocks_retention_period</c>.</summary>
    public IReadOnlyList<string> YamlAliases { get; init; } = [];

    /// <summary>Every option, in help order. The command-line contract: never rename one.</summary>
    public static IReadOnlyList<ConfigOption> All { get; } =
    [
        Str("target", "Comma-separated components to run: all, write (distributor,ingester), read (querier), distributor, ingester, querier, store-gateway, compactor, agent (the scraping agent alone, Prometheus Agent mode).", c => c.Target, (c, v) => c.Target = v),
        Str("server.http-listen-address", "HTTP listen address; empty = all interfaces.", c => c.HttpListenAddress, (c, v) => c.HttpListenAddress = v),
        Int("server.http-listen-port", "HTTP listen port.", c => c.HttpListenPort, (c, v) => c.HttpListenPort = v),
        Dur("server.graceful-shutdown-timeout", "How long shutdown waits for in-flight requests.", c => c.GracefulShutdownTimeout, (c, v) => c.GracefulShutdownTimeout = v),
        Str("data.dir", "Root directory of the embedded defaults: TSDB under <dir>/tsdb/<tenant>/.", c => c.DataDir, (c, v) => c.DataDir = v),
        Bool("auth.multitenancy-enabled", "Require X-Scope-OrgID; when false every request is tenant 'anonymous'.", c => c.MultitenancyEnabled, (c, v) => c.MultitenancyEnabled = v),
        Bool("auth.tenant-from-basic-auth", "Without X-Scope-OrgID, the tenant is the user name of HTTP basic auth (senders that cannot set headers, e.g. Prometheus 2.42); the password is not checked.", c => c.TenantFromBasicAuth, (c, v) => c.TenantFromBasicAuth = v),
        Int("distributor.max-recv-msg-size", "Largest push body in bytes, compressed or decompressed.", c => c.MaxRecvMsgSize, (c, v) => c.MaxRecvMsgSize = v),
        Int("distributor.instance-limits.max-inflight-push-requests", "Most push requests a distributor handles at once; more are refused (500, retried) before their body is read; 0 = unlimited.", c => c.DistributorMaxInflightPushRequests, (c, v) => c.DistributorMaxInflightPushRequests = v),
        Long("distributor.instance-limits.max-inflight-push-requests-bytes", "Most bytes the push requests in flight in a distributor may hold (compressed body plus twice the decoded length); 0 = unlimited; else at least 3 x max-recv-msg-size.", c => c.DistributorMaxInflightPushRequestsBytes, (c, v) => c.DistributorMaxInflightPushRequestsBytes = v),
        Dbl("distributor.ingestion-rate-limit", "Per-tenant ingestion rate limit in samples per second.", c => c.Limits.IngestionRate, (c, v) => c.Limits = c.Limits with { IngestionRate = v }),
        Int("distributor.ingestion-burst-size", "Per-tenant ingestion burst size in samples.", c => c.Limits.IngestionBurstSize, (c, v) => c.Limits = c.Limits with { IngestionBurstSize = v }),
        Long("ingester.max-global-series-per-user", "Per-tenant in-memory series limit; 0 = unlimited.", c => c.Limits.MaxGlobalSeriesPerUser, (c, v) => c.Limits = c.Limits with { MaxGlobalSeriesPerUser = v }),
        Int("ingester.instance-limits.max-inflight-push-requests", "Most pushes an ingester handles at once; more are refused with a retryable 5xx; 0 = unlimited.", c => c.IngesterMaxInflightPushRequests, (c, v) => c.IngesterMaxInflightPushRequests = v),
        Int("ingester.instance-limits.max-tenants", "Most tenants an ingester opens a TSDB for; a push for a new tenant beyond it is refused with a retryable 5xx (tenants on disk are opened at start anyway); 0 = unlimited.", c => c.IngesterMaxTenants, (c, v) => c.IngesterMaxTenants = v),
        Bool("ingester.wal-fsync-every-push", "fsync the WAL before acknowledging every push (default: at segment end and shutdown).", c => c.WalFsyncEveryPush, (c, v) => c.WalFsyncEveryPush = v),
        Dur("ingester.wal-recovery-interval", "After a WAL write error (a full disk), how often a tenant's WAL is tried again; pushes in between fail fast with a retryable error.", c => c.WalRecoveryInterval, (c, v) => c.WalRecoveryInterval = v),
        Dur("ingester.wal-sync-interval", "How often every WAL is fsynced in the background; bounds the power-loss window; 0 disables.", c => c.WalSyncInterval, (c, v) => c.WalSyncInterval = v),
        Int("ingester.wal-segment-size", "WAL segment size in bytes; a multiple of 32768.", c => c.WalSegmentSize, (c, v) => c.WalSegmentSize = v),
        Dur("blocks-storage.tsdb.block-ranges-period", "TSDB block range: the head is cut into blocks aligned to this period.", c => c.BlockRangesPeriod, (c, v) => c.BlockRangesPeriod = v),
        Dur("blocks-storage.tsdb.head-compaction-interval", "How often the ingester checks every tenant's head for a block to cut.", c => c.HeadCompactionInterval, (c, v) => c.HeadCompactionInterval = v),
        Int("validation.max-label-names-per-series", "Maximum labels per series.", c => c.Limits.MaxLabelNamesPerSeries, (c, v) => c.Limits = c.Limits with { MaxLabelNamesPerSeries = v }),
        Int("validation.max-length-label-name", "Maximum label name length.", c => c.Limits.MaxLabelNameLength, (c, v) => c.Limits = c.Limits with { MaxLabelNameLength = v }),
        Int("validation.max-length-label-value", "Maximum label value length (also the metric name).", c => c.Limits.MaxLabelValueLength, (c, v) => c.Limits = c.Limits with { MaxLabelValueLength = v }),
        Int("validation.max-metadata-length", "Maximum metadata field length.", c => c.Limits.MaxMetadataLength, (c, v) => c.Limits = c.Limits with { MaxMetadataLength = v }),
        Dur("validation.create-grace-period", "Reject samples further than this in the future.", c => c.Limits.CreationGracePeriod, (c, v) => c.Limits = c.Limits with { CreationGracePeriod = v }),
        Dur("validation.past-grace-period", "Reject samples older than this; 0 = any age the head accepts.", c => c.Limits.PastGracePeriod, (c, v) => c.Limits = c.Limits with { PastGracePeriod = v }),
        Str("blocks-storage.backend", "Blocks bucket backend: filesystem or s3.", c => c.BlocksStorageBackend, (c, v) => c.BlocksStorageBackend = v),
        Str("blocks-storage.filesystem.dir", "Filesystem bucket root; empty = <data.dir>/bucket.", c => c.BlocksStorageFilesystemDir, (c, v) => c.BlocksStorageFilesystemDir = v),
        Str("blocks-storage.s3.endpoint", "S3 endpoint, host:port or a URL; empty = AWS for the region.", c => c.S3Endpoint, (c, v) => c.S3Endpoint = v),
        Str("blocks-storage.s3.bucket-name", "S3 bucket name (required for s3).", c => c.S3BucketName, (c, v) => c.S3BucketName = v),
        Str("blocks-storage.s3.region", "S3 region (signing region for custom endpoints).", c => c.S3Region, (c, v) => c.S3Region = v),
        Str("blocks-storage.s3.access-key-id", "S3 access key id; empty = the SDK's default credential chain.", c => c.S3AccessKeyId, (c, v) => c.S3AccessKeyId = v),
        Str("blocks-storage.s3.secret-access-key", "S3 secret access key; shown masked.", c => c.S3SecretAccessKey.Length > 0 ? "********" : string.Empty, (c, v) => c.S3SecretAccessKey = v),
        Bool("blocks-storage.s3.insecure", "Use plain http to the S3 endpoint.", c => c.S3Insecure, (c, v) => c.S3Insecure = v),
        Bool("blocks-storage.s3.force-path-style", "Address the S3 bucket in the path (MinIO, Ceph, moto).", c => c.S3ForcePathStyle, (c, v) => c.S3ForcePathStyle = v),
        Dur("blocks-storage.tsdb.ship-interval", "How often new local blocks are uploaded to the bucket.", c => c.TsdbShipInterval, (c, v) => c.TsdbShipInterval = v),
        Dur("blocks-storage.tsdb.retention-period", "How long shipped blocks stay on local disk after their maxTime.", c => c.TsdbRetentionPeriod, (c, v) => c.TsdbRetentionPeriod = v),
        Dur("blocks-storage.bucket-store.sync-interval", "How often the store-gateway re-reads every tenant's block list from the bucket.", c => c.BucketStoreSyncInterval, (c, v) => c.BucketStoreSyncInterval = v),
        Long("blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes", "Size limit of the store-gateway's in-memory cache of postings lists and series entries.", c => c.BucketStoreIndexCacheMaxSizeBytes, (c, v) => c.BucketStoreIndexCacheMaxSizeBytes = v),
        Dur("blocks-storage.bucket-store.bucket-index.max-stale-period", "Queries fail when a tenant's bucket index was not updated for longer than this (the compactor updates it).", c => c.BucketIndexMaxStalePeriod, (c, v) => c.BucketIndexMaxStalePeriod = v),
        Dur("blocks-storage.bucket-store.ignore-deletion-marks-delay", "The store-gateway stops serving a block once its deletion mark is older than this.", c => c.BucketStoreIgnoreDeletionMarksDelay, (c, v) => c.BucketStoreIgnoreDeletionMarksDelay = v),
        Dur("querier.query-ingesters-within", "Query ingesters only for the most recent this-long of a query; 0 = always.", c => c.QuerierQueryIngestersWithin, (c, v) => c.QuerierQueryIngestersWithin = v),
        Dur("querier.query-store-after", "Query the store-gateway only for data older than this; 0 = always. Must be less than query-ingesters-within.", c => c.QuerierQueryStoreAfter, (c, v) => c.QuerierQueryStoreAfter = v),
        Dur("querier.timeout", "Per-query time limit; a request's timeout parameter can only shorten it.", c => c.QuerierTimeout, (c, v) => c.QuerierTimeout = v),
        Int("querier.max-samples", "Most samples a single query may load into memory.", c => c.QuerierMaxSamples, (c, v) => c.QuerierMaxSamples = v),
        Int("querier.max-concurrent", "Most queries evaluated at once; more wait in a queue.", c => c.QuerierMaxConcurrent, (c, v) => c.QuerierMaxConcurrent = v),
        Dur("querier.lookback-delta", "How far back an instant selector looks for the latest sample.", c => c.QuerierLookbackDelta, (c, v) => c.QuerierLookbackDelta = v),
        Dur("compactor.blocks-retention-period", "Per-tenant default: delete blocks whose maxTime is older than this; 0 = keep forever.", c => c.Limits.CompactorBlocksRetentionPeriod, (c, v) => c.Limits = c.Limits with { CompactorBlocksRetentionPeriod = v }) with { YamlAliases = ["limits.compactor_blocks_retention_period"] },
        Dur("compactor.partial-block-deletion-delay", "Per-tenant default: delete partial blocks (no meta.json) not written to for this long; 0 = never.", c => c.Limits.CompactorPartialBlockDeletionDelay, (c, v) => c.Limits = c.Limits with { CompactorPartialBlockDeletionDelay = v }) with { YamlAliases = ["limits.compactor_partial_block_deletion_delay"] },
        Dur("compactor.cleanup-interval", "How often the compactor applies retention, deletes marked blocks and rewrites bucket indexes (also once at start).", c => c.CompactorCleanupInterval, (c, v) => c.CompactorCleanupInterval = v),
        Dur("compactor.deletion-delay", "How long a block marked for deletion stays in the bucket before the compactor deletes it.", c => c.CompactorDeletionDelay, (c, v) => c.CompactorDeletionDelay = v),
        Str("agent.config.file", "Prometheus-format file (global, scrape_configs, remote_write) for the embedded scraping agent; with --target=all, setting it runs the agent; --target=agent runs only the agent.", c => c.AgentConfigFile, (c, v) => c.AgentConfigFile = v),
        Str("agent.tenant", "Tenant the agent writes as when it sends to the in-process distributor (target all without remote_write).", c => c.AgentTenant, (c, v) => c.AgentTenant = v),
        Str("ring.store", "Where the Orleans cluster keeps membership and ring descriptors: memory (one process, no silo), postgres or azure (shared by every process of the cluster).", c => c.RingStore, (c, v) => c.RingStore = v) with { YamlAliases = ["ingester.ring.kvstore.store"] },
        Str("ring.postgres.connection-string", "Npgsql connection string of the postgres ring store, e.g. Host=127.0.0.1;Port=5432;Username=mc;Database=mc; shown masked.", c => c.RingPostgresConnectionString.Length > 0 ? "********" : string.Empty, (c, v) => c.RingPostgresConnectionString = v) with { YamlAliases = ["ingester.ring.kvstore.postgres.connection_string"] },
        Str("ring.azure.connection-string", "Azure Storage connection string of the azure ring store (membership in Tables, ring descriptors in Blobs); shown masked.", c => c.RingAzureConnectionString.Length > 0 ? "********" : string.Empty, (c, v) => c.RingAzureConnectionString = v),
        Str("ring.instance-id", "This instance's id in every ring it joins and its Orleans silo name (keep it stable across restarts); default: the host name.", c => c.RingInstanceId, (c, v) => c.RingInstanceId = v) with { YamlAliases = ["ingester.ring.instance_id"] },
        Str("ring.instance-addr", "Address the other processes reach this one at; empty = the HTTP listen address if it names one, else the first non-loopback IPv4, else 127.0.0.1.", c => c.RingInstanceAddr, (c, v) => c.RingInstanceAddr = v) with { YamlAliases = ["ingester.ring.instance_addr"] },
        Str("ring.zone", "Availability zone of this instance; replicas are spread over zones when every instance has one.", c => c.RingZone, (c, v) => c.RingZone = v) with { YamlAliases = ["ingester.ring.instance_availability_zone"] },
        Dur("ring.heartbeat-period", "How often silos probe each other's liveness (Orleans membership probes).", c => c.RingHeartbeatPeriod, (c, v) => c.RingHeartbeatPeriod = v) with { YamlAliases = ["ingester.ring.heartbeat_period"] },
        Dur("ring.heartbeat-timeout", "About how long an unresponsive instance stays healthy before Orleans declares it dead and the rings skip it.", c => c.RingHeartbeatTimeout, (c, v) => c.RingHeartbeatTimeout = v) with { YamlAliases = ["ingester.ring.heartbeat_timeout"] },
        Dur("ring.unregister-timeout", "How long a leaving instance's ring writes (LEAVING, unregister) may take before shutdown goes on without them.", c => c.RingUnregisterTimeout, (c, v) => c.RingUnregisterTimeout = v),
        Int("ingester.replication-factor", "Ingesters each series is written to; a write succeeds on a quorum (RF/2+1). Forced to 1 with the memory ring store.", c => c.IngesterReplicationFactor, (c, v) => c.IngesterReplicationFactor = v) with { YamlAliases = ["ingester.ring.replication_factor"] },
        Str("ingester.ring.tokens-file-path", "File keeping the ingester's ring tokens across restarts; empty = <data.dir>/tokens.", c => c.IngesterRingTokensFilePath, (c, v) => c.IngesterRingTokensFilePath = v),
        Int("ingester.ring.num-tokens", "Ring tokens each ingester owns.", c => c.IngesterRingNumTokens, (c, v) => c.IngesterRingNumTokens = v),
        Int("store-gateway.sharding-ring.replication-factor", "Store-gateways each block is loaded by. Forced to 1 with the memory ring store.", c => c.StoreGatewayReplicationFactor, (c, v) => c.StoreGatewayReplicationFactor = v),
        Int("server.rpc-listen-port", "The Orleans silo-to-silo port of every cluster-mode process (ring.store postgres or azure).", c => c.RpcListenPort, (c, v) => c.RpcListenPort = v) with { YamlAliases = ["server.grpc_listen_port"] },
        Dur("ingester.client.remote-timeout", "Deadline of one push from a distributor to one ingester.", c => c.IngesterClientRemoteTimeout, (c, v) => c.IngesterClientRemoteTimeout = v) with { YamlAliases = ["ingester_client.remote_timeout"] },
        Str("log.level", "Log level: debug, info, warn, error.", c => c.LogLevel, (c, v) => c.LogLevel = v),
        Str("log.format", "Log format: logfmt or json.", c => c.LogFormat, (c, v) => c.LogFormat = v),
    ];

    private static ConfigOption Str(string f, string h, Func<ClusterConfig, string> g, Action<ClusterConfig, string> s) => new(f, h, false, g, s);

    private static ConfigOption Int(string f, string h, Func<ClusterConfig, int> g, Action<ClusterConfig, int> s) =>
        new(f, h, false, c => g(c).ToString(CultureInfo.InvariantCulture), (c, v) => s(c, int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int x) ? x : throw Bad(f, v, "an integer")));

    private static ConfigOption Long(string f, string h, Func<ClusterConfig, long> g, Action<ClusterConfig, long> s) =>
        new(f, h, false, c => g(c).ToString(CultureInfo.InvariantCulture), (c, v) => s(c, long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long x) ? x : throw Bad(f, v, "an integer")));

    private static ConfigOption Dbl(string f, string h, Func<ClusterConfig, double> g, Action<ClusterConfig, double> s) =>
        new(f, h, false, c => g(c).ToString("R", CultureInfo.InvariantCulture), (c, v) => s(c, double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) ? x : throw Bad(f, v, "a number")));

    private static ConfigOption Bool(string f, string h, Func<ClusterConfig, bool> g, Action<ClusterConfig, bool> s) =>
        new(f, h, true, c => g(c) ? "true" : "false", (c, v) => s(c, v.ToLowerInvariant() switch { "true" or "1" => true, "false" or "0" => false, _ => throw Bad(f, v, "true or false") }));

    private static ConfigOption Dur(string f, string h, Func<ClusterConfig, TimeSpan> g, Action<ClusterConfig, TimeSpan> s) =>
        new(f, h, false, c => PromDuration.Format(g(c)), (c, v) => s(c, PromDuration.TryParse(v, out var d) ? d : throw Bad(f, v, "a duration like 10m or 1h30m")));

    private static ConfigException Bad(string flag, string value, string expected) =>
        new($"invalid value \"{value}\" for {flag.Replace('-', '_')} (--{flag}): expected {expected}");
}

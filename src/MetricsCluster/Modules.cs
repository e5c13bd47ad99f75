using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using MetricsCluster.Compactor;
using MetricsCluster.Config;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Storage;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Http;
using MetricsCluster.ObjectStore;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.Querier;
using MetricsCluster.Querier.Api;
using MetricsCluster.Querier.Blocks;
using MetricsCluster.Storage;
using MetricsCluster.Storage.Shipping;
using MetricsCluster.StoreGateway;
using Microsoft.Extensions.DependencyInjection.Extensions;

using IQueryable = MetricsCluster.Core.Storage.IQueryable;

namespace MetricsCluster;

/// <summary>The Init and Map step of each module in <see cref="ModuleRegistry"/> (G2).</summary>
internal static class Modules
{
    /// <summary>Registers the services of the resolved modules.</summary>
    internal static void Register(IServiceCollection services, ClusterConfig config, HashSet<string> modules)
    {
        if (modules.Contains(ModuleRegistry.Overrides))
        {
            services.AddSingleton<IOverrides>(new StaticOverrides(config.Limits));
        }

        // Cluster mode: the ring store, the rings read here and the remote clients (the in-process binding otherwise).
        ClusterModule.Register(services, config, modules);

        if (modules.Contains(ModuleRegistry.IngesterService))
        {
            services.AddSingleton(config.IngesterOptions());
            services.AddSingleton<Ingester.Ingester>();
            if (config.InProcess(modules, ModuleRegistry.IngesterService))
            {
                services.AddSingleton<IIngesterClient>(sp => sp.GetRequiredService<Ingester.Ingester>());
            }

            // Hosted services start in this order and stop in reverse: join PENDING, replay the WAL, ship, go ACTIVE.
            ClusterModule.RegisterIngesterJoin(services, config);
            services.AddHostedService(sp => sp.GetRequiredService<Ingester.Ingester>());

            // Shipping: the ingester's cut blocks go to the blocks bucket (Mimir ingester shipBlocksLoop).
            AddBlocksBucket(services, config);
            services.AddSingleton(config.ShipperOptions());
            services.AddSingleton<ShipperMetrics>();
            services.AddSingleton<ShipperService>();
            services.AddHostedService(sp => sp.GetRequiredService<ShipperService>());
            ClusterModule.RegisterIngesterActivation(services, config);
        }

        if (modules.Contains(ModuleRegistry.DistributorService))
        {
            DistributorModule.Register(services, config);
        }

        if (modules.Contains(ModuleRegistry.StoreGateway))
        {
            AddBlocksBucket(services, config);
            ClusterModule.RegisterStoreGatewayOptions(services, config, modules);
            services.AddSingleton<BucketStores>();
            services.AddSingleton<StoreGatewayService>();
            services.AddHostedService(sp => sp.GetRequiredService<StoreGatewayService>());
            ClusterModule.RegisterStoreGatewayLifecycle(services, config);
        }

        if (modules.Contains(ModuleRegistry.Compactor))
        {
            // The compactor's blocks cleaner (Mimir BlocksCleaner): retention, deletions, bucket index.
            AddBlocksBucket(services, config);
            services.AddSingleton(config.CompactorOptions());
            services.AddSingleton<BlocksCleanerMetrics>();
            services.AddSingleton<BlocksCleaner>();
            services.AddHostedService<CompactorService>();
            ClusterModule.RegisterCompactorLifecycle(services, config);
        }

        if (modules.Contains(ModuleRegistry.Agent))
        {
            AgentModule.Register(services, config, modules);
        }

        if (modules.Contains(ModuleRegistry.Querier))
        {
            // The querier reads the blocks through the in-process store-gateway (target all) or, in cluster mode,
            // through the store-gateways of the ring; it reads the bucket index itself either way.
            bool remoteStores = !config.InProcess(modules, ModuleRegistry.StoreGateway) && config.RingStore != ClusterConfig.RingStoreMemory;
            if (remoteStores)
            {
                AddBlocksBucket(services, config);
            }

            services.AddSingleton<IQueryable>(sp =>
            {
                var ingesters = new IngesterQueryable(sp.GetRequiredService<IIngesterClient>());
                if (!modules.Contains(ModuleRegistry.StoreGateway) && !remoteStores)
                {
                    return ingesters;
                }

                // Blocks come from the bucket index and every one of them must be read (consistency check).
                var time = sp.GetRequiredService<TimeProvider>();
                var blocksOptions = config.BlocksStoreOptions();
                IStoreGatewayClient gateways = remoteStores ? sp.GetRequiredService<IStoreGatewayClient>() : sp.GetRequiredService<BucketStores>();
                var store = new BlocksStoreQueryable(
                    new BucketIndexBlocksFinder(new BucketIndexReader(sp.GetRequiredService<IBucket>()), blocksOptions, time),
                    gateways,
                    new BlocksConsistencyChecker(blocksOptions, time, sp.GetRequiredService<MetricsRegistry>()));
                return new MergeQueryable(ingesters, store, config.MergeQueryableOptions(), time);
            });

            // One engine per process: its max-concurrent gate must be shared by every query endpoint.
            services.AddSingleton(sp =>
            {
                var log = sp.GetRequiredService<ILoggerFactory>().CreateLogger("querier");
                return new QueryEngine(config.EngineOptions() with
                {
                    OnInternalError = (query, e) => log.LogError(e, "query failed with an internal error: {Query}", query),
                });
            });
            services.AddSingleton<IQueryRunner>(sp => new EngineQueryRunner(sp.GetRequiredService<QueryEngine>(), sp.GetRequiredService<IQueryable>()));
        }
    }

    /// <summary>Registers the blocks bucket once, whichever of the ingester, store-gateway and compactor asks first.</summary>
    private static void AddBlocksBucket(IServiceCollection services, ClusterConfig config) =>
        services.TryAddSingleton<IBucket>(sp => BucketFactory.Create(config.BucketConfig(), sp.GetRequiredService<MetricsRegistry>(), timeProvider: sp.GetRequiredService<TimeProvider>()));

    /// <summary>Maps the HTTP routes of the resolved modules.</summary>
    internal static void Map(WebApplication app, ClusterConfig config, HashSet<string> modules)
    {
        var tenants = app.Services.GetRequiredService<TenantResolver>();
        var ingester = modules.Contains(ModuleRegistry.IngesterService) ? app.Services.GetRequiredService<Ingester.Ingester>() : null;
        var stores = modules.Contains(ModuleRegistry.StoreGateway) ? app.Services.GetRequiredService<BucketStores>() : null;
        var lifecycle = ingester is null ? null : app.Services.GetRequiredService<IngesterLifecycle>();
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        app.MapOperations(config, () =>
        {
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                return (false, "Shutting down");
            }

            if (ingester is { IsReady: false })
            {
                return (false, "Ingester not ready: replaying WAL");
            }

            // A tenant whose disk is full refuses writes until it heals: say so, so probes and operators see it.
            if (ingester?.WriteFailingTenants is { Count: > 0 } failing)
            {
                return (false, $"Ingester cannot write the WAL of tenants {string.Join(", ", failing)} (is the disk full?); their pushes fail with a retryable error until it heals");
            }

            // Mimir: an ingester is ready once ACTIVE in the ring (and no longer once it starts leaving).
            if (lifecycle is not null && lifecycle.State != Cluster.Ring.InstanceState.Active)
            {
                return (false, $"Ingester not ready: {lifecycle.State} in the ring");
            }

            // Mimir: the store-gateway is not ready during its first bucket sync.
            return stores is { IsReady: false } ? (false, "Store-gateway not ready: initial bucket sync") : (true, string.Empty);
        });

        if (ingester is not null)
        {
            var shipper = app.Services.GetRequiredService<ShipperService>();
            app.MapIngesterFlush(ingester, shipper);
            app.MapIngesterShutdown(lifecycle!);
        }

        ClusterModule.MapRingPages(app, config, modules);

        if (modules.Contains(ModuleRegistry.Distributor))
        {
            DistributorModule.Map(app, tenants);
            app.MapAllUserStats(app.Services.GetRequiredService<IIngesterStats>());
        }

        if (modules.Contains(ModuleRegistry.Agent))
        {
            AgentModule.Map(app);
        }

        if (modules.Contains(ModuleRegistry.Querier))
        {
            app.MapPrometheusMetadataApi(
                "/prometheus",
                app.Services.GetRequiredService<IQueryable>(),
                app.Services.GetRequiredService<IIngesterClient>(),
                tenants.Resolve);
            app.MapRemoteRead("/prometheus", app.Services.GetRequiredService<IQueryable>(), tenants.Resolve);
            app.MapFormatQuery("/prometheus");
            var engine = app.Services.GetRequiredService<QueryEngine>();
            app.MapPrometheusQueryApi(
                "/prometheus",
                app.Services.GetRequiredService<IQueryRunner>(),
                tenants.Resolve,
                app.Services.GetRequiredService<TimeProvider>(),
                engine.Options.Timeout);

            // Kestrel waits up to --server.graceful-shutdown-timeout for in-flight requests; queries are cancelled
            // when stopping begins so they answer at once instead of running (and holding the wait) to the end.
            lifetime.ApplicationStopping.Register(engine.CancelAllQueries);

            // Mimir serves buildinfo under the Prometheus prefix and at the root; Grafana asks the former.
            var buildInfo = HostBuildInfo();
            app.MapBuildInfo("/prometheus", buildInfo);
            app.MapBuildInfo(string.Empty, buildInfo);
        }

        WebModule.Map(app, config, modules);
    }

    /// <summary>
    /// Build facts of this binary. The version is the Mimir release whose API we follow, because Grafana compares
    /// it as semver against Mimir versions (docs/query-api.md); the revision is the commit the SDK stamps into the
    /// informational version.
    /// </summary>
    private static BuildInfo HostBuildInfo()
    {
        var assembly = typeof(Modules).Assembly;
        string informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? string.Empty;
        int plus = informational.IndexOf('+', StringComparison.Ordinal);
        string revision = plus >= 0 ? informational[(plus + 1)..] : "unknown";
        string date = File.Exists(assembly.Location)
            ? File.GetLastWriteTimeUtc(assembly.Location).ToString("yyyyMMdd-HH:mm:ss", CultureInfo.InvariantCulture)
            : "unknown";
        return new BuildInfo(BuildInfoEndpoint.MimirCompatibleVersion, revision, "unknown", Environment.UserName, date, RuntimeInformation.FrameworkDescription);
    }
}

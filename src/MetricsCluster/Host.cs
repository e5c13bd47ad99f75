using System.Net;
using MetricsCluster.Config;
using MetricsCluster.Core.Metrics;
using MetricsCluster.Http;
using MetricsCluster.Modules;
using Microsoft.Extensions.Logging.Console;

namespace MetricsCluster;

/// <summary>Builds the web host for the resolved modules and runs it.</summary>
public static class Host
{
    /// <summary>Runs until the process is asked to stop; returns the exit code.</summary>
    public static async Task<int> RunAsync(ClusterConfig config, CancellationToken cancellationToken)
    {
        HashSet<string> modules;
        try
        {
            modules = ModuleRegistry.Resolve(config.Target);
            ModuleRegistry.Expand(modules, config);
            config.ValidateModules(modules);
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync("error: invalid configuration: " + e.Message);
            return 2;
        }

        if (!TryListenAddress(config, out var address))
        {
            await Console.Error.WriteLineAsync($"error: --server.http-listen-address '{config.HttpListenAddress}' is not an IP address (use e.g. 0.0.0.0, 127.0.0.1 or ::)");
            return 2;
        }

        // Before anything joins a ring or opens storage: a busy port is one clear line, not a stack trace afterwards.
        var ports = new List<(int Port, string Flag)> { (config.HttpListenPort, "server.http-listen-port") };
        if (config.Mode == DeploymentMode.Cluster)
        {
            ports.Add((config.RpcListenPort, "server.rpc-listen-port"));
        }

        if (PortCheck.FindUnavailable(address, ports) is { } busy)
        {
            await Console.Error.WriteLineAsync("error: " + busy);
            return 1;
        }

        var app = Build(config, modules);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("metrics-cluster");
        logger.LogInformation(
            "starting metrics-cluster: modules {Modules}, data dir {DataDir}, listening on {Address}:{Port}",
            string.Join(",", ModuleRegistry.StartOrder(modules)), Path.GetFullPath(config.DataDir), config.HttpListenAddress.Length == 0 ? "*" : config.HttpListenAddress, config.HttpListenPort);
        // Resolved now: the container is disposed once RunAsync returns.
        var lifecycle = app.Services.GetService<IngesterLifecycle>();
        try
        {
            await app.RunAsync();
        }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException || e.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            logger.LogCritical("cannot listen on port {Port}: {Message}", config.HttpListenPort, e.Message);
            return 1;
        }

        // A shutdown that left blocks or heads outside the bucket says so to whatever runs the process.
        if (lifecycle?.LeaveFailure is { } failure)
        {
            logger.LogCritical("metrics-cluster stopped with data not in the bucket, kept on local disk for the next start: {Message}", failure.Message);
            return 3;
        }

        logger.LogInformation("metrics-cluster stopped");
        return 0;
    }

    /// <summary>Builds the application (used by the tests too).</summary>
    public static WebApplication Build(ClusterConfig config, HashSet<string> modules)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        ConfigureLogging(builder.Logging, config);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // The push endpoint caps bodies itself (413 with an error id); Kestrel's 30 MB default would cut it short.
            k.Limits.MaxRequestBodySize = null;
            var address = TryListenAddress(config, out var parsed) ? parsed : throw new ConfigException($"--server.http-listen-address '{config.HttpListenAddress}' is not an IP address");
            k.Listen(address, config.HttpListenPort);
        });
        // A request's continuations run on the thread that completed its socket read or write (already a thread-pool
        // thread on Linux), instead of being queued once more to Kestrel's IO queues and then to the pool: each
        // queueing is a wait for a core, which on a busy machine costs more than a small query itself.
        builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = config.GracefulShutdownTimeout);
        var registry = new MetricsRegistry();
        OperationsEndpoints.RegisterProcessMetrics(registry);
        builder.Services.AddSingleton(registry);
        builder.Services.AddSingleton(config);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new TenantResolver(
            config.MultitenancyEnabled, config.TenantFromBasicAuth, sp.GetRequiredService<ILoggerFactory>().CreateLogger<TenantResolver>(), sp.GetRequiredService<TimeProvider>()));

        // Each module registers itself in the graph's start order; hosted services start in registration order and
        // stop in reverse, so the engine (the silo) starts first and stops last (ModuleStage).
        var ordered = ModuleRegistry.Ordered(modules);
        var registering = new ModuleContext(config, modules, builder);
        foreach (var module in ordered)
        {
            module.Register(builder.Services, registering);
        }

        var app = builder.Build();
        app.UseRequestMetrics(registry);
        var mapping = registering with { Host = null };
        foreach (var module in ordered)
        {
            module.Map(app, mapping);
        }

        return app;
    }

    private static bool TryListenAddress(ClusterConfig config, out IPAddress address)
    {
        if (config.HttpListenAddress.Length == 0)
        {
            address = IPAddress.Any;
            return true;
        }

        return IPAddress.TryParse(config.HttpListenAddress, out address!);
    }

    private static void ConfigureLogging(ILoggingBuilder logging, ClusterConfig config)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(config.LogLevel switch
        {
            "debug" => LogLevel.Debug,
            "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => LogLevel.Information,
        });
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        // Orleans speaks at warning level about membership changes (kept); its connection layer and probes log a
        // stack trace per failed attempt to a dead silo, many per second, which says nothing the membership
        // warnings do not: only their errors are kept.
        logging.AddFilter("Orleans", LogLevel.Warning);
        logging.AddFilter("Polly", LogLevel.Warning);
        logging.AddFilter("Orleans.Runtime.Messaging", LogLevel.Error);
        logging.AddFilter("Orleans.Networking", LogLevel.Error);
        logging.AddFilter("Orleans.Runtime.MembershipService.SiloHealthMonitor", LogLevel.Error);
        if (config.LogFormat == "json")
        {
            logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ");
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }
    }
}

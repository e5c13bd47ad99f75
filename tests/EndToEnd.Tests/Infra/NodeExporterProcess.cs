namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>The real prometheus-node-exporter (Debian package) on 127.0.0.1 at a free port.</summary>
public sealed class NodeExporterProcess : IAsyncDisposable
{
    private readonly ChildProcess _child;

    private NodeExporterProcess(ChildProcess child, int port)
    {
        _child = child;
        Port = port;
    }

    /// <summary>The listen port.</summary>
    public int Port { get; }

    /// <summary>host:port, as a scrape target.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Starts it and waits for its landing page (not /metrics, which would count as a scrape).</summary>
    public static async Task<NodeExporterProcess> StartAsync()
    {
        string bin = Repo.RequireBinary("prometheus-node-exporter");
        int port = Repo.FreePort();
        // The chaos tests mount small tmpfs disks under /tmp while others run: keep /tmp out of the filesystem metrics,
        // or two scrapes of this exporter (ours and Prometheus') see different mounts.
        var child = ChildProcess.Start(bin, [$"--web.listen-address=127.0.0.1:{port}", "--collector.filesystem.mount-points-exclude=^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|tmp)($|/)"]);
        var p = new NodeExporterProcess(child, port);
        await Readiness.WaitAsync(new Uri($"http://127.0.0.1:{port}/"), child, "node_exporter", TimeSpan.FromSeconds(60));
        return p;
    }

    /// <summary>SIGTERM and wait.</summary>
    public async Task StopAsync()
    {
        try
        {
            await _child.TerminateAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            _child.Kill9();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _child.Dispose();
    }
}

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>The real Prometheus (Debian package) on 127.0.0.1 with a temp config and TSDB.</summary>
public sealed class PrometheusProcess : IAsyncDisposable
{
    private readonly ChildProcess _child;
    private readonly string _dir;

    private PrometheusProcess(ChildProcess child, string dir, int port)
    {
        _child = child;
        _dir = dir;
        Port = port;
    }

    /// <summary>The web port.</summary>
    public int Port { get; }

    /// <summary>http://127.0.0.1:port.</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{Port}");

    /// <summary>Everything Prometheus logged.</summary>
    public string Output => _child.Output;

    /// <summary>Starts Prometheus with <paramref name="configYaml"/>; <c>__SELF_PORT__</c> in it becomes its own port.</summary>
    public static Task<PrometheusProcess> StartAsync(string configYaml, params string[] extraArgs) => StartOnAsync(configYaml, null, extraArgs);

    /// <summary>
    /// Starts Prometheus on an existing TSDB directory (for example one holding blocks copied from our bucket), or on
    /// a fresh one when <paramref name="tsdbDir"/> is null. The directory is the caller's: it is not deleted on dispose.
    /// </summary>
    public static async Task<PrometheusProcess> StartOnAsync(string configYaml, string? tsdbDir, params string[] extraArgs)
    {
        string bin = Repo.RequireBinary("prometheus");
        string dir = Repo.TempDir("prom");
        int port = Repo.FreePort();
        string config = Path.Combine(dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, configYaml.Replace("__SELF_PORT__", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var child = ChildProcess.Start(bin,
        [
            "--config.file=" + config,
            "--storage.tsdb.path=" + (tsdbDir ?? Path.Combine(dir, "data")),
            $"--web.listen-address=127.0.0.1:{port}",
            .. extraArgs,
        ]);
        var p = new PrometheusProcess(child, dir, port);
        await p.WaitReadyAsync();
        return p;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _child.TerminateAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
        }

        _child.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Task WaitReadyAsync() => Readiness.WaitAsync(new Uri(BaseUri, "/-/ready"), _child, "prometheus", TimeSpan.FromSeconds(60));
}

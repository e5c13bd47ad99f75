namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>The real metrics-cluster binary on 127.0.0.1 with its own data dir.</summary>
public sealed class MetricsClusterProcess : IAsyncDisposable
{
    private readonly string[] _extraArgs;
    private ChildProcess? _child;

    private MetricsClusterProcess(string dataDir, int port, string[] extraArgs)
    {
        DataDir = dataDir;
        Port = port;
        _extraArgs = extraArgs;
    }

    /// <summary>The data directory (kept across restarts).</summary>
    public string DataDir { get; }

    /// <summary>The HTTP port.</summary>
    public int Port { get; }

    /// <summary>http://127.0.0.1:port.</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{Port}");

    /// <summary>The current child process.</summary>
    public ChildProcess Child => _child ?? throw new InvalidOperationException("not started");

    /// <summary>Starts the binary and waits until /ready answers 200.</summary>
    public static async Task<MetricsClusterProcess> StartAsync(params string[] extraArgs)
    {
        var p = new MetricsClusterProcess(Repo.TempDir("data"), Repo.FreePort(), extraArgs);
        await p.RestartAsync();
        return p;
    }

    /// <summary>Starts the binary on <paramref name="dataDir"/> (e.g. a small tmpfs) and waits until /ready answers 200.</summary>
    public static async Task<MetricsClusterProcess> StartInAsync(string dataDir, params string[] extraArgs)
    {
        var p = new MetricsClusterProcess(dataDir, Repo.FreePort(), extraArgs);
        await p.RestartAsync();
        return p;
    }

    /// <summary>(Re)starts the process on the same data dir and port.</summary>
    public async Task RestartAsync()
    {
        _child?.Dispose();
        string[] args =
        [
            Repo.BinaryDll,
            "--server.http-listen-address=127.0.0.1",
            $"--server.http-listen-port={Port}",
            $"--data.dir={DataDir}",
            .. _extraArgs,
        ];
        _child = ChildProcess.Start("dotnet", args);
        // Generous: a cluster test starts several of these at once on a shared 2-core machine.
        await WaitReadyAsync(TimeSpan.FromSeconds(120));
    }

    /// <summary>SIGKILL.</summary>
    public void Kill9() => Child.Kill9();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_child is { HasExited: false } c)
        {
            try
            {
                await c.TerminateAsync(TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
            }
        }

        _child?.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Task WaitReadyAsync(TimeSpan timeout) => Readiness.WaitAsync(new Uri(BaseUri, "/ready"), Child, "metrics-cluster", timeout);
}

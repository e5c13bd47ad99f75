using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MetricsCluster.Agent.Tests.RemoteWrite;

/// <summary>
/// Runs a real single-node <c>victoria-metrics</c> as a child process on a free loopback port with a temp
/// data directory, for one test. A missing binary fails the test loudly; it is never skipped.
/// </summary>
public sealed class VictoriaMetricsServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string _dataPath;

    private VictoriaMetricsServer(Process process, string dataPath, int port)
    {
        _process = process;
        _dataPath = dataPath;
        Port = port;
    }

    public int Port { get; }

    public Uri WriteUrl => new($"http://127.0.0.1:{Port}/api/v1/write");

    public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<VictoriaMetricsServer> StartAsync()
    {
        string exe = new[] { "/usr/bin/victoria-metrics", "/usr/local/bin/victoria-metrics" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("victoria-metrics is not installed: the remote-write interoperability test needs it (preinstalled on the project's machines).");
        int port = QueueTestKit.FreePort();
        string dataPath = Path.Combine(Path.GetTempPath(), "mc-vm-" + Guid.NewGuid().ToString("N"));
        var psi = new ProcessStartInfo(exe, ["-storageDataPath", dataPath, "-httpListenAddr", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "-loggerLevel", "WARN"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start victoria-metrics");
        var server = new VictoriaMetricsServer(process, dataPath, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitHealthyAsync();
        return server;
    }

    /// <summary>Exports the series matching <paramref name="selector"/> as VictoriaMetrics JSON lines.</summary>
    public async Task<string> ExportAsync(string selector)
    {
        // Make freshly ingested rows searchable now instead of after the periodic flush.
        using (await Client.GetAsync(new Uri($"http://127.0.0.1:{Port}/internal/force_flush"))) { }
        return await Client.GetStringAsync(new Uri($"http://127.0.0.1:{Port}/api/v1/export?match[]={Uri.EscapeDataString(selector)}"));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        _process.Dispose();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }

    private async Task WaitHealthyAsync()
    {
        // Readiness barrier: poll /health until it answers (start-up takes under a second when idle).
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"victoria-metrics exited with {_process.ExitCode}:\n{Output()}");
            }

            try
            {
                using var response = await Client.GetAsync(new Uri($"http://127.0.0.1:{Port}/health"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        await DisposeAsync();
        throw new InvalidOperationException($"victoria-metrics did not become healthy within 60s:\n{Output()}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}

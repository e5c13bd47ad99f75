using System.Text.Json;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>The real Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1, clustering off, one webhook-less route.</summary>
public sealed class AlertmanagerProcess : IAsyncDisposable
{
    private readonly ChildProcess _child;
    private readonly string _dir;

    private AlertmanagerProcess(ChildProcess child, string dir, int port)
    {
        _child = child;
        _dir = dir;
        Port = port;
    }

    /// <summary>The web port.</summary>
    public int Port { get; }

    /// <summary>http://127.0.0.1:port.</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{Port}");

    /// <summary>Starts it with a config that routes everything to a receiver with no integrations.</summary>
    public static async Task<AlertmanagerProcess> StartAsync()
    {
        string bin = Repo.RequireBinary("prometheus-alertmanager");
        string dir = Repo.TempDir("am");
        int port = Repo.FreePort();
        string config = Path.Combine(dir, "alertmanager.yml");
        await File.WriteAllTextAsync(config, "route:\n  receiver: none\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: none\n");
        var child = ChildProcess.Start(bin,
        [
            "--config.file=" + config,
            "--storage.path=" + Path.Combine(dir, "data"),
            $"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ]);
        var am = new AlertmanagerProcess(child, dir, port);
        await Readiness.WaitAsync(new Uri(am.BaseUri, "/-/ready"), child, "alertmanager", TimeSpan.FromSeconds(60));
        return am;
    }

    /// <summary>The alerts it holds (<c>GET /api/v2/alerts</c>; resolved alerts drop out of it).</summary>
    public async Task<JsonElement[]> AlertsAsync(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri(BaseUri, "/api/v2/alerts")));
        return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
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
}

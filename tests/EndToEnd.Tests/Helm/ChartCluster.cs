using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MetricsCluster.EndToEnd.Tests.Infra;
using MetricsCluster.Tests.Shared;

namespace MetricsCluster.EndToEnd.Tests.Helm;

/// <summary>
/// What the chart renders for a values file, run on this machine: a real PostgreSQL (Debian's) as the membership store,
/// the chart rendered with its connection string, then every pod of every rendered Deployment and StatefulSet started
/// as a local process (<see cref="ChartPod"/>), shared claims (the filesystem bucket) as one directory. Services are
/// resolved to the local pods they select.
/// </summary>
public sealed partial class ChartCluster : IAsyncDisposable
{
    // The order a fresh cluster settles fastest in (as tests/EndToEnd.Tests' LocalCluster): the ingesters' ring first,
    // the readers and writers of it last. Kubernetes starts them all at once; two shared cores do better one by one.
    private static readonly string[] s_startOrder = ["ingester", "store-gateway", "compactor", "distributor", "querier", "ruler"];

    private readonly List<string> _sharedDirs = [];

    private ChartCluster(PostgresServer postgres, RenderedChart chart)
    {
        Postgres = postgres;
        Chart = chart;
    }

    /// <summary>The membership store.</summary>
    public PostgresServer Postgres { get; }

    /// <summary>The render that was started.</summary>
    public RenderedChart Chart { get; }

    /// <summary>Every pod, in start order.</summary>
    public List<ChartPod> Pods { get; } = [];

    /// <summary>Starts PostgreSQL, renders the chart with <paramref name="valuesFile"/> and its connection string, and starts every pod.</summary>
    public static async Task<ChartCluster> StartAsync(string valuesFile)
    {
        var postgres = await PostgresServer.StartAsync();
        ChartCluster? cluster = null;
        string connValues = Path.Combine(Path.GetTempPath(), $"mc-helm-e2e-{Guid.NewGuid():N}.yaml");
        try
        {
            // A values file rather than --set: a connection string holds characters --set parses.
            await File.WriteAllTextAsync(connValues, $"ring:\n  postgres:\n    connectionString: {JsonSerializer.Serialize(postgres.ConnectionString)}\n");
            var chart = await RenderedChart.RenderAsync("-f", Path.Combine(Repo.Root, valuesFile), "-f", connValues);
            cluster = new ChartCluster(postgres, chart);
            await cluster.StartPodsAsync();
            return cluster;
        }
        catch
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
            else
            {
                await postgres.DisposeAsync();
            }

            throw;
        }
        finally
        {
            File.Delete(connValues);
        }
    }

    /// <summary>The pods of one component.</summary>
    public IEnumerable<ChartPod> OfComponent(string component) => Pods.Where(p => p.Component == component);

    /// <summary>The one pod of a component with a single replica (or its first).</summary>
    public ChartPod First(string component) => OfComponent(component).First();

    /// <summary>
    /// Rewrites in-cluster Service URLs (<c>http://&lt;service&gt;.&lt;namespace&gt;.svc:&lt;port&gt;</c>) to the local pod
    /// the Service selects, through the Service's port and target port.
    /// </summary>
    public string ResolveServiceUrls(string text) => ServiceUrl().Replace(text, m =>
    {
        var svc = Chart.Get("Service", m.Groups[1].Value);
        var port = svc["spec"]!["ports"]!.AsArray().Single(p => (long)p!["port"]! == long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture))!;
        var selector = svc["spec"]!["selector"]!.AsObject();
        var pod = Pods.FirstOrDefault(p => selector.All(kv => Labels(p)[kv.Key] == (string?)kv.Value))
            ?? throw new InvalidOperationException($"Service {m.Groups[1].Value} selects none of the started pods");
        return (string?)port["targetPort"] == "http-metrics" ? $"http://127.0.0.1:{pod.HttpPort}" : throw new NotSupportedException($"Service port {port}");
    });

    /// <summary>The last lines of every pod's output, for failure messages.</summary>
    public string Logs() => string.Join('\n', Pods.Select(p =>
        $"--- {p.Name} ({string.Join(' ', p.Args)})\n{string.Join('\n', p.Output.Split('\n').TakeLast(30))}"));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        // The readers and writers first, the ingesters last (each flushes on SIGTERM).
        foreach (var pod in Enumerable.Reverse(Pods))
        {
            await pod.DisposeAsync();
        }

        await Postgres.DisposeAsync();
        foreach (string d in _sharedDirs)
        {
            try
            {
                Directory.Delete(d, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private Dictionary<string, string> Labels(ChartPod pod) => _labels[pod];

    private readonly Dictionary<ChartPod, Dictionary<string, string>> _labels = [];

    private async Task StartPodsAsync()
    {
        var image = ImageFacts.FromDockerfile();
        if (image.Entrypoint != "[\"metrics-cluster\"]")
        {
            throw new InvalidOperationException($"the image's entrypoint is {image.Entrypoint}; this test runs metrics-cluster");
        }

        var shared = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pvc in Chart.OfKind("PersistentVolumeClaim"))
        {
            string dir = Repo.TempDir("helm-claim");
            _sharedDirs.Add(dir);
            shared[(string)pvc["metadata"]!["name"]!] = dir;
        }

        var workloads = Chart.OfKind("Deployment").Concat(Chart.OfKind("StatefulSet")).ToList();
        var unknown = workloads.Select(Component).Where(c => !s_startOrder.Contains(c)).ToList();
        if (unknown.Count > 0)
        {
            throw new NotSupportedException($"the render has components this test does not start: {string.Join(", ", unknown)}");
        }

        foreach (var workload in workloads.OrderBy(w => Array.IndexOf(s_startOrder, Component(w))))
        {
            string name = (string)workload["metadata"]!["name"]!;
            long replicas = (long?)workload["spec"]!["replicas"] ?? 1;
            var labels = workload["spec"]!["template"]!["metadata"]!["labels"]!.AsObject().ToDictionary(kv => kv.Key, kv => (string)kv.Value!);
            for (int i = 0; i < replicas; i++)
            {
                // StatefulSet pods are <name>-<ordinal>; a Deployment's get a random suffix, any unique one will do.
                var pod = ChartPod.Create(Chart, workload, $"{name}-{i}", shared, image);
                Pods.Add(pod);
                _labels[pod] = labels;
                await pod.StartAsync(TimeSpan.FromSeconds(180));
            }
        }
    }

    private static string Component(JsonObject workload) => (string)workload["spec"]!["template"]!["metadata"]!["labels"]!["app.kubernetes.io/component"]!;

    [GeneratedRegex(@"http://([a-z0-9-]+)\.([a-z0-9-]+)\.svc:(\d+)")]
    private static partial Regex ServiceUrl();
}

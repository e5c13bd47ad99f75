using System.Globalization;
using System.Text.Json;
using MetricsCluster.Tests.Shared;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>
/// A whole cluster of real processes on 127.0.0.1 (issues 5 and 13): the ring store's server (PostgreSQL or Azurite,
/// <see cref="LocalClusterOptions.Store"/>) holding Orleans membership and the rings, three ingesters with
/// RF 3, one distributor, one querier and one store-gateway (or <see cref="LocalClusterOptions.StoreGateways"/>, and
/// optionally a compactor), all sharing a filesystem bucket.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly int _storeGatewayRf;

    private LocalCluster(RingStoreServer store, string bucketDir, int storeGatewayRf)
    {
        _storeGatewayRf = storeGatewayRf;
        Store = store;
        BucketDir = bucketDir;
    }

    /// <summary>The ring store's server.</summary>
    public RingStoreServer Store { get; }

    /// <summary>The shared filesystem bucket.</summary>
    public string BucketDir { get; }

    /// <summary>The three ingesters, ids ingester-0..2.</summary>
    public MetricsClusterProcess[] Ingesters { get; private set; } = [];

    /// <summary>The distributor.</summary>
    public MetricsClusterProcess Distributor { get; private set; } = null!;

    /// <summary>The querier.</summary>
    public MetricsClusterProcess Querier { get; private set; } = null!;

    /// <summary>The first store-gateway.</summary>
    public MetricsClusterProcess StoreGateway => StoreGateways[0];

    /// <summary>The store-gateways, ids store-gateway-0..n-1.</summary>
    public MetricsClusterProcess[] StoreGateways { get; private set; } = [];

    /// <summary>The compactor, when <see cref="LocalClusterOptions.Compactor"/> asked for one.</summary>
    public MetricsClusterProcess? Compactor { get; private set; }

    /// <summary>
    /// Starts the ring store's server, then the ingesters, store-gateway(s), optional compactor, distributor and querier, and waits
    /// until the distributor sees three ACTIVE ingesters.
    /// </summary>
    /// <param name="options">Optional shape and flags; the default is issue 5's cluster.</param>
    public static async Task<LocalCluster> StartAsync(LocalClusterOptions? options = null)
    {
        options ??= new LocalClusterOptions();
        var store = await RingStoreServer.StartAsync(options.Store);
        var cluster = new LocalCluster(store, Repo.TempDir("cluster-bucket"), options.StoreGatewayReplicationFactor);
        try
        {
            // Started one after the other: each one JIT-compiles the whole binary, and the machine has two cores.
            var ingesters = new List<MetricsClusterProcess>();
            for (int i = 0; i < 3; i++)
            {
                ingesters.Add(await cluster.StartAsync("ingester", $"ingester-{i}"));
                cluster.Ingesters = [.. ingesters];
            }

            var gateways = new List<MetricsClusterProcess>();
            for (int i = 0; i < options.StoreGateways; i++)
            {
                gateways.Add(await cluster.StartAsync("store-gateway", $"store-gateway-{i}", ["--blocks-storage.bucket-store.sync-interval=15s", .. options.StoreGatewayArgs]));
                cluster.StoreGateways = [.. gateways];
            }

            if (options.Compactor)
            {
                // The compactor rewrites every tenant's bucket index each cleanup; the querier finds blocks only there.
                cluster.Compactor = await cluster.StartAsync("compactor", "compactor-0", ["--compactor.cleanup-interval=1s", .. options.CompactorArgs]);
            }

            // A push to a live but busy ingester may take seconds on a loaded 2-core machine; a dead one fails at
            // connect either way. The 2s default would turn load into failed replicas, not what is tested here.
            cluster.Distributor = await cluster.StartAsync("distributor", "distributor-0", "--ingester.client.remote-timeout=10s");
            cluster.Querier = await cluster.StartAsync("querier", "querier-0", options.QuerierArgs);
            for (int i = 0; i < options.Rulers; i++)
            {
                await cluster.StartRulerAsync($"ruler-{i}", options.RulerArgs);
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            await cluster.WaitIngestersActiveAsync(http, TimeSpan.FromSeconds(120));
            await cluster.WarmUpAsync(http);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Ingester states as the distributor's ring page shows them, by instance id.</summary>
    public async Task<Dictionary<string, (string State, bool Healthy)>> IngesterRingAsync(HttpClient http, MetricsClusterProcess viewer)
    {
        using var resp = await http.GetAsync(new Uri(viewer.BaseUri, "/ingester/ring?format=json"));
        string raw = await resp.Content.ReadAsStringAsync();
        if (!resp.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"/ingester/ring answered {(int)resp.StatusCode}: {raw}");
        }

        using var json = JsonDocument.Parse(raw);
        return json.RootElement.GetProperty("shards").EnumerateArray().ToDictionary(
            s => s.GetProperty("id").GetString()!,
            s => (s.GetProperty("state").GetString()!.ToUpperInvariant(), s.GetProperty("healthy").GetBoolean()));
    }

    /// <summary>
    /// Waits, while a writer runs, until every ingester appends samples it was pushed after this call. After an
    /// ingester restarts, a caller may still route to its previous silo generation until it re-reads membership; the
    /// quorum hides that from the writes, and a later step that stops another ingester would then lose its quorum.
    /// </summary>
    public async Task WaitIngestersTakingPushesAsync(HttpClient http, TimeSpan timeout)
    {
        foreach (var ingester in Ingesters)
        {
            double before = await AppendedAsync(http, ingester);
            await Poll.UntilAsync(
                async () => await AppendedAsync(http, ingester) > before ? null : $"no sample appended since {before}",
                timeout,
                $"ingester on {ingester.BaseUri} taking pushes again");
        }
    }

    private static async Task<double> AppendedAsync(HttpClient http, MetricsClusterProcess ingester)
    {
        string text = await http.GetStringAsync(new Uri(ingester.BaseUri, "/metrics"));
        return text.Split('\n')
            .Where(l => l.StartsWith("metricscluster_ingester_ingested_samples_total{", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Waits until the distributor's and querier's rings show every ingester ACTIVE and healthy.</summary>
    public async Task WaitIngestersActiveAsync(HttpClient http, TimeSpan timeout)
    {
        foreach (var viewer in new[] { Distributor, Querier })
        {
            await Poll.UntilAsync(
                async () =>
                {
                    var ring = await IngesterRingAsync(http, viewer);
                    bool all = Enumerable.Range(0, Ingesters.Length).All(i => ring.TryGetValue($"ingester-{i}", out var s) && s is ("ACTIVE", true));
                    return all ? null : string.Join(", ", ring.Select(kv => $"{kv.Key}={kv.Value.State}{(kv.Value.Healthy ? string.Empty : " (unhealthy)")}"));
                },
                timeout,
                $"every ingester ACTIVE in the ring seen by {viewer.BaseUri}");
        }
    }

    /// <summary>
    /// Pushes and queries one warm-up series until both succeed: every process compiles its whole push and query
    /// path on first use (tiered compilation is off), which on a loaded machine can outlast a push deadline. Not
    /// part of what the tests count.
    /// </summary>
    public async Task WarmUpAsync(HttpClient http)
    {
        long t = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Poll.UntilAsync(
            async () =>
            {
                var body = RemoteWrite.Body(RemoteWrite.Series([(t++, 1)], "__name__", "cluster_warmup"));
                var (status, text) = await RemoteWrite.PostAsync(http, Distributor.BaseUri, body, "warmup");
                if (status != 200)
                {
                    return $"push answered {status}: {text}";
                }

                var (qs, _, raw) = await QueryApi.GetAsync(http, Querier.BaseUri, "/prometheus/api/v1/query?query=cluster_warmup", "warmup");
                return qs == 200 ? null : $"query answered {qs}: {raw}";
            },
            TimeSpan.FromSeconds(120),
            "a warm-up push and query through the cluster");
    }

    /// <summary>The rulers (empty unless asked for).</summary>
    public MetricsClusterProcess[] Rulers { get; private set; } = [];

    /// <summary>The rulers' shared rule storage directory.</summary>
    public string RulerStorageDir { get; } = Repo.TempDir("cluster-rules");

    /// <summary>Starts one more ruler (or restarts a named one's id on a fresh process).</summary>
    public async Task<MetricsClusterProcess> StartRulerAsync(string id, params string[] more)
    {
        var ruler = await StartAsync("ruler", id, ["--ruler-storage.backend=filesystem", $"--ruler-storage.filesystem.dir={RulerStorageDir}", .. more]);
        Rulers = [.. Rulers, ruler];
        return ruler;
    }

    /// <summary>Everything the processes printed, for failure messages.</summary>
    public string Logs() =>
        string.Join("\n", Ingesters.Select((p, i) => $"--- ingester-{i}\n{Tail(p)}").Append($"--- distributor\n{Tail(Distributor)}").Append($"--- querier\n{Tail(Querier)}")
            .Concat(StoreGateways.Select((p, i) => $"--- store-gateway-{i}\n{Tail(p)}"))
            .Concat(Rulers.Select((p, i) => $"--- ruler {i}\n{Tail(p)}")));

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var p in new[] { Distributor, Querier, Compactor }.Concat(Rulers).Concat(StoreGateways).Concat(Ingesters))
        {
            if (p is not null)
            {
                await p.DisposeAsync();
            }
        }

        await Store.DisposeAsync();
        foreach (string dir in new[] { BucketDir, RulerStorageDir })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Tail(MetricsClusterProcess? p)
    {
        if (p is null)
        {
            return "(not started)";
        }

        string[] lines = p.Child.Output.Split('\n');
        return string.Join('\n', lines.TakeLast(40));
    }

    private Task<MetricsClusterProcess> StartAsync(string target, string id, params string[] more) =>
        MetricsClusterProcess.StartAsync(
        [
            $"--target={target}",
            .. Store.Flags,
            $"--ring.instance-id={id}",
            "--ring.instance-addr=127.0.0.1",
            string.Create(CultureInfo.InvariantCulture, $"--server.rpc-listen-port={Repo.FreePort()}"),
            $"--store-gateway.sharding-ring.replication-factor={_storeGatewayRf}",
            "--blocks-storage.backend=filesystem",
            $"--blocks-storage.filesystem.dir={BucketDir}",
            .. more,
        ]);
}

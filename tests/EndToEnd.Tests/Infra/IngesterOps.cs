using System.Globalization;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>Operational calls on a running metrics-cluster that the long-term-storage tests share.</summary>
public static class IngesterOps
{
    /// <summary>Pushes every body; throws with the answer when one is not 2xx.</summary>
    public static async Task PushAllAsync(HttpClient http, MetricsClusterProcess mc, string tenant, IEnumerable<byte[]> bodies)
    {
        foreach (byte[] body in bodies)
        {
            var (status, text) = await RemoteWrite.PostAsync(http, mc.BaseUri, body, tenant);
            if (status is < 200 or > 299)
            {
                throw new InvalidOperationException($"remote write answered {status}: {text}");
            }
        }
    }

    /// <summary><c>POST /ingester/flush?tenant=&amp;wait=true</c>; throws unless it answers 204.</summary>
    public static async Task FlushAsync(HttpClient http, MetricsClusterProcess mc, string tenant)
    {
        using var resp = await http.PostAsync(new Uri(mc.BaseUri, $"/ingester/flush?tenant={tenant}&wait=true"), null);
        if ((int)resp.StatusCode != 204)
        {
            throw new InvalidOperationException($"flush answered {(int)resp.StatusCode}: {await resp.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The value of an unlabelled counter or gauge on <c>/metrics</c> (0 when absent).</summary>
    public static async Task<double> MetricAsync(HttpClient http, MetricsClusterProcess mc, string name)
    {
        string text = await http.GetStringAsync(new Uri(mc.BaseUri, "/metrics"));
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{}", StringComparison.Ordinal))
            {
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>Stops the process cleanly, deletes the ingester's TSDB (blocks and WAL) and the store-gateway's local copies, and starts it again.</summary>
    public static async Task RestartWithoutLocalDataAsync(MetricsClusterProcess mc)
    {
        int exit = await mc.Child.TerminateAsync(TimeSpan.FromSeconds(30));
        if (exit != 0)
        {
            throw new InvalidOperationException($"metrics-cluster exited with {exit}:\n{mc.Child.Output}");
        }

        foreach (string dir in new[] { "tsdb", "store-gateway" }.Select(d => Path.Combine(mc.DataDir, d)).Where(Directory.Exists))
        {
            Directory.Delete(dir, recursive: true);
        }

        await mc.RestartAsync();
    }
}

using System.Text.Json;
using MetricsCluster.Core;
using Xunit;

namespace MetricsCluster.Agent.Tests.RemoteWrite;

/// <summary>Interoperability: a real VictoriaMetrics accepts our remote-write requests and returns the samples.</summary>
public sealed class VictoriaMetricsInteropTests
{
    [Fact]
    public async Task SamplesSentToVictoriaMetricsCanBeQueriedBack()
    {
        await using var vm = await VictoriaMetricsServer.StartAsync();
        await using var kit = new QueueTestKit();
        var queue = kit.Start(vm.WriteUrl);

        // Recent timestamps (VictoriaMetrics rejects samples outside its retention), one per 15 s.
        long start = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000) - (30 * 60_000);
        var written = new Dictionary<string, List<(long Ts, double V)>>();
        for (int round = 0; round < 20; round++)
        {
            var batch = new List<ScrapedSample>();
            for (int s = 0; s < 5; s++)
            {
                string instance = "host-" + s;
                long ts = start + (round * 15_000);
                double v = (round * 10.5) + s;
                batch.Add(new ScrapedSample(Labels.FromStrings("__name__", "agent_vm_interop", "job", "agent", "instance", instance), ts, v));
                (written.TryGetValue(instance, out var list) ? list : written[instance] = []).Add((ts, v));
            }

            await queue.WriteAsync(batch, CancellationToken.None);
        }

        Dictionary<string, List<(long Ts, double V)>> exported = [];
        await QueueTestKit.UntilAsync(
            () =>
            {
                exported = Parse(vm.ExportAsync("{__name__=\"agent_vm_interop\"}").GetAwaiter().GetResult());
                return exported.Values.Sum(l => l.Count) >= 100;
            },
            () => $"{exported.Values.Sum(l => l.Count)}/100 samples exported by VictoriaMetrics");

        Assert.Equal(written.Keys.Order(), exported.Keys.Order());
        foreach (var (instance, samples) in written)
        {
            Assert.Equal(samples, exported[instance]);
        }
    }

    // /api/v1/export: one JSON object per line, {"metric":{...},"values":[...],"timestamps":[...]}.
    private static Dictionary<string, List<(long Ts, double V)>> Parse(string lines)
    {
        var result = new Dictionary<string, List<(long Ts, double V)>>();
        foreach (string line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            Assert.Equal("agent", root.GetProperty("metric").GetProperty("job").GetString());
            string instance = root.GetProperty("metric").GetProperty("instance").GetString()!;
            var values = root.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToList();
            var timestamps = root.GetProperty("timestamps").EnumerateArray().Select(t => t.GetInt64()).ToList();
            result[instance] = [.. timestamps.Zip(values)];
        }

        return result;
    }
}

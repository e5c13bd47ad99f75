using System.Globalization;
using MetricsCluster.EndToEnd.Tests.Infra;
using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The disk-backed queue across a receiver outage and an agent crash: an agent in <c>--target=agent</c> (Prometheus
/// Agent mode) remote-writes to a separate metrics-cluster that goes away; every scrape still arrives.
/// </summary>
public sealed class AgentQueueTests
{
    private const string Tenant = "queued";

    /// <summary>
    /// node_exporter's own <c>promhttp_metric_handler_requests_total{code="200"}</c> counts the scrapes it served
    /// (only the agent scrapes it; readiness uses the landing page), so the stored values must be 0, 1, 2, ... with
    /// no gap: a gap is a lost scrape. The allowed exceptions are a failed scrape (stored as up 0) and the one
    /// scrape in flight when the agent was SIGKILLed (served, never written).
    /// </summary>
    [Fact]
    public async Task Every_scrape_arrives_after_a_receiver_outage_and_an_agent_kill()
    {
        await using var exporter = await NodeExporterProcess.StartAsync();
        await using var receiver = await MetricsClusterProcess.StartAsync();
        string config = AgentHelpers.WriteConfig($$"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ['{{exporter.Address}}']
                metric_relabel_configs:
                  - source_labels: [__name__]
                    regex: 'promhttp_metric_handler_requests_total|up'
                    action: keep
            remote_write:
              - url: http://127.0.0.1:{{receiver.Port}}/api/v1/push
                headers: {X-Scope-OrgID: {{Tenant}}}
                queue_config: {batch_send_deadline: 1s, min_backoff: 100ms, max_backoff: 1s}
            """);
        await using var agent = await MetricsClusterProcess.StartAsync("--target=agent", "--agent.config.file=" + config);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        const string Selector = "promhttp_metric_handler_requests_total{code=\"200\"}";

        await AgentHelpers.WaitUntilAsync(async () => (await Samples(http, receiver)).Count >= 3, "first samples at the receiver", state: () => agent.Child.Output);

        // Receiver down for a while; the agent keeps scraping into its queue.
        Assert.Equal(0, await receiver.Child.TerminateAsync(TimeSpan.FromSeconds(30)));
        await WaitAgentScrapesAsync(http, agent, 5);

        // The agent dies hard while the receiver is down, and comes back on the same data dir.
        double killedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        agent.Kill9();
        await agent.RestartAsync();
        await WaitAgentScrapesAsync(http, agent, 5);

        await receiver.RestartAsync();
        double receiverUp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        List<(double T, double V)> samples = [];
        await AgentHelpers.WaitUntilAsync(
            async () =>
            {
                samples = await Samples(http, receiver);
                // Per-series order holds in the queue: once a scrape made after the receiver came back is stored,
                // everything queued before it is stored too.
                return samples.Count > 0 && samples[^1].T >= receiverUp + 2;
            },
            "the queued samples to reach the receiver",
            state: () => $"{string.Join(" ", samples.Select(s => s.V))}\n{agent.Child.Output}");

        // Every scrape node_exporter served is stored, or failed (up 0 at a timestamp in between: the exporter may
        // still have served it after the timeout), or was in flight when the agent was SIGKILLed (at most one).
        var up = await AgentHelpers.RawSamplesAsync(http, receiver.BaseUri, "up{job=\"node\"}[10m]", Tenant);
        string values = string.Join(" ", samples.Select(s => s.V.ToString(CultureInfo.InvariantCulture)));
        Assert.True(samples[0].V <= up.Count(u => u.V == 0 && u.T < samples[0].T), $"the first scrapes are missing: {values}");
        bool killGapUsed = false;
        for (int i = 1; i < samples.Count; i++)
        {
            var (prev, cur) = (samples[i - 1], samples[i]);
            int missing = (int)(cur.V - prev.V) - 1;
            int failed = up.Count(u => u.T > prev.T && u.T < cur.T && u.V == 0);
            bool straddlesKill = prev.T < killedAt && cur.T > killedAt && !killGapUsed;
            int allowed = failed + (straddlesKill ? 1 : 0);
            killGapUsed |= straddlesKill && missing > failed;
            Assert.True(missing >= 0 && missing <= allowed, $"scrape lost between values {prev.V} and {cur.V} ({failed} failed scrapes between): {values}");
        }

        // up arrived once per successful scrape too (the report series share the queue).
        Assert.Equal(samples.Select(s => s.T), up.Where(u => u.V == 1 && u.T <= samples[^1].T).Select(u => u.T));

        async Task<List<(double T, double V)>> Samples(HttpClient h, MetricsClusterProcess r) =>
            await AgentHelpers.RawSamplesAsync(h, r.BaseUri, Selector + "[10m]", Tenant);
    }

    /// <summary>Polls the agent's targets API until it has scraped for <paramref name="seconds"/> more seconds (the receiver is down, so only the agent can tell).</summary>
    private static async Task WaitAgentScrapesAsync(HttpClient http, MetricsClusterProcess agent, double seconds)
    {
        var from = DateTimeOffset.UtcNow;
        await AgentHelpers.WaitUntilAsync(
            async () =>
            {
                var doc = await AgentHelpers.TargetsAsync(http, agent.BaseUri);
                var target = doc.GetProperty("data").GetProperty("activeTargets")[0];
                return target.GetProperty("health").GetString() == "up"
                    && DateTimeOffset.Parse(target.GetProperty("lastScrape").GetString()!, CultureInfo.InvariantCulture) >= from.AddSeconds(seconds);
            },
            $"{seconds}s of scrapes by the agent",
            state: () => agent.Child.Output);
    }
}

using System.Diagnostics;
using MetricsCluster.Agent.Config;
using Xunit;

namespace MetricsCluster.Agent.Tests.Config;

/// <summary>
/// Our parser and Prometheus' own <c>promtool check config</c> (2.42, installed on the machine) agree on
/// sample files: both accept the valid ones and both reject the invalid ones.
/// </summary>
public sealed class PromtoolCompatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("promtool-compat").FullName;

    public static TheoryData<string, bool> Samples => new()
    {
        { "scrape_configs: [{job_name: prometheus, static_configs: [{targets: ['localhost:9090']}]}]", true },
        {
            """
            global:
              scrape_interval: 15s
              scrape_timeout: 5s
              external_labels: {cluster: eu-1}
            scrape_configs:
              - job_name: node
                metrics_path: /metrics
                scheme: https
                honor_labels: true
                honor_timestamps: false
                sample_limit: 5000
                label_limit: 64
                label_name_length_limit: 128
                label_value_length_limit: 1024
                body_size_limit: 10MB
                bearer_token_file: token
                params:
                  collect[]: [cpu, meminfo]
                static_configs:
                  - targets: [a:9100, b:9100]
                    labels: {env: prod}
                file_sd_configs:
                  - files: [sd/*.json, sd/*.yml]
                    refresh_interval: 1m
                relabel_configs:
                  - source_labels: [__address__]
                    regex: '([^:]+):\d+'
                    target_label: host
                    replacement: $1
                  - action: labelmap
                    regex: __meta_(.+)
                  - action: hashmod
                    source_labels: [__address__]
                    modulus: 8
                    target_label: __tmp_shard
                  - action: keep
                    source_labels: [__tmp_shard]
                    regex: '0|1'
                metric_relabel_configs:
                  - action: labeldrop
                    regex: 'tmp_.*'
                  - action: lowercase
                    source_labels: [job]
                    target_label: job_lc
              - job_name: blackbox
                basic_auth: {username: u, password: p}
                static_configs: [{targets: ['x']}]
            remote_write:
              - url: http://localhost:9009/api/v1/push
                name: mimir
                headers: {X-Scope-OrgID: tenant-1}
                remote_timeout: 10s
                write_relabel_configs: [{action: drop, source_labels: [__name__], regex: 'go_.*'}]
                queue_config: {capacity: 1000, max_shards: 10, min_shards: 1, max_samples_per_send: 100, batch_send_deadline: 2s, min_backoff: 50ms, max_backoff: 2s, retry_on_http_429: true}
            """,
            true
        },
        { "scrape_configs: [{job_name: a}, {job_name: a}]", false },
        { "scrape_configs: [{job_name: a, scrape_interval: 5s, scrape_timeout: 10s}]", false },
        { "scrape_configs: [{job_name: a, scrape_intervall: 5s}]", false },
        { "scrape_configs: [{job_name: a, relabel_configs: [{action: replace}]}]", false },
        { "scrape_configs: [{job_name: a, relabel_configs: [{action: labeldrop, regex: x, target_label: y}]}]", false },
        { "scrape_configs: [{job_name: a, static_configs: [{targets: ['http://a/metrics']}]}]", false },
        { "remote_write: [{url: 'http://x', headers: {User-Agent: me}}]", false },
        { "global: {scrape_interval: 1.5m}", false },
        { "scrape_configs: [{job_name: a, relabel_configs: [{action: Replace, target_label: x, regex: ''}]}]", true },
        { "scrape_configs: [{job_name: a, scrape_interval: 2s, body_size_limit: 1GB512MB}]", true },
        { @"scrape_configs: [{job_name: a, relabel_configs: [{action: keep, regex: '(?P<n>a)\d[[:alpha:]]'}]}]", true },
        { "scrape_configs: [{job_name: a, relabel_configs: [{action: labelmap, replacement: '-x'}]}]", false },
        { "scrape_configs: [{job_name: a, relabel_configs: [{action: keepequal, target_label: x, regex: 'y'}]}]", false },
        { "scrape_configs: [{job_name: a, relabel_configs: [{action: lowercase, target_label: x, replacement: 'y'}]}]", false },
        { "scrape_configs: [{job_name: a, relabel_configs: [{action: keep, regex: 'a(?=b)'}]}]", false },
        { "scrape_configs: [{job_name: a, static_configs: [{targets: ['a:1'], labels: {'a-b': x}}]}]", false },
        { "remote_write: [{url: 'http://x', bearer_token: a, basic_auth: {username: u}}]", false },
    };

    /// <summary>Files promtool accepts and we reject on purpose (docs/agent-config.md lists why).</summary>
    public static TheoryData<string> Divergences => new()
    {
        "remote_write: [{url: 'http://x', queue_config: {max_shards: 0}}]",
        "remote_write: [{url: 'ftp://x'}]",
        "scrape_configs: [{job_name: a, tls_config: {insecure_skip_verify: true}}]",
        "alerting: {alertmanagers: [{static_configs: [{targets: ['a:9093']}]}]}",
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void AgreesWithPromtool(string yaml, bool valid)
    {
        string path = Path.Combine(_dir, "prometheus.yml");
        File.WriteAllText(path, yaml);
        File.WriteAllText(Path.Combine(_dir, "token"), "secret");

        var (exit, output) = RunPromtool(path);
        Assert.True((exit == 0) == valid, $"promtool exit {exit}, expected valid={valid}: {output}");

        if (valid)
        {
            AgentConfig.Load(path);
        }
        else
        {
            Assert.Throws<ConfigException>(() => AgentConfig.Load(path));
        }
    }

    [Theory]
    [MemberData(nameof(Divergences))]
    public void DeliberateDivergences(string yaml)
    {
        string path = Path.Combine(_dir, "prometheus.yml");
        File.WriteAllText(path, yaml);
        var (exit, output) = RunPromtool(path);
        Assert.True(exit == 0, $"promtool now rejects it too: {output}");
        Assert.Throws<ConfigException>(() => AgentConfig.Load(path));
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private static (int Exit, string Output) RunPromtool(string configPath)
    {
        var psi = new ProcessStartInfo("promtool", ["check", "config", configPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start promtool");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();

        // Generous: the machine is shared and loaded; promtool normally takes well under a second.
        if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            p.Kill();
            throw new TimeoutException("promtool check config did not finish");
        }

        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}

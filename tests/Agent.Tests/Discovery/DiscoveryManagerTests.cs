using System.Collections.Concurrent;
using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Discovery;
using Xunit;

namespace MetricsCluster.Agent.Tests.Discovery;

/// <summary>Groups per job from static_configs and file_sd_configs, published on every change.</summary>
public sealed class DiscoveryManagerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("discovery").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void PublishesStaticAndFileGroupsPerJob()
    {
        File.WriteAllText(Path.Combine(_dir, "t.json"), """[{"targets": ["f:1"]}]""");
        string yaml = """
            scrape_configs:
              - job_name: static
                static_configs: [{targets: ['s:1']}, {targets: ['s:2']}]
              - job_name: files
                static_configs: [{targets: ['s:3']}]
                file_sd_configs: [{files: ['*.json']}]
            """;
        var cfg = AgentConfig.Parse(yaml, _dir);
        var seen = new ConcurrentQueue<(string Job, string[] Addresses)>();
        using var dm = new DiscoveryManager(new CapturingLogger(), TimeProvider.System);
        dm.GroupsChanged += (job, groups) => seen.Enqueue((job, [.. groups.SelectMany(g => g.Targets).Select(t => t.Get("__address__"))]));
        dm.ApplyConfig(cfg.ScrapeConfigs);

        Assert.Equal(["static", "files"], dm.Jobs);
        Assert.Equal(["0", "1"], dm.Groups("static").Select(g => g.Source));
        Assert.Equal(["s:3", "f:1"], dm.Groups("files").SelectMany(g => g.Targets).Select(t => t.Get("__address__")));
        Assert.Contains(seen, s => s.Job == "static" && s.Addresses.SequenceEqual(["s:1", "s:2"]));

        string tmp = Path.Combine(_dir, ".t.tmp");
        File.WriteAllText(tmp, """[{"targets": ["f:2"]}, {"targets": ["f:3"]}]""");
        File.Move(tmp, Path.Combine(_dir, "t.json"), overwrite: true);
        FileDiscoveryTests.WaitFor(() => seen.Any(s => s.Job == "files" && s.Addresses.SequenceEqual(["s:3", "f:2", "f:3"])), "file change event");
        Assert.Empty(dm.Groups("unknown"));
    }

    [Fact]
    public void ApplyConfigReplacesJobs()
    {
        using var dm = new DiscoveryManager(new CapturingLogger(), TimeProvider.System);
        dm.ApplyConfig(AgentConfig.Parse("scrape_configs: [{job_name: a, static_configs: [{targets: [x]}]}]").ScrapeConfigs);
        dm.ApplyConfig(AgentConfig.Parse("scrape_configs: [{job_name: b}]").ScrapeConfigs);
        Assert.Equal(["b"], dm.Jobs);
        Assert.Empty(dm.Groups("a"));
    }
}

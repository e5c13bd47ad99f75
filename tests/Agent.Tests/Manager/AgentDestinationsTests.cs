using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Http;
using MetricsCluster.Agent.Manager;
using Xunit;

namespace MetricsCluster.Agent.Tests.Manager;

/// <summary>Where the agent says its samples go, and as which tenant.</summary>
public sealed class AgentDestinationsTests
{
    [Theory]
    [InlineData("", "this process's distributor, tenant anonymous (--agent.tenant)")]
    [InlineData("remote_write: [{url: 'http://mc:9009/api/v1/push', headers: {X-Scope-OrgID: team-a}}]", "http://mc:9009/api/v1/push, tenant team-a (X-Scope-OrgID)")]
    [InlineData("remote_write: [{url: 'http://mc:9009/api/v1/push?secret=1', basic_auth: {username: team-b, password: pw}}]", "http://mc:9009/api/v1/push, tenant team-b if the receiver takes it from basic auth")]
    [InlineData("remote_write: [{url: 'http://user:pw@vm:8428/api/v1/write'}]", "http://vm:8428/api/v1/write, no tenant named (a multi-tenant receiver answers 401)")]
    public void Names_each_destination_and_its_tenant_without_secrets(string remoteWrite, string expected)
    {
        var config = AgentConfig.Parse("scrape_configs: [{job_name: a}]\n" + remoteWrite);
        Assert.Equal([expected], AgentDestinations.Describe(config, "this process's distributor, tenant anonymous (--agent.tenant)"));
    }

    [Fact]
    public void Prometheus_agent_mode_without_remote_write_has_no_destination_and_the_page_shows_the_ones_there_are()
    {
        Assert.Empty(AgentDestinations.Describe(AgentConfig.Parse("scrape_configs: [{job_name: a}]"), null));

        string page = TargetsPage.Render(new TargetsSnapshot([], []), DateTimeOffset.UnixEpoch, ["this process's distributor, tenant <x>"]);
        Assert.Contains("<p>Samples are written to: this process&#39;s distributor, tenant &lt;x&gt;</p>", page, StringComparison.Ordinal);
    }
}

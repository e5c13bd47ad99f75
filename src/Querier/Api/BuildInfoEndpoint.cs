using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MetricsCluster.Querier.Api;

/// <summary>What <c>status/buildinfo</c> reports.</summary>
/// <param name="Version">Semantic version (see <see cref="BuildInfoEndpoint"/> for why it is Mimir-like).</param>
/// <param name="Revision">Source revision (git commit).</param>
/// <param name="Branch">Source branch.</param>
/// <param name="BuildUser">Who built it.</param>
/// <param name="BuildDate">When it was built.</param>
/// <param name="RuntimeVersion">The runtime, reported in Prometheus' <c>goVersion</c> field.</param>
public sealed record BuildInfo(string Version, string Revision, string Branch, string BuildUser, string BuildDate, string RuntimeVersion);

/// <summary>
/// <c>GET &lt;prefix&gt;/api/v1/status/buildinfo</c>, no tenant needed. Prometheus' six fields plus Mimir's
/// <c>application</c> and <c>features</c>. Grafana decides the flavour from this answer: its alerting code
/// (<c>discoverDataSourceFeatures</c> in <c>public/app/features/alerting/unified/api/buildInfo.ts</c>) treats a buildinfo
/// <em>with</em> a <c>features</c> object as Mimir and one without as plain Prometheus; <c>rulerApiEnabled</c> comes from
/// <c>features.ruler_config_api == "true"</c>. The Prometheus data source enables label-matcher APIs for Mimir from
/// version 2.0.0 (<c>hasLabelsMatchAPISupport</c>), so <c>version</c> must parse as semver ≥ 2.0.0. Hence: features
/// present (every one "false" until the ruler and alertmanager exist), a 2.x version, and an honest application name.
/// </summary>
public static class BuildInfoEndpoint
{
    /// <summary>
    /// The Mimir release whose HTTP API this one follows (docs reference Mimir 2.17); reported as <c>version</c>
    /// so that Grafana's semver checks for Mimir (≥ 2.0.0) pass.
    /// </summary>
    public const string MimirCompatibleVersion = "2.17.0";

    /// <summary>The <c>application</c> field; Grafana keys on <c>features</c>, not on this name.</summary>
    public const string Application = "MetricsCluster";

    /// <summary>Maps the endpoint under <paramref name="prefix"/>.</summary>
    public static IEndpointRouteBuilder MapBuildInfo(this IEndpointRouteBuilder app, string prefix, BuildInfo info)
    {
        var body = Render(info);
        app.MapGet(prefix + "/api/v1/status/buildinfo", async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.Body.WriteAsync(body, ctx.RequestAborted);
        });
        return app;
    }

    /// <summary>The response body.</summary>
    internal static ReadOnlyMemory<byte> Render(BuildInfo info) => QueryResponse.Success(w =>
    {
        w.Raw("{\"application\":"u8).String(Application)
            .Raw(",\"version\":"u8).String(info.Version)
            .Raw(",\"revision\":"u8).String(info.Revision)
            .Raw(",\"branch\":"u8).String(info.Branch)
            .Raw(",\"buildUser\":"u8).String(info.BuildUser)
            .Raw(",\"buildDate\":"u8).String(info.BuildDate)
            .Raw(",\"goVersion\":"u8).String(info.RuntimeVersion)

            // Mimir's feature flags, as strings like Mimir sends them; all off because the ruler, the Alertmanager,
            // query sharding and federated rules do not exist yet. Grafana then skips the ruler config API.
            .Raw(",\"features\":{\"ruler_config_api\":\"false\",\"alertmanager_config_api\":\"false\",\"query_sharding\":\"false\",\"federated_rules\":\"false\"}}"u8);
    }, [], []);
}

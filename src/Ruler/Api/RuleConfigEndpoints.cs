using MetricsCluster.Core.Limits;
using MetricsCluster.ObjectStore;
using MetricsCluster.Ruler.RuleFiles;
using MetricsCluster.Ruler.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MetricsCluster.Ruler.Api;

/// <summary>
/// Mimir's rule configuration API (<c>{prefix}/config/v1/rules[/{namespace}[/{groupName}]]</c>, prefix
/// <c>/prometheus</c>): YAML in and out, one group per POST, Mimir's status codes and texts. Namespaces and group
/// names are percent-decoded from the raw path, so <c>a%2Fb</c> names the namespace <c>a/b</c>.
/// </summary>
/// <remarks>
/// Cortex's older aliases (<c>/api/v1/rules</c>, <c>/api/prom/rules</c>) are not mapped: with an empty prefix they
/// would share their path with Prometheus' rules API, which answers JSON about rule state.
/// </remarks>
public static partial class RuleConfigEndpoints
{
    /// <summary>
    /// The largest POST body. Mimir has no limit of its own; a group within the default limits (20 rules) takes a few
    /// KiB, and 1 MiB leaves room for long annotation templates while keeping a request from holding much memory.
    /// </summary>
    public const int MaxRuleGroupBytes = 1 << 20;

    /// <summary>Maps the config API.</summary>
    /// <param name="app">The routes.</param>
    /// <param name="prefix">The Prometheus API prefix, e.g. <c>/prometheus</c>.</param>
    /// <param name="store">Where the groups live.</param>
    /// <param name="limits">The per-tenant limits (rule groups per tenant, rules per group).</param>
    /// <param name="resolveTenant">The request's tenant, or the answer to give when there is none.</param>
    /// <param name="onChange">Called with the tenant after a successful write, so the evaluation side re-syncs it;
    /// it runs on the request, so it should only signal (set a flag, write to a channel).</param>
    /// <returns><paramref name="app"/>.</returns>
    public static IEndpointRouteBuilder MapRulerConfigApi(
        this IEndpointRouteBuilder app,
        string prefix,
        IRuleStore store,
        IOverrides limits,
        Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant,
        Action<string>? onChange)
    {
        string root = prefix + "/config/v1/rules";
        var api = new Handlers(store, limits, resolveTenant, onChange ?? (_ => { }));
        app.MapGet(root, ctx => api.Run(ctx, 0, api.ListAsync));
        app.MapGet(root + "/{namespace}", ctx => api.Run(ctx, 1, api.ListAsync));
        app.MapGet(root + "/{namespace}/{groupName}", ctx => api.Run(ctx, 2, api.GetAsync));
        app.MapPost(root + "/{namespace}", ctx => api.Run(ctx, 1, api.CreateAsync));
        app.MapDelete(root + "/{namespace}", ctx => api.Run(ctx, 1, api.DeleteNamespaceAsync));
        app.MapDelete(root + "/{namespace}/{groupName}", ctx => api.Run(ctx, 2, api.DeleteGroupAsync));
        return app;
    }

    /// <summary>The handlers, sharing the store, limits and callbacks of one mapping.</summary>
    private sealed partial class Handlers(
        IRuleStore store,
        IOverrides limits,
        Func<HttpContext, (string? Tenant, IResult? Error)> resolveTenant,
        Action<string> onChange)
    {
        /// <summary>
        /// Resolves the tenant and the path's names, runs <paramref name="handler"/>, and answers its failures:
        /// bad input 400, a read-only store 405, a corrupt or unreachable store 500.
        /// </summary>
        public async Task Run(HttpContext ctx, int names, Func<HttpContext, string, string[], Task<IResult>> handler)
        {
            var (tenant, error) = resolveTenant(ctx);
            IResult result;
            if (error is not null || tenant is null)
            {
                result = error ?? RuleConfigResults.BadRequest("no valid org id found");
            }
            else if (!RulePathSegments.TryGet(ctx, names, out string[] segments, out string? pathError))
            {
                result = RuleConfigResults.BadRequest(pathError!);
            }
            else
            {
                result = await Guarded(() => handler(ctx, tenant, segments));
            }

            await result.ExecuteAsync(ctx);
        }

        public async Task<IResult> ListAsync(HttpContext ctx, string tenant, string[] names)
        {
            // No group is an empty map with 200, as Mimir answers since grafana/mimir#434 (Cortex said 404).
            var groups = await store.ListGroupsAsync(tenant, names.Length > 0 ? names[0] : null, ctx.RequestAborted);
            return RuleConfigResults.Yaml(RuleFileSerializer.ToNamespaceYaml(groups));
        }

        public async Task<IResult> GetAsync(HttpContext ctx, string tenant, string[] names) =>
            await store.GetGroupAsync(tenant, names[0], names[1], ctx.RequestAborted) is { } group
                ? RuleConfigResults.Yaml(RuleFileSerializer.ToYaml(group))
                : RuleConfigResults.Error(StatusCodes.Status404NotFound, "group does not exist");

        public async Task<IResult> DeleteGroupAsync(HttpContext ctx, string tenant, string[] names)
        {
            if (!await store.DeleteGroupAsync(tenant, names[0], names[1], ctx.RequestAborted))
            {
                return RuleConfigResults.Error(StatusCodes.Status404NotFound, "group does not exist");
            }

            onChange(tenant);
            return RuleConfigResults.Accepted();
        }

        public async Task<IResult> DeleteNamespaceAsync(HttpContext ctx, string tenant, string[] names)
        {
            if (!await store.DeleteNamespaceAsync(tenant, names[0], ctx.RequestAborted))
            {
                return RuleConfigResults.Error(StatusCodes.Status404NotFound, "group namespace does not exist");
            }

            onChange(tenant);
            return RuleConfigResults.Accepted();
        }

        private static async Task<IResult> Guarded(Func<Task<IResult>> handler)
        {
            try
            {
                return await handler();
            }
            catch (ReadOnlyRuleStoreException e)
            {
                return RuleConfigResults.ReadOnly(e.Message);
            }
            catch (ArgumentException e)
            {
                return RuleConfigResults.BadRequest(e.Message);
            }
            catch (Exception e) when (e is InvalidDataException or ObjectStoreException)
            {
                return RuleConfigResults.Error(StatusCodes.Status500InternalServerError, e.Message);
            }
        }
    }
}

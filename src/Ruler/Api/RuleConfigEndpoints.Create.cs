using MetricsCluster.Ruler.RuleFiles;
using Microsoft.AspNetCore.Http;

namespace MetricsCluster.Ruler.Api;

/// <summary>POST: one group per body, checked in full before anything is stored.</summary>
public static partial class RuleConfigEndpoints
{
    private sealed partial class Handlers
    {
        /// <summary>
        /// Mimir's <c>CreateRuleGroup</c>: decode, validate (every error), check the limits, store, signal. A rejected
        /// body changes nothing. Unknown fields are ignored, as Mimir's plain <c>yaml.Unmarshal</c> ignores them, so
        /// clients that send fields of Mimir's rule format we do not model (Grafana, mimirtool) are not refused.
        /// </summary>
        public async Task<IResult> CreateAsync(HttpContext ctx, string tenant, string[] names)
        {
            string ns = names[0];
            byte[]? body = await ReadBodyAsync(ctx.Request, ctx.RequestAborted);
            if (body is null)
            {
                return RuleConfigResults.Error(StatusCodes.Status413PayloadTooLarge, $"rule group body too large: the limit is {MaxRuleGroupBytes} bytes");
            }

            var parsed = RuleFileParser.ParseGroup(body, UnknownFields.Ignore);
            if (parsed.Undecodable)
            {
                return RuleConfigResults.BadRequest("unable to decode rule group: " + string.Join("; ", parsed.Errors));
            }

            if (parsed.Group is not { } group)
            {
                return RuleConfigResults.BadRequest(string.Join(", ", parsed.Errors));
            }

            if (await LimitErrorAsync(tenant, ns, group, ctx.RequestAborted) is { } limitError)
            {
                return RuleConfigResults.BadRequest(limitError);
            }

            await store.SetGroupAsync(tenant, ns, group, ctx.RequestAborted);
            onChange(tenant);
            return RuleConfigResults.Accepted();
        }

        // Mimir's AssertMaxRulesPerRuleGroup and AssertMaxRuleGroups, with their texts; 0 is no limit. Replacing a
        // group that exists does not add one (Mimir counts it as one more, so a tenant at its limit could not edit).
        private async Task<string?> LimitErrorAsync(string tenant, string ns, RuleGroup group, CancellationToken cancellationToken)
        {
            var l = limits.For(tenant);
            if (l.RulerMaxRulesPerRuleGroup > 0 && group.Rules.Count > l.RulerMaxRulesPerRuleGroup)
            {
                return $"per-user rules per rule group limit (limit: {l.RulerMaxRulesPerRuleGroup} actual: {group.Rules.Count}) exceeded";
            }

            if (l.RulerMaxRuleGroupsPerTenant <= 0)
            {
                return null;
            }

            var keys = await store.ListGroupKeysAsync(tenant, null, cancellationToken);
            int actual = keys.Count + (keys.Contains(new(ns, group.Name)) ? 0 : 1);
            return actual > l.RulerMaxRuleGroupsPerTenant
                ? $"per-user rule groups limit (limit: {l.RulerMaxRuleGroupsPerTenant} actual: {actual}) exceeded"
                : null;
        }

        // The body, or null past MaxRuleGroupBytes: a declared length is refused before reading, and a chunked body
        // is read only to one byte past the limit.
        private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
        {
            if (request.ContentLength > MaxRuleGroupBytes)
            {
                return null;
            }

            using var buffer = new MemoryStream();
            byte[] chunk = new byte[16 * 1024];
            int n;
            while ((n = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + n > MaxRuleGroupBytes)
                {
                    return null;
                }

                buffer.Write(chunk, 0, n);
            }

            return buffer.ToArray();
        }
    }
}

using System.Text;
using MetricsCluster.Agent.Config;
using MetricsCluster.Agent.Discovery;
using MetricsCluster.Agent.Relabel;
using MetricsCluster.Core;

namespace MetricsCluster.Agent.Targets;

/// <summary>
/// Turns discovered labels into scrape targets exactly as Prometheus' scrape.PopulateLabels (2.x, default ports on):
/// add the job's defaults, apply relabel_configs, check the address, interval and timeout, drop <c>__meta_*</c>,
/// default <c>instance</c> to the address, and build the URL.
/// </summary>
public static class TargetBuilder
{
    /// <summary>Prometheus' label name prefixes and names.</summary>
    public const string SchemeLabel = "__scheme__", MetricsPathLabel = "__metrics_path__", ScrapeIntervalLabel = "__scrape_interval__",
        ScrapeTimeoutLabel = "__scrape_timeout__", ParamPrefix = "__param_", MetaPrefix = "__meta_", ReservedPrefix = "__",
        JobLabel = "job", InstanceLabel = "instance";

    /// <summary>Builds every target of a group (Prometheus' TargetsFromGroup); errors name the instance and group.</summary>
    public static List<TargetResult> FromGroup(ScrapeConfig cfg, TargetGroup group, bool noDefaultPort = false)
    {
        var results = new List<TargetResult>(group.Targets.Count);
        for (int i = 0; i < group.Targets.Count; i++)
        {
            var r = Populate(cfg, group.Targets[i], group.Labels, noDefaultPort);
            results.Add(r.Error is null ? r : TargetResult.Failed($"instance {i} in group {group.Source}: {r.Error}"));
        }

        return results;
    }

    /// <summary>Builds one target from its own labels and its group's labels (the target's win).</summary>
    /// <param name="cfg">The job.</param>
    /// <param name="targetLabels">The target's labels (normally <c>__address__</c> and <c>__meta_*</c>).</param>
    /// <param name="groupLabels">The group's common labels.</param>
    /// <param name="noDefaultPort">Prometheus' no-default-scrape-port flag: do not add :80/:443, strip them instead.</param>
    public static TargetResult Populate(ScrapeConfig cfg, Labels targetLabels, Labels groupLabels, bool noDefaultPort = false)
    {
        var lb = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in groupLabels.Pairs())
        {
            lb[k] = v;
        }

        foreach (var (k, v) in targetLabels.Pairs())
        {
            lb[k] = v;
        }

        SetIfMissing(lb, JobLabel, cfg.JobName);
        SetIfMissing(lb, ScrapeIntervalLabel, PromDuration.Format(cfg.ScrapeInterval));
        SetIfMissing(lb, ScrapeTimeoutLabel, PromDuration.Format(cfg.ScrapeTimeout));
        SetIfMissing(lb, MetricsPathLabel, cfg.MetricsPath);
        SetIfMissing(lb, SchemeLabel, cfg.Scheme);
        foreach (var (name, values) in cfg.Params)
        {
            if (values.Count > 0)
            {
                lb[ParamPrefix + name] = values[0];
            }
        }

        var preRelabel = Build(lb);
        if (Relabeler.Process(preRelabel, cfg.RelabelConfigs) is not { } relabeled)
        {
            return TargetResult.DroppedBy(preRelabel);
        }

        return Finish(cfg, relabeled, preRelabel, noDefaultPort);
    }

    private static TargetResult Finish(ScrapeConfig cfg, Labels lset, Labels preRelabel, bool noDefaultPort)
    {
        string addr = lset.Get(TargetGroup.AddressLabel);
        if (addr.Length == 0)
        {
            return TargetResult.Failed("no address");
        }

        var lb = lset.Pairs().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        string scheme = lset.Get(SchemeLabel);
        bool hasPort = HostPort.TrySplit(addr, out _, out string port);
        if (!noDefaultPort && !hasPort && HostPort.TrySplit(addr + ":1234", out _, out _))
        {
            string? defaultPort = scheme switch
            {
                "http" or "" => ":80",
                "https" => ":443",
                _ => null,
            };
            if (defaultPort is null)
            {
                return TargetResult.Failed($"invalid scheme: \"{cfg.Scheme}\"");
            }

            addr += defaultPort;
            lb[TargetGroup.AddressLabel] = addr;
        }

        if (noDefaultPort && hasPort && ((port == "80" && scheme == "http") || (port == "443" && scheme == "https")))
        {
            HostPort.TrySplit(addr, out string host, out _);
            lb[TargetGroup.AddressLabel] = host;
        }

        // Prometheus' CheckTargetAddress: a URL instead of host:port is a common mistake.
        if (addr.Contains('/'))
        {
            return TargetResult.Failed($"\"{addr}\" is not a valid hostname");
        }

        if (ParseDuration(lset, ScrapeIntervalLabel, "scrape interval", out var interval) is { } e1)
        {
            return TargetResult.Failed(e1);
        }

        if (ParseDuration(lset, ScrapeTimeoutLabel, "scrape timeout", out var timeout) is { } e2)
        {
            return TargetResult.Failed(e2);
        }

        if (timeout > interval)
        {
            return TargetResult.Failed(
                $"scrape timeout cannot be greater than scrape interval (\"{lset.Get(ScrapeTimeoutLabel)}\" > \"{lset.Get(ScrapeIntervalLabel)}\")");
        }

        foreach (string name in lb.Keys.Where(k => k.StartsWith(MetaPrefix, StringComparison.Ordinal)).ToList())
        {
            lb.Remove(name);
        }

        // Prometheus defaults instance to the address as it was before a default port was stripped.
        if (lset.Get(InstanceLabel).Length == 0)
        {
            lb[InstanceLabel] = addr;
        }

        var internalLabels = Build(lb);
        var publicLabels = Build(lb.Where(p => !p.Key.StartsWith(ReservedPrefix, StringComparison.Ordinal)));
        if (BuildUrl(cfg, internalLabels) is not { } url)
        {
            return TargetResult.Failed($"\"{lb[TargetGroup.AddressLabel]}\" does not form a valid scrape URL");
        }

        return TargetResult.Active(new DiscoveredTarget(publicLabels, internalLabels, preRelabel, url, interval, timeout));
    }

    /// <summary>
    /// The scrape URL as Prometheus' Target.URL: the job's params, with the first value of each overridden (or
    /// added) by <c>__param_&lt;name&gt;</c> labels, encoded in key order like Go's url.Values.Encode. Null when
    /// the parts do not form a URL .NET accepts (for example an empty port).
    /// </summary>
    public static Uri? BuildUrl(ScrapeConfig cfg, Labels internalLabels)
    {
        var query = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, values) in cfg.Params)
        {
            query[name] = [.. values];
        }

        foreach (var (name, value) in internalLabels.Pairs())
        {
            if (!name.StartsWith(ParamPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            string key = name[ParamPrefix.Length..];
            if (query.TryGetValue(key, out var list) && list.Count > 0)
            {
                list[0] = value;
            }
            else
            {
                query[key] = [value];
            }
        }

        string path = internalLabels.Get(MetricsPathLabel);
        var sb = new StringBuilder()
            .Append(internalLabels.Get(SchemeLabel)).Append("://").Append(internalLabels.Get(TargetGroup.AddressLabel))
            .Append(path.StartsWith('/') ? string.Empty : "/").Append(path);
        char sep = '?';
        foreach (var (key, values) in query)
        {
            foreach (string v in values)
            {
                sb.Append(sep).Append(GoUrl.QueryEscape(key)).Append('=').Append(GoUrl.QueryEscape(v));
                sep = '&';
            }
        }

        return Uri.TryCreate(sb.ToString(), UriKind.Absolute, out var uri) ? uri : null;
    }

    private static string? ParseDuration(Labels lset, string label, string what, out TimeSpan value)
    {
        string s = lset.Get(label);
        if (!PromDuration.TryParse(s, out value))
        {
            return $"error parsing {what}: not a valid duration string: \"{s}\"";
        }

        return value == TimeSpan.Zero ? $"{what} cannot be 0" : null;
    }

    private static void SetIfMissing(Dictionary<string, string> lb, string name, string value)
    {
        if (lb.GetValueOrDefault(name, string.Empty).Length == 0)
        {
            lb[name] = value;
        }
    }

    private static Labels Build(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var b = new LabelsBuilder();
        foreach (var (k, v) in pairs)
        {
            b.Set(k, v);
        }

        return b.Build();
    }
}

using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;
using MetricsCluster.PromQL.Engine;
using MetricsCluster.PromQL.Tests.Scripts;
using MetricsCluster.Ruler.Alerting;
using MetricsCluster.Ruler.Evaluation;
using MetricsCluster.Ruler.Notifier;
using MetricsCluster.Ruler.RuleFiles;
using MetricsCluster.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;

namespace MetricsCluster.Ruler.Tests.Evaluation;

/// <summary>
/// A group evaluated over an in-memory store: what the rules write goes back into the store (so later rules and the
/// restore read it, as through the distributor and ingesters), and every write is kept for assertions.
/// </summary>
internal sealed class GroupHarness : IRuleSampleWriter, IDisposable
{
    public GroupHarness(RulerOptions? options = null, AlertExpander? expander = null)
    {
        Options = options ?? new RulerOptions();
        Metrics = new RulerMetrics(Registry);
        Notifier = new AlertNotifier(Options, Metrics, new HttpClient(), NullLogger<AlertNotifier>.Instance);
        Engine = new QueryEngine(new EngineOptions());
        Services = new RuleGroupServices(
            new RuleQuery(Engine, Storage),
            Storage,
            this,
            Notifier,
            _ => expander ?? ((_, text, _, _, _, _) => Task.FromResult(text)),
            Options,
            Metrics,
            Time,
            NullLogger.Instance);
    }

    public MemoryStorage Storage { get; } = new();

    public ManualTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(10_000_000));

    public MetricsRegistry Registry { get; } = new();

    public RulerOptions Options { get; }

    public RulerMetrics Metrics { get; }

    public AlertNotifier Notifier { get; }

    public QueryEngine Engine { get; }

    public RuleGroupServices Services { get; }

    public List<RuleSample> Written { get; } = [];

    public Func<IReadOnlyList<RuleSample>, Exception?> FailWrites { get; set; } = _ => null;

    public static TenantRuleGroup Group(params Rule[] rules) => new("t1", "ns", new RuleGroup("g", rules));

    public static Rule Alert(string name, string expr, TimeSpan forDuration, TimeSpan keepFiringFor = default, params KeyValuePair<string, string>[] labels) =>
        new(null, name, expr, forDuration, keepFiringFor, Rule.Sorted(labels), []);

    public Task WriteAsync(string tenant, IReadOnlyList<RuleSample> samples, CancellationToken cancellationToken)
    {
        if (FailWrites(samples) is { } e)
        {
            throw e;
        }

        foreach (var s in samples)
        {
            Written.Add(s);
            Storage.Add(s.Labels, s.TimestampMs, s.Value);
        }

        return Task.CompletedTask;
    }

    public List<RuleSample> WrittenAt(long t, string metric) =>
        Written.Where(s => s.TimestampMs == t && s.Labels.MetricName == metric).ToList();

    public void Dispose()
    {
        Engine.Dispose();
        Notifier.Dispose();
    }
}

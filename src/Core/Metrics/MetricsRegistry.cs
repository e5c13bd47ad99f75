using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace MetricsCluster.Core.Metrics;

/// <summary>
/// A small Prometheus-style metrics registry, injected (never static, G6), rendered in the text format
/// 0.0.4 by <see cref="WriteText"/>. We use our own rather than System.Diagnostics.Metrics because no
/// Prometheus exporter for it restores from this project's package source.
/// </summary>
public sealed class MetricsRegistry
{
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);

    /// <summary>Gets or creates a counter family.</summary>
    public CounterFamily Counter(string name, string help, params string[] labelNames) =>
        (CounterFamily)_families.GetOrAdd(name, _ => new CounterFamily(name, help, labelNames));

    /// <summary>Gets or creates a gauge family.</summary>
    public GaugeFamily Gauge(string name, string help, params string[] labelNames) =>
        (GaugeFamily)_families.GetOrAdd(name, _ => new GaugeFamily(name, help, labelNames));

    /// <summary>Gets or creates a histogram family with the given upper bounds.</summary>
    public HistogramFamily Histogram(string name, string help, double[] buckets, params string[] labelNames) =>
        (HistogramFamily)_families.GetOrAdd(name, _ => new HistogramFamily(name, help, buckets, labelNames));

    /// <summary>Registers a gauge whose value is read at scrape time.</summary>
    public void GaugeCallback(string name, string help, Func<IEnumerable<(string[] LabelValues, double Value)>> read, params string[] labelNames) =>
        _families[name] = new CallbackGaugeFamily(name, help, labelNames, read);

    /// <summary>Registers a counter whose value is read at scrape time (the source only ever grows).</summary>
    public void CounterCallback(string name, string help, Func<IEnumerable<(string[] LabelValues, double Value)>> read, params string[] labelNames) =>
        _families[name] = new CallbackGaugeFamily(name, help, labelNames, read, "counter");

    /// <summary>Renders every family in the Prometheus text format, sorted by name.</summary>
    public string WriteText()
    {
        var sb = new StringBuilder();
        foreach (var f in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            f.Write(sb);
        }

        return sb.ToString();
    }
}

/// <summary>Base of all metric families.</summary>
public abstract class MetricFamily
{
    private protected MetricFamily(string name, string help, string type, string[] labelNames)
    {
        Name = name;
        Help = help;
        Type = type;
        LabelNames = labelNames;
    }

    /// <summary>Metric name.</summary>
    public string Name { get; }

    /// <summary>HELP text.</summary>
    public string Help { get; }

    /// <summary>TYPE.</summary>
    public string Type { get; }

    /// <summary>Label names, in order.</summary>
    public string[] LabelNames { get; }

    internal void Write(StringBuilder sb)
    {
        sb.Append("# HELP ").Append(Name).Append(' ').Append(Help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('\n');
        sb.Append("# TYPE ").Append(Name).Append(' ').Append(Type).Append('\n');
        WriteSamples(sb);
    }

    private protected abstract void WriteSamples(StringBuilder sb);

    private protected static void WriteLine(StringBuilder sb, string name, string[] names, string[] values, string? extraName, string? extraValue, double v)
    {
        sb.Append(name);
        if (names.Length > 0 || extraName is not null)
        {
            sb.Append('{');
            for (int i = 0; i < names.Length; i++)
            {
                sb.Append(i == 0 ? string.Empty : ",").Append(names[i]).Append("=\"").Append(Escape(values[i])).Append('"');
            }

            if (extraName is not null)
            {
                sb.Append(names.Length > 0 ? "," : string.Empty).Append(extraName).Append("=\"").Append(extraValue).Append('"');
            }

            sb.Append('}');
        }

        sb.Append(' ').Append(FormatValue(v)).Append('\n');
    }

    /// <summary>Formats a value as Prometheus does (+Inf, -Inf, NaN, shortest round-trip).</summary>
    public static string FormatValue(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf" : double.IsNaN(v) ? "NaN" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string s) =>
        s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}

/// <summary>A family of children keyed by label values.</summary>
/// <typeparam name="T">The child type.</typeparam>
public abstract class MetricFamily<T> : MetricFamily
    where T : class
{
    private readonly ConcurrentDictionary<string, (string[] Values, T Child)> _children = new(StringComparer.Ordinal);

    private protected MetricFamily(string name, string help, string type, string[] labelNames)
        : base(name, help, type, labelNames)
    {
    }

    /// <summary>The child for these label values (created on first use; cache it on hot paths).</summary>
    public T WithLabels(params string[] values)
    {
        if (values.Length != LabelNames.Length)
        {
            throw new ArgumentException($"{Name} takes {LabelNames.Length} label values", nameof(values));
        }

        string key = string.Join('\xff', values);
        return _children.GetOrAdd(key, _ => (values, NewChild())).Child;
    }

    /// <summary>Removes the child for these label values (e.g. a tenant that went away).</summary>
    public void Remove(params string[] values) => _children.TryRemove(string.Join('\xff', values), out _);

    private protected abstract T NewChild();

    private protected IEnumerable<(string[] Values, T Child)> Children() =>
        _children.Values.OrderBy(c => string.Join('\xff', c.Values), StringComparer.Ordinal);
}

/// <summary>A monotonically increasing counter.</summary>
public sealed class Counter
{
    private long _bits;

    /// <summary>Current value.</summary>
    public double Value => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _bits));

    /// <summary>Adds a non-negative amount.</summary>
    public void Add(double v)
    {
        long cur, next;
        do
        {
            cur = Interlocked.Read(ref _bits);
            next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(cur) + v);
        }
        while (Interlocked.CompareExchange(ref _bits, next, cur) != cur);
    }

    /// <summary>Adds one.</summary>
    public void Inc() => Add(1);
}

/// <summary>A value that goes up and down.</summary>
public sealed class Gauge
{
    private long _bits;

    /// <summary>Current value.</summary>
    public double Value => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _bits));

    /// <summary>Sets the value.</summary>
    public void Set(double v) => Interlocked.Exchange(ref _bits, BitConverter.DoubleToInt64Bits(v));

    /// <summary>Adds (possibly negative).</summary>
    public void Add(double v)
    {
        long cur, next;
        do
        {
            cur = Interlocked.Read(ref _bits);
            next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(cur) + v);
        }
        while (Interlocked.CompareExchange(ref _bits, next, cur) != cur);
    }
}

/// <summary>A classic Prometheus histogram.</summary>
public sealed class Histogram
{
    private readonly double[] _bounds;
    private readonly long[] _counts;
    private readonly Gauge _sum = new();
    private long _count;

    internal Histogram(double[] bounds)
    {
        _bounds = bounds;
        _counts = new long[bounds.Length];
    }

    /// <summary>Records one observation.</summary>
    public void Observe(double v)
    {
        for (int i = 0; i < _bounds.Length; i++)
        {
            if (v <= _bounds[i])
            {
                Interlocked.Increment(ref _counts[i]);
                break;
            }
        }

        Interlocked.Increment(ref _count);
        _sum.Add(v);
    }

    internal (double[] Bounds, long[] Cumulative, long Count, double Sum) Snapshot()
    {
        var cum = new long[_bounds.Length];
        long run = 0;
        for (int i = 0; i < _bounds.Length; i++)
        {
            run += Interlocked.Read(ref _counts[i]);
            cum[i] = run;
        }

        return (_bounds, cum, Interlocked.Read(ref _count), _sum.Value);
    }
}

/// <summary>Counter family.</summary>
public sealed class CounterFamily : MetricFamily<Counter>
{
    internal CounterFamily(string name, string help, string[] labelNames)
        : base(name, help, "counter", labelNames)
    {
    }

    private protected override Counter NewChild() => new();

    private protected override void WriteSamples(StringBuilder sb)
    {
        foreach (var (values, c) in Children())
        {
            WriteLine(sb, Name, LabelNames, values, null, null, c.Value);
        }
    }
}

/// <summary>Gauge family.</summary>
public sealed class GaugeFamily : MetricFamily<Gauge>
{
    internal GaugeFamily(string name, string help, string[] labelNames)
        : base(name, help, "gauge", labelNames)
    {
    }

    private protected override Gauge NewChild() => new();

    private protected override void WriteSamples(StringBuilder sb)
    {
        foreach (var (values, g) in Children())
        {
            WriteLine(sb, Name, LabelNames, values, null, null, g.Value);
        }
    }
}

/// <summary>Histogram family.</summary>
public sealed class HistogramFamily : MetricFamily<Histogram>
{
    private readonly double[] _buckets;

    internal HistogramFamily(string name, string help, double[] buckets, string[] labelNames)
        : base(name, help, "histogram", labelNames)
    {
        _buckets = buckets;
    }

    /// <summary>Default latency buckets in seconds.</summary>
    public static double[] DefaultBuckets { get; } = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private protected override Histogram NewChild() => new(_buckets);

    private protected override void WriteSamples(StringBuilder sb)
    {
        foreach (var (values, h) in Children())
        {
            var (bounds, cum, count, sum) = h.Snapshot();
            for (int i = 0; i < bounds.Length; i++)
            {
                WriteLine(sb, Name + "_bucket", LabelNames, values, "le", FormatValue(bounds[i]), cum[i]);
            }

            WriteLine(sb, Name + "_bucket", LabelNames, values, "le", "+Inf", count);
            WriteLine(sb, Name + "_sum", LabelNames, values, null, null, sum);
            WriteLine(sb, Name + "_count", LabelNames, values, null, null, count);
        }
    }
}

internal sealed class CallbackGaugeFamily : MetricFamily
{
    private readonly Func<IEnumerable<(string[] LabelValues, double Value)>> _read;

    internal CallbackGaugeFamily(string name, string help, string[] labelNames, Func<IEnumerable<(string[] LabelValues, double Value)>> read, string type = "gauge")
        : base(name, help, type, labelNames)
    {
        _read = read;
    }

    private protected override void WriteSamples(StringBuilder sb)
    {
        foreach (var (values, v) in _read().OrderBy(x => string.Join('\xff', x.LabelValues), StringComparer.Ordinal))
        {
            WriteLine(sb, Name, LabelNames, values, null, null, v);
        }
    }
}

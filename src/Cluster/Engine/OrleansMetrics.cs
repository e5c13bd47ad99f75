using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using MetricsCluster.Core.Metrics;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// Orleans' own meters (messaging, membership, activations, grain calls: meter "Microsoft.Orleans") on our
/// <c>/metrics</c>. Orleans reports through System.Diagnostics.Metrics and no Prometheus exporter for it restores
/// here, so a <see cref="MeterListener"/> keeps the latest value of each instrument and tag set and the registry
/// reads them at scrape time. Names become Prometheus names (<c>orleans-messaging-sent-messages</c> →
/// <c>orleans_messaging_sent_messages_total</c>); counters are sums, gauges the last value, histograms their
/// <c>_count</c> and <c>_sum</c>. An instrument's labels are the tag keys of its first measurement.
/// </summary>
public sealed class OrleansMetrics : IDisposable
{
    private static readonly TimeSpan s_observeEvery = TimeSpan.FromSeconds(1);

    private readonly MetricsRegistry _registry;
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, Family> _families = new(StringComparer.Ordinal);
    private readonly object _observeLock = new();
    private long _lastObserved;

    /// <summary>Starts listening; families appear on the registry as Orleans creates its instruments.</summary>
    public OrleansMetrics(MetricsRegistry registry)
    {
        _registry = registry;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<float>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The Prometheus name of an instrument: non-alphanumerics become '_'.</summary>
    public static string PrometheusName(string instrument)
    {
        var sb = new StringBuilder(instrument.Length);
        foreach (char c in instrument)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        return sb.ToString();
    }

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var family = _families.GetOrAdd(instrument.Name, (_, state) => Create(state.instrument, state.keys), (instrument, keys: KeysOf(tags)));
        family.Record(tags, value);
    }

    private static string[] KeysOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var keys = new string[tags.Length];
        for (int i = 0; i < tags.Length; i++)
        {
            keys[i] = PrometheusName(tags[i].Key);
        }

        Array.Sort(keys, StringComparer.Ordinal);
        return keys;
    }

    private Family Create(Instrument instrument, string[] labelNames)
    {
        string name = PrometheusName(instrument.Name);
        string help = instrument.Description ?? instrument.Name;
        var family = new Family(instrument, labelNames);
        switch (family.Kind)
        {
            case Kind.Counter:
                _registry.CounterCallback(name.EndsWith("_total", StringComparison.Ordinal) ? name : name + "_total", help, () => Read(family, f => f.Value), labelNames);
                break;
            case Kind.Histogram:
                _registry.CounterCallback(name + "_count", help + " (count)", () => Read(family, f => f.Count), labelNames);
                _registry.CounterCallback(name + "_sum", help + " (sum)", () => Read(family, f => f.Value), labelNames);
                break;
            default:
                _registry.GaugeCallback(name, help, () => Read(family, f => f.Value), labelNames);
                break;
        }

        return family;
    }

    private IEnumerable<(string[] LabelValues, double Value)> Read(Family family, Func<Series, double> value)
    {
        ObserveAtMostEverySecond();
        return family.Series.Values.Select(s => (s.LabelValues, value(s))).ToList();
    }

    // Observable instruments report only when asked; one scrape reads many families, so ask once per second at most.
    private void ObserveAtMostEverySecond()
    {
        long now = Environment.TickCount64;
        lock (_observeLock)
        {
            if (now - _lastObserved < s_observeEvery.TotalMilliseconds)
            {
                return;
            }

            _lastObserved = now;
        }

        _listener.RecordObservableInstruments();
    }

    private enum Kind
    {
        Counter,
        Gauge,
        Histogram,
    }

    private sealed class Series(string[] labelValues)
    {
        public string[] LabelValues { get; } = labelValues;

        public double Value { get; set; }

        public double Count { get; set; }
    }

    private sealed class Family(Instrument instrument, string[] labelNames)
    {
        public Kind Kind { get; } = instrument switch
        {
            _ when instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal) => Kind.Histogram,
            _ when instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal) => Kind.Counter,
            _ when instrument.GetType().Name.StartsWith("ObservableCounter", StringComparison.Ordinal) => Kind.Counter,
            _ => Kind.Gauge,
        };

        public ConcurrentDictionary<string, Series> Series { get; } = new(StringComparer.Ordinal);

        // Counters add their increments; observable counters report the total; gauges and up-down counters report
        // the current value (an UpDownCounter's increments are summed too: its value is their sum).
        private bool Accumulates => Kind == Kind.Histogram
            || instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal)
            || instrument.GetType().Name.StartsWith("UpDownCounter", StringComparison.Ordinal);

        public void Record(ReadOnlySpan<KeyValuePair<string, object?>> tags, double value)
        {
            var values = new string[labelNames.Length];
            foreach (var tag in tags)
            {
                int i = Array.IndexOf(labelNames, PrometheusName(tag.Key));
                if (i >= 0)
                {
                    values[i] = tag.Value?.ToString() ?? string.Empty;
                }
            }

            for (int i = 0; i < values.Length; i++)
            {
                values[i] ??= string.Empty;
            }

            var series = Series.GetOrAdd(string.Join('\xff', values), _ => new Series(values));
            lock (series)
            {
                series.Value = Accumulates ? series.Value + value : value;
                series.Count++;
            }
        }
    }
}

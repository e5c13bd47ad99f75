using System.Collections.Concurrent;
using System.Globalization;
using MetricsCluster.Core;
using MetricsCluster.Core.Metrics;

namespace MetricsCluster.Distributor;

/// <summary>
/// The distributor's metric families (G6: registered on an injected registry). Children for a
/// tenant are created, at zero, the first time the tenant pushes, and cached so the push path does
/// not build label keys. A tenant that has not pushed for <see cref="IdleTimeout"/> loses its
/// children, so tenants invented by a client do not grow <c>/metrics</c> forever.
/// </summary>
internal sealed class DistributorMetrics
{
    /// <summary>
    /// How long a tenant keeps its series after its last push. Mimir's distributor drops an inactive user's
    /// series the same way; a counter that comes back restarts from zero, which <c>rate()</c> reads as a reset.
    /// </summary>
    internal static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(20);

    // Idle tenants are looked for at most this often, on the push path (no timer to own).
    private static readonly TimeSpan s_sweepInterval = TimeSpan.FromMinutes(1);

    private readonly CounterFamily _received;
    private readonly CounterFamily _accepted;
    private readonly CounterFamily _discarded;
    private readonly CounterFamily _metadata;
    private readonly CounterFamily _requests;
    private readonly CounterFamily _histograms;
    private readonly CounterFamily _instanceRejected;
    private readonly ConcurrentDictionary<string, TenantMetrics> _tenants = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    public DistributorMetrics(MetricsRegistry registry, InflightLimiter inflight)
    {
        _instanceRejected = registry.Counter("metricscluster_distributor_instance_rejected_requests_total", "Push requests refused by a per-instance limit, by reason.", "reason");
        _instanceRejected.WithLabels(ErrorId.Reason(ErrorId.DistributorMaxInflightPushRequests));
        _instanceRejected.WithLabels(ErrorId.Reason(ErrorId.DistributorMaxInflightPushRequestsBytes));
        registry.GaugeCallback("metricscluster_distributor_inflight_push_requests", "Push requests in flight in this distributor.", () => [(Array.Empty<string>(), inflight.Requests)]);
        registry.GaugeCallback("metricscluster_distributor_inflight_push_requests_bytes", "Bytes reserved by the push requests in flight (compressed body plus twice the decoded length).", () => [(Array.Empty<string>(), inflight.Bytes)]);
        _received = registry.Counter("metricscluster_distributor_received_samples_total", "The total number of samples received in push requests, before validation.", "user");
        _accepted = registry.Counter("metricscluster_distributor_accepted_samples_total", "The total number of samples written by the ingesters.", "user");
        _discarded = registry.Counter("metricscluster_discarded_samples_total", "The total number of samples that were discarded, by reason.", "user", "reason");
        _metadata = registry.Counter("metricscluster_distributor_received_metadata_total", "The total number of metric metadata entries received.", "user");
        _requests = registry.Counter("metricscluster_distributor_requests_total", "The total number of push requests, by HTTP status code.", "user", "status_code");
        _histograms = registry.Counter("metricscluster_distributor_ignored_native_histograms_total", "The total number of native histogram samples ignored because native histograms are not supported yet.", "user");
    }

    /// <summary>Counts a push refused by the per-instance limit <paramref name="errorId"/>.</summary>
    public void InstanceRejected(string errorId) => _instanceRejected.WithLabels(ErrorId.Reason(errorId)).Inc();

    /// <summary>The tenant's children, marked as used at <paramref name="now"/>; first drops those of idle tenants when a sweep is due.</summary>
    public TenantMetrics For(string tenant, DateTimeOffset now)
    {
        long sweep = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks >= sweep && Interlocked.CompareExchange(ref _nextSweepTicks, (now + s_sweepInterval).UtcTicks, sweep) == sweep)
        {
            RemoveIdle(now);
        }

        var metrics = _tenants.GetOrAdd(tenant, static (t, self) => new TenantMetrics(self, t), this);
        metrics.Touch(now);
        return metrics;
    }

    private void RemoveIdle(DateTimeOffset now)
    {
        long cutoff = (now - IdleTimeout).UtcTicks;
        foreach (var (tenant, metrics) in _tenants)
        {
            if (metrics.LastUsedTicks < cutoff && _tenants.TryRemove(new KeyValuePair<string, TenantMetrics>(tenant, metrics)))
            {
                metrics.RemoveChildren();
            }
        }
    }

    /// <summary>One tenant's children.</summary>
    internal sealed class TenantMetrics
    {
        private readonly DistributorMetrics _owner;
        private readonly string _tenant;
        private readonly ConcurrentDictionary<string, Counter> _discarded = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<int, Counter> _requests = new();
        private long _lastUsedTicks;

        public TenantMetrics(DistributorMetrics owner, string tenant)
        {
            _owner = owner;
            _tenant = tenant;
            ReceivedSamples = owner._received.WithLabels(tenant);
            AcceptedSamples = owner._accepted.WithLabels(tenant);
            ReceivedMetadata = owner._metadata.WithLabels(tenant);
            IgnoredHistograms = owner._histograms.WithLabels(tenant);
            _ = Requests(200);
        }

        public long LastUsedTicks => Interlocked.Read(ref _lastUsedTicks);

        public Counter ReceivedSamples { get; }

        public Counter AcceptedSamples { get; }

        public Counter ReceivedMetadata { get; }

        public Counter IgnoredHistograms { get; }

        /// <summary>Adds <paramref name="samples"/> to the discarded counter of an error id.</summary>
        public void Discard(string errorId, int samples)
        {
            if (samples > 0)
            {
                _discarded.GetOrAdd(errorId, static (id, self) => self._owner._discarded.WithLabels(self._tenant, ErrorId.Reason(id)), this).Add(samples);
            }
        }

        public void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastUsedTicks, now.UtcTicks);

        /// <summary>Takes every child of this tenant out of the families.</summary>
        public void RemoveChildren()
        {
            _owner._received.Remove(_tenant);
            _owner._accepted.Remove(_tenant);
            _owner._metadata.Remove(_tenant);
            _owner._histograms.Remove(_tenant);
            foreach (string id in _discarded.Keys)
            {
                _owner._discarded.Remove(_tenant, ErrorId.Reason(id));
            }

            foreach (int code in _requests.Keys)
            {
                _owner._requests.Remove(_tenant, code.ToString(CultureInfo.InvariantCulture));
            }
        }

        public Counter Requests(int statusCode) =>
            _requests.GetOrAdd(statusCode, static (c, self) => self._owner._requests.WithLabels(self._tenant, c.ToString(CultureInfo.InvariantCulture)), this);
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using MetricsCluster.Cluster.Replication;
using MetricsCluster.Cluster.Ring;
using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Core.Metrics;

namespace MetricsCluster.Distributor;

/// <summary>
/// The remote-write 1.0 ingest path up to the ingester: content negotiation, size limits, snappy,
/// parsing with validation, the per-tenant ingestion rate limit, then one push to the ingester
/// client. Status codes follow Mimir: 400 for bad data and tenant limits (partly ingested: good
/// series are written), 413 too large, 415 wrong format, 429 rate limited (nothing written), 500
/// retryable. Thread-safe.
/// </summary>
/// <remarks>
/// Pooled-buffer note (G11): the snappy-decoded request is written into an array rented from
/// <see cref="BoundedArrayPool"/> by <see cref="SnappyBody.RentDecoded"/> (pooled only when small). Its
/// only owner is the push that rented it, which returns it in a <c>finally</c> once the push has
/// completed (ingester call included). Nothing retains it: the parser reads it synchronously and
/// <see cref="PushBatch"/> copies label bytes and builds its own metadata strings, so neither the
/// ingester client nor the reply ever sees the buffer.
/// </remarks>
public sealed class Distributor
{
    private readonly IIngesterClient _ingester;
    private readonly IOverrides _overrides;
    private readonly TimeProvider _time;
    private readonly DistributorMetrics _metrics;
    private readonly InflightLimiter _inflight;
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Creates the distributor; <paramref name="options"/> is validated here (G5).</summary>
    /// <param name="ingester">Where accepted batches go (in process or over grain calls, G3).</param>
    /// <param name="overrides">The one source of per-tenant limits (G5), read once per request.</param>
    /// <param name="options">Distributor settings.</param>
    /// <param name="metrics">Registry for the distributor's metrics (G6).</param>
    /// <param name="timeProvider">Clock for grace periods and the rate limiter (G6).</param>
    public Distributor(IIngesterClient ingester, IOverrides overrides, DistributorOptions options, MetricsRegistry metrics, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(ingester);
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _ingester = ingester;
        _overrides = overrides;
        Options = options;
        _time = timeProvider;
        _inflight = new InflightLimiter(options.MaxInflightPushRequests, options.MaxInflightPushRequestsBytes);
        _metrics = new DistributorMetrics(metrics, _inflight);
    }

    /// <summary>The settings in force.</summary>
    public DistributorOptions Options { get; }

    /// <summary>Handles one push request.</summary>
    /// <param name="tenant">The already-resolved tenant id.</param>
    /// <param name="body">The request body (snappy block of a WriteRequest); not retained after the call.</param>
    /// <param name="contentType">The Content-Type header, or null.</param>
    /// <param name="contentEncoding">The Content-Encoding header, or null.</param>
    /// <param name="cancellationToken">Cancels the push (the client went away).</param>
    /// <returns>The status and message to answer with.</returns>
    public async ValueTask<PushOutcome> PushAsync(string tenant, ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tenant);
        using var lease = TryBeginPush(body.Length, out var rejection);
        return lease is null ? rejection! : await PushAdmittedAsync(lease, tenant, body, contentType, contentEncoding, cancellationToken);
    }

    /// <summary>
    /// Admits a push under the instance limits before its body is read: takes a request slot and reserves
    /// <paramref name="bodyBytes"/>. Null (with the 5xx answer in <paramref name="rejection"/>) when a limit is
    /// reached; otherwise the caller disposes the lease once the push has been answered.
    /// </summary>
    internal PushLease? TryBeginPush(long bodyBytes, out PushOutcome? rejection)
    {
        var lease = _inflight.TryStart();
        if (lease is null)
        {
            rejection = InstanceLimitOutcome(ErrorId.DistributorMaxInflightPushRequests);
            return null;
        }

        if (!lease.TryReserve(bodyBytes))
        {
            lease.Dispose();
            rejection = InstanceLimitOutcome(ErrorId.DistributorMaxInflightPushRequestsBytes);
            return null;
        }

        rejection = null;
        return lease;
    }

    /// <summary>Handles one push admitted by <see cref="TryBeginPush"/>; the caller still owns <paramref name="lease"/>.</summary>
    internal async ValueTask<PushOutcome> PushAdmittedAsync(PushLease lease, string tenant, ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, CancellationToken cancellationToken)
    {
        var metrics = _metrics.For(tenant, _time.GetUtcNow());
        var outcome = await PushCoreAsync(lease, tenant, body, contentType, contentEncoding, metrics, cancellationToken);
        metrics.Requests(outcome.StatusCode).Inc();
        return outcome;
    }

    /// <summary>The answer when a per-instance limit refuses a push (Mimir's wording; 500, which senders retry).</summary>
    internal PushOutcome InstanceLimitOutcome(string id)
    {
        _metrics.InstanceRejected(id);
        string message = id == ErrorId.DistributorMaxInflightPushRequests
            ? ErrorId.InstanceLimit("the write request has been rejected because the distributor exceeded the allowed number of inflight push requests", id, DistributorOptions.MaxInflightPushRequestsFlag)
            : ErrorId.InstanceLimit("the write request has been rejected because the distributor exceeded the allowed size of inflight push requests", id, DistributorOptions.MaxInflightPushRequestsBytesFlag);
        return new PushOutcome(500, message);
    }

    /// <summary>The 413 message for a body (or its decoded form) over <see cref="DistributorOptions.MaxRecvMsgSize"/>; a negative size is "unknown".</summary>
    internal static string TooLargeMessage(long size, int limit, bool decompressed) =>
        $"the incoming push request has been rejected because its {(decompressed ? "decompressed " : string.Empty)}message size{(size < 0 ? string.Empty : " of " + size.ToString(CultureInfo.InvariantCulture) + " bytes")} is larger than the allowed limit of {limit.ToString(CultureInfo.InvariantCulture)} bytes {ErrorId.Tag(ErrorId.MaxWriteMessageSize)}. To adjust the related limit, configure -{DistributorOptions.MaxRecvMsgSizeFlag}, or contact your service administrator.";

    private async ValueTask<PushOutcome> PushCoreAsync(PushLease lease, string tenant, ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, DistributorMetrics.TenantMetrics metrics, CancellationToken cancellationToken)
    {
        if (!TryDecode(lease, body, contentType, contentEncoding, out byte[]? decoded, out int decodedLength, out var rejection))
        {
            return rejection;
        }

        try
        {
            return await PushDecodedAsync(tenant, decoded, decodedLength, metrics, cancellationToken);
        }
        finally
        {
            SnappyBody.Return(decoded);
        }
    }

    private async ValueTask<PushOutcome> PushDecodedAsync(string tenant, byte[] decoded, int decodedLength, DistributorMetrics.TenantMetrics metrics, CancellationToken cancellationToken)
    {
        var limits = _overrides.For(tenant);
        var now = _time.GetUtcNow();
        using var batch = new PushBatch(decodedLength);
        var report = new ParseReport();
        var early = Parse(decoded.AsSpan(0, decodedLength), batch, limits, now, report, metrics);
        if (early is not null)
        {
            return early;
        }

        var bucket = _buckets.GetOrAdd(tenant, static _ => new TokenBucket());
        if (!bucket.TryTake((long)batch.SampleCount + batch.Metadata.Count, limits.IngestionRate, limits.IngestionBurstSize, now))
        {
            metrics.Discard(ErrorId.TenantMaxIngestionRate, batch.SampleCount);
            return new PushOutcome(429, RateLimitedMessage(limits));
        }

        PushError? ingesterError = null;
        if (batch.SeriesCount > 0 || batch.Metadata.Count > 0)
        {
            PushResult result;
            try
            {
                result = await _ingester.PushAsync(tenant, batch, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (QuorumException e)
            {
                return QuorumOutcomes.From(e);
            }
            catch (RingUnavailableException e)
            {
                return QuorumOutcomes.From(e);
            }
            catch (Exception e)
            {
                // Anything else the ingester client throws is a fault the sender should retry.
                return new PushOutcome(500, $"failed pushing to ingester: {e.Message}");
            }

            metrics.AcceptedSamples.Add(result.Accepted);
            foreach (var (id, samples) in result.RejectedByReason)
            {
                metrics.Discard(id, samples);
            }

            ingesterError = result.FirstError;
        }

        // The distributor's own rejections happened first, so they name the series in the reply.
        var first = report.FirstError ?? ingesterError;
        return first is null ? PushOutcome.Ok : new PushOutcome(400, first.Message);
    }

    /// <summary>Checks and decodes the body; on success <paramref name="decoded"/> is rented and the caller returns it.</summary>
    private bool TryDecode(PushLease lease, ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding, [NotNullWhen(true)] out byte[]? decoded, out int decodedLength, [NotNullWhen(false)] out PushOutcome? rejection)
    {
        decoded = null;
        decodedLength = 0;
        rejection = Check(body, contentType, contentEncoding);
        if (rejection is not null)
        {
            return false;
        }

        // Check has read the snappy header. Twice the decoded length: the decode buffer and the batch parsed from it.
        SnappyBody.TryReadDecodedLength(body.Span, out ulong declared);
        if (!lease.TryReserve(2 * (long)declared))
        {
            rejection = InstanceLimitOutcome(ErrorId.DistributorMaxInflightPushRequestsBytes);
            return false;
        }

        try
        {
            decoded = SnappyBody.RentDecoded(body.Span, out decodedLength);
            return true;
        }
        catch (InvalidDataException e)
        {
            rejection = new PushOutcome(400, $"corrupt snappy data: {e.Message}");
            return false;
        }
    }

    /// <summary>The checks that need no decoding: content negotiation, sizes and the snappy header.</summary>
    private PushOutcome? Check(ReadOnlyMemory<byte> body, string? contentType, string? contentEncoding)
    {
        if (PushContentType.CheckContentType(contentType) is string badType)
        {
            return new PushOutcome(415, badType);
        }

        if (PushContentType.CheckContentEncoding(contentEncoding) is string badEncoding)
        {
            return new PushOutcome(415, badEncoding);
        }

        int max = Options.MaxRecvMsgSize;
        if (body.Length > max)
        {
            return new PushOutcome(413, TooLargeMessage(body.Length, max, decompressed: false));
        }

        var span = body.Span;
        if (SnappyBody.IsFramed(span))
        {
            return new PushOutcome(400, "corrupt snappy data: the body is in the snappy framed (stream) format; remote write requires the snappy block format");
        }

        if (!SnappyBody.TryReadDecodedLength(span, out ulong length))
        {
            return new PushOutcome(400, "corrupt snappy data: missing or invalid decoded-length header");
        }

        if (length > (ulong)max)
        {
            return new PushOutcome(413, TooLargeMessage((long)length, max, decompressed: true));
        }

        return length > SnappyBody.MaxDecodedLength(span.Length)
            ? new PushOutcome(400, $"corrupt snappy data: a decoded length of {length} bytes is impossible for a {span.Length}-byte body")
            : null;
    }

    private static PushOutcome? Parse(ReadOnlySpan<byte> decoded, PushBatch batch, Limits limits, DateTimeOffset now, ParseReport report, DistributorMetrics.TenantMetrics metrics)
    {
        try
        {
            RemoteWriteParser.Parse(decoded, batch, limits, now.ToUnixTimeMilliseconds(), report);
        }
        catch (RemoteWriteFormatException e)
        {
            return new PushOutcome(400, $"error decoding remote-write request: {e.Message}");
        }

        metrics.ReceivedSamples.Add(report.ReceivedSamples);
        metrics.ReceivedMetadata.Add(report.ReceivedMetadata);
        metrics.IgnoredHistograms.Add(report.IgnoredHistograms);
        foreach (var (id, samples) in report.DiscardedSamples)
        {
            metrics.Discard(id, samples);
        }

        return null;
    }

    private static string RateLimitedMessage(Limits limits) =>
        $"the request has been rejected because the tenant exceeded the ingestion rate limit, set to {limits.IngestionRate.ToString(CultureInfo.InvariantCulture)} items/s with a maximum allowed burst of {limits.IngestionBurstSize.ToString(CultureInfo.InvariantCulture)}. This limit is applied on the total number of samples, exemplars and metadata received across all distributors {ErrorId.Tag(ErrorId.TenantMaxIngestionRate)}. To adjust the related per-tenant limits, configure -{LimitFlags.IngestionRate} and -{LimitFlags.IngestionBurstSize}, or contact your service administrator.";
}

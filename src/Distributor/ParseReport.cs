using MetricsCluster.Core;
using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Distributor;

/// <summary>
/// What <see cref="RemoteWriteParser"/> saw in one request: counts, rejections by error id and the
/// first rejection's message. Series errors win over metadata errors for the reply, as in Mimir,
/// which validates all series before any metadata. Reusable through <see cref="Clear"/>; not thread-safe.
/// </summary>
public sealed class ParseReport
{
    /// <summary>Series in the request (valid or not).</summary>
    public int ReceivedSeries { get; internal set; }

    /// <summary>Float samples in the request (valid or not).</summary>
    public int ReceivedSamples { get; internal set; }

    /// <summary>Metadata entries in the request (valid or not).</summary>
    public int ReceivedMetadata { get; internal set; }

    /// <summary>Native histogram samples: not supported yet, so ignored (as Mimir with native histograms disabled).</summary>
    public int IgnoredHistograms { get; internal set; }

    /// <summary>Exemplars: not stored, so ignored (as Mimir with exemplars disabled).</summary>
    public int IgnoredExemplars { get; internal set; }

    /// <summary>Samples rejected by validation, by error id.</summary>
    public Dictionary<string, int> DiscardedSamples { get; } = new(StringComparer.Ordinal);

    /// <summary>Metadata entries rejected by validation, by error id.</summary>
    public Dictionary<string, int> DiscardedMetadata { get; } = new(StringComparer.Ordinal);

    /// <summary>The first rejected series, if any.</summary>
    public PushError? FirstSeriesError { get; private set; }

    /// <summary>The first rejected metadata entry, if any.</summary>
    public PushError? FirstMetadataError { get; private set; }

    /// <summary>The error the reply reports: the first series error, else the first metadata error.</summary>
    public PushError? FirstError => FirstSeriesError ?? FirstMetadataError;

    /// <summary>True while no series error has been recorded, i.e. the next one needs its message.</summary>
    internal bool WantsSeriesMessage => FirstSeriesError is null;

    /// <summary>True while no metadata error has been recorded.</summary>
    internal bool WantsMetadataMessage => FirstMetadataError is null;

    /// <summary>Forgets everything, for reuse.</summary>
    public void Clear()
    {
        ReceivedSeries = ReceivedSamples = ReceivedMetadata = IgnoredHistograms = IgnoredExemplars = 0;
        DiscardedSamples.Clear();
        DiscardedMetadata.Clear();
        FirstSeriesError = null;
        FirstMetadataError = null;
    }

    /// <summary>Records a rejected series; <paramref name="message"/> is needed only when <see cref="WantsSeriesMessage"/>.</summary>
    internal void RejectSeries(string id, int samples, string? message)
    {
        DiscardedSamples[id] = DiscardedSamples.GetValueOrDefault(id) + samples;
        if (FirstSeriesError is null)
        {
            FirstSeriesError = new PushError(id, message ?? ErrorId.Tag(id), false);
        }
    }

    /// <summary>Records a rejected metadata entry.</summary>
    internal void RejectMetadata(string id, string? message)
    {
        DiscardedMetadata[id] = DiscardedMetadata.GetValueOrDefault(id) + 1;
        if (FirstMetadataError is null)
        {
            FirstMetadataError = new PushError(id, message ?? ErrorId.Tag(id), false);
        }
    }
}

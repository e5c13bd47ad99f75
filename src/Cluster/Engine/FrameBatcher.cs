using Google.Protobuf;
using MetricsCluster.Cluster.Payload.Wire;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// Groups streamed series into <c>StreamFrame</c> batches of about <see cref="IngesterGrain.FrameBytes"/> and counts
/// them, so the end frame can say how many came before it (the caller checks none went missing).
/// </summary>
internal sealed class FrameBatcher
{
    private SeriesBatch _batch = new();
    private int _bytes;
    private uint _frames;

    /// <summary>Adds a series; returns a full frame to send, or null.</summary>
    public byte[]? Add(StreamSeries series)
    {
        _batch.Series.Add(series);
        _bytes += series.CalculateSize();
        return _bytes >= IngesterGrain.FrameBytes ? Flush() : null;
    }

    /// <summary>The pending series as a frame, or null when none are pending.</summary>
    public byte[]? Flush()
    {
        if (_batch.Series.Count == 0)
        {
            return null;
        }

        byte[] frame = new StreamFrame { Batch = _batch }.ToByteArray();
        _batch = new SeriesBatch();
        _bytes = 0;
        _frames++;
        return frame;
    }

    /// <summary>The end frame, with the number of frames sent.</summary>
    public byte[] End(EndFrame end)
    {
        end.Frames = _frames;
        return new StreamFrame { End = end }.ToByteArray();
    }
}

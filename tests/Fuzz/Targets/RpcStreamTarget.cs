using Google.Protobuf;
using MetricsCluster.Cluster.Rpc;
using MetricsCluster.Fuzz.Tests.Framework;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// A streamed RPC response (ingester or store-gateway Select) as the querier's client reads it: <see cref="FrameReader"/>
/// frames, then each series converted with <see cref="RpcConvert.FromWire(Cluster.Rpc.Wire.StreamSeries)"/> and its
/// labels walked. Documented rejections: <see cref="InvalidDataException"/>, <see cref="EndOfStreamException"/>
/// (a cut frame), <see cref="InvalidProtocolBufferException"/> and <see cref="FormatException"/>.
/// </summary>
public sealed class RpcStreamTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public static string Name => "rpc-stream";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        using var reader = new FrameReader(new MemoryStream(input.ToArray()));
        try
        {
            // A MemoryStream completes every read synchronously, so blocking on the task cannot deadlock.
            while (reader.ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } frame)
            {
                if (frame.Batch is null)
                {
                    continue;
                }

                foreach (var s in frame.Batch.Series)
                {
                    var series = RpcConvert.FromWire(s);
                    _ = series.Labels.ToString();
                    _ = series.Labels.Count;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or InvalidProtocolBufferException or FormatException)
        {
        }
    }
}

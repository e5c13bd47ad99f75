using MetricsCluster.Cluster.Payload;
using MetricsCluster.Core.Ingest;
using MetricsCluster.Fuzz.Tests.Framework;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>The distributor-to-ingester push decoder (cluster RPC); it may only throw <see cref="FormatException"/>.</summary>
public sealed class PushCodecTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public static string Name => "push-codec";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        using var batch = new PushBatch();
        try
        {
            PushCodec.Decode(input, batch);
        }
        catch (FormatException)
        {
        }
    }
}

using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Distributor;
using MetricsCluster.Fuzz.Tests.Framework;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>The remote-write 1.0 protobuf parser on a decoded body; it may only throw <see cref="RemoteWriteFormatException"/>.</summary>
public sealed class RemoteWriteProtoTarget : IFuzzTarget
{
    // "Now" inside the seeds' timestamps, so samples pass the grace-period checks and reach the batch.
    internal const long NowMs = 1_700_000_000_000;

    /// <inheritdoc/>
    public static string Name => "remote-write-proto";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        using var batch = new PushBatch();
        try
        {
            RemoteWriteParser.Parse(input, batch, new Limits(), NowMs, new ParseReport());
        }
        catch (RemoteWriteFormatException)
        {
        }
    }
}

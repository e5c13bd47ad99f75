using MetricsCluster.Core.Ingest;
using MetricsCluster.Core.Limits;
using MetricsCluster.Distributor;
using MetricsCluster.Fuzz.Tests.Framework;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// A whole push body as the distributor decodes it (<c>Distributor.Check</c>, <c>TryDecode</c>, <c>Parse</c>): the snappy
/// header checks, <see cref="SnappyBody.RentDecoded"/> (documented: <see cref="InvalidDataException"/>) and the parser
/// (documented: <see cref="RemoteWriteFormatException"/>).
/// </summary>
public sealed class RemoteWriteBodyTarget : IFuzzTarget
{
    // Mimir's default -distributor.max-recv-msg-size.
    private const int MaxRecvMsgSize = 100 << 20;

    /// <inheritdoc/>
    public static string Name => "remote-write-body";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        if (SnappyBody.IsFramed(input) || !SnappyBody.TryReadDecodedLength(input, out ulong length)
            || length > MaxRecvMsgSize || length > SnappyBody.MaxDecodedLength(input.Length))
        {
            return;
        }

        byte[] decoded;
        int decodedLength;
        try
        {
            decoded = SnappyBody.RentDecoded(input, out decodedLength);
        }
        catch (InvalidDataException)
        {
            return;
        }

        try
        {
            using var batch = new PushBatch();
            RemoteWriteParser.Parse(decoded.AsSpan(0, decodedLength), batch, new Limits(), RemoteWriteProtoTarget.NowMs, new ParseReport());
        }
        catch (RemoteWriteFormatException)
        {
        }
        finally
        {
            SnappyBody.Return(decoded);
        }
    }
}

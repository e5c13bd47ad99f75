using System.Diagnostics.CodeAnalysis;

namespace MetricsCluster.Distributor;

/// <summary>
/// The push body is not a well-formed <c>WriteRequest</c> (G17: a typed exception at the boundary,
/// naming where the decoder stopped). It is the only exception <see cref="RemoteWriteParser"/> lets
/// escape for bad input; the distributor answers it with 400.
/// </summary>
public sealed class RemoteWriteFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="offset">Byte offset in the snappy-decoded protobuf where the problem was found.</param>
    /// <param name="reason">What was wrong there.</param>
    public RemoteWriteFormatException(int offset, string reason)
        : base($"{reason} at byte offset {offset}")
    {
        Offset = offset;
        Reason = reason;
    }

    /// <summary>Byte offset in the snappy-decoded protobuf.</summary>
    public int Offset { get; }

    /// <summary>What was wrong, without the offset.</summary>
    public string Reason { get; }

    /// <summary>Throws; kept out of line so the callers' hot paths stay small (G17).</summary>
    [DoesNotReturn]
    internal static void Throw(int offset, string reason) => throw new RemoteWriteFormatException(offset, reason);
}

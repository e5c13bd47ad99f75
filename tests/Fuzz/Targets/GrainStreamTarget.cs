using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Payload;
using MetricsCluster.Fuzz.Tests.Framework;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// A streamed Select reply as a querier reads it from an ingester or store-gateway grain: the input is cut into
/// frames (each a one-byte length, then that many bytes), read by <c>GrainStreamReader</c> and converted by
/// <c>PayloadConvert.FromWire</c>. A damaged stream may only surface as <see cref="GrainCallException"/> (every
/// parse failure, error frame and truncation becomes one) or the converters' <see cref="FormatException"/> and
/// <see cref="ArgumentException"/> (bad labels or chunks), never as another exception or a silently short answer.
/// </summary>
public sealed class GrainStreamTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public static string Name => "grain-stream";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        var frames = new List<byte[]>();
        while (!input.IsEmpty)
        {
            int n = Math.Min(input[0], input.Length - 1);
            frames.Add(input.Slice(1, n).ToArray());
            input = input[(1 + n)..];
        }

        try
        {
            Read(frames).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is GrainCallException or FormatException or ArgumentException)
        {
        }
    }

    private static async Task Read(List<byte[]> frames)
    {
        await foreach (var batch in GrainStreamReader.ReadAsync(ToAsync(frames), "fuzz", "ingester/Select", null, CancellationToken.None))
        {
            foreach (var s in batch.Series)
            {
                PayloadConvert.FromWire(s);
            }
        }
    }

    private static async IAsyncEnumerable<byte[]> ToAsync(List<byte[]> frames)
    {
        foreach (var f in frames)
        {
            yield return f;
        }

        await Task.CompletedTask;
    }
}

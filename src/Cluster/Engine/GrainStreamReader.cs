using MetricsCluster.Cluster.Payload.Wire;

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// Reads a streamed grain reply (<c>StreamFrame</c>s): yields each series batch, turns an error frame into its
/// <see cref="GrainCallException"/>, Orleans' failures into retryable ones, and a stream that ends without its end
/// frame (or with a frame count that does not match) into a retryable truncation, never into a short answer.
/// </summary>
internal static class GrainStreamReader
{
    /// <summary>The series batches of <paramref name="frames"/>; <paramref name="onEnd"/> sees the end frame.</summary>
    public static async IAsyncEnumerable<SeriesBatch> ReadAsync(
        IAsyncEnumerable<byte[]> frames,
        string instance,
        string method,
        Action<EndFrame>? onEnd,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        IAsyncEnumerator<byte[]> e = frames.GetAsyncEnumerator(cancellationToken);
        await using (e.ConfigureAwait(false))
        {
            uint seen = 0;
            while (true)
            {
                StreamFrame frame;
                try
                {
                    if (!await e.MoveNextAsync().ConfigureAwait(false))
                    {
                        throw new GrainCallException(CallStatusCode.Unavailable, instance, method, $"stream ended after {seen} frames without its end frame");
                    }

                    frame = StreamFrame.Parser.ParseFrom(e.Current);
                }
                catch (Exception ex)
                {
                    throw GrainErrors.ForCaller(ex, instance, method, cancellationToken);
                }

                switch (frame.FrameCase)
                {
                    case StreamFrame.FrameOneofCase.Batch:
                        seen++;
                        yield return frame.Batch;
                        break;
                    case StreamFrame.FrameOneofCase.Error:
                        var code = (CallStatusCode)(int)frame.Error.Code;
                        throw new GrainCallException(Enum.IsDefined(code) && code != CallStatusCode.Ok ? code : CallStatusCode.Internal, instance, method, frame.Error.Message);
                    case StreamFrame.FrameOneofCase.End:
                        if (frame.End.Frames != seen)
                        {
                            throw new GrainCallException(CallStatusCode.Unavailable, instance, method, $"end frame counts {frame.End.Frames} frames, {seen} arrived");
                        }

                        onEnd?.Invoke(frame.End);
                        yield break;
                    default:
                        throw new GrainCallException(CallStatusCode.Internal, instance, method, "empty stream frame");
                }
            }
        }
    }
}

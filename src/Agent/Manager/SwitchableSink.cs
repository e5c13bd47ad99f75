namespace MetricsCluster.Agent.Manager;

/// <summary>
/// The one sink every scrape loop holds; a reload swaps what is behind it (new remote_write entries) without
/// touching the loops. After <see cref="SwapAsync"/> returns no write is still running against the old
/// destination, which can then be disposed safely.
/// </summary>
public sealed class SwitchableSink : ISampleSink
{
    private Slot _slot;

    /// <summary>Creates the sink.</summary>
    /// <param name="initial">The first destination.</param>
    public SwitchableSink(ISampleSink initial) => _slot = new Slot(initial);

    /// <summary>The current destination.</summary>
    public ISampleSink Current => Volatile.Read(ref _slot).Sink;

    /// <inheritdoc/>
    public async ValueTask WriteAsync(IReadOnlyList<ScrapedSample> batch, CancellationToken cancellationToken)
    {
        var slot = Enter();
        try
        {
            await slot.Sink.WriteAsync(batch, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref slot.Writers);
        }
    }

    /// <summary>Routes new writes to <paramref name="next"/> and waits until writes to the old sink have ended.</summary>
    /// <returns>The previous destination, now idle.</returns>
    public async Task<ISampleSink> SwapAsync(ISampleSink next, CancellationToken cancellationToken)
    {
        var old = Interlocked.Exchange(ref _slot, new Slot(next));

        // A queue append is a short local write; poll rather than pay for a signal on every write.
        while (Volatile.Read(ref old.Writers) > 0)
        {
            await Task.Delay(10, cancellationToken);
        }

        return old.Sink;
    }

    private Slot Enter()
    {
        while (true)
        {
            var slot = Volatile.Read(ref _slot);
            Interlocked.Increment(ref slot.Writers);

            // A swap between the read and the increment: the swapper may already have seen zero writers.
            if (ReferenceEquals(slot, Volatile.Read(ref _slot)))
            {
                return slot;
            }

            Interlocked.Decrement(ref slot.Writers);
        }
    }

    /// <summary>One destination and the writes in flight to it.</summary>
    private sealed class Slot(ISampleSink sink)
    {
        public int Writers;

        public ISampleSink Sink { get; } = sink;
    }
}

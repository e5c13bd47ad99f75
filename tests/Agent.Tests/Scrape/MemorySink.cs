namespace MetricsCluster.Agent.Tests.Scrape;

/// <summary>An <see cref="ISampleSink"/> that keeps a copy of every batch.</summary>
public sealed class MemorySink : ISampleSink
{
    private readonly List<List<ScrapedSample>> _batches = [];

    /// <summary>Copies of the batches so far.</summary>
    public IReadOnlyList<List<ScrapedSample>> Batches
    {
        get
        {
            lock (_batches)
            {
                return [.. _batches];
            }
        }
    }

    public ValueTask WriteAsync(IReadOnlyList<ScrapedSample> batch, CancellationToken cancellationToken)
    {
        lock (_batches)
        {
            _batches.Add([.. batch]);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Polls until at least <paramref name="count"/> batches arrived (generous deadline for a loaded machine).</summary>
    public async Task WaitForBatchesAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Batches.Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {Batches.Count} of {count} batches arrived");
            }

            await Task.Delay(20);
        }
    }
}

using MetricsCluster.Core.Ingest;

namespace MetricsCluster.Cluster.Replication;

/// <summary>
/// Collects the ingesters' answers to one replicated push and merges those that arrived by the time the quorum was
/// reached into one <see cref="PushResult"/> for the caller. Answers of stragglers arriving later are dropped.
/// Thread-safe.
/// </summary>
/// <remarks>
/// Replicas apply the same validation and limits to the same series, so they accept and reject the same samples:
/// summing their answers would count every sample once per replica that answered (up to RF times). Each answer
/// covers the samples that ingester was sent, so the merged counts are the answers' sums scaled by
/// (samples in the request ÷ samples sent to the answering ingesters): exact when every series was answered by the
/// same number of replicas (always for single-series pushes and when the whole set answered), otherwise a close
/// estimate. The first error message in arrival order is kept, as Mimir returns the first ingester error.
/// </remarks>
/// <param name="requestSamples">Samples in the caller's request.</param>
internal sealed class PushResponses(int requestSamples)
{
    private readonly List<(int Sent, PushResult Result)> _answers = [];
    private bool _closed;

    /// <summary>Adds one ingester's answer to the <paramref name="sent"/> samples it received.</summary>
    public void Add(int sent, PushResult result)
    {
        lock (_answers)
        {
            if (!_closed)
            {
                _answers.Add((sent, result));
            }
        }
    }

    /// <summary>Stops collecting and returns the merged result.</summary>
    public PushResult Close()
    {
        List<(int Sent, PushResult Result)> answers;
        lock (_answers)
        {
            _closed = true;
            answers = [.. _answers];
        }

        var merged = new PushResult();
        long sent = answers.Sum(a => (long)a.Sent);
        if (sent == 0)
        {
            return merged;
        }

        var rejected = new Dictionary<string, long>(StringComparer.Ordinal);
        PushError? first = null;
        long accepted = 0;
        foreach (var (_, r) in answers)
        {
            accepted += r.Accepted;
            first ??= r.FirstError;
            foreach (var (reason, n) in r.RejectedByReason)
            {
                rejected[reason] = rejected.GetValueOrDefault(reason) + n;
            }
        }

        int totalRejected = 0;
        if (first is not null && rejected.TryGetValue(first.Id, out long firstCount))
        {
            // Recorded first, so the merged result's FirstError is the first ingester's.
            int n = Scale(firstCount, sent);
            merged.Reject(first.Id, n, () => first.Message, first.IsLimit);
            totalRejected += n;
            rejected.Remove(first.Id);
        }

        foreach (var (reason, count) in rejected.OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            int n = Scale(count, sent);
            merged.Reject(reason, n, static () => string.Empty);
            totalRejected += n;
        }

        merged.Accepted = Math.Min((int)Math.Round((double)accepted * requestSamples / sent), Math.Max(0, requestSamples - totalRejected));
        return merged;
    }

    // At least one when any replica rejected something: a rejection must not round away.
    private int Scale(long count, long sent) => count == 0 ? 0 : Math.Max(1, (int)Math.Round((double)count * requestSamples / sent));
}

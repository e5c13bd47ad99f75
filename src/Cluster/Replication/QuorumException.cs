using MetricsCluster.Cluster.Ring;

namespace MetricsCluster.Cluster.Replication;

/// <summary>
/// A replicated operation did not reach its quorum: too many instances of a replication set failed (Mimir returns
/// the instance error that broke the quorum; here every failure seen so far is kept).
/// </summary>
public sealed class QuorumException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="failures">The instance failures seen when the quorum was lost.</param>
    public QuorumException(string message, IReadOnlyList<InstanceFailure> failures)
        : base(Describe(message, failures), failures.Count > 0 ? failures[0].Error : null)
    {
        Failures = failures;
    }

    /// <summary>Gets the instance failures seen when the quorum was lost, in the order they happened.</summary>
    public IReadOnlyList<InstanceFailure> Failures { get; }

    /// <summary>
    /// Gets a value indicating whether retrying may succeed: true unless every failure is permanent. A failure is
    /// permanent when its exception implements <see cref="IRetryableError"/> (the RPC layer's errors do) saying false;
    /// anything else (timeouts, connection errors) is retryable.
    /// </summary>
    public bool Retryable => Failures.Count == 0 || Failures.Any(f => IsRetryable(f.Error));

    /// <summary>Whether <paramref name="error"/> may succeed when tried again (see <see cref="Retryable"/>).</summary>
    /// <param name="error">The failure.</param>
    /// <returns>False only for errors that say they are permanent.</returns>
    public static bool IsRetryable(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error is not IRetryableError r || r.Retryable;
    }

    private static string Describe(string message, IReadOnlyList<InstanceFailure> failures) =>
        failures.Count == 0 ? message : $"{message}: {string.Join("; ", failures.Select(f => $"{f.Instance.Id} ({f.Instance.Addr}): {f.Error.Message}"))}";
}

/// <summary>One instance's failure in a replicated operation.</summary>
/// <param name="Instance">The instance.</param>
/// <param name="Error">What it threw.</param>
public sealed record InstanceFailure(InstanceDesc Instance, Exception Error);

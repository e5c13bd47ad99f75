using System.Globalization;

namespace MetricsCluster.EndToEnd.Tests.Infra;

/// <summary>
/// A steady remote-write load through the distributor: every 100 ms one request with one sample for each of
/// <c>series</c> series (timestamps t0 + 100 ms × round, value = round). Counts the acknowledged rounds and keeps
/// every failed one with its answer: a cluster that loses an ingester must have none.
/// </summary>
public sealed class LoadWriter : IAsyncDisposable
{
    /// <summary>Milliseconds between rounds (and between their timestamps).</summary>
    public const int StepMs = 100;

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Uri _distributor;
    private readonly string _tenant;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<int> _acked = [];
    private readonly List<string> _failures = [];
    private Task _loop = Task.CompletedTask;

    /// <summary>Creates a writer; nothing is sent until <see cref="Start"/>.</summary>
    public LoadWriter(Uri distributor, string tenant, string metric, int series)
    {
        _distributor = distributor;
        _tenant = tenant;
        Metric = metric;
        Series = series;

        // Whole seconds, so the query times printed in failures read easily.
        T0 = DateTimeOffset.UtcNow.ToUnixTimeSeconds() * 1000;
    }

    /// <summary>The metric name.</summary>
    public string Metric { get; }

    /// <summary>Series per round (label <c>s</c> = 0..series-1).</summary>
    public int Series { get; }

    /// <summary>Timestamp of round 0.</summary>
    public long T0 { get; }

    /// <summary>Acknowledged rounds so far, in order.</summary>
    public IReadOnlyList<int> Acked
    {
        get
        {
            lock (_acked)
            {
                return [.. _acked];
            }
        }
    }

    /// <summary>Failed rounds with the distributor's answer.</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_acked)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>Timestamp of a round.</summary>
    public long TimestampOf(int round) => T0 + ((long)round * StepMs);

    /// <summary>Starts writing in the background.</summary>
    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    /// <summary>Waits until <paramref name="rounds"/> more rounds are acknowledged (or, unless told to go on, any fails).</summary>
    public Task WaitForMoreAsync(int rounds, TimeSpan timeout, bool stopAtFailure = true)
    {
        int target = Acked.Count + rounds;
        return Poll.UntilAsync(
            () => Task.FromResult((stopAtFailure && Failures.Count > 0) || Acked.Count >= target ? null : $"{Acked.Count} of {target} rounds acknowledged"),
            timeout,
            $"{rounds} more acknowledged writes");
    }

    /// <summary>Stops after the round in flight.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        _http.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(StepMs));
        for (int round = 0; !cancellationToken.IsCancellationRequested; round++)
        {
            var series = Enumerable.Range(0, Series)
                .Select(s => RemoteWrite.Series([(TimestampOf(round), round)], "__name__", Metric, "s", s.ToString(CultureInfo.InvariantCulture)))
                .ToArray();
            string? failure;
            try
            {
                var (status, body) = await RemoteWrite.PostAsync(_http, _distributor, RemoteWrite.Body(series), _tenant);
                failure = status == 200 ? null : $"round {round} at {DateTime.UtcNow:HH:mm:ss.fff}: HTTP {status}: {body.Trim()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                failure = $"round {round} at {DateTime.UtcNow:HH:mm:ss.fff}: {e.GetType().Name}: {e.Message}";
            }

            lock (_acked)
            {
                if (failure is null)
                {
                    _acked.Add(round);
                }
                else
                {
                    _failures.Add(failure);
                }
            }

            try
            {
                // A steady pace: a slow round (an ingester timing out) is followed at once by the next.
                await timer.WaitForNextTickAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

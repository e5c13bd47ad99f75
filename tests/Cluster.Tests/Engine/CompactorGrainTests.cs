using MetricsCluster.Cluster.Engine;
using MetricsCluster.Cluster.Tests.Engine.Postgres;
using Xunit;

namespace MetricsCluster.Cluster.Tests.Engine;

/// <summary>
/// The compactor grain (issue 14 item 6): with several compactors asking every interval, a tenant's compaction runs on
/// one of them at a time, at most once per interval, and only on silos that host compactors.
/// </summary>
[Collection(EngineSiloCollection.Name)]
public sealed class CompactorGrainTests(PostgresEngineFixture pg)
{
    [Fact]
    public async Task A_tenants_compaction_runs_once_on_one_compactor_however_many_ask_at_once()
    {
        string db = await pg.Server.CreateDatabaseAsync();
        var runs = new RunRecorder();
        await using var a = await EngineSilo.StartAsync(db, "compactor-a", compactor: runs.For("compactor-a"));
        await using var b = await EngineSilo.StartAsync(db, "compactor-b", compactor: runs.For("compactor-b"));
        await EngineSilo.WaitUntilAsync(() => a.SeesActive(b) && b.SeesActive(a), "both compactors to see each other");

        // Ten asks from each compactor at once, as their tickers would over many intervals.
        var asks = Enumerable.Range(0, 10).SelectMany(_ => new[] { a, b }).Select(s => s.Grains.GetGrain<ICompactorGrain>("tenant-x").RunAsync(TimeSpan.Zero));
        var answers = await Task.WhenAll(asks);

        var started = Assert.Single(answers, r => r.Started);
        Assert.All(answers, r => Assert.Equal(started.Owner, r.Owner));
        await EngineSilo.WaitUntilAsync(() => runs.Started == 1, "the run to start");
        Assert.Equal([(started.Owner, "tenant-x")], runs.Log);

        // While it runs, nobody starts another; once it ended, the next ask does.
        Assert.False((await b.Grains.GetGrain<ICompactorGrain>("tenant-x").RunAsync(TimeSpan.Zero)).Started);
        runs.Release();
        await EngineSilo.WaitUntilAsync(() => runs.Finished == 1, "the run to finish");
        Assert.True((await a.Grains.GetGrain<ICompactorGrain>("tenant-x").RunAsync(TimeSpan.Zero)).Started);
        await EngineSilo.WaitUntilAsync(() => runs.Finished == 2, "the second run to finish");

        // Within the interval of the last start, another compactor's ask does not run it again.
        Assert.False((await b.Grains.GetGrain<ICompactorGrain>("tenant-x").RunAsync(TimeSpan.FromHours(1))).Started);
        Assert.Equal(1, runs.MaxConcurrent);
        Assert.Equal(2, runs.Started);
    }

    [Fact]
    public async Task Tenants_spread_over_the_compactors_and_never_run_on_a_silo_without_one()
    {
        string db = await pg.Server.CreateDatabaseAsync();
        var runs = new RunRecorder(blocking: false);
        await using var a = await EngineSilo.StartAsync(db, "compactor-a", compactor: runs.For("compactor-a"));
        await using var b = await EngineSilo.StartAsync(db, "compactor-b", compactor: runs.For("compactor-b"));
        await using var ingester = await EngineSilo.StartAsync(db, "ingester-0");
        await EngineSilo.WaitUntilAsync(() => ingester.SeesActive(a) && ingester.SeesActive(b), "the ingester silo to see both compactors");

        // A silo without the grain class resolves the interface from the cluster manifest, which it receives from the
        // compactors shortly after they joined.
        await EngineSilo.WaitUntilAsync(() => Resolves(ingester), "the ingester silo to learn the compactor grain type");

        var tenants = Enumerable.Range(0, 24).Select(i => $"tenant-{i}").ToList();
        var answers = await Task.WhenAll(tenants.Select(t => ingester.Grains.GetGrain<ICompactorGrain>(t).RunAsync(TimeSpan.Zero)));
        Assert.All(answers, r => Assert.True(r.Started));
        await EngineSilo.WaitUntilAsync(() => runs.Finished == tenants.Count, "every tenant's run to finish");

        // Each run happened on the silo its grain reported, never on the ingester; with 24 tenants hashed over two
        // silos, both get some (all on one: probability 2^-23).
        var owners = answers.Select(r => r.Owner).ToHashSet();
        Assert.Equal(["compactor-a", "compactor-b"], owners.Order());
        Assert.Equal(tenants.Zip(answers, (t, r) => (r.Owner, t)).Order(), runs.Log.Order());
    }

    private static bool Resolves(EngineSilo silo)
    {
        try
        {
            silo.Grains.GetGrain<ICompactorGrain>("probe");
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Records which silo ran which tenant; a blocking recorder holds every run until <see cref="Release"/>.</summary>
    private sealed class RunRecorder(bool blocking = true)
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly object _lock = new();
        private int _running;

        public List<(string Silo, string Tenant)> Log { get; } = [];

        public int Started { get; private set; }

        public int Finished { get; private set; }

        public int MaxConcurrent { get; private set; }

        public void Release() => _gate.TrySetResult();

        public LocalCompactor For(string silo) => new(async (tenant, ct) =>
        {
            lock (_lock)
            {
                Log.Add((silo, tenant));
                Started++;
                MaxConcurrent = Math.Max(MaxConcurrent, ++_running);
            }

            try
            {
                if (blocking && Started == 1)
                {
                    await _gate.Task.WaitAsync(ct);
                }
            }
            finally
            {
                lock (_lock)
                {
                    _running--;
                    Finished++;
                }
            }

            return 0;
        });
    }
}

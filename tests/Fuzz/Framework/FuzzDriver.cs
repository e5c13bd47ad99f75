using System.Diagnostics;

namespace MetricsCluster.Fuzz.Tests.Framework;

/// <summary>The outcome of one time-boxed run.</summary>
/// <param name="Executions">How many inputs ran.</param>
/// <param name="Failure">The first failing input, or null.</param>
/// <param name="FailedAt">The index of the failing input.</param>
public sealed record FuzzRunResult(long Executions, FuzzFailure? Failure, long FailedAt);

/// <summary>
/// Runs a target on its seeds, then on mutants of them, until the time box ends or an input fails. Inputs run on a
/// worker thread while the calling thread watches the clock: an input that exceeds the hang bound is reported, and
/// its thread (a background thread, which .NET cannot abort) is abandoned.
/// </summary>
public static class FuzzDriver
{
    /// <summary>Fuzzes <paramref name="target"/> for <paramref name="budget"/>.</summary>
    public static FuzzRunResult Run(FuzzTarget target, IReadOnlyList<byte[]> seeds, int seed, TimeSpan budget, TimeSpan inputTimeout)
    {
        // An empty input is always a seed: every decoder must cope with it.
        var pool = seeds.Count > 0 ? seeds : [[]];
        var state = new WorkerState();
        var worker = new Thread(() => Work(target, pool, seed, budget, state)) { IsBackground = true, Name = "fuzz " + target.Name };
        worker.Start();
        while (!worker.Join(50))
        {
            long started = Volatile.Read(ref state.InputStarted);
            if (started != 0 && Stopwatch.GetElapsedTime(started) > inputTimeout)
            {
                state.Stop = true;
                byte[] input = Volatile.Read(ref state.Current)!;
                string path = CorpusStore.SaveCrash(target.Name, input);
                return new FuzzRunResult(state.Executions, new FuzzFailure(target.Name, input, null, path), state.Executions);
            }
        }

        if (state.Failed is { } failed)
        {
            string path = CorpusStore.SaveCrash(target.Name, failed.Input);
            return new FuzzRunResult(state.Executions, new FuzzFailure(target.Name, failed.Input, failed.Error, path), state.Executions);
        }

        return new FuzzRunResult(state.Executions, null, -1);
    }

    /// <summary>Runs every input once, in order, with no watchdog (replay of committed files).</summary>
    public static (string Path, Exception Error)? Replay(FuzzTarget target, IEnumerable<(string Path, byte[] Data)> inputs)
    {
        foreach (var (path, data) in inputs)
        {
            try
            {
                target.Fuzz(data);
            }
            catch (Exception e)
            {
                return (path, e);
            }
        }

        return null;
    }

    private static void Work(FuzzTarget target, IReadOnlyList<byte[]> pool, int seed, TimeSpan budget, WorkerState state)
    {
        var rng = new Random(seed);
        long start = Stopwatch.GetTimestamp();
        byte[] previous = pool[0];
        for (long i = 0; !state.Stop && (i < pool.Count || Stopwatch.GetElapsedTime(start) < budget); i++)
        {
            // Seeds first, then mutants; a quarter of mutants build on the previous one to reach deeper edits.
            byte[] input = i < pool.Count ? pool[(int)i]
                : Mutator.Mutate(rng, rng.Next(4) == 0 ? previous : pool[rng.Next(pool.Count)], pool);
            previous = input;
            Volatile.Write(ref state.Current, input);
            Volatile.Write(ref state.InputStarted, Stopwatch.GetTimestamp());
            try
            {
                target.Fuzz(input);
            }
            catch (Exception e)
            {
                state.Failed = (input, e);
                return;
            }
            finally
            {
                Volatile.Write(ref state.InputStarted, 0);
            }

            state.Executions = i + 1;
        }
    }

    private sealed class WorkerState
    {
        public byte[]? Current;
        public long InputStarted;
        public long Executions;
        public volatile bool Stop;
        public (byte[] Input, Exception Error)? Failed;
    }
}

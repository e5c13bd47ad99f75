using BenchmarkDotNet.Running;

namespace MetricsCluster.Tsdb.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/Tsdb.Benchmarks -- --filter '*'</c>;
/// add <c>--job dry</c> for a quick smoke run (G19). <c>-- head-memory [series]</c> runs
/// <see cref="HeadMemoryMeasurement"/> instead.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "head-memory")
        {
            HeadMemoryMeasurement.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}

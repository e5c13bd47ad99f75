using BenchmarkDotNet.Running;

namespace MetricsCluster.Tsdb.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/Tsdb.Benchmarks -- --filter '*'</c>;
/// add <c>--job dry</c> for a quick smoke run (G19).
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

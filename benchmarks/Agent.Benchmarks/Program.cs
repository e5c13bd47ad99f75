using BenchmarkDotNet.Running;

namespace MetricsCluster.Agent.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/Agent.Benchmarks -- --filter '*'</c>;
/// add <c>--job short</c> for a quicker run (G19).
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}

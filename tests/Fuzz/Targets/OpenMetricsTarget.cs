using MetricsCluster.Agent.Parsing;
using MetricsCluster.Fuzz.Tests.Framework;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>The OpenMetrics 1.0 text parser; it may only throw <see cref="ExpositionParseException"/> / <see cref="FormatException"/>.</summary>
public sealed class OpenMetricsTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public static string Name => "openmetrics";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        try
        {
            var parser = new OpenMetricsParser(input);
            ExpositionWalk.Walk(ref parser, openMetrics: true);
        }
        catch (FormatException)
        {
        }
    }
}

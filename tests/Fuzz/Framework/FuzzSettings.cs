using System.Globalization;

namespace MetricsCluster.Fuzz.Tests.Framework;

/// <summary>
/// Knobs read from the environment, so CI runs a short deterministic pass and a developer can run for hours:
/// <c>FUZZ_SECONDS</c> (time box per target), <c>FUZZ_SEED</c> (a number, or <c>random</c>) and
/// <c>FUZZ_INPUT_TIMEOUT_MS</c> (the hang bound for one input).
/// </summary>
public static class FuzzSettings
{
    // Seventeen targets at 3 s each, plus the replays, keep the suite near a minute, which a loaded 2-core CI box can afford.
    private const double DefaultSeconds = 3;

    // Every decoder handles a 64 KiB input in milliseconds; the bound is generous because CI boxes are shared
    // and a GC pause must not read as a hang.
    private const int DefaultInputTimeoutMs = 10_000;

    /// <summary>How long each target is fuzzed.</summary>
    public static TimeSpan Budget => TimeSpan.FromSeconds(ReadDouble("FUZZ_SECONDS", DefaultSeconds));

    /// <summary>How long one input may run before it counts as a hang.</summary>
    public static TimeSpan InputTimeout => TimeSpan.FromMilliseconds(ReadDouble("FUZZ_INPUT_TIMEOUT_MS", DefaultInputTimeoutMs));

    /// <summary>
    /// The seed of the mutation RNG: fixed by default so CI is reproducible; <c>FUZZ_SEED=random</c> explores
    /// new inputs each run (the seed is printed either way).
    /// </summary>
    public static int Seed
    {
        get
        {
            string? s = Environment.GetEnvironmentVariable("FUZZ_SEED");
            if (string.Equals(s, "random", StringComparison.OrdinalIgnoreCase))
            {
                return Random.Shared.Next();
            }

            return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed) ? seed : 1;
        }
    }

    private static double ReadDouble(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0
            ? v
            : fallback;
}

using System.Text;

namespace MetricsCluster.Fuzz.Tests.Framework;

/// <summary>An input that made a target throw an undocumented exception or hang.</summary>
/// <param name="Target">The target's name.</param>
/// <param name="Input">The input.</param>
/// <param name="Error">The exception, or null for a hang.</param>
/// <param name="SavedAt">Where the input was written.</param>
public sealed record FuzzFailure(string Target, byte[] Input, Exception? Error, string SavedAt)
{
    // Inputs are at most 64 KiB; the message shows them whole up to this size so a CI log alone reproduces them.
    private const int MaxBase64Input = 16 * 1024;

    /// <summary>A message that reproduces the failure from a CI log alone.</summary>
    public string Describe(int seed, long iteration, TimeSpan? hangBound)
    {
        var sb = new StringBuilder();
        sb.Append("fuzz target ").Append(Target).Append(' ')
            .Append(Error is null ? $"hung for over {hangBound?.TotalSeconds}s" : "threw " + Error.GetType().Name)
            .Append(" on input ").Append(iteration).Append(" (FUZZ_SEED=").Append(seed).AppendLine(")");
        sb.Append("input (").Append(Input.Length).Append(" bytes) saved to ").AppendLine(SavedAt);
        sb.AppendLine("once fixed, move it to tests/Fuzz/corpus/" + Target + "/ so it is replayed as a regression (G19)");
        sb.Append("hex: ").AppendLine(Convert.ToHexString(Input.AsSpan(0, Math.Min(Input.Length, 256))) + (Input.Length > 256 ? "..." : string.Empty));
        if (Input.Length <= MaxBase64Input)
        {
            sb.Append("base64: ").AppendLine(Convert.ToBase64String(Input));
        }

        if (Error is not null)
        {
            sb.AppendLine(Error.ToString());
        }

        return sb.ToString();
    }
}

using System.Text;
using MetricsCluster.Agent.Discovery;
using MetricsCluster.Fuzz.Tests.Framework;

namespace MetricsCluster.Fuzz.Tests.Targets;

/// <summary>
/// The agent's file service discovery reader (target files are written by other tools): an input starting with
/// '[' is read as a .json file and anything else as a .yml file; it may only throw <see cref="FormatException"/>.
/// </summary>
public sealed class FileSdTarget : IFuzzTarget
{
    /// <inheritdoc/>
    public static string Name => "file-sd";

    /// <inheritdoc/>
    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        // Seeds start with '[' (JSON) or '-' (YAML), so both readers see near-valid text; mutants cross over.
        string path = input.Length > 0 && input[0] == (byte)'[' ? "targets.json" : "targets.yml";
        try
        {
            FileSdReader.Parse(path, Encoding.UTF8.GetString(input));
        }
        catch (FormatException)
        {
        }
    }
}

namespace MetricsCluster.Fuzz.Tests.Framework;

/// <summary>One fuzzing call: feeds <paramref name="input"/> to a decoder.</summary>
public delegate void FuzzAction(ReadOnlySpan<byte> input);

/// <summary>
/// A fuzz target (G19), in the SharpFuzz/Garnet shape: <see cref="Fuzz"/> returns normally when the decoder accepts
/// the input or rejects it with the exception type(s) it documents, and lets anything else escape. An escaping
/// exception (or a hang) is a bug in the decoder, which the driver reports with the input.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>The target's name: its corpus is <c>tests/Fuzz/corpus/&lt;Name&gt;/</c>.</summary>
    static abstract string Name { get; }

    /// <summary>Decodes <paramref name="input"/>, swallowing only the documented rejection exceptions.</summary>
    static abstract void Fuzz(ReadOnlySpan<byte> input);
}

/// <summary>A target as a value, so xUnit theories can enumerate targets by name.</summary>
/// <param name="Name">The target's name.</param>
/// <param name="Fuzz">Its entry point.</param>
public sealed record FuzzTarget(string Name, FuzzAction Fuzz)
{
    /// <summary>Wraps the static members of <typeparamref name="T"/>.</summary>
    public static FuzzTarget Of<T>()
        where T : IFuzzTarget => new(T.Name, T.Fuzz);

    /// <inheritdoc/>
    public override string ToString() => Name;
}

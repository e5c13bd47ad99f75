using MetricsCluster.Cluster.Engine;

namespace MetricsCluster.Cluster.Tests.Engine.Azure;

/// <summary>A grain whose only job is to persist <see cref="ProbeState"/> in the engine's grain storage.</summary>
public interface IProbeGrain : IGrainWithStringKey
{
    /// <summary>Reads the state as activated (loaded from storage on activation).</summary>
    Task<ProbeState> ReadAsync();

    /// <summary>Replaces the state and writes it (compare-and-swap on the stored etag).</summary>
    Task WriteAsync(ProbeState state);
}

/// <summary>The persisted state: a short text and an optional large payload.</summary>
[GenerateSerializer]
public sealed class ProbeState
{
    /// <summary>Gets or sets a short marker.</summary>
    [Id(0)]
    public string Text { get; set; } = "";

    /// <summary>Gets or sets a payload (above 1 MB to prove blob, not table, storage).</summary>
    [Id(1)]
    public byte[] Payload { get; set; } = [];
}

/// <summary>Keeps <see cref="ProbeState"/> under state name <c>x</c> in <see cref="EngineStorage.Name"/>.</summary>
[GrainType(TypeName)]
public sealed class ProbeGrain([PersistentState(ProbeGrain.StateName, EngineStorage.Name)] IPersistentState<ProbeState> state) : Grain, IProbeGrain
{
    /// <summary>The state name.</summary>
    public const string StateName = "x";

    /// <summary>The grain type name, for building its <see cref="GrainId"/> outside a grain.</summary>
    public const string TypeName = "probe";

    public Task<ProbeState> ReadAsync() => Task.FromResult(state.State);

    public async Task WriteAsync(ProbeState value)
    {
        state.State = value;
        await state.WriteStateAsync();
    }
}

namespace MetricsCluster.Cluster.Engine;

/// <summary>
/// Holds one ring descriptor. Not reentrant: a compare-and-swap and its persist run alone, so two writers can never
/// both see the same version and both win. The descriptor is persisted before the new version is visible to anyone;
/// a failed persist leaves the old one in place and the caller sees the storage error (the ring store is
/// unavailable, and the caller retries).
/// </summary>
internal sealed class RingGrain([PersistentState("ring", EngineStorage.Name)] IPersistentState<RingGrainState> state) : Grain, IRingGrain
{
    /// <inheritdoc />
    public Task<RingVersion> Get(long knownVersion) => Task.FromResult(Current(knownVersion == state.State.Version));

    /// <inheritdoc />
    public async Task<RingCasResult> CompareAndSwap(long expectedVersion, byte[] desc)
    {
        ArgumentNullException.ThrowIfNull(desc);
        if (expectedVersion != state.State.Version)
        {
            return new RingCasResult { Written = false, Current = Current(omitDesc: false) };
        }

        var previous = state.State;
        state.State = new RingGrainState { Desc = desc, Version = previous.Version + 1 };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }

        return new RingCasResult { Written = true, Current = Current(omitDesc: false) };
    }

    private RingVersion Current(bool omitDesc) => new() { Desc = omitDesc ? [] : state.State.Desc, Version = state.State.Version };
}

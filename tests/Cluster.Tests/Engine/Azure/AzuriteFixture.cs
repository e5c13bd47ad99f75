using MetricsCluster.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace MetricsCluster.Cluster.Tests.Engine.Azure;

/// <summary>One Azurite for every test of the <c>azurite</c> collection; tests isolate by cluster id and grain key.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private AzuriteServer? _server;

    /// <summary>Gets the running emulator.</summary>
    public AzuriteServer Server => _server ?? throw new InvalidOperationException("Azurite has not started");

    /// <summary>Starts the emulator without --skipApiVersionCheck, so the engine's pinned service versions are what is tested.</summary>
    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync();

    /// <summary>Kills the emulator.</summary>
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Prints the start-up figure once per test that wants it.</summary>
    public void Report(ITestOutputHelper output) =>
        output.WriteLine($"azurite started in {Server.StartupTime.TotalMilliseconds:F0} ms (process start to blob, queue and table ports accepting)");
}

/// <summary>The tests that share one Azurite; they run one after another (a silo is heavy on a 2-core machine).</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "azurite";
}

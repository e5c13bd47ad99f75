using Xunit;

namespace MetricsCluster.EndToEnd.Tests;

/// <summary>
/// The long-term-storage end-to-end tests run one after another (each starts moto, Prometheus or several
/// metrics-cluster processes on the shared 2-core machine); every port comes from <see cref="Infra.Repo.FreePort"/>.
/// Select them with <c>--filter Category=LongTermStorage</c>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LongTermStorage
{
    /// <summary>The collection name.</summary>
    public const string Name = "LongTermStorage";

    /// <summary>The trait value of <c>Category</c>.</summary>
    public const string Category = "LongTermStorage";
}

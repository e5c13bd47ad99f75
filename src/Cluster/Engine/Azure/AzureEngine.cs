using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Orleans.Configuration;
using Orleans.Hosting;

namespace MetricsCluster.Cluster.Engine.Azure;

/// <summary>
/// The <c>--ring.store=azure</c> providers of the Orleans engine: silo membership in an Azure Storage table
/// (Orleans' Azure Table clustering) and grain state, ring descriptors included, in Azure Blob storage under
/// <see cref="EngineStorage.Name"/>. Ring descriptors go in blob rather than table because a table entity is capped
/// near 1 MB (983 KB of properties) and a descriptor of a large ring with 128 tokens per instance outgrows that.
/// </summary>
/// <remarks>
/// The clients pin their REST service versions (<see cref="BlobServiceVersion"/>, <see cref="TableServiceVersion"/>)
/// instead of taking each SDK's newest: the emulator used by tests (Azurite 3.37) rejects the newest Blob version,
/// and a package bump must not silently change the protocol a running cluster speaks. Cluster and service ids
/// (<see cref="EngineStorage.ClusterId"/>) are the host's to set; they are the membership table's partition key.
/// </remarks>
public static class AzureEngine
{
    /// <summary>The membership table (one row per silo incarnation, partitioned by cluster id).</summary>
    public const string MembershipTableName = "MetricsClusterSilos";

    /// <summary>The blob container of the <see cref="EngineStorage.Name"/> grain state (one blob per grain).</summary>
    public const string StateContainerName = "metricscluster-ring-state";

    /// <summary>The Blob REST version every blob client of the engine speaks (measured to work against Azurite 3.37).</summary>
    public const BlobClientOptions.ServiceVersion BlobServiceVersion = BlobClientOptions.ServiceVersion.V2026_06_06;

    /// <summary>The Table REST version every table client of the engine speaks (measured to work against Azurite 3.37).</summary>
    public const TableClientOptions.ServiceVersion TableServiceVersion = TableClientOptions.ServiceVersion.V2020_12_06;

    /// <summary>
    /// Uses Azure Table clustering (table <see cref="MembershipTableName"/>) and adds Azure Blob grain storage named
    /// <see cref="EngineStorage.Name"/> (container <see cref="StateContainerName"/>), both on
    /// <paramref name="connectionString"/> with pinned service versions.
    /// </summary>
    /// <param name="silo">The silo being built.</param>
    /// <param name="connectionString">
    /// An Azure Storage connection string with blob and table endpoints (<c>--ring.azure.connection-string</c>), e.g.
    /// <c>DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net</c>, or for
    /// Azurite <c>DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=...;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1</c>.
    /// </param>
    /// <returns><paramref name="silo"/>, for chaining.</returns>
    /// <exception cref="ArgumentException">The connection string is empty or lacks a blob or table endpoint.</exception>
    public static ISiloBuilder UseAzureEngine(this ISiloBuilder silo, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(silo);

        // Both clients are built now, not lazily in the providers, so a malformed string fails at start-up with the
        // flag's name (G5) instead of inside Orleans' lifecycle.
        TableServiceClient tables = CreateTableServiceClient(connectionString);
        BlobServiceClient blobs = CreateBlobServiceClient(connectionString);
        silo.UseAzureStorageClustering(options =>
        {
            options.TableServiceClient = tables;
            options.TableName = MembershipTableName;
        });
        silo.AddAzureBlobGrainStorage(EngineStorage.Name, (AzureBlobStorageOptions options) =>
        {
            options.BlobServiceClient = blobs;
            options.ContainerName = StateContainerName;
        });
        return silo;
    }

    /// <summary>Creates a blob client on <paramref name="connectionString"/> that speaks <see cref="BlobServiceVersion"/>.</summary>
    /// <param name="connectionString">An Azure Storage connection string with a blob endpoint.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ArgumentException">The connection string is empty or malformed.</exception>
    public static BlobServiceClient CreateBlobServiceClient(string connectionString)
    {
        ValidateConnectionString(connectionString);
        try
        {
            return new BlobServiceClient(connectionString, new BlobClientOptions(BlobServiceVersion));
        }
        catch (FormatException e)
        {
            throw InvalidConnectionString("has no usable blob endpoint", e);
        }
    }

    /// <summary>Creates a table client on <paramref name="connectionString"/> that speaks <see cref="TableServiceVersion"/>.</summary>
    /// <param name="connectionString">An Azure Storage connection string with a table endpoint.</param>
    /// <returns>The client.</returns>
    /// <exception cref="ArgumentException">The connection string is empty or malformed.</exception>
    public static TableServiceClient CreateTableServiceClient(string connectionString)
    {
        ValidateConnectionString(connectionString);
        try
        {
            return new TableServiceClient(connectionString, new TableClientOptions(TableServiceVersion));
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw InvalidConnectionString("has no usable table endpoint", e);
        }
    }

    private static void ValidateConnectionString(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw InvalidConnectionString("is empty", inner: null);
        }
    }

    private static ArgumentException InvalidConnectionString(string what, Exception? inner) =>
        new($"the Azure Storage connection string {what}: configure --ring.azure.connection-string (needed by --ring.store=azure)",
            "connectionString", inner);
}

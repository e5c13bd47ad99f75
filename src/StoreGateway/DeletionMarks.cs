using System.Text.Json;
using MetricsCluster.ObjectStore;
using MetricsCluster.Tsdb.Block;

namespace MetricsCluster.StoreGateway;

/// <summary>
/// Reads a tenant's block deletion marks from the global markers, <c>&lt;tenant&gt;/markers/&lt;ULID&gt;-deletion-mark.json</c>
/// (Mimir <c>BlockDeletionMarkFilepath</c>; JSON <c>{"id","deletion_time","version"}</c>), used when the tenant
/// has no bucket index. An unreadable mark is skipped, so the block stays served until a later sync reads it.
/// </summary>
internal static class DeletionMarks
{
    private const string Suffix = "-deletion-mark.json";

    /// <summary>Block → deletion time in Unix seconds.</summary>
    public static async Task<Dictionary<Ulid, long>> ListAsync(IBucket bucket, string tenant, CancellationToken cancellationToken)
    {
        var marks = new Dictionary<Ulid, long>();
        await foreach (string key in bucket.ListAsync($"{tenant}/markers/", recursive: false, cancellationToken).ConfigureAwait(false))
        {
            string name = key[(key.LastIndexOf('/') + 1)..];
            if (!name.EndsWith(Suffix, StringComparison.Ordinal) || !Ulid.TryParse(name.AsSpan(0, name.Length - Suffix.Length), out var id))
            {
                continue;
            }

            try
            {
                var stream = await bucket.GetAsync(key, cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
                    marks[id] = doc.RootElement.GetProperty("deletion_time").GetInt64();
                }
            }
            catch (Exception e) when (e is ObjectNotFoundException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                // Deleted since the listing, or not (yet) readable: the block stays until a sync can read its mark.
            }
        }

        return marks;
    }
}

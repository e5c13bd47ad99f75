namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// How much of the token space each instance owns (Mimir's Desc.CountTokens): an instance owns the range from the
/// previous token up to each of its tokens. Zones are counted separately, as each zone holds one full copy.
/// </summary>
public static class TokenOwnership
{
    private const double TokenSpace = 4294967296.0;

    /// <summary>The fraction (0..1) of its zone's token space each instance owns; 0 for instances without tokens.</summary>
    public static IReadOnlyDictionary<string, double> Compute(IReadOnlyDictionary<string, InstanceDesc> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var owned = new Dictionary<string, double>(instances.Count, StringComparer.Ordinal);
        foreach (var zone in instances.GroupBy(kv => kv.Value.Zone, StringComparer.Ordinal))
        {
            var table = zone.SelectMany(kv => kv.Value.Tokens.Select(t => (Token: t, Id: kv.Key))).OrderBy(t => t.Token).ToList();
            for (int i = 0; i < table.Count; i++)
            {
                uint previous = table[i == 0 ? table.Count - 1 : i - 1].Token;

                // Distance modulo 2^32 wraps around the top; a zone's only token owns the whole space.
                ulong distance = table.Count == 1 ? 1UL << 32 : unchecked(table[i].Token - previous);
                owned[table[i].Id] = owned.GetValueOrDefault(table[i].Id) + distance;
            }
        }

        foreach (string id in instances.Keys)
        {
            owned[id] = owned.GetValueOrDefault(id) / TokenSpace;
        }

        return owned;
    }
}

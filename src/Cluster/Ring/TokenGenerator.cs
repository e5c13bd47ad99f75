using System.Buffers.Binary;

namespace MetricsCluster.Cluster.Ring;

/// <summary>
/// Picks an instance's ring tokens (Mimir's RandomTokenGenerator): uniformly random 32-bit values, so each of
/// N instances with T tokens owns about 1/N of the space with a spread that shrinks as T grows (128 by default).
/// </summary>
public static class TokenGenerator
{
    /// <summary>
    /// Returns <paramref name="count"/> tokens, sorted ascending, unique, and none of them in <paramref name="taken"/>
    /// (the tokens other instances already own: two instances on one token would make ownership ambiguous).
    /// </summary>
    public static uint[] Generate(int count, IReadOnlySet<uint> taken, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(taken);
        ArgumentNullException.ThrowIfNull(random);
        if ((long)count + taken.Count > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "not enough free tokens left in the 32-bit space");
        }

        var picked = new HashSet<uint>(count);
        Span<byte> bytes = stackalloc byte[sizeof(uint)];
        while (picked.Count < count)
        {
            random.NextBytes(bytes);
            uint candidate = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
            if (!taken.Contains(candidate))
            {
                picked.Add(candidate);
            }
        }

        uint[] tokens = [.. picked];
        Array.Sort(tokens);
        return tokens;
    }
}

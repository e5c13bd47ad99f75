using System.Globalization;

namespace MetricsCluster.Core.Storage;

/// <summary>
/// Mimir's query-sharding selector: the matcher <c>__query_shard__="&lt;index+1&gt;_of_&lt;count&gt;"</c> keeps
/// the series whose stable labels hash (<see cref="Labels.Hash"/>, xxHash64 of the canonical encoding) modulo
/// <see cref="Count"/> is <see cref="Index"/>. The hash does not depend on where a series is stored (head, local
/// block, bucket block), so the <see cref="Count"/> shards partition any set of series, across every store.
/// This is the one definition every storage layer applies (G7); each applies it where it resolves postings into
/// series, before chunks are read, so a shard reads and transfers only its own series.
/// </summary>
/// <param name="Index">Zero-based shard index, below <paramref name="Count"/>.</param>
/// <param name="Count">Number of shards, at least 1.</param>
public readonly record struct QueryShard(int Index, int Count)
{
    /// <summary>The reserved label name of the shard matcher.</summary>
    public const string LabelName = "__query_shard__";

    /// <summary>The matcher's value, Mimir's form: <c>1_of_16</c> for <see cref="Index"/> 0 of 16.</summary>
    public string Value => string.Create(CultureInfo.InvariantCulture, $"{Index + 1}_of_{Count}");

    /// <summary>Whether a series with this labels hash belongs to the shard.</summary>
    public bool Contains(ulong labelsHash) => labelsHash % (ulong)Count == (ulong)Index;

    /// <summary>Whether <paramref name="labels"/> belongs to the shard.</summary>
    public bool Contains(Labels labels) => Contains(labels.Hash);

    /// <summary>The equality matcher selecting this shard.</summary>
    public Matcher ToMatcher() => new(MatcherType.Equal, LabelName, Value);

    /// <summary>
    /// Parses a shard matcher. Only <c>=</c> is allowed (Mimir: a shard is chosen, not excluded or matched by
    /// pattern); the value must be <c>i_of_n</c> with 1 ≤ i ≤ n.
    /// </summary>
    /// <exception cref="InvalidQueryShardException">Not that form: a client error (400).</exception>
    public static QueryShard Parse(MatcherType type, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (type != MatcherType.Equal)
        {
            throw new InvalidQueryShardException($"the {LabelName} matcher must use \"=\", got a {type} matcher on \"{value}\"");
        }

        int sep = value.IndexOf("_of_", StringComparison.Ordinal);
        if (sep <= 0
            || !int.TryParse(value.AsSpan(0, sep), NumberStyles.None, CultureInfo.InvariantCulture, out int oneBased)
            || !int.TryParse(value.AsSpan(sep + 4), NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || count < 1 || oneBased < 1 || oneBased > count)
        {
            throw new InvalidQueryShardException($"invalid {LabelName} value \"{value}\": expected \"<index>_of_<total>\" with 1 <= index <= total");
        }

        return new QueryShard(oneBased - 1, count);
    }

    /// <summary>
    /// Separates the shard matchers of <paramref name="matchers"/> from the others, which are the ones to resolve
    /// against postings. Several shard matchers all apply (a series must be in each). Allocates nothing when there is
    /// no shard matcher, the common case.
    /// </summary>
    public static QueryShard[] Split(IReadOnlyList<Matcher> matchers, out IReadOnlyList<Matcher> others)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        others = matchers;
        int n = 0;
        foreach (var m in matchers)
        {
            n += m.Shard is null ? 0 : 1;
        }

        if (n == 0)
        {
            return [];
        }

        var shards = new QueryShard[n];
        var rest = new List<Matcher>(matchers.Count - n);
        n = 0;
        foreach (var m in matchers)
        {
            if (m.Shard is { } s)
            {
                shards[n++] = s;
            }
            else
            {
                rest.Add(m);
            }
        }

        others = rest;
        return shards;
    }

    /// <summary>Whether a series with this labels hash is in every one of <paramref name="shards"/> (true for none).</summary>
    public static bool ContainsAll(QueryShard[] shards, ulong labelsHash)
    {
        ArgumentNullException.ThrowIfNull(shards);
        foreach (var s in shards)
        {
            if (!s.Contains(labelsHash))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A malformed <c>__query_shard__</c> matcher; a client error, answered as <c>bad_data</c> (400) (G17).</summary>
public sealed class InvalidQueryShardException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public InvalidQueryShardException(string message)
        : base(message)
    {
    }
}

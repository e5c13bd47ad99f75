using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace MetricsCluster.Core;

/// <summary>
/// An immutable label set: one byte array of (uvarint name length, name, uvarint value length, value)
/// pairs sorted by name, plus its 64-bit hash computed once (G13). Equality is byte equality, so a
/// <see cref="Labels"/> is usable directly as a dictionary key. Order is Prometheus' labels.Compare.
/// </summary>
public readonly struct Labels : IEquatable<Labels>, IComparable<Labels>
{
    private static readonly byte[] s_empty = [];
    private readonly byte[]? _data;

    /// <summary>Wraps an already-encoded label array; the caller hands over ownership.</summary>
    public Labels(byte[] data, ulong hash)
    {
        _data = data;
        Hash = hash;
    }

    /// <summary>The empty label set.</summary>
    public static Labels Empty { get; } = new(s_empty, XxHash64.Hash([]));

    /// <summary>The stable 64-bit hash of <see cref="Bytes"/> (xxHash64, seed 0).</summary>
    public ulong Hash { get; }

    /// <summary>The canonical encoding.</summary>
    public ReadOnlySpan<byte> Bytes => _data ?? s_empty;

    /// <summary>True when the set has no labels.</summary>
    public bool IsEmpty => _data is null || _data.Length == 0;

    /// <summary>Number of label pairs.</summary>
    public int Count
    {
        get
        {
            int n = 0;
            foreach (var _ in this)
            {
                n++;
            }

            return n;
        }
    }

    /// <summary>Copies an encoded label set (as produced by <see cref="LabelsEncoding"/>).</summary>
    public static Labels FromEncoded(ReadOnlySpan<byte> encoded, ulong hash) => new(encoded.ToArray(), hash);

    /// <summary>Copies an encoded label set and hashes it.</summary>
    public static Labels FromEncoded(ReadOnlySpan<byte> encoded) => new(encoded.ToArray(), XxHash64.Hash(encoded));

    /// <summary>Builds a set from name/value pairs (any order; empty values dropped).</summary>
    public static Labels FromStrings(params string[] nameValues)
    {
        if (nameValues.Length % 2 != 0)
        {
            throw new ArgumentException("odd number of strings", nameof(nameValues));
        }

        var b = new LabelsBuilder();
        for (int i = 0; i < nameValues.Length; i += 2)
        {
            b.Set(nameValues[i], nameValues[i + 1]);
        }

        return b.Build();
    }

    /// <summary>Enumerates the pairs as spans into this set's array.</summary>
    public Enumerator GetEnumerator() => new(Bytes);

    /// <summary>The value of <paramref name="name"/>, or "" when absent (Prometheus semantics).</summary>
    public string Get(string name)
    {
        Span<byte> buf = name.Length <= 256 ? stackalloc byte[name.Length * 3] : new byte[name.Length * 3];
        int n = Encoding.UTF8.GetBytes(name, buf);
        return TryGetValue(buf[..n], out var v) ? Encoding.UTF8.GetString(v) : string.Empty;
    }

    /// <summary>Looks a label up by its UTF-8 name.</summary>
    public bool TryGetValue(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        foreach (var l in this)
        {
            int c = l.Name.SequenceCompareTo(name);
            if (c == 0)
            {
                value = l.Value;
                return true;
            }

            if (c > 0)
            {
                break;
            }
        }

        value = default;
        return false;
    }

    /// <summary>The <c>__name__</c> value, or "".</summary>
    public string MetricName => TryGetValue("__name__"u8, out var v) ? Encoding.UTF8.GetString(v) : string.Empty;

    /// <summary>The pairs as strings, in order.</summary>
    public IEnumerable<KeyValuePair<string, string>> Pairs()
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var l in this)
        {
            list.Add(new(Encoding.UTF8.GetString(l.Name), Encoding.UTF8.GetString(l.Value)));
        }

        return list;
    }

    /// <summary>Prometheus' labels.Compare: pair by pair, name then value, byte-wise; a prefix sorts first.</summary>
    public static int Compare(Labels a, Labels b)
    {
        var ea = a.GetEnumerator();
        var eb = b.GetEnumerator();
        while (true)
        {
            bool ha = ea.MoveNext(), hb = eb.MoveNext();
            if (!ha || !hb)
            {
                return ha == hb ? 0 : ha ? 1 : -1;
            }

            int c = ea.Current.Name.SequenceCompareTo(eb.Current.Name);
            if (c != 0)
            {
                return c;
            }

            c = ea.Current.Value.SequenceCompareTo(eb.Current.Value);
            if (c != 0)
            {
                return c;
            }
        }
    }

    /// <inheritdoc/>
    public int CompareTo(Labels other) => Compare(this, other);

    /// <inheritdoc/>
    public bool Equals(Labels other) => Hash == other.Hash && Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is Labels l && Equals(l);

    /// <inheritdoc/>
    public override int GetHashCode() => (int)Hash ^ (int)(Hash >> 32);

    /// <summary>Equality.</summary>
    public static bool operator ==(Labels a, Labels b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Labels a, Labels b) => !a.Equals(b);

    /// <summary>Ordering.</summary>
    public static bool operator <(Labels a, Labels b) => Compare(a, b) < 0;

    /// <summary>Ordering.</summary>
    public static bool operator >(Labels a, Labels b) => Compare(a, b) > 0;

    /// <summary>Ordering.</summary>
    public static bool operator <=(Labels a, Labels b) => Compare(a, b) <= 0;

    /// <summary>Ordering.</summary>
    public static bool operator >=(Labels a, Labels b) => Compare(a, b) >= 0;

    /// <summary>Prometheus' text form: <c>{__name__="up", job="a"}</c>.</summary>
    public override string ToString() => LabelsEncoding.Format(Bytes);

    /// <summary>A label pair as spans into the label array.</summary>
    public readonly ref struct Label
    {
        /// <summary>Creates a pair.</summary>
        public Label(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            Name = name;
            Value = value;
        }

        /// <summary>The UTF-8 name.</summary>
        public ReadOnlySpan<byte> Name { get; }

        /// <summary>The UTF-8 value.</summary>
        public ReadOnlySpan<byte> Value { get; }
    }

    /// <summary>Walks the encoded pairs; each <see cref="Current"/> is valid for the array's lifetime.</summary>
    public ref struct Enumerator
    {
        private readonly ReadOnlySpan<byte> _data;
        private int _pos;

        internal Enumerator(ReadOnlySpan<byte> data)
        {
            _data = data;
            _pos = 0;
            Current = default;
        }

        /// <summary>The current pair.</summary>
        public Label Current { get; private set; }

        /// <summary>Advances to the next pair.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool MoveNext()
        {
            if (_pos >= _data.Length)
            {
                return false;
            }

            int nl = LabelsEncoding.ReadLength(_data, ref _pos);
            var name = _data.Slice(_pos, nl);
            _pos += nl;
            int vl = LabelsEncoding.ReadLength(_data, ref _pos);
            var value = _data.Slice(_pos, vl);
            _pos += vl;
            Current = new Label(name, value);
            return true;
        }
    }
}

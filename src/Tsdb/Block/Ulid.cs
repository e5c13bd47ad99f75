using System.Buffers.Binary;
using System.Security.Cryptography;

namespace MetricsCluster.Tsdb.Block;

/// <summary>
/// A ULID (block identifier): 48-bit big-endian Unix time in milliseconds followed by 80 random bits,
/// written as 26 upper-case Crockford base32 characters (<c>0123456789ABCDEFGHJKMNPQRSTVWXYZ</c>), the
/// first of which is at most <c>7</c>. Prometheus treats a directory as a block iff its name parses
/// as one (<c>docs/format/block.md</c>). Ordering is by timestamp, then by the random bits.
/// </summary>
public readonly struct Ulid : IEquatable<Ulid>, IComparable<Ulid>
{
    /// <summary>Length of the text form.</summary>
    public const int Length = 26;

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    // The 128 bits, most significant first: _hi holds the timestamp (top 48 bits) and 16 random bits.
    private readonly ulong _hi;
    private readonly ulong _lo;

    private Ulid(ulong hi, ulong lo)
    {
        _hi = hi;
        _lo = lo;
    }

    /// <summary>The millisecond timestamp encoded in the first 48 bits.</summary>
    public long TimestampMs => (long)(_hi >> 16);

    /// <summary>Creates a ULID for <paramref name="unixMs"/> with 80 bits from a cryptographic random source.</summary>
    /// <param name="unixMs">Milliseconds since the Unix epoch; must fit in 48 bits.</param>
    public static Ulid New(long unixMs)
    {
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        return FromParts(unixMs, random);
    }

    /// <summary>Creates a ULID for <paramref name="unixMs"/> with 80 bits from <paramref name="random"/> (deterministic tests).</summary>
    public static Ulid New(long unixMs, Random random)
    {
        Span<byte> bytes = stackalloc byte[10];
        random.NextBytes(bytes);
        return FromParts(unixMs, bytes);
    }

    /// <summary>Creates a ULID for the current time of <paramref name="time"/> (G6: the clock is injected).</summary>
    public static Ulid New(TimeProvider time) => New(time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>Builds a ULID from a timestamp and exactly 10 random bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The timestamp does not fit in 48 bits or the randomness is not 10 bytes.</exception>
    public static Ulid FromParts(long unixMs, ReadOnlySpan<byte> random80)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixMs);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(unixMs, (1L << 48) - 1);
        ArgumentOutOfRangeException.ThrowIfNotEqual(random80.Length, 10);
        ulong hi = ((ulong)unixMs << 16) | BinaryPrimitives.ReadUInt16BigEndian(random80);
        ulong lo = BinaryPrimitives.ReadUInt64BigEndian(random80[2..]);
        return new Ulid(hi, lo);
    }

    /// <summary>Parses the 26-character text form (case-insensitive, strict: first character ≤ '7').</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out Ulid ulid)
    {
        ulid = default;
        if (s.Length != Length)
        {
            return false;
        }

        // 26 characters × 5 bits = 130 bits; the top 2 bits must be zero, hence the '7' limit.
        ulong hi = 0, lo = 0;
        foreach (char c in s)
        {
            int d = Decode(c);
            if (d < 0)
            {
                return false;
            }

            if ((hi >> 59) != 0)
            {
                return false;
            }

            hi = (hi << 5) | (lo >> 59);
            lo = (lo << 5) | (uint)d;
        }

        ulid = new Ulid(hi, lo);
        return true;
    }

    /// <summary>Parses the text form or throws.</summary>
    /// <exception cref="FormatException">Not a ULID.</exception>
    public static Ulid Parse(string s) =>
        TryParse(s, out var u) ? u : throw new FormatException($"'{s}' is not a ULID (26 Crockford base32 characters, first ≤ '7').");

    /// <summary>The 26-character upper-case text form.</summary>
    public override string ToString() =>
        string.Create(Length, (_hi, _lo), static (dst, v) =>
        {
            ulong hi = v._hi, lo = v._lo;
            for (int i = Length - 1; i >= 0; i--)
            {
                dst[i] = Alphabet[(int)(lo & 31)];
                lo = (lo >> 5) | (hi << 59);
                hi >>= 5;
            }
        });

    /// <inheritdoc/>
    public bool Equals(Ulid other) => _hi == other._hi && _lo == other._lo;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Ulid u && Equals(u);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_hi, _lo);

    /// <inheritdoc/>
    public int CompareTo(Ulid other) => _hi != other._hi ? _hi.CompareTo(other._hi) : _lo.CompareTo(other._lo);

    /// <summary>Equality.</summary>
    public static bool operator ==(Ulid a, Ulid b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Ulid a, Ulid b) => !a.Equals(b);

    /// <summary>Ordering.</summary>
    public static bool operator <(Ulid a, Ulid b) => a.CompareTo(b) < 0;

    /// <summary>Ordering.</summary>
    public static bool operator >(Ulid a, Ulid b) => a.CompareTo(b) > 0;

    /// <summary>Ordering.</summary>
    public static bool operator <=(Ulid a, Ulid b) => a.CompareTo(b) <= 0;

    /// <summary>Ordering.</summary>
    public static bool operator >=(Ulid a, Ulid b) => a.CompareTo(b) >= 0;

    private static int Decode(char c)
    {
        if (c is >= 'a' and <= 'z')
        {
            c = (char)(c - 32);
        }

        // Crockford excludes I, L, O and U; strict parsing (as oklog/ulid) rejects them.
        return c < 128 ? Alphabet.IndexOf(c, StringComparison.Ordinal) : -1;
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;

namespace Uplift;

/// <summary>
/// Small, fast, seedable generator (xoshiro256**, seeded through SplitMix64). Every random choice in
/// the library goes through one of these, created from a user seed, so results are reproducible.
/// Library code never seeds one directly: it calls <see cref="Derive"/> with a named <see cref="RngStream"/>
/// (one per purpose) and, for parallel work, the task index (never the thread), so no two purposes share a
/// generator and the numbers do not depend on the thread count.
/// </summary>
internal struct Rng
{
    ulong _s0, _s1, _s2, _s3;

    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    /// <summary>
    /// The generator of purpose <paramref name="stream"/>, item <paramref name="index"/> (a restart, a tree, a
    /// replicate...) of a run seeded with <paramref name="seed"/>: <c>new Rng(Key(seed, stream, index))</c>.
    /// </summary>
    public static Rng Derive(long seed, RngStream stream, long index = 0) => new(Key(seed, stream, index));

    /// <summary>
    /// A seed for a sub-fit that takes a seed of its own (a regressor, a forest, a cross-fit), for purpose
    /// <paramref name="stream"/>, item <paramref name="index"/>: <see cref="Key"/> as a <see cref="long"/>.
    /// </summary>
    public static long SubSeed(long seed, RngStream stream, long index = 0) => unchecked((long)Key(seed, stream, index));

    /// <summary>
    /// The 64-bit key of (seed, stream, index), from which <see cref="Derive"/> seeds a generator and stateless draws
    /// hash (<c>Hash(key ^ item)</c>). Mixing: the stream and the index are packed into one word,
    /// <c>stream &lt;&lt; 56 | index</c> (index in [0, 2^56)), which is XORed into the SplitMix64 finaliser of the
    /// seed's Weyl step and finalised again: <c>Hash(Hash(seed * phi + c) ^ (stream &lt;&lt; 56 | index))</c>.
    /// The packing and <see cref="Hash"/> are bijections, so for one seed distinct (stream, index) pairs never
    /// give the same key (nor the same generator).
    /// </summary>
    public static ulong Key(long seed, RngStream stream, long index = 0)
    {
        if ((uint)stream - 1 >= (uint)StreamCount) throw new ArgumentOutOfRangeException(nameof(stream), stream, "not a named stream");
        if ((ulong)index >= 1UL << 56) throw new ArgumentOutOfRangeException(nameof(index), index, "must be in [0, 2^56)");
        ulong s = Hash(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + 0xD1B54A32D192ED03UL));
        return Hash(s ^ ((ulong)stream << 56 | (ulong)index));
    }

    static readonly int StreamCount = Enum.GetValues<RngStream>().Length;

    static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A stateless 64-bit hash (SplitMix64 finaliser), e.g. to map (seed, user id) to a number.</summary>
    public static ulong Hash(ulong x)
    {
        x ^= x >> 30; x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27; x *= 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n));
        return (int)((NextUInt64() >> 32) * (ulong)n >> 32);
    }

    /// <summary>Standard normal (Box-Muller, one value per call).</summary>
    public double NextNormal()
    {
        double u1 = 1.0 - NextDouble();
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>In-place Fisher-Yates shuffle.</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

namespace Uplift.Engine;

/// <summary>
/// The CRM's per-arm offset (METHOD.md section 4: the score at index ceil(n q) − 1 of the arm's descending sort) found
/// exactly over a cohort split in partitions, by counts alone: floats are mapped to order-preserving 32-bit keys, and in
/// <see cref="Rounds"/> rounds of 8 bits each partition counts its arm's keys that share the prefix found so far, per
/// value of the next 8 bits (<see cref="Histogram"/>); the merged counts fix those 8 bits (<see cref="Narrow"/>). After
/// the last round the prefix is the key of the k-th largest score: the same value a selection on the whole arm gives.
/// </summary>
internal static class RankSelection
{
    public const int Rounds = 4;
    public const int Buckets = 256;

    /// <summary>Order-preserving key of a float (−0 counted as +0); NaN is not expected (scores are tanh).</summary>
    public static uint Key(float x)
    {
        if (x == 0) x = 0;
        uint b = BitConverter.SingleToUInt32Bits(x);
        return (b & 0x8000_0000u) != 0 ? ~b : b | 0x8000_0000u;
    }

    /// <summary>The float of a <see cref="Key"/>.</summary>
    public static float FromKey(uint k) =>
        BitConverter.UInt32BitsToSingle((k & 0x8000_0000u) != 0 ? k & 0x7FFF_FFFFu : ~k);

    static int Shift(int round) => 24 - 8 * round;

    /// <summary>
    /// Counts, for round <paramref name="round"/>, the scores of each arm whose key's bits above this round's 8 equal
    /// those of <paramref name="prefix1"/> (treated) or <paramref name="prefix0"/> (control), by the value of this
    /// round's 8 bits: counts[0..256) treated, counts[256..512) control.
    /// </summary>
    public static void Histogram(ReadOnlySpan<float> s, ReadOnlySpan<byte> arm, int round, uint prefix1, uint prefix0, Span<int> counts)
    {
        if (counts.Length != 2 * Buckets) throw new ArgumentException("counts must hold 512 values");
        counts.Clear();
        int shift = Shift(round);
        int high = shift + 8;
        for (int i = 0; i < s.Length; i++)
        {
            uint key = Key(s[i]);
            bool treated = arm[i] != 0;
            uint prefix = treated ? prefix1 : prefix0;
            if (high < 32 && (key >> high) != (prefix >> high)) continue;
            counts[(treated ? 0 : Buckets) + (int)((key >> shift) & 0xFF)]++;
        }
    }

    /// <summary>One round's step: with <paramref name="k"/> the 0-based rank from the top still to skip among the keys
    /// of the current prefix, walks this round's merged counts from the largest bucket down and fixes its 8 bits.</summary>
    public static (uint Prefix, long K) Narrow(ReadOnlySpan<int> counts, int round, uint prefix, long k)
    {
        int shift = Shift(round);
        for (int b = Buckets - 1; b >= 0; b--)
        {
            if (k < counts[b]) return (prefix | ((uint)b << shift), k);
            k -= counts[b];
        }
        throw new InvalidOperationException("rank beyond the counted scores (partitions changed between rounds)");
    }
}

namespace Uplift.Allocation;

/// <summary>
/// The one sort of the budget path (METHOD.md section 10): upgrades by slope descending, ties by their user-major index
/// (user, then hull position). A least-significant-digit radix sort on the slope's 64 bits (11 bits a pass; a pass whose
/// digit is the same for every upgrade is skipped) is stable, so equal slopes keep the index order: the result is one
/// total order, whatever the data's ties. Measured on 22.7 million upgrades (10 million users x 3 arms, 2 loaded cores):
/// 2.0 s against 4.5 s for the comparison sort of (negated slope, index) plus the tie runs, for 12 bytes per upgrade of
/// scratch. Single-threaded: the whole build takes about 3 s there, so splitting the sort did not seem worth its merge.
/// </summary>
internal static class SlopeSort
{
    const int DigitBits = 11, Buckets = 1 << DigitBits, Passes = (64 + DigitBits - 1) / DigitBits;

    /// <summary>The sortable key of a slope: ascending keys = descending slopes; −0 and +0 are one key.</summary>
    internal static ulong Key(double slope)
    {
        double d = -slope;
        if (d == 0) d = 0.0;
        ulong bits = BitConverter.DoubleToUInt64Bits(d);
        return (bits >> 63) != 0 ? ~bits : bits | (1UL << 63);
    }

    /// <summary>order[j] = user-major index of the j-th upgrade of the path.</summary>
    internal static int[] Order(ReadOnlySpan<Upgrade> up)
    {
        int m = up.Length;
        var keys = new ulong[m]; var order = new int[m];
        var counts = new int[Passes * Buckets];
        for (int e = 0; e < m; e++)
        {
            ulong k = Key(up[e].Slope);
            keys[e] = k; order[e] = e;
            for (int p = 0; p < Passes; p++) counts[p * Buckets + (int)((k >> (p * DigitBits)) & (Buckets - 1))]++;
        }
        var keys2 = new ulong[m]; var order2 = new int[m];
        for (int p = 0; p < Passes; p++)
        {
            var count = counts.AsSpan(p * Buckets, Buckets);
            int shift = p * DigitBits;
            if (m == 0 || count[(int)((keys[0] >> shift) & (Buckets - 1))] == m) continue; // one digit for all: nothing moves
            int sum = 0;
            for (int b = 0; b < Buckets; b++) { int c = count[b]; count[b] = sum; sum += c; }
            for (int e = 0; e < m; e++)
            {
                int at = count[(int)((keys[e] >> shift) & (Buckets - 1))]++;
                keys2[at] = keys[e]; order2[at] = order[e];
            }
            (keys, keys2) = (keys2, keys);
            (order, order2) = (order2, order);
        }
        return order;
    }
}

using System.Runtime.InteropServices;

namespace Uplift.Allocation;

/// <summary>One upgrade as the path stores it while sorting and after: the sort key of its slope, the user and the two arms
/// (16 bytes). Its estimated Δv and Δc sit beside it in <see cref="PathEffect"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PathEntry
{
    public ulong Key;
    public int User;
    public byte From, To;
}

/// <summary>Δv and Δc of one upgrade (16 bytes: the size of a <see cref="PathEntry"/>, so the sort's spare buffer holds them).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct PathEffect
{
    public double Dv, Dc;
}

/// <summary>
/// The one sort of the budget path (METHOD.md section 10): upgrades by slope descending, ties by their user-major index
/// (user, then hull position). A least-significant-digit radix sort on the slope's 64 bits (11 bits a pass; a pass whose
/// digit is the same for every upgrade is skipped) is stable, so equal slopes keep the index order: the result is one
/// total order, whatever the data's ties. It moves the 16-byte <see cref="PathEntry"/> records between two buffers, and
/// the one that does not end up holding the order is handed back to keep the upgrades' Δv, Δc
/// (<see cref="BudgetPath"/>: 32 bytes per upgrade in all, while building and after). Measured on 22.7 million
/// upgrades (10 million users x 3 arms): docs/BENCHMARKS.md, "Budget path across arms at scale". Single-threaded.
/// </summary>
internal static class SlopeSort
{
    internal const int DigitBits = 11, Buckets = 1 << DigitBits, Passes = (64 + DigitBits - 1) / DigitBits;

    /// <summary>The sortable key of a slope: ascending keys = descending slopes; −0 and +0 are one key.</summary>
    internal static ulong Key(double slope)
    {
        double d = -slope;
        if (d == 0) d = 0.0;
        ulong bits = BitConverter.DoubleToUInt64Bits(d);
        return (bits >> 63) != 0 ? ~bits : bits | (1UL << 63);
    }

    /// <summary>The slope of a key (<see cref="Key"/>'s inverse; a zero slope comes back as +0).</summary>
    internal static double SlopeOf(ulong key)
    {
        double d = BitConverter.UInt64BitsToDouble((key >> 63) != 0 ? key & ~(1UL << 63) : ~key);
        return d == 0 ? 0.0 : -d;
    }

    /// <summary>Adds a key's digits to the per-pass histograms (<see cref="Passes"/> x <see cref="Buckets"/>).</summary>
    internal static void Count(ulong key, Span<int> counts)
    {
        for (int p = 0; p < Passes; p++) counts[p * Buckets + (int)((key >> (p * DigitBits)) & (Buckets - 1))]++;
    }

    /// <summary>
    /// Sorts the first <paramref name="m"/> entries of <paramref name="a"/> by key (stable), with <paramref name="b"/> (at
    /// least <paramref name="m"/> long) as the other buffer; <paramref name="counts"/> holds the keys' digit histograms
    /// (<see cref="Count"/>) and is consumed. Returns the buffer holding the sorted entries and the other one.
    /// </summary>
    internal static (PathEntry[] Sorted, PathEntry[] Spare) Sort(PathEntry[] a, PathEntry[] b, int m, Span<int> counts)
    {
        for (int p = 0; p < Passes; p++)
        {
            var count = counts.Slice(p * Buckets, Buckets);
            int shift = p * DigitBits;
            if (m == 0 || count[(int)((a[0].Key >> shift) & (Buckets - 1))] == m) continue; // one digit for all: nothing moves
            int sum = 0;
            for (int d = 0; d < Buckets; d++) { int c = count[d]; count[d] = sum; sum += c; }
            for (int e = 0; e < m; e++)
            {
                ref readonly var x = ref a[e];
                b[count[(int)((x.Key >> shift) & (Buckets - 1))]++] = x;
            }
            (a, b) = (b, a);
        }
        return (a, b);
    }
}

using FsCheck.Xunit;
using Uplift.Allocation;

namespace Uplift.Tests.Allocation;

public class SlopeSortTests
{
    /// <summary>The radix order is the total order (slope descending, then index), for any slopes with ties and extremes.</summary>
    [Property(MaxTest = 100)]
    public bool RadixOrderIsSlopeDescendingThenIndex(int seed)
    {
        var rng = TestRng.Tagged(seed, 59);
        double[] special = [0.0, -0.0, double.PositiveInfinity, double.Epsilon, 1e-300, 1e300, 1, 1, 2.5];
        int m = 1 + Math.Abs(seed % 400);
        var up = new double[m];
        for (int e = 0; e < m; e++)
        {
            double r = rng.NextDouble();
            double s = r < 0.3 ? special[rng.NextInt(special.Length)] : r < 0.6 ? Math.Round(rng.NextDouble() * 10) : Math.Exp(rng.NextNormal() * 20);
            up[e] = s;
        }
        var expected = Enumerable.Range(0, m).OrderByDescending(e => up[e]).ThenBy(e => e);
        return Order(up).SequenceEqual(expected) && up.All(x => SlopeSort.SlopeOf(SlopeSort.Key(x)) == x);
    }

    /// <summary>order[j] = index of the j-th slope in path order, by <see cref="SlopeSort.Sort"/> as the path uses it.</summary>
    static int[] Order(double[] slopes)
    {
        int m = slopes.Length;
        var a = new PathEntry[m];
        var counts = new int[SlopeSort.Passes * SlopeSort.Buckets];
        for (int e = 0; e < m; e++) { a[e] = new PathEntry { Key = SlopeSort.Key(slopes[e]), User = e }; SlopeSort.Count(a[e].Key, counts); }
        var (sorted, _) = SlopeSort.Sort(a, new PathEntry[m], m, counts);
        return [.. sorted.Take(m).Select(x => x.User)];
    }
}

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
        return SlopeSort.Order(up).SequenceEqual(expected) && up.All(x => SlopeSort.SlopeOf(SlopeSort.Key(x)) == x);
    }
}

using Uplift.Evaluation;

namespace Uplift.Bench;

/// <summary>The small statistics the bench tables print.</summary>
static class BenchStats
{
    /// <summary>Sample standard deviation (n − 1); 0 for fewer than two values, so one-seed tables print 0.</summary>
    public static double Sd(IReadOnlyList<double> x) => Stats.SampleSd(x, whenFewerThanTwo: 0);

    /// <summary>The median (mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> x)
    {
        var s = x.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>Pearson correlation of two equally long series.</summary>
    public static double Correlation(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Count; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.Sqrt(saa * sbb);
    }
}

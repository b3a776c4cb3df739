namespace Uplift.Evaluation;

/// <summary>The standard normal distribution function and the 95 % quantile used by the metrics' intervals.</summary>
internal static class Normal
{
    /// <summary>The 97.5 % quantile of N(0, 1): a 95 % two-sided interval is estimate ± Z975 · se.</summary>
    public const double Z975 = 1.959963984540054;

    /// <summary>Φ(x) through the complementary error function (Numerical Recipes' erfc Chebyshev fit, relative
    /// error below 1.2e-7 everywhere).</summary>
    public static double Cdf(double x)
    {
        if (double.IsNaN(x)) return double.NaN;
        double z = Math.Abs(x) / Math.Sqrt(2);
        double t = 1 / (1 + 0.5 * z);
        double erfc = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
            t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
    }
}

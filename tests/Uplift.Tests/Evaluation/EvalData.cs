namespace Uplift.Tests.Evaluation;

/// <summary>Small randomized campaigns made inside the tests.</summary>
static class EvalData
{
    /// <summary>
    /// n users, half treated at random; tau_v = 1 + u, tau_c = 1 + 0.5 w (u, w uniform in [0,1));
    /// the returned "truth" score is tau_v / tau_c.
    /// </summary>
    public static (double[] Truth, byte[] T, double[] V, double[] C) Campaign(int n, long seed, double noise = 0.5)
    {
        var rng = TestRng.Tagged(seed, 17);
        var truth = new double[n]; var t = new byte[n]; var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            double tv = 1 + 2 * rng.NextDouble(), tc = 1 + 0.5 * rng.NextDouble();
            t[i] = (byte)(i % 2 == 0 ? 1 : 0);
            truth[i] = tv / tc;
            v[i] = 5 + t[i] * tv + noise * rng.NextNormal();
            c[i] = 3 + t[i] * tc + noise * rng.NextNormal();
        }
        // shuffle the arms so that T is not tied to row parity
        var idx = Enumerable.Range(0, n).ToArray();
        rng.Shuffle<int>(idx);
        return (idx.Select(i => truth[i]).ToArray(), idx.Select(i => t[i]).ToArray(), idx.Select(i => v[i]).ToArray(), idx.Select(i => c[i]).ToArray());
    }

    public static double[] RandomScores(int n, long seed)
    {
        var rng = TestRng.Tagged(seed, 99);
        var s = new double[n];
        for (int i = 0; i < n; i++) s[i] = rng.NextDouble();
        return s;
    }
}

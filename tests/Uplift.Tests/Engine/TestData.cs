using Uplift.Data;

namespace Uplift.Tests.Engine;

/// <summary>Small simulated campaigns for the engine and ranking tests.</summary>
internal static class TestData
{
    /// <summary>
    /// x ~ N(0,1)^d; T ~ Bernoulli(pTreat); tau_v = 1 + x0, tau_c = 1 + 0.25 x1 (positive for most users);
    /// V = 0.5 x2 + T tau_v + noise, C = 0.3 x3 + T tau_c + noise/2.
    /// </summary>
    public static Dataset Campaign(int n, int d, int seed, double noise = 1.0, double pTreat = 0.5,
        bool weights = false, bool propensity = false)
    {
        var rng = new Rng((ulong)seed);
        var x = new float[n * d];
        var t = new byte[n]; var v = new double[n]; var c = new double[n];
        var w = weights ? new double[n] : null;
        var e = propensity ? new double[n] : null;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) x[i * d + j] = (float)rng.NextNormal();
            double pt = pTreat;
            if (e is not null) { pt = 0.3 + 0.4 * rng.NextDouble(); e[i] = pt; }
            t[i] = (byte)(rng.NextDouble() < pt ? 1 : 0);
            double x0 = x[i * d], x1 = d > 1 ? x[i * d + 1] : 0, x2 = d > 2 ? x[i * d + 2] : 0, x3 = d > 3 ? x[i * d + 3] : 0;
            v[i] = 0.5 * x2 + t[i] * TauV(x0) + noise * rng.NextNormal();
            c[i] = 0.3 * x3 + t[i] * TauC(x1) + 0.5 * noise * rng.NextNormal();
            if (w is not null) w[i] = 0.5 + rng.NextDouble();
        }
        return new Dataset(x, n, d, [.. Enumerable.Range(0, d).Select(j => $"x{j}")], t, v, c, e, w);
    }

    public static double TauV(double x0) => 1 + x0;
    public static double TauC(double x1) => 1 + 0.25 * x1;

    /// <summary>The oracle ranking score tau_v / tau_c of each user.</summary>
    public static double[] Oracle(Dataset data)
    {
        var r = new double[data.Rows];
        int d = data.Features;
        for (int i = 0; i < data.Rows; i++)
            r[i] = TauV(data.X[i * d]) / TauC(d > 1 ? data.X[i * d + 1] : 0);
        return r;
    }

    public static double Spearman(double[] a, double[] b) => Correlation(Ranks(a), Ranks(b));

    /// <summary>Pearson correlation of two equally long series.</summary>
    public static double Correlation(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++) { ma += a[i]; mb += b[i]; }
        ma /= a.Length; mb /= b.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            sab += da * db; saa += da * da; sbb += db * db;
        }
        return sab / Math.Sqrt(saa * sbb);
    }

    static double[] Ranks(double[] a)
    {
        var idx = Enumerable.Range(0, a.Length).OrderBy(i => a[i]).ToArray();
        var r = new double[a.Length];
        for (int k = 0; k < idx.Length; k++) r[idx[k]] = k;
        return r;
    }
}

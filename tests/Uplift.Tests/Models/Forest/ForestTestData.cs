using Uplift.Data;

namespace Uplift.Tests.Models.Forest;

/// <summary>Synthetic randomized campaigns with known effects for the forest tests.</summary>
internal static class ForestTestData
{
    /// <summary>x ~ N(0,1)^d, T ~ Bernoulli(p), tau(x) = 1 + x0, Y = x1 + T tau(x) + N(0,1).</summary>
    public static (float[] X, double[] Y, double[] W, double[] Tau) Causal(int n, int d, ulong seed, double p = 0.5)
    {
        var rng = new Rng(seed);
        var x = new float[n * d];
        var y = new double[n];
        var w = new double[n];
        var tau = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) x[i * d + j] = (float)rng.NextNormal();
            w[i] = rng.NextDouble() < p ? 1 : 0;
            tau[i] = 1 + x[i * d];
            y[i] = x[i * d + 1] + w[i] * tau[i] + rng.NextNormal();
        }
        return (x, y, w, tau);
    }

    /// <summary>A campaign with value effect 1 + x0 and cost effect 0.5 + 0.5 * relu(x1) (plus noise).</summary>
    public static Dataset Campaign(int n, int d, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[n * d];
        var t = new byte[n];
        var v = new double[n];
        var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) x[i * d + j] = (float)rng.NextNormal();
            t[i] = rng.NextDouble() < 0.5 ? (byte)1 : (byte)0;
            v[i] = x[i * d + 2] + t[i] * (1 + x[i * d]) + rng.NextNormal();
            c[i] = 0.3 * x[i * d + 3] + t[i] * (0.5 + 0.5 * Math.Max(x[i * d + 1], 0)) + 0.5 * rng.NextNormal();
        }
        var names = Enumerable.Range(0, d).Select(j => $"x{j}").ToArray();
        return new Dataset(x, n, d, names, t, v, c);
    }

    public static bool InBag(ulong[] bag, int row) => (bag[row >> 6] & (1UL << row)) != 0;
}

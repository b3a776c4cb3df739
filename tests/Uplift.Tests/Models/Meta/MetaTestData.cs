using Uplift.Data;

namespace Uplift.Tests.Models.Meta;

/// <summary>Synthetic randomized campaigns with known effects, generated in the tests.</summary>
internal static class MetaTestData
{
    public sealed record Campaign(Dataset Data, double[] TauV, double[] TauC);

    /// <summary>
    /// n users, d standard-normal features, T ~ Bernoulli(0.5), V = mV(x) + T tau_v(x) + noise, C = mC(x) + T tau_c(x) + noise.
    /// </summary>
    public static Campaign Make(int n, int d, int seed, Func<float[], double> tauV, Func<float[], double> tauC,
        double noise = 0.5, Func<float[], double>? mV = null, Func<float[], double>? mC = null, double treatedShare = 0.5)
    {
        var rng = new Rng((ulong)seed);
        var x = new float[n * d];
        var t = new byte[n]; var v = new double[n]; var c = new double[n];
        var tv = new double[n]; var tc = new double[n];
        var row = new float[d];
        mV ??= r => r[0] + 0.5 * r[Math.Min(2, r.Length - 1)];
        mC ??= r => 0.3 * r[Math.Min(1, r.Length - 1)];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) row[j] = x[i * d + j] = (float)rng.NextNormal();
            t[i] = (byte)(rng.NextDouble() < treatedShare ? 1 : 0);
            tv[i] = tauV(row); tc[i] = tauC(row);
            v[i] = mV(row) + t[i] * tv[i] + noise * rng.NextNormal();
            c[i] = mC(row) + t[i] * tc[i] + noise * rng.NextNormal();
        }
        var names = Enumerable.Range(0, d).Select(j => $"x{j}").ToArray();
        return new Campaign(new Dataset(x, n, d, names, t, v, c), tv, tc);
    }
}

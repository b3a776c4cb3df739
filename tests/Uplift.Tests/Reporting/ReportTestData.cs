using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Models;

namespace Uplift.Tests.Reporting;

/// <summary>Small randomized campaigns with features, made inside the tests.</summary>
static class ReportTestData
{
    /// <summary>
    /// n users, d standard normal features, T random (about half treated).
    /// tau_v = 1 + 0.8 x0 (clipped at 0.05), tau_c = 1; V and C have baselines that depend on x1 and noise.
    /// So the informative feature for the ratio ranking is x0 alone.
    /// </summary>
    public static Dataset Campaign(int n, int d, long seed, string[]? names = null)
    {
        var rng = TestRng.Tagged(seed, 5);
        var x = new float[n * d];
        var t = new byte[n]; var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) x[i * d + j] = (float)rng.NextNormal();
            t[i] = (byte)(rng.NextDouble() < 0.5 ? 1 : 0);
            double x0 = x[i * d], x1 = d > 1 ? x[i * d + 1] : 0;
            double tauV = Math.Max(0.05, 1 + 0.8 * x0);
            v[i] = 4 + x1 + t[i] * tauV + 0.5 * rng.NextNormal();
            c[i] = 2 + 0.5 * x1 + t[i] * 1.0 + 0.3 * rng.NextNormal();
        }
        names ??= Enumerable.Range(0, d).Select(j => "x" + j).ToArray();
        return new Dataset(x, n, d, names, t, v, c);
    }
}

/// <summary>A model whose score is a function of one row's features.</summary>
sealed class FuncModel(int features, Func<ReadOnlySpan<float>, double> f) : IUpliftModel
{
    public string Kind => "test";
    public int Features => features;
    public void Score(Dataset data, Span<double> scores)
    {
        for (int i = 0; i < data.Rows; i++) scores[i] = f(data.Row(i));
    }
    public JsonObject Save() => new();
}

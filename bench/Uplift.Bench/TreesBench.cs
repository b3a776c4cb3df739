using System.Diagnostics;
using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Meta;
using Uplift.Models.Trees;

namespace Uplift.Bench;

/// <summary>Timings of the boosted trees and the R-learner on a generated campaign (rough: the machine is shared).</summary>
public static class TreesBench
{
    public sealed record Row(string Case, int Rows, int Features, int Threads, double Seconds, string Note);

    /// <summary>
    /// GBT fit (default options) and R-learner fits (boosted, Value and Both; ridge Value) on
    /// <paramref name="rows"/> x <paramref name="features"/> generated rows, with <paramref name="threads"/> threads.
    /// </summary>
    public static IReadOnlyList<Row> Run(int rows = 100_000, int features = 50, int threads = 2, int seed = 1)
    {
        var data = Generate(rows, features, seed);
        var po = new ParallelOptions { MaxDegreeOfParallelism = threads };
        var ctx = new FitContext(seed, threads);
        var result = new List<Row>();

        var set = new RegressionSet(data.X, features, RegressionSet.AllRows(rows), data.V);
        var sw = Stopwatch.StartNew();
        var gbt = new GradientBoostingRegressor().FitBoosted(set, null, seed, po);
        result.Add(new Row("gbt fit (defaults: 300 trees, 15 leaves)", rows, features, threads, sw.Elapsed.TotalSeconds, $"{gbt.Trees.Count} trees"));

        sw.Restart();
        var pred = new double[rows];
        gbt.Predict(data.X, null, pred, po);
        result.Add(new Row("gbt predict", rows, features, threads, sw.Elapsed.TotalSeconds, ""));

        foreach (var (name, opt) in new[]
        {
            ("rlearner ridge value", new RLearnerOptions()),
            ("rlearner boosted value", new RLearnerOptions { BaseLearner = BaseLearnerKind.Boosted }),
            ("rlearner boosted both", new RLearnerOptions { BaseLearner = BaseLearnerKind.Boosted, Outcome = RLearnerOutcome.Both }),
        })
        {
            sw.Restart();
            new RLearner(opt).Fit(data, null, ctx);
            result.Add(new Row(name, rows, features, threads, sw.Elapsed.TotalSeconds, "5 folds"));
        }
        return result;
    }

    /// <summary>Randomized campaign: tau_v = 1 + x0 + 0.5 [x1 &gt; 0], tau_c = 1 + 0.5 x2^2, outcome noise 1.</summary>
    public static Dataset Generate(int n, int d, int seed)
    {
        var rng = new Rng((ulong)seed);
        var x = new float[(long)n * d];
        var t = new byte[n]; var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) x[(long)i * d + j] = (float)rng.NextNormal();
            float x0 = x[(long)i * d], x1 = x[(long)i * d + 1 % d], x2 = x[(long)i * d + 2 % d];
            t[i] = (byte)(rng.NextDouble() < 0.5 ? 1 : 0);
            double tv = 1 + x0 + (x1 > 0 ? 0.5 : 0), tc = 1 + 0.5 * x2 * x2;
            v[i] = Math.Sin(x0) + x1 * x2 + t[i] * tv + rng.NextNormal();
            c[i] = 0.5 * x1 + t[i] * tc + rng.NextNormal();
        }
        return new Dataset(x, n, d, Enumerable.Range(0, d).Select(j => $"x{j}").ToArray(), t, v, c);
    }
}

using System.Diagnostics;
using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Meta;
using Uplift.Models.Trees;

namespace Uplift.Bench;

/// <summary>Timings of the boosted trees and the meta-learners on a generated campaign (rough: the machine is shared).</summary>
public static class TreesBench
{
    /// <summary>One case: wall and process CPU seconds (CPU is the steadier number on a shared machine) and
    /// Process.PeakWorkingSet64 after the case (a process-wide high-water mark, in MB).</summary>
    public sealed record Row(string Case, int Rows, int Features, int Threads, double Seconds, double CpuSeconds, long PeakMb, string Note)
    {
        public override string ToString() =>
            $"{Case,-36} {Rows,9:N0} x {Features,-3} threads {Threads}: wall {Seconds,7:F2} s  cpu {CpuSeconds,7:F2} s  peak {PeakMb,6} MB  {Note}";
    }

    /// <summary>
    /// GBT fit and predict (default options), R-learner fits (ridge and boosted, value and both outcomes) and the
    /// boosted T-learner on <paramref name="rows"/> x <paramref name="features"/> generated rows, with
    /// <paramref name="threads"/> threads. <paramref name="onRow"/> sees each row as it is measured.
    /// </summary>
    public static IReadOnlyList<Row> Run(int rows = 100_000, int features = 50, int threads = 2, long seed = 1, Action<Row>? onRow = null)
    {
        var data = Generate(rows, features, seed);
        var po = new ParallelOptions { MaxDegreeOfParallelism = threads };
        var ctx = new FitContext(seed, threads);
        var result = new List<Row>();
        void Time(string name, Func<string> body)
        {
            var proc = Process.GetCurrentProcess();
            var cpu0 = proc.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            string note = body();
            double wall = sw.Elapsed.TotalSeconds;
            proc.Refresh();
            var row = new Row(name, rows, features, threads, wall, (proc.TotalProcessorTime - cpu0).TotalSeconds, proc.PeakWorkingSet64 >> 20, note);
            result.Add(row);
            onRow?.Invoke(row);
        }

        var set = new RegressionSet(data.X, features, RegressionSet.AllRows(rows), data.V);
        GradientBoostedModel? gbt = null;
        Time("gbt fit (300 trees, 15 leaves)", () => { gbt = new GradientBoostingRegressor().FitBoosted(set, null, seed, po); return $"{gbt.Trees.Count} trees"; });
        Time("gbt predict", () => { gbt!.Predict(data.X, null, new double[rows], po); return ""; });

        foreach (var (name, opt) in new[]
        {
            ("rlearner ridge value", new RLearnerOptions()),
            ("rlearner ridge both", new RLearnerOptions { Outcome = RLearnerOutcome.Both }),
            ("rlearner boosted value", new RLearnerOptions { BaseLearner = BaseLearnerKind.Boosted }),
            ("rlearner boosted both", new RLearnerOptions { BaseLearner = BaseLearnerKind.Boosted, Outcome = RLearnerOutcome.Both }),
        })
            Time(name, () => { new RLearner(opt).Fit(data, null, ctx); return "5 folds"; });
        Time("tlearner boosted (4 models)", () => { new TLearner().Fit(data, null, ctx); return "no validation"; });
        return result;
    }

    /// <summary>Randomized campaign: tau_v = 1 + x0 + 0.5 [x1 &gt; 0], tau_c = 1 + 0.5 x2^2, outcome noise 1.</summary>
    public static Dataset Generate(int n, int d, long seed)
    {
        var rng = Rng.Derive(seed, RngStream.BenchTreesData);
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

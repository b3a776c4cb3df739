using System.Text.Json.Nodes;
using Uplift.Models;
using Uplift.Models.Trees;
using Xunit;

namespace Uplift.Tests.Models.Trees;

public class GradientBoostingTests
{
    static ParallelOptions Threads(int k) => new() { MaxDegreeOfParallelism = k };

    static RegressionSet Data(int n, int d, int seed, Func<float[], double> f, double noise)
    {
        var rng = new Rng((ulong)seed);
        var x = new float[n * d]; var y = new double[n];
        var row = new float[d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) row[j] = x[i * d + j] = (float)(2 * rng.NextDouble() - 1);
            y[i] = f(row) + noise * rng.NextNormal();
        }
        return new RegressionSet(x, d, RegressionSet.AllRows(n), y);
    }

    static double R2(IRegressionModel m, RegressionSet test)
    {
        var p = new double[test.Count];
        m.Predict(test.X, test.Rows, p, Threads(2));
        double mean = test.Y.Average(), ssr = 0, sst = 0;
        for (int i = 0; i < p.Length; i++) { ssr += (test.Y[i] - p[i]) * (test.Y[i] - p[i]); sst += (test.Y[i] - mean) * (test.Y[i] - mean); }
        return 1 - ssr / sst;
    }

    [Fact]
    public void Fits_a_step_function()
    {
        Func<float[], double> step = r => r[0] > 0.3 ? 2 : -1;
        var model = new GradientBoostingRegressor().Fit(Data(4000, 4, 1, step, 0.1), null, 7, Threads(2));
        Assert.True(R2(model, Data(2000, 4, 2, step, 0)) > 0.97);
    }

    [Fact]
    public void Fits_a_smooth_function()
    {
        Func<float[], double> smooth = r => Math.Sin(3 * r[0]) + r[1] * r[1] + 0.5 * r[2];
        var model = new GradientBoostingRegressor().Fit(Data(6000, 5, 3, smooth, 0.1), null, 7, Threads(2));
        Assert.True(R2(model, Data(2000, 5, 4, smooth, 0)) > 0.9);
    }

    [Fact]
    public void Same_seed_gives_bit_identical_models_for_one_and_two_threads()
    {
        var opt = new GradientBoostingOptions { NumTrees = 20, RowSubsample = 0.7, FeatureSubsample = 0.6, MaxBins = 63 };
        // Enough rows that histograms are built in parallel (rows x features above the sequential cut-off).
        var train = Data(10000, 20, 5, r => r[0] * r[1] + Math.Abs(r[2]), 0.3);
        var valid = Data(2000, 20, 6, r => r[0] * r[1] + Math.Abs(r[2]), 0.3);
        var a = new GradientBoostingRegressor(opt).FitBoosted(train, valid, 11, Threads(1));
        var b = new GradientBoostingRegressor(opt).FitBoosted(train, valid, 11, Threads(2));
        Assert.Equal(a.Save().ToJsonString(), b.Save().ToJsonString());
        var pa = new double[train.Count]; var pb = new double[train.Count];
        a.Predict(train.X, null, pa, Threads(1)); b.Predict(train.X, null, pb, Threads(2));
        Assert.Equal(pa, pb);
        var c = new GradientBoostingRegressor(opt).FitBoosted(train, valid, 12, Threads(2));
        Assert.NotEqual(a.Save().ToJsonString(), c.Save().ToJsonString()); // the seed matters
    }

    [Fact]
    public void Early_stopping_on_pure_noise_keeps_few_trees()
    {
        var opt = new GradientBoostingOptions { NumTrees = 300, EarlyStoppingRounds = 10 };
        var model = new GradientBoostingRegressor(opt).FitBoosted(Data(3000, 3, 7, _ => 0, 1), Data(1000, 3, 8, _ => 0, 1), 1, Threads(2));
        Assert.True(model.Trees.Count < 100, $"kept {model.Trees.Count} trees");
        Assert.True(model.Trees.Count >= 1);
    }

    [Fact]
    public void Respects_leaf_and_size_limits_and_weights()
    {
        var opt = new GradientBoostingOptions { NumTrees = 5, NumLeaves = 7, MinDataInLeaf = 50 };
        var set = Data(2000, 3, 9, r => 5 * r[0], 0.1);
        var model = new GradientBoostingRegressor(opt).FitBoosted(set, null, 1, Threads(2));
        Assert.All(model.Trees, t => Assert.InRange(t.Leaves, 2, 7));
        // Zero weights on half the rows with a wild target: the base score is the mean of the weighted rows only.
        var y = (double[])set.Y.Clone(); var w = new double[set.Count];
        for (int i = 0; i < set.Count; i++) { w[i] = i % 2; if (i % 2 == 0) y[i] = 1e6; }
        var weighted = new GradientBoostingRegressor(opt).FitBoosted(new RegressionSet(set.X, 3, set.Rows, y, w), null, 1, Threads(2));
        double expected = Enumerable.Range(0, set.Count).Where(i => i % 2 == 1).Average(i => y[i]);
        Assert.Equal(expected, weighted.Base, 1e-9);
        var p = new double[set.Count];
        weighted.Predict(set.X, null, p, Threads(2));
        Assert.True(p.Max() < 100);
    }

    [Fact]
    public void Save_and_load_give_identical_predictions()
    {
        var set = Data(3000, 4, 10, r => r[0] - 2 * r[3], 0.2);
        var model = new GradientBoostingRegressor(new GradientBoostingOptions { NumTrees = 40 }).FitBoosted(set, null, 3, Threads(2));
        var back = GradientBoostedModel.Load((JsonObject)JsonNode.Parse(model.Save().ToJsonString())!);
        var test = Data(500, 4, 11, r => 0, 0);
        var a = new double[500]; var b = new double[500];
        model.Predict(test.X, null, a, Threads(2)); back.Predict(test.X, null, b, Threads(1));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Bin_routing_matches_float_thresholds()
    {
        var set = Data(5000, 2, 12, _ => 0, 0);
        // Few distinct values on feature 1 to exercise the exact-value path.
        for (int i = 0; i < set.Count; i++) set.X[i * 2 + 1] = MathF.Round(set.X[i * 2 + 1] * 3);
        var bins = FeatureBins.Compute(set, 16, 1000, 1, Threads(2));
        for (int f = 0; f < 2; f++)
            for (int b = 0; b < bins.BinCount(f) - 1; b++)
                for (int i = 0; i < set.Count; i++)
                {
                    float v = set.X[i * 2 + f];
                    Assert.Equal(bins.Bin(f, v) <= b, v <= bins.Upper[f][b]);
                }
        Assert.Equal(7, bins.BinCount(1)); // values -3..3
        Assert.Equal(bins.BinCount(1) - 1, bins.Bin(1, float.NaN));
    }

    /// <summary>Binning once and fitting on a subset of the binned rows gives the very model that binning per fit gives,
    /// when the edges come from the same rows and seed (unit weights: 2-lane histograms; weighted: 4-lane).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Shared_binning_gives_the_same_model_as_binning_per_fit(bool weighted)
    {
        var all = Data(4000, 3, 21, r => Math.Sin(3 * r[0]) + r[1], 0.3);
        var rows = Enumerable.Range(0, 4000).Where(i => i % 5 != 3).ToArray();
        var y = rows.Select(i => all.Y[i]).ToArray();
        double[]? w = weighted ? rows.Select(i => 0.1 + i % 4 * 0.5).ToArray() : null;
        var set = new RegressionSet(all.X, 3, rows, y, w);
        var reg = new GradientBoostingRegressor(new GradientBoostingOptions { NumTrees = 30, BinSampleRows = 1000 });
        var perFit = reg.FitBoosted(set, null, 5, Threads(2));
        var binned = reg.Bin(all.X, 3, rows, 5, Threads(2));
        Assert.Equal(4000, binned.Rows);
        var shared = reg.FitBinned(binned, set, null, 5, Threads(1));
        Assert.Equal(perFit.Save().ToJsonString(), shared.Save().ToJsonString());
        // Through the wrapper too, and a fit on another matrix falls back to binning per fit.
        var wrapped = new SharedBinsRegressor(reg, binned);
        Assert.Equal(perFit.Save().ToJsonString(), wrapped.Fit(set, null, 5, Threads(2)).Save().ToJsonString());
        var copy = new RegressionSet((float[])all.X.Clone(), 3, rows, y, w);
        Assert.Equal(perFit.Save().ToJsonString(), wrapped.Fit(copy, null, 5, Threads(2)).Save().ToJsonString());
        Assert.Throws<ArgumentException>(() => reg.FitBinned(binned, copy, null, 5, Threads(1)));
    }

    [Fact]
    public void Bad_options_throw()
    {
        var set = Data(100, 2, 13, _ => 0, 1);
        foreach (var o in new[]
        {
            new GradientBoostingOptions { NumTrees = 0 }, new GradientBoostingOptions { LearningRate = 0 },
            new GradientBoostingOptions { NumLeaves = 1 }, new GradientBoostingOptions { MaxBins = 256 },
            new GradientBoostingOptions { RowSubsample = 1.5 }, new GradientBoostingOptions { FeatureSubsample = 0 },
            new GradientBoostingOptions { MinDataInLeaf = 0 }, new GradientBoostingOptions { L2 = -1 },
        })
            Assert.Throws<UpliftOptionException>(() => new GradientBoostingRegressor(o).Fit(set, null, 1, Threads(1)));
    }
}

using System.Text.Json.Nodes;
using FsCheck.Xunit;
using Uplift.Models;
using Uplift.Models.Forest;
using Xunit;
using static Uplift.Tests.Models.Forest.ForestTestData;
using static Uplift.Tests.Engine.TestData;

namespace Uplift.Tests.Models.Forest;

public class ForestTests
{
    static readonly FitContext Ctx = new(Seed: 7);

    [Fact]
    public void RegressionForest_fits_a_smooth_function()
    {
        const int n = 3000, d = 5;
        var rng = new Rng(3);
        float[] Features(int rows)
        {
            var x = new float[rows * d];
            for (int i = 0; i < x.Length; i++) x[i] = (float)(2 * rng.NextDouble() - 1);
            return x;
        }
        double F(float[] x, int i) => Math.Sin(3 * x[i * d]) + x[i * d + 1] * x[i * d + 1];
        var xTrain = Features(n);
        var y = new double[n];
        for (int i = 0; i < n; i++) y[i] = F(xTrain, i) + 0.1 * rng.NextNormal();
        var xTest = Features(1000);

        var forest = RegressionForest.Fit(xTrain, n, d, y, new RegressionForestOptions { NumTrees = 200 }, Ctx);
        var pred = forest.Predict(xTest, 1000);
        double ss = 0, st = 0, mean = Enumerable.Range(0, 1000).Average(i => F(xTest, i));
        for (int i = 0; i < 1000; i++) { ss += Math.Pow(pred[i] - F(xTest, i), 2); st += Math.Pow(F(xTest, i) - mean, 2); }
        Assert.True(1 - ss / st > 0.85, $"R^2 = {1 - ss / st}");

        var oob = forest.PredictOob();
        Assert.True(Correlation(oob, y) > 0.85, $"OOB correlation {Correlation(oob, y)}");
    }

    [Fact]
    public void CausalForest_recovers_tau_on_randomized_data()
    {
        const int n = 5000, d = 10;
        var (x, y, w, _) = Causal(n, d, 11);
        var (xTest, _, _, tauTest) = Causal(2000, d, 12);
        var forest = CausalForest.Fit(x, n, d, y, w, new CausalForestOptions { NumTrees = 200 }, Ctx);
        var tau = forest.Predict(xTest, 2000);
        double corr = Correlation(tau, tauTest);
        Assert.True(corr >= 0.95, $"correlation with the true tau {corr}");
        double bias = tau.Average() - tauTest.Average();
        Assert.True(Math.Abs(bias) < 0.15, $"mean tau off by {bias}");
    }

    [Fact]
    public void Forest_weights_reproduce_the_causal_prediction()
    {
        const int n = 1500, d = 4;
        var (x, y, w, _) = Causal(n, d, 5);
        var forest = CausalForest.Fit(x, n, d, y, w, new CausalForestOptions { NumTrees = 40, NuisanceTrees = 20 }, Ctx);
        var (xTest, _, _, _) = Causal(5, d, 6);
        var pred = forest.Predict(xTest, 5);
        var obs = forest.Inner.Obs;
        for (int r = 0; r < 5; r++)
        {
            var alpha = forest.Inner.Weights(xTest.AsSpan(r * d, d));
            Assert.Equal(1.0, alpha.Sum(), 9);
            double sa = 0, wBar = 0, yBar = 0;
            for (int i = 0; i < n; i++) { double a = alpha[i] * obs.S[i]; sa += a; wBar += a * obs.W![i]; yBar += a * obs.Y[i]; }
            wBar /= sa; yBar /= sa;
            double num = 0, den = 0;
            for (int i = 0; i < n; i++)
            {
                double a = alpha[i] * obs.S[i];
                num += a * (obs.W![i] - wBar) * (obs.Y[i] - yBar);
                den += a * (obs.W![i] - wBar) * (obs.W![i] - wBar);
            }
            Assert.Equal(num / den, pred[r], 1e-9 * Math.Max(1, Math.Abs(pred[r])));
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Leaves_hold_exactly_the_estimation_half(bool honesty)
    {
        const int n = 1000, d = 3;
        var (x, y, _, _) = Causal(n, d, 21);
        var opts = new RegressionForestOptions { NumTrees = 8, Honesty = honesty, HonestyPruneLeaves = true };
        var to = opts.ToTreeOptions(d);
        var fx = FeatureIndex.Build(x, n, d, Ctx.ParallelOptions);
        const long seed = 99;
        var forest = ForestTrainer.Regression.Train(fx, new Observations(y, null, null), to, opts.NumTrees, seed, Ctx, "t");
        var (drawn, grow) = ForestTrainer.SampleSizes(n, to);
        Assert.Equal(honesty ? 250 : 500, grow);
        var perm = new int[n];
        for (int b = 0; b < forest.Trees.Length; b++)
        {
            var rng = Rng.Derive(seed, RngStream.ForestTree, b);
            ForestTrainer.DrawSubsample(ref rng, perm, drawn);
            var expected = (honesty ? perm[grow..drawn] : perm[..drawn]).Order().ToArray();
            var leafRows = forest.Trees[b].LeafRows.Order().ToArray();
            Assert.Equal(expected, leafRows); // honest leaves: estimation rows only, each exactly once
            Assert.All(perm[..drawn], r => Assert.True(InBag(forest.InBag![b], r)));
            Assert.Equal(drawn, Enumerable.Range(0, n).Count(r => InBag(forest.InBag![b], r)));
        }
    }

    [Fact]
    public void Out_of_bag_predictions_only_use_trees_that_did_not_draw_the_row()
    {
        const int n = 600, d = 3;
        var (x, y, _, _) = Causal(n, d, 31);
        var rf = RegressionForest.Fit(x, n, d, y, new RegressionForestOptions { NumTrees = 30 }, Ctx);
        var oob = rf.PredictOob();
        var inner = rf.Inner;
        foreach (int i in new[] { 0, 17, 123, 599 })
        {
            var outOfBag = Enumerable.Range(0, inner.Trees.Length).Where(b => !InBag(inner.InBag![b], i)).ToArray();
            Assert.InRange(outOfBag.Length, 1, inner.Trees.Length - 1);
            var sub = new Uplift.Models.Forest.Forest(outOfBag.Select(b => inner.Trees[b]).ToArray(), inner.Obs,
                inner.Strategy, d, null, Ctx.ParallelOptions);
            var p = sub.Predict(x.AsSpan(i * d, d).ToArray(), 1, Ctx.ParallelOptions)[0];
            Assert.Equal(p, oob[i]);
            // and the row's own outcome never enters its OOB weights
            Assert.Equal(0.0, inner.Weights(x.AsSpan(i * d, d), oobRow: i)[i]);
        }
    }

    /// <summary>Law: every split of a causal tree leaves each child at least MinNodeSize rows on each side of the
    /// parent's mean centred treatment (treated / control here) and at least alpha of the parent's treatment variation;
    /// every regression split leaves each child at least ceil(alpha * n) rows.</summary>
    [Property(MaxTest = 12)]
    public bool Balance_constraints_hold_in_every_split(int seedArg, byte alphaArg, byte minNodeArg)
    {
        const int n = 700, d = 3;
        double alpha = alphaArg % 5 * 0.05;
        int minNode = 1 + minNodeArg % 8;
        var (x, y, w, _) = Causal(n, d, (ulong)seedArg, p: 0.3);
        double wBar = w.Average();
        var wc = w.Select(v => v - wBar).ToArray();
        var fx = FeatureIndex.Build(x, n, d, Ctx.ParallelOptions);
        var opts = new CausalForestOptions { NumTrees = 4, Alpha = alpha, MinNodeSize = minNode, HonestyPruneLeaves = false };
        var to = opts.ToTreeOptions(d);
        long seed = seedArg;
        var causal = ForestTrainer.Causal.Train(fx, new Observations(y, wc, null), to, 4, seed, Ctx, "t");
        var regression = ForestTrainer.Regression.Train(fx, new Observations(y, null, null), to, 4, seed, Ctx, "t");
        var (drawn, grow) = ForestTrainer.SampleSizes(n, to);
        var perm = new int[n];
        bool ok = true;
        int splits = 0;
        for (int b = 0; b < 4; b++)
        {
            var rng = Rng.Derive(seed, RngStream.ForestTree, b);
            ForestTrainer.DrawSubsample(ref rng, perm, drawn);
            var growing = perm[..grow];
            Walk(causal.Trees[b], 0, growing, x, d, (parent, left, right) =>
            {
                splits++;
                double mean = parent.Average(r => wc[r]);
                double Size(int[] rows) { double m = rows.Average(r => wc[r]); return rows.Sum(r => (wc[r] - m) * (wc[r] - m)); }
                double minSize = alpha * Size(parent) - 1e-9;
                foreach (var child in new[] { left, right })
                {
                    int small = child.Count(r => wc[r] < mean);
                    ok &= small >= minNode && child.Length - small >= minNode && Size(child) >= minSize;
                }
            });
            Walk(regression.Trees[b], 0, growing, x, d, (parent, left, right) =>
            {
                int minChild = Math.Max((int)Math.Ceiling(parent.Length * alpha), 1);
                ok &= left.Length >= minChild && right.Length >= minChild && parent.Length > minNode;
            });
        }
        return ok && splits > 0;
    }

    /// <summary>Routes <paramref name="rows"/> down the tree and calls <paramref name="onSplit"/>(parent, left, right) at every split.</summary>
    static void Walk(Tree t, int node, int[] rows, float[] x, int d, Action<int[], int[], int[]> onSplit)
    {
        int f = t.Feature[node];
        if (f < 0) return;
        var left = rows.Where(r => x[r * d + f] <= t.Threshold[node]).ToArray();
        var right = rows.Where(r => !(x[r * d + f] <= t.Threshold[node])).ToArray();
        onSplit(rows, left, right);
        Walk(t, t.Left[node], left, x, d, onSplit);
        Walk(t, t.Left[node] + 1, right, x, d, onSplit);
    }

    [Fact]
    public void Learner_is_bit_identical_for_one_or_two_threads()
    {
        var data = ForestTestData.Campaign(1500, 5, 41);
        var opts = new CausalForestOptions { NumTrees = 40, NuisanceTrees = 20 };
        var m1 = new CausalForestLearner(opts).FitModel(data, new FitContext(Seed: 3, MaxThreads: 1));
        var m2 = new CausalForestLearner(opts).FitModel(data, new FitContext(Seed: 3, MaxThreads: 2));
        Assert.Equal(m1.Save().ToJsonString(), m2.Save().ToJsonString());
        Assert.Equal(m1.Score(data), m2.Score(data));
        var m3 = new CausalForestLearner(opts).FitModel(data, new FitContext(Seed: 4, MaxThreads: 2));
        Assert.NotEqual(m1.Score(data), m3.Score(data));
    }

    [Fact]
    public void Save_and_load_give_identical_scores_and_effects()
    {
        var data = ForestTestData.Campaign(1200, 4, 51);
        var model = new CausalForestLearner(new CausalForestOptions { NumTrees = 30, NuisanceTrees = 10 }).FitModel(data, Ctx);
        var text = model.Save().ToJsonString();
        var loaded = CausalForestModel.Load(JsonNode.Parse(text)!.AsObject());
        Assert.Equal(model.Score(data), loaded.Score(data));
        var (tv1, tc1, tv2, tc2) = (new double[data.Rows], new double[data.Rows], new double[data.Rows], new double[data.Rows]);
        model.PredictEffects(data, tv1, tc1);
        loaded.PredictEffects(data, tv2, tc2);
        Assert.Equal(tv1, tv2);
        Assert.Equal(tc1, tc2);
        Assert.Equal(model.Options, loaded.Options);
        Assert.Equal(text, loaded.Save().ToJsonString());

        var damaged = JsonNode.Parse(text)!.AsObject();
        damaged["value"]!["treeData"] = "AAAA";
        Assert.Throws<UpliftException>(() => CausalForestModel.Load(damaged));
    }

    [Fact]
    public void Model_scores_follow_the_chosen_ranking_rule()
    {
        var data = ForestTestData.Campaign(1500, 5, 61);
        var guarded = new CausalForestLearner(new CausalForestOptions { NumTrees = 30, NuisanceTrees = 10 }).FitModel(data, Ctx);
        var lagr = new CausalForestLearner(new CausalForestOptions { NumTrees = 30, NuisanceTrees = 10, Score = ForestScore.Lagrangian, Lambda = 0.5 })
            .FitModel(data, Ctx);
        var tv = new double[data.Rows];
        var tc = new double[data.Rows];
        guarded.PredictEffects(data, tv, tc);
        var s1 = guarded.Score(data);
        var s2 = lagr.Score(data);
        for (int i = 0; i < data.Rows; i++)
        {
            Assert.Equal(EffectRatio.Guarded(tv[i], tc[i]), s1[i]);
            Assert.Equal(EffectRatio.Lagrangian(tv[i], tc[i], 0.5), s2[i]);
        }
        Assert.True(Correlation(tv, Enumerable.Range(0, data.Rows).Select(i => 1.0 + data.X[i * 5]).ToArray()) > 0.8);
    }

    [Fact]
    public void Known_or_constant_propensity_centres_the_treatment_exactly()
    {
        var data = ForestTestData.Campaign(600, 4, 91);
        var withP = new Uplift.Data.Dataset(data.X, data.Rows, 4, data.FeatureNames, data.T, data.V, data.C,
            propensity: Enumerable.Repeat(0.4, data.Rows).ToArray());
        var opts = new CausalForestOptions { NumTrees = 10, NuisanceTrees = 5 };
        var m = new CausalForestLearner(opts).FitModel(withP, Ctx);
        for (int i = 0; i < data.Rows; i++) Assert.Equal(data.T[i] - 0.4, m.Value.CentredW[i]);

        var c = new CausalForestLearner(opts with { Propensity = PropensityMode.Constant }).FitModel(data, Ctx);
        double frac = data.TreatedCount / (double)data.Rows;
        for (int i = 0; i < data.Rows; i++) Assert.Equal(data.T[i] - frac, c.Cost.CentredW[i], 12);
    }

    [Fact]
    public void Progress_reports_each_forest_to_completion()
    {
        var data = ForestTestData.Campaign(800, 4, 71);
        var seen = new System.Collections.Concurrent.ConcurrentBag<ProgressInfo>();
        var ctx = new FitContext(1, 2, new SyncProgress(seen.Add));
        new CausalForestLearner(new CausalForestOptions { NumTrees = 20, NuisanceTrees = 10 }).FitModel(data, ctx);
        Assert.Contains(seen, p => p.Stage == "causal forest (value)" && p.Done == 20 && p.Total == 20);
        Assert.Contains(seen, p => p.Stage == "causal forest (cost)" && p.Done == 20 && p.Total == 20);
        Assert.Contains(seen, p => p.Stage == "regression forest (W.hat)" && p.Done == 10);
    }

    sealed class SyncProgress(Action<ProgressInfo> report) : IProgress<ProgressInfo>
    {
        public void Report(ProgressInfo value) => report(value);
    }

    [Fact]
    public void Options_have_grf_defaults_and_the_paper_preset()
    {
        var o = new CausalForestOptions();
        Assert.Equal((2000, 0.5, 5, 0.05, 0.0, true, 0.5, true), (o.NumTrees, o.SampleFraction, o.MinNodeSize, o.Alpha, o.ImbalancePenalty, o.Honesty, o.HonestyFraction, o.HonestyPruneLeaves));
        Assert.Equal(500, o.ResolvedNuisanceTrees);
        Assert.Equal(10, o.ToTreeOptions(10).Mtry);
        Assert.Equal(28, o.ToTreeOptions(50).Mtry);
        var p = CausalForestOptions.Paper;
        Assert.Equal((60, 0.2, 3, 0.5, 50), (p.NumTrees, p.Alpha, p.MinNodeSize, p.SampleFraction, p.ResolvedNuisanceTrees));
    }

    static readonly CausalForestOptions[] BadOptionList =
    [
        new CausalForestOptions { NumTrees = 0 },
        new CausalForestOptions { SampleFraction = 0 },
        new CausalForestOptions { SampleFraction = 1.5 },
        new CausalForestOptions { HonestyFraction = 1 },
        new CausalForestOptions { MinNodeSize = 0 },
        new CausalForestOptions { Alpha = 0.3 },
        new CausalForestOptions { Alpha = -0.1 },
        new CausalForestOptions { ImbalancePenalty = -1 },
        new CausalForestOptions { Mtry = 0 },
        new CausalForestOptions { Mtry = 99 },
        new CausalForestOptions { NuisanceTrees = 0 },
        new CausalForestOptions { Lambda = double.NaN },
        new CausalForestOptions { Epsilon = 0 },
    ];

    public static TheoryData<int> BadOptions => new(Enumerable.Range(0, BadOptionList.Length));

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_are_rejected(int index)
    {
        var options = BadOptionList[index];
        var data = ForestTestData.Campaign(200, 4, 81);
        var e = Assert.Throws<UpliftOptionException>(() => new CausalForestLearner(options).FitModel(data, Ctx));
        Assert.StartsWith("option causal-forest.", e.Message);
    }

    [Fact]
    public void Bad_regression_options_and_data_are_rejected()
    {
        var (x, y, _, _) = Causal(100, 2, 1);
        Assert.Throws<UpliftOptionException>(() => RegressionForest.Fit(x, 100, 2, y, new RegressionForestOptions { Alpha = 0.5 }, Ctx));
        x[5] = float.NaN;
        Assert.Throws<UpliftDataException>(() => RegressionForest.Fit(x, 100, 2, y, new RegressionForestOptions { NumTrees = 5 }, Ctx));
        var data = ForestTestData.Campaign(100, 4, 2);
        var allTreated = new Uplift.Data.Dataset(data.X, 100, 4, data.FeatureNames, Enumerable.Repeat((byte)1, 100).ToArray(), data.V, data.C);
        Assert.Throws<UpliftDataException>(() => new CausalForestLearner().FitModel(allTreated, Ctx));
    }
}

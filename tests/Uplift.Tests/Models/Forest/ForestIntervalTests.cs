using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Forest;
using Uplift.Persistence;
using Uplift.Scoring;
using Uplift.Tests.Data;
using Uplift.Tests.Scoring;
using Xunit;

namespace Uplift.Tests.Models.Forest;

/// <summary>Little bags (CiGroupSize): options, the group subsample, the variance of tau and the intervals of <c>score --level</c>.</summary>
public sealed class ForestIntervalTests
{
    static CausalForestOptions Small(int trees = 200) => new() { NumTrees = trees, CiGroupSize = 2, Propensity = PropensityMode.Constant, NuisanceTrees = 50 };

    /// <summary>Value effect constant 1 (no heterogeneity, so the forest has no bias to hide), cost effect 0.5.</summary>
    static (Dataset Data, double TauV, double TauC) Flat(int n, ulong seed)
    {
        var rng = new Rng(seed);
        const int d = 4;
        var x = new float[n * d];
        var t = new byte[n]; var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) x[i * d + j] = (float)rng.NextNormal();
            t[i] = rng.NextDouble() < 0.5 ? (byte)1 : (byte)0;
            v[i] = x[i * d] + t[i] + rng.NextNormal();
            c[i] = 0.5 * x[i * d + 1] + 0.5 * t[i] + 0.5 * rng.NextNormal();
        }
        return (new Dataset(x, n, d, ["x0", "x1", "x2", "x3"], t, v, c), 1.0, 0.5);
    }

    static (double[] VLo, double[] VHi, double[] CLo, double[] CHi) Intervals(CausalForestModel m, Dataset d, int? threads = null)
    {
        var r = (new double[d.Rows], new double[d.Rows], new double[d.Rows], new double[d.Rows]);
        m.PredictEffectIntervals(d, 0.9, r.Item1, r.Item2, r.Item3, r.Item4, threads);
        return r;
    }

    [Fact]
    public void Options_check_the_group_size()
    {
        Assert.Throws<UpliftOptionException>(() => new CausalForestOptions { CiGroupSize = 0 }.Validate());
        Assert.Throws<UpliftOptionException>(() => new CausalForestOptions { CiGroupSize = 65, NumTrees = 650 }.Validate());
        Assert.Throws<UpliftOptionException>(() => new CausalForestOptions { CiGroupSize = 2, NumTrees = 201 }.Validate());
        Assert.Throws<UpliftOptionException>(() => new CausalForestOptions { CiGroupSize = 2, NumTrees = 2 }.Validate());
        Assert.Throws<UpliftOptionException>(() => new CausalForestOptions { CiGroupSize = 2, SampleFraction = 0.6 }.Validate());
        new CausalForestOptions { CiGroupSize = 2 }.Validate();
        Assert.Equal(1, new CausalForestOptions().CiGroupSize);
    }

    [Fact]
    public void Trees_of_a_group_draw_from_one_half_sample_and_groups_differ()
    {
        const int rows = 1000, drawn = 400;
        var perm = new int[rows];
        HashSet<int> Tree(int group, int tree)
        {
            var g = Rng.Derive(7, RngStream.ForestGroup, group);
            var r = Rng.Derive(7, RngStream.ForestTree, tree);
            ForestTrainer.DrawGroupSubsample(ref g, ref r, perm, drawn);
            return [.. perm.AsSpan(0, drawn).ToArray()];
        }
        var a = Tree(0, 0); var b = Tree(0, 1); var c = Tree(1, 2);
        Assert.Equal(drawn, a.Count);
        var union = new HashSet<int>(a); union.UnionWith(b);
        Assert.True(union.Count <= rows / 2, $"two trees of a group use {union.Count} rows, more than the half-sample");
        Assert.False(a.SetEquals(b)); // each tree draws its own rows from the half
        var other = new HashSet<int>(a); other.UnionWith(c);
        Assert.True(other.Count > rows / 2, "trees of two groups should not share one half-sample");
    }

    [Fact]
    public void Default_model_has_no_intervals_and_its_file_has_no_group_key()
    {
        var (d, _, _) = Flat(600, 1);
        var m = new CausalForestLearner(new CausalForestOptions { NumTrees = 20, Propensity = PropensityMode.Constant, NuisanceTrees = 10 })
            .FitModel(d, new FitContext(1, 1));
        Assert.False(m.HasIntervals);
        Assert.False(m.Save()["options"]!.AsObject().ContainsKey("ciGroupSize"));
        Assert.Throws<UpliftOptionException>(() => Intervals(m, d));
    }

    [Fact]
    public void Intervals_cover_a_flat_effect_and_shrink_with_more_data()
    {
        var (test, tauV, tauC) = Flat(400, 99);
        double Cover(double[] lo, double[] hi, double t) => Enumerable.Range(0, lo.Length).Count(i => lo[i] <= t && t <= hi[i]) / (double)lo.Length;
        double Width(double[] lo, double[] hi) => Enumerable.Range(0, lo.Length).Average(i => hi[i] - lo[i]);
        var widths = new List<double>();
        // The Monte-Carlo noise of the little bags sets a floor under the variance (it falls with the number of trees,
        // not with the data), so the comparison uses many trees and a small training set, where the sampling variance dominates.
        foreach (int n in new[] { 400, 3200 })
        {
            var (train, _, _) = Flat(n, 5);
            var m = new CausalForestLearner(Small(1000)).FitModel(train, new FitContext(3, 2));
            Assert.True(m.HasIntervals);
            var (vlo, vhi, clo, chi) = Intervals(m, test);
            Assert.All(vlo.Concat(vhi).Concat(clo).Concat(chi), b => Assert.True(double.IsFinite(b)));
            Assert.All(Enumerable.Range(0, test.Rows), i => Assert.True(vhi[i] > vlo[i] && chi[i] > clo[i]));
            double cv = Cover(vlo, vhi, tauV), cc = Cover(clo, chi, tauC);
            Assert.InRange(cv, 0.6, 1.0);
            Assert.InRange(cc, 0.6, 1.0);
            widths.Add(Width(vlo, vhi));
        }
        Assert.True(widths[1] < 0.75 * widths[0], $"widths {widths[0]:F3} at 400 rows, {widths[1]:F3} at 3200");
    }

    [Fact]
    public void Intervals_are_the_same_for_1_and_2_threads_and_after_a_save_and_load()
    {
        var (train, _, _) = Flat(1200, 8);
        var (test, _, _) = Flat(300, 9);
        var m1 = new CausalForestLearner(Small(60)).FitModel(train, new FitContext(4, 1));
        var m2 = new CausalForestLearner(Small(60)).FitModel(train, new FitContext(4, 2));
        var a = Intervals(m1, test, 1);
        var b = Intervals(m2, test, 2);
        Assert.Equal(a.VLo, b.VLo); Assert.Equal(a.VHi, b.VHi); Assert.Equal(a.CLo, b.CLo); Assert.Equal(a.CHi, b.CHi);
        var loaded = CausalForestModel.Load(m1.Save());
        Assert.Equal(2, loaded.Options.CiGroupSize);
        var c = Intervals(loaded, test, 2);
        Assert.Equal(a.VLo, c.VLo); Assert.Equal(a.CHi, c.CHi);
    }

    [Fact]
    public void Debiased_variance_is_never_negative_and_keeps_a_clear_difference()
    {
        Assert.Equal(0.9, Uplift.Models.Forest.Forest.DebiasedVariance(1.0, 0.1, 1000), 12);
        double small = Uplift.Models.Forest.Forest.DebiasedVariance(0.1, 1.0, 50);
        Assert.True(small > 0 && small < 0.2, $"{small}");
        Assert.True(Uplift.Models.Forest.Forest.DebiasedVariance(0.1, 1.0, 50) < Uplift.Models.Forest.Forest.DebiasedVariance(0.5, 1.0, 50));
        Assert.Equal(0, Uplift.Models.Forest.Forest.DebiasedVariance(0, 0, 10));
    }

    [Fact]
    public void Normal_distribution_matches_known_values()
    {
        Assert.Equal(0.5, Normal.Cdf(0), 12);
        Assert.Equal(0.9750021048517795, Normal.Cdf(1.96), 10);
        Assert.Equal(0.0013498980316301, Normal.Cdf(-3), 12);
        Assert.Equal(2.866515718791939e-7, Normal.Cdf(-5), 15);
        Assert.Equal(1.6448536269514722, Normal.Quantile(0.95), 9);
        Assert.Equal(-1.6448536269514722, Normal.Quantile(0.05), 9);
    }

    [Fact]
    public void Score_writes_interval_columns_for_a_forest_with_little_bags_and_refuses_other_models()
    {
        var table = ScoringFixture.Make(1500, seed: 11);
        var roles = new ColumnRoles("t", "v", "c") { Id = "id", Features = [.. ScoringFixture.Numeric] };
        var all = Enumerable.Range(0, 1000).ToArray();
        var pre = Preprocessor.Fit(table, roles, all);
        var model = new CausalForestLearner(Small(40)).FitModel(pre.Transform(table, all), new FitContext(2, 1));
        var pipeline = new ModelFile(model, pre, 1).Pipeline;
        using var dir = new TempDir();
        string input = dir.Name("in.csv"), output = dir.Name("out.csv");
        TableWriter.Write(input, table);
        StreamingScorer.Score(pipeline, input, output, new StreamScoreOptions { ChunkRows = 400, MaxThreads = 2, Effects = true, Level = 0.9 });
        var got = TableReader.Read(output, new TableReadOptions { TextColumns = ["id"] });
        Assert.Equal(["id", "score", "tau_v", "tau_c", "tau_v_lo", "tau_v_hi", "tau_c_lo", "tau_c_hi"], got.ColumnNames);
        for (int i = 0; i < got.Rows; i++)
        {
            Assert.True(got["tau_v_lo"].Numbers![i] <= got["tau_v"].Numbers![i] && got["tau_v"].Numbers![i] <= got["tau_v_hi"].Numbers![i]);
            Assert.True(got["tau_c_lo"].Numbers![i] <= got["tau_c"].Numbers![i] && got["tau_c"].Numbers![i] <= got["tau_c_hi"].Numbers![i]);
        }
        Assert.Throws<UpliftOptionException>(() => new StreamScoreOptions { Level = 0.9 }.Validate()); // needs --effects
        Assert.Throws<UpliftOptionException>(() => new StreamScoreOptions { Effects = true, Level = 1.0 }.Validate());
        var plain = new CausalForestLearner(Small(40) with { CiGroupSize = 1 }).FitModel(pre.Transform(table, all), new FitContext(2, 1));
        var e = Assert.Throws<UpliftOptionException>(() => StreamingScorer.Score(new ModelFile(plain, pre, 1).Pipeline, input, dir.Name("o2.csv"),
            new StreamScoreOptions { Effects = true, Level = 0.9 }));
        Assert.Contains("--ci-group-size", e.Message);
    }
}

using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Engine;
using Uplift.Models;
using Uplift.Models.Ranking;
using Uplift.Tests.Engine;
using Xunit;

namespace Uplift.Tests.Models.Ranking;

public class RankingModelTests
{
    static readonly DrmOptions Quick = new() { Steps = 150, Restarts = 2, EvalEvery = 25 };

    [Fact]
    public void TrainingIsBitIdenticalForOneAndTwoThreads()
    {
        var train = TestData.Campaign(CohortEngine.ChunkRows * 3 + 100, 6, seed: 1);
        var val = TestData.Campaign(1500, 6, seed: 2);
        foreach (var o in new[] { Quick with { Scorer = ScorerKind.Mlp, HiddenSizes = [9], Steps = 80 }, Quick with { Steps = 80 } })
        {
            var m1 = new DrmLearner(o).FitRanking(train, val, new FitContext(Seed: 5, MaxThreads: 1));
            var m2 = new DrmLearner(o).FitRanking(train, val, new FitContext(Seed: 5, MaxThreads: 2));
            Assert.Equal(m1.Weights, m2.Weights);   // exact float equality
            Assert.Equal(m1.Score(val), m2.Score(val));
            Assert.Equal(m1.ValidationObjective, m2.ValidationObjective);
        }
        var c1 = new CrmLearner(new CrmOptions { Drm = Quick with { Steps = 60 } }).FitRanking(train, null, new FitContext(7, 1));
        var c2 = new CrmLearner(new CrmOptions { Drm = Quick with { Steps = 60 } }).FitRanking(train, null, new FitContext(7, 2));
        Assert.Equal(c1.Weights, c2.Weights);
    }

    [Fact]
    public void SameSeedSameModelDifferentSeedDifferentModel()
    {
        var train = TestData.Campaign(800, 4, seed: 3);
        var o = Quick with { Steps = 30, Restarts = 1 };
        var a = new DrmLearner(o).FitRanking(train, null, new FitContext(1));
        var b = new DrmLearner(o).FitRanking(train, null, new FitContext(1));
        var c = new DrmLearner(o).FitRanking(train, null, new FitContext(2));
        Assert.Equal(a.Weights, b.Weights);
        Assert.NotEqual(a.Weights, c.Weights);
    }

    [Theory]
    [InlineData(7.3, 0.01)]
    [InlineData(1000.0, 3.0)]
    [InlineData(0.125, 0.5)]
    public void ScoresDoNotDependOnTheUnitsOfVAndC(double a, double b)
    {
        var train = TestData.Campaign(1200, 5, seed: 4);
        var scaled = train.WithOutcomes([.. train.V.Select(v => v * a)], [.. train.C.Select(c => c * b)]);
        var o = Quick with { Scorer = ScorerKind.Mlp, HiddenSizes = [8], Steps = 100, Restarts = 1 };
        var m1 = new DrmLearner(o).FitRanking(train, null, new FitContext(3));
        var m2 = new DrmLearner(o).FitRanking(scaled, null, new FitContext(3));
        var s1 = m1.Score(train); var s2 = m2.Score(train);
        double maxDiff = s1.Zip(s2, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(maxDiff < 1e-4, $"max score difference {maxDiff}");
        Assert.True(TestData.Spearman(s1, s2) > 0.9999);
        Assert.Equal(m1.ValueScale * a, m2.ValueScale, 1e-9 * m2.ValueScale);
    }

    [Theory]
    [InlineData(ScorerKind.Linear, Objective.SmoothAbsRatio)]
    [InlineData(ScorerKind.Linear, Objective.Ratio)]
    [InlineData(ScorerKind.Mlp, Objective.SmoothAbsRatio)]
    [InlineData(ScorerKind.Linear, Objective.Lagrangian)]
    public void DrmRecoversTheRankingOfASimulatedCampaign(ScorerKind scorer, Objective objective)
    {
        var train = TestData.Campaign(6000, 5, seed: 10, noise: 0.5);
        var val = TestData.Campaign(2000, 5, seed: 11, noise: 0.5);
        var test = TestData.Campaign(3000, 5, seed: 12);
        var o = new DrmOptions { Scorer = scorer, HiddenSizes = [16], Objective = objective, Steps = 300, Restarts = 2, Lambda = 0.3 };
        var model = new DrmLearner(o).FitRanking(train, val, new FitContext(1));
        double rho = TestData.Spearman(model.Score(test), TestData.Oracle(test));
        Assert.True(rho > 0.8, $"Spearman with the oracle ranking {rho:F3}");
        Assert.NotNull(model.ValidationObjective);
    }

    [Fact]
    public void CrmTrainsAndItsOffsetsAreTheRightQuantile()
    {
        var train = TestData.Campaign(3001, 5, seed: 20, noise: 0.5);
        var net = Network.Linear(5);
        using var engine = new CohortEngine(net, train, 1, 1, 2);
        var p = net.Initialize(3, 0);
        foreach (double q in new[] { 0.4, 0.1, 1.0, 0.0001 })
        {
            var r = engine.Evaluate(p, new ObjectiveSpec(Objective.Ratio), new MaskSpec(q, 1));
            var s = engine.Scores.ToArray();
            foreach (byte arm in new byte[] { 1, 0 })
            {
                var sorted = Enumerable.Range(0, train.Rows).Where(i => train.T[i] == arm).Select(i => s[i]).OrderByDescending(x => x).ToArray();
                int idx = (int)Math.Ceiling(sorted.Length * q) - 1;
                Assert.Equal(Math.Max(idx, 0), CohortObjective.OffsetIndex(sorted.Length, q));
                Assert.Equal(sorted[Math.Max(idx, 0)], arm == 1 ? r.OffsetTreated : r.OffsetControl);
            }
        }
        var test = TestData.Campaign(3000, 5, seed: 21);
        var model = new CrmLearner(new CrmOptions { Drm = new DrmOptions { Steps = 300, Restarts = 1 } })
            .FitRanking(train, null, new FitContext(2));
        Assert.Equal("crm", model.Kind);
        var scores = model.Score(test);
        Assert.All(scores, x => Assert.True(double.IsFinite(x) && Math.Abs(x) <= 1));
        Assert.True(TestData.Spearman(scores, TestData.Oracle(test)) > 0.7);
    }

    [Fact]
    public void SelectionMatchesSorting()
    {
        var rng = new Rng(9);
        foreach (int n in new[] { 1, 2, 3, 10, 101, 5000 })
            for (int rep = 0; rep < 5; rep++)
            {
                var a = new float[n];
                for (int i = 0; i < n; i++) a[i] = rep == 0 ? (float)rng.NextInt(3) : (float)rng.NextNormal();   // rep 0: heavy ties
                var sorted = a.OrderByDescending(x => x).ToArray();
                int k = rng.NextInt(n);
                Assert.Equal(sorted[k], CohortObjective.SelectDescending(a.ToArray(), k));
            }
    }

    [Fact]
    public void JsonRoundTripGivesIdenticalScores()
    {
        var train = TestData.Campaign(900, 5, seed: 30);
        var test = TestData.Campaign(700, 5, seed: 31);
        foreach (IUpliftLearner learner in new IUpliftLearner[]
        {
            new DrmLearner(Quick with { Scorer = ScorerKind.Mlp, HiddenSizes = [5, 3], Steps = 40 }),
            new CrmLearner(new CrmOptions { Drm = Quick with { Steps = 40 }, Budget = 0.3 }),
        })
        {
            var model = (RankingModel)learner.Fit(train, null, new FitContext(4));
            string text = model.Save().ToJsonString();
            var back = RankingModel.Load(JsonNode.Parse(text)!.AsObject());
            Assert.Equal(model.Kind, back.Kind);
            Assert.Equal(model.Weights, back.Weights);
            Assert.Equal(model.Score(test), back.Score(test));
            Assert.Equal(text, back.Save().ToJsonString());
        }
        var bad = new DrmLearner(Quick with { Steps = 5 }).FitRanking(train, null, new FitContext(1)).Save();
        bad["output"]!["weights"]!.AsArray().RemoveAt(0);
        Assert.Throws<UpliftException>(() => RankingModel.Load(bad));
    }

    [Fact]
    public void BudgetTranslatesToAFraction()
    {
        Assert.Equal(0.25, CrmOptions.BudgetFraction(0.25, BudgetUnit.FractionOfTotalCost, 2.0, 100));
        // 1000 users at 2 cost units each cost 2000 in all; 500 units buy a quarter of them
        Assert.Equal(0.25, CrmOptions.BudgetFraction(500, BudgetUnit.CostUnits, 2.0, 1000), 12);
        Assert.Equal(1.0, CrmOptions.BudgetFraction(1e9, BudgetUnit.CostUnits, 2.0, 1000));
        Assert.Throws<UpliftException>(() => CrmOptions.BudgetFraction(500, BudgetUnit.CostUnits, -0.5, 1000));
    }

    [Fact]
    public void OptionsAndDataAreChecked()
    {
        var train = TestData.Campaign(300, 3, seed: 40);
        Assert.Throws<UpliftOptionException>(() => new DrmLearner(new DrmOptions { LearningRate = 0 }).Fit(train, null, new FitContext()));
        Assert.Throws<UpliftOptionException>(() => new DrmLearner(new DrmOptions { Scorer = ScorerKind.Mlp, HiddenSizes = [] }).Fit(train, null, new FitContext()));
        Assert.Throws<UpliftOptionException>(() => new CrmLearner(new CrmOptions { TopFraction = 1.5 }).Fit(train, null, new FitContext()));
        Assert.Throws<UpliftOptionException>(() => new CrmLearner(new CrmOptions { Budget = 2, BudgetUnit = BudgetUnit.FractionOfTotalCost }).Fit(train, null, new FitContext()));
        var allTreated = train.WithOutcomes(train.V, train.C);
        var oneArm = new Dataset(train.X, train.Rows, train.Features, train.FeatureNames, new byte[train.Rows], train.V, train.C);
        Assert.Throws<UpliftException>(() => new DrmLearner(Quick).Fit(oneArm, null, new FitContext()));
        var noOutcomes = new Dataset(train.X, train.Rows, train.Features, train.FeatureNames);
        Assert.Throws<UpliftException>(() => new DrmLearner(Quick).Fit(noOutcomes, null, new FitContext()));
        Assert.NotNull(allTreated);
    }

    [Fact]
    public void PaddingStaysZeroAndProgressIsReported()
    {
        var train = TestData.Campaign(500, 4, seed: 50);
        var net = Network.Mlp(4, [5]);
        using var engine = new CohortEngine(net, train, 1, 1, 1);
        var p = net.Initialize(1, 0);
        var g = new float[p.Length];
        var adam = new Adam(p.Length, 0.05);
        for (int s = 0; s < 20; s++) { engine.Run(p, g, new ObjectiveSpec(Objective.SmoothAbsRatio), null); adam.Step(p, g); }
        var padded = net.FromLogical(net.ToLogical(p));
        Assert.Equal(padded, p);     // nothing outside the true parameters moved
        var reports = new List<ProgressInfo>();
        var progress = new SyncProgress(reports.Add);
        new DrmLearner(Quick with { Steps = 100, Restarts = 2 }).Fit(train, null, new FitContext(1, 1, progress));
        Assert.Contains(reports, r => r.Stage == "drm restart 2/2" && r.Done == 100 && r.Total == 100);
        Assert.Equal(4, reports.Count);
    }

    sealed class SyncProgress(Action<ProgressInfo> a) : IProgress<ProgressInfo> { public void Report(ProgressInfo v) => a(v); }
}

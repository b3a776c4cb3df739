using Uplift.Evaluation;
using Uplift.Experiments;
using Uplift.Models.Propensity;
using Uplift.Synthetic;
using Xunit;

namespace Uplift.Tests.Evaluation;

/// <summary>The observational cost curve (METHOD.md section 11): IPW and doubly robust AUCC against the truth.</summary>
public class ObservationalTests
{
    static SyntheticData Confounded(int n, long seed) =>
        SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.Confounded, Rows = n, Seed = seed });

    /// <summary>Three fixed rankings: the oracle ratio, the value effect alone, and a cost-driven one (low x3 first).</summary>
    static (string Name, double[] Score)[] Rankings(SyntheticData s)
    {
        int n = s.Data.Rows, d = s.Data.Features;
        var x3 = new double[n];
        for (int i = 0; i < n; i++) x3[i] = -s.Data.X[i * d + 3];
        return [("oracle", s.OracleScore), ("tau_v", s.TauV), ("cheap", x3)];
    }

    [Fact]
    public void IpwAndDoublyRobustAuccAreWithin003OfTheTruthWhileTheNaiveOneIsBiased()
    {
        var s = Confounded(30_000, 21);
        var data = s.Data;
        var ipw = new Adjustment { Propensity = s.Propensity };
        var dr = CrossFitted.WithOutcomes(data, s.Propensity, new CrossFitOptions(), seed: 4);
        var report = new List<string>();
        double worstNaive = 0;
        foreach (var (name, score) in Rankings(s))
        {
            double truth = CostCurve.FromIncrements(score, s.TauV, s.TauC).Aucc;
            double naive = CostCurve.Compute(score, data.T, data.V, data.C).Aucc;
            double wIpw = CostCurve.ComputeAdjusted(score, data.T, data.V, data.C, ipw).Aucc;
            double wDr = CostCurve.ComputeAdjusted(score, data.T, data.V, data.C, dr).Aucc;
            report.Add($"{name}: truth {truth:F4} naive {naive:F4} ipw {wIpw:F4} dr {wDr:F4}");
            Assert.True(Math.Abs(wIpw - truth) < 0.03, string.Join("; ", report));
            Assert.True(Math.Abs(wDr - truth) < 0.03, string.Join("; ", report));
            worstNaive = Math.Max(worstNaive, Math.Abs(naive - truth));
        }
        Assert.True(worstNaive > 0.05, "the naive AUCC should be visibly biased: " + string.Join("; ", report));
    }

    [Fact]
    public void AConstantPropensityGivesTheRandomizedCurve()
    {
        var (truth, t, v, c) = EvalData.Campaign(600, 8);
        double share = t.Count(x => x == 1) / 600.0;
        var e = Enumerable.Repeat(share, 600).ToArray();
        var plain = CostCurve.Compute(truth, t, v, c);
        var ipw = CostCurve.ComputeAdjusted(truth, t, v, c, new Adjustment { Propensity = e });
        Assert.Equal(plain.Aucc, ipw.Aucc, 12);
        Assert.Equal(plain.Y, ipw.Y, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void WithoutObservationalOptionsTheExperimentsAuccIsBitIdenticalToTheCostCurve()
    {
        var s = SyntheticCampaign.Generate(new SyntheticOptions { Rows = 3000, Seed = 2 });
        var learners = new[] { ExperimentLearner.FromCatalog("tlearner", new Uplift.Models.LearnerSettings()) };
        var r = Experiment.Run(s.Data, learners, new ExperimentOptions { ScoreValidation = true });
        var run = r.Repeats[0].Runs[0];
        var test = r.Repeats[0].Split.Test;
        Assert.Equal(CostCurve.Compute(run.TestScores, test.T, test.V, test.C).Aucc, run.Test!.Aucc); // exact, not approximate
        Assert.Equal(CostCurve.Compute(run.ValidScores, r.Repeats[0].Split.Valid.T, r.Repeats[0].Split.Valid.V, r.Repeats[0].Split.Valid.C).Aucc, run.ValidAucc);
        Assert.Null(run.Test.Adjusted);
        Assert.NotNull(run.Test.Metrics);
    }

    [Fact]
    public void TheExperimentWeightsObservationalDataAndReportsOverlap()
    {
        var s = Confounded(6000, 3);
        var learners = new[] { ExperimentLearner.FromCatalog("tlearner", new Uplift.Models.LearnerSettings()) };
        var o = new ExperimentOptions { Observational = new ObservationalOptions { Model = PropensityModelKind.Logistic, DoublyRobust = true, Trim = 0.02 } };
        var r = Experiment.Run(s.Data, learners, o);
        var rep = r.Repeats[0];
        Assert.Equal(AdjustmentKind.DoublyRobust, rep.Runs[0].Test!.Adjusted);
        Assert.NotNull(rep.Observed);
        Assert.True(rep.Observed!.Overlap.Treated.Users > 0 && rep.Observed.Overlap.Control.Users > 0);
        Assert.InRange(rep.Observed.Overlap.Treated.Quantiles[3], 0.3, 0.9); // median propensity of the treated
        Assert.True(rep.Observed.Overlap.Treated.Quantiles[3] > rep.Observed.Overlap.Control.Quantiles[3]);
        Assert.InRange(rep.Runs[0].Test!.Aucc, 0.5, 1);
    }

    [Fact]
    public void OverlapWarnsOutsideTheBoundsAndTrims()
    {
        var rep = Overlap.Report([1, 0, 1, 0], [0.5, 0.01, 0.99, 0.4]);
        Assert.Equal(1, rep.Treated.Outside);
        Assert.Equal(1, rep.Control.Outside);
        Assert.NotNull(rep.Warning);
        Assert.Null(Overlap.Report([1, 0], [0.5, 0.5]).Warning);
        Assert.Equal([0, 3], Overlap.Kept([0.5, 0.01, 0.99, 0.4], 0.02));
    }

    [Fact]
    public void TheConfoundedScenariosPropensityIsIn01To09AndFollowsTheEffects()
    {
        var s = Confounded(20_000, 4);
        Assert.InRange(s.Propensity.Min(), 0.1, 0.2);
        Assert.InRange(s.Propensity.Max(), 0.8, 0.9);
        double m = s.TauV.Average(), me = s.Propensity.Average(), cov = 0;
        for (int i = 0; i < s.TauV.Length; i++) cov += (s.TauV[i] - m) * (s.Propensity[i] - me);
        Assert.True(cov > 0); // users with large effects were treated more often
        Assert.Equal(s.Propensity, s.Data.Propensity);
    }
}

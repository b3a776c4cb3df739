using Uplift.Allocation;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Experiments;
using Uplift.Models;
using Uplift.Models.Meta;
using Uplift.Models.MultiArm;
using Uplift.Synthetic;
using Xunit;

namespace Uplift.Tests.Experiments;

/// <summary>The experiment's multi-arm evaluation (METHOD.md section 10): the K = 1 identity with the binary path, and K = 3 runs.</summary>
public sealed class ExperimentArmsTests
{
    static readonly SyntheticData Binary = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.Linear, Rows = 3000, Seed = 3 });
    static readonly SyntheticData Three = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.MultiArm, Rows = 3000, Seed = 5 });

    [Fact]
    public void With_one_arm_the_budget_path_evaluation_is_the_binary_evaluation_bit_for_bit()
    {
        var d = Binary.Data;
        var scores = new double[d.Rows];
        EffectRatio.Guarded(Binary.TauV, Binary.TauC, scores);
        var path = BudgetPath.Build(Binary.TauV, Binary.TauC, d.Rows, 1);
        var options = new EvaluationOptions { BootstrapReplicates = 30, MaxThreads = 1 };
        var binary = Experiment.Evaluate(scores, d.T, d.V, d.C, options, seed: 7);
        var arms = Experiment.EvaluateArms(path, d.T, d.V, d.C, options, seed: 7);
        Assert.Equal(binary.Aucc, arms.Aucc);
        Assert.Equal(binary.Curve.X, arms.Curve.X);
        Assert.Equal(binary.Curve.Y, arms.Curve.Y);
        Assert.Equal(binary.ValueAt, arms.ValueAt);
        Assert.Equal(binary.Ci!.Values, arms.Ci!.Values);
        Assert.Null(binary.Arms);
        Assert.Equal(1, arms.Arms!.Arms);

        // Paired: a second ranking (a noisy copy of the truth) against the first, on the same resamples.
        var rng = new Random(2);
        var tv2 = Binary.TauV.Select(x => x + rng.NextDouble() - 0.5).ToArray();
        var s2 = new double[d.Rows];
        EffectRatio.Guarded(tv2, Binary.TauC, s2);
        var boot = new BootstrapOptions { Replicates = 30, Seed = 4, MaxThreads = 1 };
        var pb = Experiment.Paired([("a", scores), ("b", s2)], 0, d.T, d.V, d.C, boot);
        var pa = Experiment.PairedArms([("a", path), ("b", BudgetPath.Build(tv2, Binary.TauC, d.Rows, 1))], 0, d.T, d.V, d.C, boot);
        Assert.Equal(pb.Bootstrap.Select(b => b.Values), pa.Bootstrap.Select(b => b.Values));
        Assert.Equal(pb.Differences[1]!.Difference.Values, pa.Differences[1]!.Difference.Values);
        Assert.Equal(pb.Differences[1]!.ShareBetter, pa.Differences[1]!.ShareBetter);
    }

    [Fact]
    public void Binary_experiments_keep_the_binary_path()
    {
        var run = Experiment.Run(Binary.Data, [new ExperimentLearner("t", new TLearner())], new ExperimentOptions(), new FitContext(MaxThreads: 1)).Repeats[0].Run("t");
        Assert.Null(run.Test!.Arms);
        var test = Binary.Data.Subset(DataSplit.Stratified(Binary.Data.T, 0.6, 0.2, 1).Test);
        Assert.Equal(CostCurve.Aucc(run.TestScores, test.T, test.V, test.C), run.Test.Aucc);
    }

    [Fact]
    public void Three_arms_are_evaluated_by_each_models_budget_path_with_paired_bootstraps()
    {
        var options = new ExperimentOptions { Reference = "a", Evaluation = new EvaluationOptions { BootstrapReplicates = 20, MaxThreads = 1 } };
        var repeat = Experiment.Run(Three.Data, [new("a", new PerArmLearner(new TLearner())), new("b", new PerArmLearner(new TLearner()))], options, new FitContext(MaxThreads: 1)).Repeats[0];
        var run = repeat.Run("a");
        var test = repeat.Split.Test;
        var path = Experiment.ArmPath(run.Model, test, 1);
        Assert.Equal(MultiArmCostCurve.Aucc(path, test.T, test.V, test.C), run.Test!.Aucc);
        Assert.Equal(MultiArmCostCurve.Aucc(Experiment.ArmPath(run.Model, repeat.Split.Valid, 1), repeat.Split.Valid.T, repeat.Split.Valid.V, repeat.Split.Valid.C), run.ValidAucc);
        Assert.InRange(run.Test.Aucc, 0.5, 1.0);
        var ma = run.Test.Arms!;
        Assert.Equal(3, ma.Arms);
        Assert.Equal([0.25, 0.5, 1.0], ma.ValueAtBudgets.Select(b => b.Share));
        Assert.Equal(MultiArmCostCurve.ValueAtBudgets(path, test.T, test.V, test.C).Select(b => b.Value), ma.ValueAtBudgets.Select(b => b.Value));
        // The same learner twice: zero difference on every resample; each interval is its own bootstrap.
        var p = Assert.Single(repeat.Paired);
        Assert.All(p.Difference.Values, x => Assert.Equal(0.0, x));
        var alone = MultiArmBootstrap.Aucc(path, test.T, test.V, test.C, options: new BootstrapOptions { Replicates = 20, Seed = repeat.Seed, MaxThreads = 1 });
        Assert.Equal(alone.Values, run.Test.Ci!.Values);
    }

    [Fact]
    public void The_split_by_arm_is_the_assignment_at_each_budget()
    {
        var d = Three.Data;
        var path = BudgetPath.Build(Three.ArmTauV, Three.ArmTauC, d.Rows, 3);
        var split = Experiment.SplitByArm(path, Experiment.ArmSplitShares);
        Assert.Equal(20, split.Length);
        foreach (var point in split)
        {
            var a = path.Assign(point.Budget);
            var counts = new int[4];
            foreach (int arm in a.Arm) counts[arm]++;
            Assert.Equal(counts, point.Users);
            var per = Policy.PerArm(a.Arm, Three.ArmTauV, Three.ArmTauC);
            for (int k = 1; k <= 3; k++) Assert.Equal(per[k].Cost, point.Spend[k], 6);
            Assert.Equal(a.Cost, point.Spend.Sum(), 6);
        }
        Assert.Throws<UpliftOptionException>(() => Experiment.SplitByArm(path, [0.5, 0.25]));
    }

    [Fact]
    public void A_binary_model_on_three_arms_is_refused_by_name()
    {
        var model = new TLearner().Fit(Binary.Data, null, new FitContext(MaxThreads: 1));
        var e = Assert.Throws<UpliftException>(() => Experiment.ArmPath(model, Three.Data));
        Assert.Contains("3 arms", e.Message);
    }
}

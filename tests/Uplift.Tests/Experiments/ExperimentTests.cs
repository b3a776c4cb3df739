using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Experiments;
using Uplift.Models;
using Uplift.Models.Meta;
using Uplift.Synthetic;
using Xunit;

namespace Uplift.Tests.Experiments;

public sealed class ExperimentTests
{
    static readonly Dataset Data = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.Linear, Rows = 3000, Seed = 3 }).Data;

    static ExperimentLearner T(string name = "tlearner") => new(name, new TLearner());

    [Fact]
    public void Each_repeat_gives_what_a_manual_split_fit_score_aucc_gives()
    {
        var result = Experiment.Run(Data, [T()], new ExperimentOptions { Repeats = 2, FirstSeed = 5 }, new FitContext(MaxThreads: 1));
        Assert.Equal(2, result.Repeats.Count);
        var manual = new double[2];
        for (int k = 0; k < 2; k++)
        {
            int seed = 5 + k;
            var split = DataSplit.Stratified(Data.T, 0.6, 0.2, seed);
            var (train, valid, test) = (Data.Subset(split.Train), Data.Subset(split.Valid), Data.Subset(split.Test));
            var model = new TLearner().Fit(train, valid, new FitContext(seed, 1));
            var st = model.Score(test);
            manual[k] = CostCurve.Aucc(st, test.T, test.V, test.C);

            var run = result.Repeats[k].Run("tlearner");
            Assert.Equal(seed, run.Seed);
            Assert.Equal(split.Test, result.Repeats[k].Split.Rows!.Test);
            Assert.Equal(st, run.TestScores);
            Assert.Equal(manual[k], run.Test!.Aucc);
            Assert.Equal(CostCurve.Aucc(model.Score(valid), valid.T, valid.V, valid.C), run.ValidAucc);
            Assert.Equal(CostCurve.ValueAtCostShare(run.Test.Curve, 0.2), run.Test.At(0.2));
            Assert.Null(run.Test.Ci);
        }
        var summary = result.Summary("tlearner");
        Assert.Equal(manual, summary.TestAucc);
        Assert.Equal((manual[0] + manual[1]) / 2, summary.TestAuccMean);
        Assert.Equal(Math.Abs(manual[0] - manual[1]) / Math.Sqrt(2), summary.TestAuccSd, 12);
        Assert.Empty(result.Paired);
    }

    [Fact]
    public void A_learner_against_itself_differs_by_exactly_zero_with_a_zero_width_interval()
    {
        var options = new ExperimentOptions
        {
            Repeats = 2, Reference = "a",
            Evaluation = new EvaluationOptions { BootstrapReplicates = 40, MaxThreads = 1 },
        };
        var result = Experiment.Run(Data, [T("a"), T("b")], options, new FitContext(MaxThreads: 1));
        foreach (var repeat in result.Repeats)
        {
            var p = Assert.Single(repeat.Paired);
            Assert.Equal(("b", "a"), (p.Model, p.Reference));
            Assert.Equal(0.0, p.Difference.Estimate);
            Assert.Equal(0.0, p.Difference.Lower);
            Assert.Equal(0.0, p.Difference.Upper);
            Assert.All(p.Difference.Values, x => Assert.Equal(0.0, x));
            Assert.Equal(0.0, p.ShareBetter);
            // Each model's interval is the bootstrap of its own AUCC on the repeat's seed (the paired resamples).
            var a = repeat.Run("a");
            var alone = Bootstrap.Aucc(a.TestScores, repeat.Split.Test.T, repeat.Split.Test.V, repeat.Split.Test.C,
                new BootstrapOptions { Replicates = 40, Seed = repeat.Seed, MaxThreads = 1 });
            Assert.Equal(alone.Values, a.Test!.Ci!.Values);
            Assert.Equal(alone.Values, repeat.Run("b").Test!.Ci!.Values);
        }
        var summary = Assert.Single(result.Paired);
        Assert.Equal([0.0, 0.0], summary.PerRepeat);
        Assert.Equal((0.0, 0.0, 0.0), (summary.Mean, summary.Lower, summary.Upper));
    }

    [Fact]
    public void A_table_repeat_is_the_campaign_loader_with_the_repeat_seed()
    {
        var table = Uplift.Cli.Commands.SimulateCommand.ToTable("sim", SyntheticCampaign.Generate(new SyntheticOptions { Rows = 2000, Seed = 4 }));
        var roles = new ColumnRoles("treatment", "value", "cost") { Id = "user_id", Features = [.. Enumerable.Range(0, 10).Select(i => $"x{i}")] };
        var result = Experiment.Run(table, roles, [T()], new ExperimentOptions { FirstSeed = 9, TrainFraction = 0.7, ValidFraction = 0.3 });
        var repeat = Assert.Single(result.Repeats);
        var campaign = CampaignData.FromTable(table, roles, new CampaignLoadOptions { Split = new SplitOptions { TrainFraction = 0.7, ValidFraction = 0.3, Seed = 9 } });
        Assert.Equal(campaign.Split.Train, repeat.Split.Campaign!.Split.Train);
        var model = new TLearner().Fit(campaign.Train, campaign.Valid, new FitContext(9));
        Assert.Equal(CostCurve.Aucc(model.Score(campaign.Valid), campaign.Valid.T, campaign.Valid.V, campaign.Valid.C), repeat.Runs[0].ValidAucc);
        Assert.Null(repeat.Runs[0].Test); // test fraction 0: no test users, no test evaluation
        Assert.Empty(repeat.Runs[0].TestScores);
    }

    [Fact]
    public void Without_validation_scoring_the_validation_aucc_is_nan()
    {
        var run = Experiment.Run(Data, [T()], new ExperimentOptions { ScoreValidation = false }).Repeats[0].Runs[0];
        Assert.True(double.IsNaN(run.ValidAucc));
        Assert.Empty(run.ValidScores);
        Assert.NotNull(run.Test);
    }

    [Fact]
    public void Evaluate_is_the_cost_curve_the_value_at_cost_shares_and_the_bootstrap()
    {
        var split = DataSplit.Stratified(Data.T, 0.6, 0.2, 1);
        var test = Data.Subset(split.Test);
        var s = new TLearner().Fit(Data.Subset(split.Train), null, new FitContext()).Score(test);
        var e = Experiment.Evaluate(s, test.T, test.V, test.C, new EvaluationOptions { BootstrapReplicates = 30, CostShares = [0.25] }, seed: 7);
        var curve = CostCurve.Compute(s, test.T, test.V, test.C);
        Assert.Equal(curve.Aucc, e.Aucc);
        Assert.Equal(CostCurve.ValueAtCostShare(curve, 0.25), Assert.Single(e.ValueAt));
        Assert.Equal(Bootstrap.Aucc(s, test.T, test.V, test.C, new BootstrapOptions { Replicates = 30, Seed = 7 }).Values, e.Ci!.Values);
        Assert.Throws<ArgumentOutOfRangeException>(() => e.At(0.2));
    }

    public static TheoryData<ExperimentOptions, string> BadOptions => new()
    {
        { new ExperimentOptions { Repeats = 0 }, "repeats" },
        { new ExperimentOptions { Repeats = 101 }, "repeats" },
        { new ExperimentOptions { TrainFraction = 0 }, "TrainFraction" },
        { new ExperimentOptions { ValidFraction = 0.5 }, "ValidFraction" },
        { new ExperimentOptions { FirstSeed = int.MaxValue, Repeats = 2 }, "seed" },
        { new ExperimentOptions { Evaluation = new EvaluationOptions { BootstrapReplicates = 1 } }, "replicates" },
        { new ExperimentOptions { Evaluation = new EvaluationOptions { BootstrapReplicates = 100_001 } }, "replicates" },
        { new ExperimentOptions { Evaluation = new EvaluationOptions { CostShares = [] } }, "cost-shares" },
        { new ExperimentOptions { Evaluation = new EvaluationOptions { CostShares = [0.2, 1.5] } }, "cost-shares" },
        { new ExperimentOptions { Evaluation = new EvaluationOptions { MaxThreads = 0 } }, "threads" },
        { new ExperimentOptions { Reference = "nobody" }, "reference" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Options_out_of_range_are_refused_before_any_fit(ExperimentOptions options, string option)
    {
        var e = Assert.Throws<UpliftOptionException>(() => Experiment.Run(Data, [T()], options));
        Assert.Equal(option, e.Option);
    }

    [Fact]
    public void Learners_need_distinct_names()
    {
        Assert.Equal("learners", Assert.Throws<UpliftOptionException>(() => Experiment.Run(Data, [T("a"), T("a")])).Option);
        Assert.Equal("learners", Assert.Throws<UpliftOptionException>(() => Experiment.Run(Data, [])).Option);
        Assert.Equal("tlearner", ExperimentLearner.FromCatalog("tlearner", new LearnerSettings()).Learner.Kind);
    }
}

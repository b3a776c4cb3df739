using Uplift.Engine;
using Uplift.Evaluation;
using Uplift.Models;
using Uplift.Models.Ranking;
using Uplift.Tests.Engine;
using Xunit;

namespace Uplift.Tests.Models.Ranking;

/// <summary>DrmOptions.Selection: which of the restarts' snapshots a DRM or CRM keeps.</summary>
public class ModelSelectionTests
{
    static readonly DrmOptions Many = new() { Objective = Objective.Ratio, Steps = 120, Restarts = 3, EvalEvery = 20 };
    // Restart 0 of Many, final parameters only: one of Many's candidates (same seed, same initial weights).
    static readonly DrmOptions One = Many with { Restarts = 1, EvalEvery = 0 };

    static double Aucc(RankingModel m, Uplift.Data.Dataset d) =>
        CostCurve.Aucc(m.Score(d), d.T, d.V, d.C, new CostCurveOptions { Segments = DrmOptions.SelectionSegments });

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KeptParametersHaveTheHighestValidationAuccOfAllCandidates(bool crm)
    {
        var train = TestData.Campaign(3000, 5, seed: 21, noise: 2.0);
        var val = TestData.Campaign(1500, 5, seed: 22, noise: 2.0);
        RankingModel Fit(DrmOptions o) => crm
            ? new CrmLearner(new CrmOptions { Drm = o }).FitRanking(train, val, new FitContext(4))
            : new DrmLearner(o).FitRanking(train, val, new FitContext(4));
        var kept = Fit(Many);
        var single = Fit(One);
        Assert.Equal(AppliedSelection.ValidationAucc, kept.FitInfo!.Selection);
        Assert.True(Aucc(kept, val) >= Aucc(single, val), $"kept {Aucc(kept, val)} < candidate {Aucc(single, val)}");
    }

    [Fact]
    public void AutoScorer_KeepsTheFixedScorerWithTheHigherValidationAucc_AndRecordsBoth()
    {
        var train = TestData.Campaign(3000, 5, seed: 25, noise: 2.0);
        var val = TestData.Campaign(1500, 5, seed: 26, noise: 2.0);
        var o = new DrmOptions { Steps = 80, Restarts = 1, EvalEvery = 20 };
        RankingModel Fit(ScorerKind s, Uplift.Data.Dataset? v) => new DrmLearner(o with { Scorer = s }).FitRanking(train, v, new FitContext(4, 1));
        var auto = Fit(ScorerKind.Auto, val);
        var linear = Fit(ScorerKind.Linear, val);
        var mlp = Fit(ScorerKind.Mlp, val);
        var choice = auto.Options["scorerChoice"]!.AsObject();
        double a = (double)choice["linearValidationAucc"]!, b = (double)choice["mlpValidationAucc"]!;
        Assert.Equal(Aucc(linear, val), a, 9);
        Assert.Equal(Aucc(mlp, val), b, 9);
        var expected = b > a ? mlp : linear;
        Assert.Equal(b > a ? "mlp" : "linear", (string)choice["chosen"]!);
        Assert.Equal(expected.Scorer, auto.Scorer);
        Assert.Equal(expected.Weights, auto.Weights);
        Assert.Equal(RankingNames.Scorer.Name(expected.Scorer), (string)auto.Options["scorer"]!);
        // Without validation users there is no AUCC to choose by: the linear scorer alone, and the file says why.
        var alone = Fit(ScorerKind.Auto, null);
        Assert.Equal(ScorerKind.Linear, alone.Scorer);
        Assert.Equal(Fit(ScorerKind.Linear, null).Weights, alone.Weights);
        Assert.Contains("no validation AUCC", (string)alone.Options["scorerChoice"]!["reason"]!);
    }

    [Fact]
    public void ObjectiveSelectionKeepsTheHighestValidationObjective()
    {
        var train = TestData.Campaign(3000, 5, seed: 23, noise: 2.0);
        var val = TestData.Campaign(1500, 5, seed: 24, noise: 2.0);
        var o = Many with { Selection = ModelSelection.ValidationObjective };
        var kept = new DrmLearner(o).FitRanking(train, val, new FitContext(4));
        var single = new DrmLearner(o with { Restarts = 1, EvalEvery = 0 }).FitRanking(train, val, new FitContext(4));
        Assert.Equal(AppliedSelection.ValidationObjective, kept.FitInfo!.Selection);
        Assert.True(kept.ValidationObjective >= single.ValidationObjective);
    }

    [Fact]
    public void FallsBackToTheObjectiveWhenTheValidationAuccIsUndefined()
    {
        var train = TestData.Campaign(1500, 4, seed: 25);
        var val = TestData.Campaign(800, 4, seed: 26);
        // Negative incremental cost on the validation users: their cost curve is undefined.
        var negative = val.WithOutcomes(val.V, [.. val.C.Select(c => -c)]);
        var o = Many with { Steps = 40 };
        var m = new DrmLearner(o).FitRanking(train, negative, new FitContext(1));
        Assert.Equal(AppliedSelection.ValidationObjective, m.FitInfo!.Selection);
        Assert.Throws<UpliftException>(() => CostCurve.Aucc(m.Score(negative), negative.T, negative.V, negative.C));
        var noValidation = new DrmLearner(o).FitRanking(train, null, new FitContext(1));
        Assert.Equal(AppliedSelection.TrainingObjective, noValidation.FitInfo!.Selection);
    }

    [Fact]
    public void SelectionIsSavedAndChecked()
    {
        Assert.Equal("aucc", new DrmOptions().ToJson()["selection"]!.GetValue<string>());
        Assert.Throws<UpliftOptionException>(() => new DrmOptions { Selection = (ModelSelection)7 }.Validate());
    }
}

using Uplift.Data;
using Uplift.IO;
using Uplift.Models;
using Uplift.Models.Auto;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.Ranking;
using Uplift.Models.Trees;
using Uplift.Persistence;
using Uplift.Synthetic;
using Uplift.Tests.Models.MultiArm;
using Xunit;

namespace Uplift.Tests.Models;

/// <summary>The auto learner: the choice by nested validation AUCC, its record in the model file, the time limit, the refusal of several arms.</summary>
public sealed class AutoLearnerTests
{
    static readonly LearnerSettings Small = MakeSmall();

    static LearnerSettings MakeSmall()
    {
        var drm = new DrmOptions { Steps = 40, Restarts = 1, EvalEvery = 10 };
        return new LearnerSettings()
            .With(drm)
            .With(new CrmOptions { Drm = drm, TemperatureEvery = 10 })
            .With(new RLearnerOptions { Folds = 2 })
            .With(new CausalForestOptions { NumTrees = 8, NuisanceTrees = 4, MinNodeSize = 20 })
            .With(new TLearnerOptions { Boosting = new GradientBoostingOptions { NumTrees = 10, NumLeaves = 4, MinDataInLeaf = 20 } });
    }

    static Dataset Campaign(int rows, long seed, SyntheticScenario scenario = SyntheticScenario.Nonlinear) =>
        SyntheticCampaign.Generate(new SyntheticOptions { Rows = rows, Features = 6, Seed = seed, Scenario = scenario, MaxThreads = 1 }).Data;

    static readonly Lazy<(Dataset Train, Dataset Valid, AutoModel Model)> Fitted = new(() =>
    {
        var train = Campaign(3000, 1);
        var valid = Campaign(2000, 2);
        var model = (AutoModel)AutoRegistration.Instance.Create(new AutoOptions { Base = Small, TimeLimitSeconds = 0 }).Fit(train, valid, new FitContext(5, 1));
        return (train, valid, model);
    });

    [Fact]
    public void Choice_IsTheCandidateWithTheHighestJudgingHalfAucc_AndItsRecordIsTheChosenModelsOwn()
    {
        var (_, valid, model) = Fitted.Value;
        Assert.Equal(AutoCandidates.Names.Count + 1, model.Candidates.Count);   // every candidate ran (no limit), and the rank average
        Assert.All(model.Candidates, c => Assert.True(c.Ran));
        Assert.Equal(AutoCandidates.EnsembleName, model.Candidates[^1].Name);
        double max = model.Candidates.Max(c => c.JudgeAucc!.Value);
        var chosen = model.Candidates.First(c => c.Name == model.ChosenName);
        Assert.Equal(max, chosen.JudgeAucc);
        Assert.Equal(model.Candidates.First(c => c.JudgeAucc == max).Name, model.ChosenName);   // ties: the earlier
        // The recorded AUCCs are the returned model's own on the two halves (nothing refitted after the choice).
        var (tune, judge) = NestedValidation.Halves(valid, 5);
        Assert.Equal(chosen.JudgeAucc!.Value, LearnerCatalog.ValidationAucc(judge, model.Score(judge)), 12);
        Assert.Equal(chosen.TuneAucc!.Value, LearnerCatalog.ValidationAucc(tune, model.Score(tune)), 12);
        Assert.Equal(model.Chosen.Kind, chosen.Kind);
    }

    [Fact]
    public void ModelFile_RoundTrip_GivesTheChosenModel_AndTheRecord()
    {
        var (train, _, model) = Fitted.Value;
        var json = model.Save();
        var loaded = Assert.IsAssignableFrom<AutoModel>(LearnerCatalog.Load(AutoRegistration.Name, ModelJson.FromNode(json, "model")));
        Assert.Equal(model.ChosenName, loaded.ChosenName);
        Assert.Equal(model.Chosen.Kind, loaded.Chosen.Kind);
        Assert.Equal(model.Candidates.Select(c => c with { Seconds = null }), loaded.Candidates);   // seconds are train's metrics, not the model's
        Assert.Equal(model.Score(train), loaded.Score(train));
        Assert.Equal(json.ToJsonString(), loaded.Save().ToJsonString());
        Assert.Equal(model is IEffectModel, loaded is IEffectModel);
    }

    [Fact]
    public void RankAverage_RoundTrips_AndScoresPerUser()
    {
        var (train, valid, _) = Fitted.Value;
        var members = new IUpliftModel[]
        {
            TLearnerRegistration.Instance.Create(Small.Get<TLearnerOptions>()).Fit(train, null, new FitContext(1, 1)),
            DrmRegistration.Instance.Create(Small.Get<DrmOptions>()).Fit(train, valid, new FitContext(1, 1)),
        };
        var ens = RankAverageModel.Create(members, valid, 1);
        var all = ens.Score(train);
        Assert.All(all, s => Assert.InRange(s, 0, 1));
        // A user's score does not depend on the users scored with it.
        var few = ens.Score(train.Subset([3, 1, 4]));
        Assert.Equal([all[3], all[1], all[4]], few);
        var auto = AutoModel.Create(ens, AutoCandidates.EnsembleName,
            [new AutoCandidateResult(AutoCandidates.EnsembleName, RankAverageModel.KindName, "test", 0.6, 0.6, 0.0)], 0);
        var loaded = LearnerCatalog.Load(AutoRegistration.Name, ModelJson.FromNode(auto.Save(), "model"));
        Assert.Equal(all, loaded.Score(train));
    }

    [Fact]
    public void Rank_InterpolatesBetweenOrderStatistics_TiesGetTheMiddleRank()
    {
        double[] q = [1, 2, 2, 4];
        Assert.Equal(0, RankAverageModel.Rank(q, 0.5));
        Assert.Equal(0, RankAverageModel.Rank(q, 1));
        Assert.Equal(0.5, RankAverageModel.Rank(q, 2), 12);        // q[1] = q[2] = 2: ranks 1 and 2 of 0..3, middle 1.5 / 3
        Assert.Equal(2.5 / 3, RankAverageModel.Rank(q, 3), 12);    // halfway from q[2] = 2 to q[3] = 4
        Assert.Equal(1, RankAverageModel.Rank(q, 4));
        Assert.Equal(1, RankAverageModel.Rank(q, 9));
    }

    [Fact]
    public void TimeLimit_StopsStartingCandidates_AndTheSkippedAreRecorded()
    {
        var train = Campaign(2000, 3);
        var valid = Campaign(1000, 4);
        // A limit any fit exceeds: the first candidate runs (always), no other starts; no rank average of one model.
        var model = (AutoModel)new AutoLearner(new AutoOptions { Base = Small, TimeLimitSeconds = 1e-9 }).Fit(train, valid, new FitContext(5, 1));
        Assert.Equal(AutoCandidates.Names[0], model.ChosenName);
        Assert.Equal(AutoCandidates.Names, model.Candidates.Select(c => c.Name));
        Assert.True(model.Candidates[0].Ran);
        Assert.All(model.Candidates.Skip(1), c => Assert.False(c.Ran));
        // Recorded in the file, and read back.
        var loaded = (AutoModel)LearnerCatalog.Load(AutoRegistration.Name, ModelJson.FromNode(model.Save(), "model"));
        Assert.Equal(1, loaded.Candidates.Count(c => c.Ran));
        Assert.Equal(1e-9, loaded.TimeLimitSeconds);
    }

    [Fact]
    public void TimeLimit_StopsTheCandidateThatIsRunning_AndRecordsIt()
    {
        var train = Campaign(2000, 3);
        var valid = Campaign(1000, 4);
        // "drm linear" (the second candidate) would take a million Adam steps: the limit stops it, no later one starts.
        var endless = Small.With(Small.Get<DrmOptions>() with { Steps = 1_000_000, EvalEvery = 1000 });
        const double limit = 6;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var model = (AutoModel)new AutoLearner(new AutoOptions { Base = endless, TimeLimitSeconds = limit }).Fit(train, valid, new FitContext(5, 1));
        double seconds = watch.Elapsed.TotalSeconds;
        Assert.True(seconds < limit + 20, $"the fit took {seconds:F1} s with a limit of {limit} s");
        Assert.True(model.Candidates[0].Ran);
        var drm = model.Candidates[1];
        Assert.Equal(AutoCandidates.Names[1], drm.Name);
        Assert.True(drm.Stopped);
        Assert.False(drm.Ran);
        Assert.True(drm.Seconds > 0);
        Assert.All(model.Candidates.Skip(2), c => Assert.False(c.Ran));   // not started, or stopped at once
        var loaded = (AutoModel)LearnerCatalog.Load(AutoRegistration.Name, ModelJson.FromNode(model.Save(), "model"));
        Assert.Equal(model.Candidates.Select(c => c.Stopped), loaded.Candidates.Select(c => c.Stopped));
    }

    [Fact]
    public void SeveralArms_IsAClearError()
    {
        var data = MultiArmTestData.Generate(1500, 6, 21);
        var ex = Assert.Throws<UpliftDataException>(() => LearnerCatalog.Create(AutoRegistration.Name, Small.With(new AutoOptions { Base = Small }))
            .Fit(data, null, new FitContext(3, 1)));
        Assert.Contains("binary campaigns only", ex.Message);
        Assert.Contains("drm", ex.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(1e8)]
    public void TimeLimit_OutOfRange_IsAnOptionError(double limit)
    {
        var ex = Assert.Throws<UpliftOptionException>(() => new AutoLearner(new AutoOptions { TimeLimitSeconds = limit }).Fit(Campaign(200, 1), null, new FitContext()));
        Assert.Contains("--time-limit", ex.Message);
    }

    [Fact]
    public void Load_RefusesAChoiceThatDidNotRun_AndAnAutoModelInside()
    {
        var (_, _, model) = Fitted.Value;
        var json = model.Save();
        json["chosen"] = "nothing";
        var ex = Assert.ThrowsAny<UpliftException>(() => LearnerCatalog.Load(AutoRegistration.Name, ModelJson.FromNode(json, "model")));
        Assert.Contains("is not a candidate that ran", ex.Message);
        var nested = model.Save();
        nested["model"] = model.Save();
        ex = Assert.ThrowsAny<UpliftException>(() => LearnerCatalog.Load(AutoRegistration.Name, ModelJson.FromNode(nested, "model")));
        Assert.Contains("inside an auto model", ex.Message);
    }
}

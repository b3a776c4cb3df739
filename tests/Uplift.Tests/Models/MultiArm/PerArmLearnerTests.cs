using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Meta;
using Uplift.Models.MultiArm;
using Uplift.Models.Ranking;
using Uplift.Models.Trees;
using Xunit;

namespace Uplift.Tests.Models.MultiArm;

/// <summary>The generic multi-arm path (METHOD.md section 10): heads per arm, calibration, the model and its file section.</summary>
public sealed class PerArmLearnerTests
{
    static readonly LearnerSettings Settings = new LearnerSettings()
        .With(new DrmOptions { Steps = 40, Restarts = 1, EvalEvery = 0 })
        .With(new TLearnerOptions { Boosting = new GradientBoostingOptions { NumTrees = 10, NumLeaves = 4, MinDataInLeaf = 20 } });

    static readonly Lazy<Dataset> Train = new(() => MultiArmTestData.Generate(6000, 4, 31));
    static readonly Lazy<Dataset> Valid = new(() => MultiArmTestData.Generate(4000, 4, 32));
    static readonly Lazy<PerArmModel> Drm = new(() =>
        (PerArmModel)LearnerCatalog.Create("drm", Settings).Fit(Train.Value, Valid.Value, new FitContext(7, 1)));
    static readonly Lazy<PerArmModel> TLearner = new(() =>
        (PerArmModel)LearnerCatalog.Create("tlearner", Settings).Fit(Train.Value, Valid.Value, new FitContext(7, 1)));

    [Fact]
    public void ArmAgainstControl_KeepsTheArmAndControl_AsABinaryCampaign()
    {
        var data = MultiArmTestData.Generate(200, 4, 1);
        var two = PerArmLearner.ArmAgainstControl(data, 2);
        Assert.Equal(1, two.Arms);
        var rows = Enumerable.Range(0, data.Rows).Where(i => data.T[i] is 0 or 2).ToArray();
        Assert.Equal(rows.Length, two.Rows);
        for (int q = 0; q < rows.Length; q++)
        {
            Assert.Equal(data.T[rows[q]] == 2 ? 1 : 0, two.T[q]);
            Assert.Equal(data.V[rows[q]], two.V[q]);
            Assert.Equal(data.Row(rows[q]).ToArray(), two.Row(q).ToArray());
        }
    }

    [Fact]
    public void ScoringHeads_AreCalibrated_ToEachArmsEffects()
    {
        var model = Drm.Value;
        Assert.Equal(3, model.Arms);
        Assert.All(model.Heads, h => Assert.IsType<RankingModel>(h));
        Assert.All(model.Calibrations, c => Assert.NotNull(c));
        var data = Valid.Value;
        var (tv, tc) = Effects(model, data);
        for (int k = 1; k <= 3; k++)
        {
            double trueV = 0, trueC = 0, estV = 0, estC = 0;
            for (int i = 0; i < data.Rows; i++)
            {
                trueV += MultiArmTestData.TauV(k, data.Row(i)); trueC += MultiArmTestData.TauC(k, data.Row(i));
                estV += tv[i * 3 + k - 1]; estC += tc[i * 3 + k - 1];
            }
            Assert.InRange(estV / data.Rows - trueV / data.Rows, -0.3, 0.3);
            Assert.InRange(estC / data.Rows - trueC / data.Rows, -0.2, 0.2);
        }
    }

    [Fact]
    public void EffectHeads_GiveTheirOwnEffects_AndTheScoreIsTheBestUpgradeSlope()
    {
        var model = TLearner.Value;
        Assert.All(model.Heads, h => Assert.IsType<TLearnerModel>(h));
        Assert.All(model.Calibrations, c => Assert.Null(c));
        var data = Valid.Value;
        var (tv, tc) = Effects(model, data);
        var scores = model.Score(data);
        var head2 = (IEffectModel)model.Heads[1];
        var v2 = new double[data.Rows]; var c2 = new double[data.Rows];
        head2.PredictEffects(data, v2, c2);
        for (int i = 0; i < data.Rows; i++)
        {
            Assert.Equal(v2[i], tv[i * 3 + 1]); Assert.Equal(c2[i], tc[i * 3 + 1]);
            double best = Enumerable.Range(0, 3).Max(k => EffectRatio.Guarded(tv[i * 3 + k], tc[i * 3 + k]));
            Assert.Equal(best, scores[i]);
        }
    }

    [Fact]
    public void EachArm_HasItsOwnHead()
    {
        var model = Drm.Value;
        Assert.NotEqual(model.Heads[0].Save().ToJsonString(), model.Heads[1].Save().ToJsonString());
    }

    /// <summary>The T-learner fits its control models once: every head holds the same two, and its own arm's two.</summary>
    [Fact]
    public void TLearnerHeads_ShareTheControlModels()
    {
        var heads = TLearner.Value.Heads.Cast<TLearnerModel>().ToArray();
        for (int k = 1; k < 3; k++)
        {
            Assert.Same(heads[0].MuV0, heads[k].MuV0);
            Assert.Same(heads[0].MuC0, heads[k].MuC0);
            Assert.NotSame(heads[0].MuV1, heads[k].MuV1);
        }
    }

    static (double[] TauV, double[] TauC) Effects(IMultiArmModel model, Dataset data)
    {
        var tv = new double[data.Rows * model.Arms]; var tc = new double[data.Rows * model.Arms];
        model.PredictArmEffects(data, tv, tc);
        return (tv, tc);
    }

    [Fact]
    public void TooFewValidationUsersOfAnArm_IsAClearError()
    {
        var v = Valid.Value;
        int seen = 0;
        var rows = Enumerable.Range(0, v.Rows).Where(i => v.T[i] != 3 || ++seen <= 10).ToArray();
        var ex = Assert.Throws<UpliftDataException>(() =>
            LearnerCatalog.Create("drm", Settings).Fit(Train.Value, v.Subset(rows), new FitContext(7, 1)));
        Assert.Contains("drm: arm 3 of 3, validation data", ex.Message);
        Assert.Contains("10 users of the arm", ex.Message);
        Assert.Contains($"at least {ScoreCalibration.MinPerGroup}", ex.Message);
    }

    [Fact]
    public void ValidationWithOtherArms_OrAPropensity_IsRefused()
    {
        var t = Train.Value;
        var two = new Dataset(t.X, t.Rows, t.Features, t.FeatureNames, [.. t.T.Select(b => (byte)Math.Min(b, (byte)2))], t.V, t.C);
        var ex = Assert.Throws<UpliftDataException>(() => LearnerCatalog.Create("tlearner", Settings).Fit(t, two, new FitContext(7, 1)));
        Assert.Contains("validation data has 2 arms, the training data 3", ex.Message);
        var withE = new Dataset(t.X, t.Rows, t.Features, t.FeatureNames, t.T, t.V, t.C, propensity: [.. t.T.Select(_ => 0.5)], arms: 3);
        ex = Assert.Throws<UpliftDataException>(() => LearnerCatalog.Create("tlearner", Settings).Fit(withE, null, new FitContext(7, 1)));
        Assert.Contains("propensity", ex.Message);
    }

    /// <summary>A model section loaded as the model file would load it (also used by the gating's tests).</summary>
    internal static IUpliftModel LoadSection(JsonObject model, string kind) =>
        LearnerCatalog.Load(kind, Uplift.IO.ModelJson.FromNode(JsonNode.Parse(model.ToJsonString()), "model", "m.json"));

    [Fact]
    public void Loader_RefusesInconsistentSections()
    {
        var drm = Drm.Value.Save();
        Assert.IsType<PerArmModel>(LoadSection(drm, "drm"));

        var fewer = (JsonObject)drm.DeepClone(); fewer["arms"] = 2;
        Assert.Contains("model.heads holds 3 heads, but arms = 2", Assert.ThrowsAny<UpliftException>(() => LoadSection(fewer, "drm")).Message);

        var noTable = (JsonObject)drm.DeepClone(); noTable["calibration"]!.AsArray()[1] = null;
        Assert.Contains("model.calibration[1] must be a calibration table", Assert.ThrowsAny<UpliftException>(() => LoadSection(noTable, "drm")).Message);

        var unsorted = (JsonObject)drm.DeepClone();
        var centres = unsorted["calibration"]![0]!["score"]!.AsArray();
        if (centres.Count > 1)
        {
            centres[1] = centres[0]!.GetValue<double>() - 1;
            Assert.Contains("strictly increasing", Assert.ThrowsAny<UpliftException>(() => LoadSection(unsorted, "drm")).Message);
        }

        var t = TLearner.Value.Save();
        var table = (JsonObject)t.DeepClone(); table["calibration"]!.AsArray()[0] = drm["calibration"]![0]!.DeepClone();
        Assert.Contains("must be null", Assert.ThrowsAny<UpliftException>(() => LoadSection(table, "tlearner")).Message);

        var nested = (JsonObject)t.DeepClone(); nested["heads"]!.AsArray()[2] = t.DeepClone();
        Assert.Contains("must be a binary model", Assert.ThrowsAny<UpliftException>(() => LoadSection(nested, "tlearner")).Message);

        var otherKind = (JsonObject)t.DeepClone(); otherKind["heads"]!.AsArray()[0] = drm["heads"]![0]!.DeepClone();
        Assert.ThrowsAny<UpliftException>(() => LoadSection(otherKind, "tlearner"));
    }
}

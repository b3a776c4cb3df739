using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Engine;
using Uplift.Models;
using Uplift.Models.MultiArm;
using Uplift.Models.Ranking;
using Uplift.Persistence;
using Xunit;

namespace Uplift.Tests.Models.MultiArm;

/// <summary>The learned gating over arms (METHOD.md section 10, "Decision", second option): gradient, fit, file, threads.</summary>
public sealed class GatingTests
{
    static readonly DrmOptions Small = new() { Steps = 40, Restarts = 2, EvalEvery = 10, ArmModel = ArmModel.Gating };
    static readonly LearnerSettings Settings = new LearnerSettings().With(Small).With(new CrmOptions { Drm = Small, TopFraction = 0.3 });

    static readonly Lazy<Dataset> Train = new(() => MultiArmTestData.Generate(3000, 5, 41));
    static readonly Lazy<Dataset> Valid = new(() => MultiArmTestData.Generate(1500, 5, 42));

    static IUpliftModel FitWith(string kind, int threads, bool validation = true) =>
        LearnerCatalog.Create(kind, Settings).Fit(Train.Value, validation ? Valid.Value : null, new FitContext(5, threads));

    static readonly Lazy<GatingModel> Drm = new(() => (GatingModel)FitWith("drm", 1));
    static readonly Lazy<GatingModel> Crm = new(() => (GatingModel)FitWith("crm", 1));

    static (double[] V, double[] C) Effects(IMultiArmModel m, Dataset d, int? threads = 1)
    {
        var v = new double[d.Rows * m.Arms]; var c = new double[d.Rows * m.Arms];
        m.PredictArmEffects(d, v, c, threads);
        return (v, c);
    }

    [Theory]
    [InlineData(new int[0], 0.0)]
    [InlineData(new[] { 3 }, 0.01)]
    public void Gradient_MatchesFiniteDifferences(int[] hidden, double l2)
    {
        var data = MultiArmTestData.Generate(1300, 4, 9); // two chunks
        var net = hidden.Length == 0 ? Network.Linear(4) : Network.Mlp(4, hidden);
        using var engine = new GatingEngine(net, 3, data, 2.0, 1.5, 1);
        var (av, ac) = engine.AverageEffects();
        var p = GatingTrainer.Initial(net, 3, 17, 0, av, ac);
        // push the scores away from the start so the softmax is not near uniform
        var rng = new Random(3);
        for (int j = 0; j < p.Length; j++) p[j] += (float)(0.3 * (rng.NextDouble() - 0.5));
        double[] lambdas = [0.3, 1.1];
        var grad = new float[p.Length];
        engine.Run(p, grad, lambdas, 0.7, l2);
        int checkedCount = 0;
        for (int j = 0; j < p.Length; j += Math.Max(1, p.Length / 40))
        {
            var q = (float[])p.Clone();
            float h = 1e-2f;
            q[j] = p[j] + h; double up = engine.Run(q, null, lambdas, 0.7, l2);
            q[j] = p[j] - h; double down = engine.Run(q, null, lambdas, 0.7, l2);
            double numeric = -(up - down) / (2 * h); // grad is the loss gradient, −∂G/∂θ
            if (grad[j] == 0 && numeric == 0) continue;
            Assert.True(Math.Abs(numeric - grad[j]) <= 2e-3 * Math.Max(1e-2, Math.Abs(numeric)) + 2e-5,
                $"parameter {j}: analytic {grad[j]:G6}, numeric {numeric:G6}");
            checkedCount++;
        }
        Assert.True(checkedCount > 10);
    }

    [Fact]
    public void Objective_IsTheIpwLagrangianOfThePolicy()
    {
        // With equal scores the policy is uniform over the K + 1 choices: G = (1/(K+1)) Σ_k (τ̄_v,k − λ τ̄_c,k).
        var data = MultiArmTestData.Generate(2000, 4, 10);
        var net = Network.Linear(4);
        using var engine = new GatingEngine(net, 3, data, 1, 1, 1);
        var (av, ac) = engine.AverageEffects();
        var p = new float[engine.ParameterCount];
        double g = engine.Run(p, null, [0.5], 1, 0);
        double expected = Enumerable.Range(0, 3).Sum(k => av[k] - 0.5 * ac[k]) / 4;
        Assert.Equal(expected, g, 9);
    }

    [Theory]
    [InlineData("drm")]
    [InlineData("crm")]
    public void Fit_GivesAGatingModel_ThatFindsTheArmsCostOrder_AndBeatsRandom(string kind)
    {
        var model = kind == "drm" ? Drm.Value : Crm.Value;
        Assert.Equal(kind, model.Kind);
        Assert.Equal(3, model.Arms);
        var test = MultiArmTestData.Generate(3000, 5, 43);
        var (v, c) = Effects(model, test);
        Assert.All(v, x => Assert.True(double.IsFinite(x)));
        double Mean(double[] e, int k) => Enumerable.Range(0, test.Rows).Average(i => e[i * 3 + k]);
        Assert.True(Mean(c, 2) > Mean(c, 0), $"arm 3 cost {Mean(c, 2)} <= arm 1 {Mean(c, 0)}");
        var path = Uplift.Allocation.BudgetPath.Build(v, c, test.Rows, 3);
        double aucc = Uplift.Evaluation.MultiArmCostCurve.Aucc(path, test.T, test.V, test.C);
        Assert.True(aucc > 0.5, $"{kind} gating: test multi-arm AUCC {aucc}");
        Assert.Equal("gating", model.Options["armModel"]!.GetValue<string>());
        Assert.Equal("validation-aucc", model.Options["selectionApplied"]!.GetValue<string>());
        Assert.NotNull(model.ValidationAucc);
    }

    [Theory]
    [InlineData("drm")]
    [InlineData("crm")]
    public void ModelFile_RoundTrip_IsBitIdentical(string kind)
    {
        var model = kind == "drm" ? Drm.Value : Crm.Value;
        var pre = BinaryPreprocessor(Train.Value);
        var file = new ModelFile(model, pre, 3);
        string text = file.ToJson().ToJsonString();
        var loaded = ModelFile.FromJson(JsonNode.Parse(text)!.AsObject());
        var g = Assert.IsType<GatingModel>(loaded.Model);
        var test = Valid.Value;
        var (v1, c1) = Effects(model, test);
        var (v2, c2) = Effects(g, test);
        Assert.Equal(v1, v2);
        Assert.Equal(c1, c2);
        Assert.Equal(model.Score(test), g.Score(test));
        Assert.Equal(text, new ModelFile(g, loaded.Preprocessor, 3, createdUtc: file.CreatedUtc).ToJson().ToJsonString());
    }

    [Theory]
    [InlineData("drm")]
    [InlineData("crm")]
    public void Fit_IsBitIdentical_ForOneAndTwoThreads(string kind)
    {
        foreach (bool validation in new[] { true, false })
        {
            var one = (GatingModel)FitWith(kind, 1, validation);
            var two = (GatingModel)FitWith(kind, 2, validation);
            Assert.Equal(one.Save().ToJsonString(), two.Save().ToJsonString());
            Assert.Equal(Effects(one, Valid.Value, 1).V, Effects(two, Valid.Value, 2).V);
        }
    }

    [Fact]
    public void OneArm_IsUnaffected_ByTheArmModel()
    {
        var binary = PerArmLearner.ArmAgainstControl(Train.Value, 2);
        var heads = (RankingModel)LearnerCatalog.Create("drm", new LearnerSettings().With(Small with { ArmModel = ArmModel.Heads })).Fit(binary, null, new FitContext(5, 1));
        var gated = (RankingModel)LearnerCatalog.Create("drm", Settings).Fit(binary, null, new FitContext(5, 1));
        Assert.Equal(heads.Weights, gated.Weights);
        Assert.Equal(heads.Score(binary), gated.Score(binary));
    }

    [Fact]
    public void Heads_StayTheDefault_AndTheFlagSelectsGating()
    {
        Assert.Equal(ArmModel.Heads, new DrmOptions().ArmModel);
        Assert.False(new DrmOptions().ToJson().ContainsKey("armModel"));
        Assert.Equal(ArmModel.Gating, ArmModelNames.Table.Of("gating"));
        Assert.Throws<UpliftOptionException>(() => (new DrmOptions() with { ArmModel = (ArmModel)7 }).Validate());
        var flag = DrmRegistration.Flags.Single(f => f.Name == "--arm-model");
        Assert.Equal(ArmModel.Gating, flag.Apply(new DrmOptions(), "gating").ArmModel);
        Assert.Contains(CrmRegistration.Instance.Flags, f => f.Name == "--arm-model");
    }

    static IUpliftModel LoadSection(JsonObject model, string kind) => PerArmLearnerTests.LoadSection(model, kind);

    [Fact]
    public void Loader_RefusesInconsistentSections()
    {
        var json = Drm.Value.Save();
        Assert.IsType<GatingModel>(LoadSection(json, "drm"));
        var shorter = (JsonObject)json.DeepClone();
        ((JsonArray)shorter["weights"]!).RemoveAt(0);
        Assert.Contains("model.weights holds", Assert.ThrowsAny<UpliftException>(() => LoadSection(shorter, "drm")).Message);
        var badScale = (JsonObject)json.DeepClone();
        badScale["outcomeScale"]!["value"] = -1;
        Assert.ThrowsAny<UpliftException>(() => LoadSection(badScale, "drm"));
        var other = (JsonObject)json.DeepClone();
        other["kind"] = "tlearner";
        Assert.Contains("cannot be a learned gating", Assert.ThrowsAny<UpliftException>(() => LoadSection(other, "tlearner")).Message);
        var wrongKind = (JsonObject)json.DeepClone();
        Assert.ThrowsAny<UpliftException>(() => LoadSection(wrongKind, "crm"));
        var noLambdas = (JsonObject)json.DeepClone();
        noLambdas["lambdas"] = new JsonArray();
        Assert.Contains("at least one slope", Assert.ThrowsAny<UpliftException>(() => LoadSection(noLambdas, "drm")).Message);
    }

    /// <summary>A preprocessor of the features x0.. (fitted on the users as a binary table: any arm = 1), for the model file.</summary>
    static Preprocessor BinaryPreprocessor(Dataset d)
    {
        var roles = new ColumnRoles("t", "v", "c") { Features = [.. Enumerable.Range(0, d.Features).Select(j => $"x{j}")] };
        return Preprocessor.Fit(Contract.LearnerContractTests.ToTable(d, "gating", anyArmIsTreated: true), roles, [.. Enumerable.Range(0, d.Rows)]);
    }
}

using System.Collections.Concurrent;
using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Auto;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.MultiArm;
using Uplift.Models.Ranking;
using Uplift.Models.Trees;
using Uplift.Persistence;
using Uplift.Synthetic;
using Uplift.Tests.Models.MultiArm;
using Xunit;

namespace Uplift.Tests.Contract;

/// <summary>
/// The learner contract (in the spirit of scikit-learn's <c>parametrize_with_checks</c>): one set of checks run over
/// every registration of <see cref="LearnerCatalog.All"/>, so a learner added to the catalog is checked without a new
/// test. Each learner fits a small synthetic campaign with small options (<see cref="Settings"/>); fits are shared
/// between the checks.
/// </summary>
public sealed class LearnerContractTests
{
    /// <summary>Every registered learner, by catalog name.</summary>
    public static TheoryData<string> Learners => [.. LearnerCatalog.All.Select(r => r.Name)];

    /// <summary>Every registered learner that takes several arms: all but auto, which chooses among binary campaigns only
    /// (its refusal is checked in <c>Models/AutoLearnerTests</c>).</summary>
    public static TheoryData<string> ArmLearners => [.. LearnerCatalog.All.Select(r => r.Name).Where(n => n != AutoRegistration.Name)];

    /// <summary>
    /// Learners whose fit does not use the seed: <see cref="Seeds_ChangeTheResult_WhereTheLearnerIsRandom"/> checks
    /// that a different seed gives bit-identical scores for these, and different scores for all others. None today:
    /// drm and crm draw initial weights, causal-forest its subsamples, rlearner and duality-rlearner their cross-fitting
    /// folds (duality-rlearner also its holdout), tlearner the row subsamples of its boosted trees.
    /// </summary>
    static readonly HashSet<string> Deterministic = [];

    /// <summary>More rows than one chunk of the cohort engine (1024) and of the regressors (2048), so that two threads
    /// really split the work in <see cref="Fit_IsBitIdentical_ForOneAndTwoThreads"/>.</summary>
    const int Rows = 2500, Features = 6;

    /// <summary>Small, fast options for every learner (a learner added to the catalog gets its defaults until listed here).</summary>
    static readonly LearnerSettings Settings = MakeSettings();

    static LearnerSettings MakeSettings()
    {
        var drm = new DrmOptions { Steps = 30, Restarts = 2, EvalEvery = 0 };
        var gbt = new GradientBoostingOptions { NumTrees = 5, NumLeaves = 4, MinDataInLeaf = 20 };
        var s = new LearnerSettings()
            .With(drm)
            .With(new CrmOptions { Drm = drm, TemperatureEvery = 10 })
            .With(new RLearnerOptions { Outcome = RLearnerOutcome.Both, Folds = 2 })
            .With(new DualityRLearnerOptions { Lambdas = [0.01, 0.05], RLearner = new RLearnerOptions { Folds = 2 } })
            .With(new CausalForestOptions { NumTrees = 8, NuisanceTrees = 4, MinNodeSize = 20 })
            .With(new TLearnerOptions { Boosting = gbt });
        // auto: its candidates with the small options above, no time limit (a time cut-off would make the set of
        // candidates, hence the numbers, depend on the machine).
        return s.With(new AutoOptions { Base = s, TimeLimitSeconds = 0 });
    }

    static readonly Lazy<(RawTable Table, Preprocessor Pre, Dataset Data)> Campaign = new(BuildCampaign);
    /// <summary>A second, smaller campaign (other users) through the same preprocessing: the validation set.</summary>
    static readonly Lazy<Dataset> Validation = new(() =>
    {
        var table = ToTable(SyntheticCampaign.Generate(new SyntheticOptions { Rows = 1200, Features = Features, Seed = 12, MaxThreads = 1 }).Data);
        return Campaign.Value.Pre.Transform(table, [.. Enumerable.Range(0, table.Rows)]);
    });

    /// <summary>A small linear synthetic campaign as a raw table (x0..x5, t, v, c), preprocessed on all rows.</summary>
    static (RawTable, Preprocessor, Dataset) BuildCampaign()
    {
        var table = ToTable(SyntheticCampaign.Generate(new SyntheticOptions { Rows = Rows, Features = Features, Seed = 11, MaxThreads = 1 }).Data);
        var roles = new ColumnRoles("t", "v", "c") { Features = [.. Enumerable.Range(0, Features).Select(j => $"x{j}")] };
        var all = Enumerable.Range(0, Rows).ToArray();
        var pre = Preprocessor.Fit(table, roles, all);
        return (table, pre, pre.Transform(table, all));
    }

    /// <summary>The campaign as a raw table t, v, c, x0..; with <paramref name="anyArmIsTreated"/> t is 1 for every arm
    /// (a binary table of a multi-arm campaign).</summary>
    internal static RawTable ToTable(Dataset d, string source = "contract", bool anyArmIsTreated = false)
    {
        int n = d.Rows;
        var cols = new List<RawColumn>
        {
            RawColumn.Numeric("t", [.. d.T.Select(b => anyArmIsTreated && b != 0 ? 1.0 : b)]),
            RawColumn.Numeric("v", d.V),
            RawColumn.Numeric("c", d.C),
        };
        for (int j = 0; j < d.Features; j++)
        {
            var col = new double[n];
            for (int i = 0; i < n; i++) col[i] = d.X[i * d.Features + j];
            cols.Add(RawColumn.Numeric($"x{j}", col));
        }
        return new RawTable(source, n, cols);
    }

    static readonly ConcurrentDictionary<(string, int, int, bool), Lazy<(IUpliftModel Model, double[] Scores)>> Fits = new();

    /// <summary>The learner fitted on the campaign with this seed and thread cap (and the validation set, if asked), and its scores on the campaign (cached).</summary>
    static (IUpliftModel Model, double[] Scores) Fit(string name, int seed = 3, int threads = 1, bool validation = false) =>
        Fits.GetOrAdd((name, seed, threads, validation), key => new(() =>
        {
            var model = LearnerCatalog.Create(name, Settings).Fit(Campaign.Value.Data, validation ? Validation.Value : null, new FitContext(seed, threads));
            return (model, model.Score(Campaign.Value.Data));
        })).Value;

    [Theory]
    [MemberData(nameof(Learners))]
    public void Fit_GivesOneFiniteScorePerRow(string name)
    {
        var (model, scores) = Fit(name);
        Assert.Equal(name, model.Kind);
        Assert.Equal(Features, model.Features);
        Assert.Equal(Rows, scores.Length);
        Assert.All(scores, v => Assert.True(double.IsFinite(v), $"{name}: score {v} is not finite"));
        Assert.True(scores.Distinct().Count() > 1, $"{name}: every row has the same score");
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void Fit_StopsWhenCancelled(string name)
    {
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => LearnerCatalog.Create(name, Settings)
            .Fit(Campaign.Value.Data, Validation.Value, new FitContext(3, 1) { Cancellation = stop.Token }));
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void ModelFile_RoundTrip_GivesIdenticalScores(string name)
    {
        var (model, scores) = Fit(name);
        var (table, pre, data) = Campaign.Value;
        var text = new ModelFile(model, pre, 3).ToJson().ToJsonString();
        var loaded = ModelFile.FromJson(System.Text.Json.Nodes.JsonNode.Parse(text)!.AsObject());
        Assert.Equal(name, loaded.Model.Kind);
        AssertBitIdentical(scores, loaded.Model.Score(data), $"{name}: loaded model on the dataset");
        AssertBitIdentical(scores, loaded.Score(table), $"{name}: loaded model file on the raw table");

        // and through a file on disk, as train and score do
        var path = Path.Combine(Path.GetTempPath(), $"uplift-contract-{name}-{Guid.NewGuid():N}.json");
        try
        {
            new ModelFile(model, pre, 3).Save(path);
            AssertBitIdentical(scores, ModelFile.Load(path).Score(table), $"{name}: model file saved and loaded");
        }
        finally { File.Delete(path); }
    }

    /// <summary>Saving a loaded model writes the same bytes: every field (and the fit information) is read back, in order.</summary>
    [Theory]
    [MemberData(nameof(Learners))]
    public void ModelFile_LoadedAndSavedAgain_IsByteIdentical(string name)
    {
        var (model, _) = Fit(name, validation: true);
        var file = new ModelFile(model, Campaign.Value.Pre, 3);
        string text = file.ToJson().ToJsonString();
        var loaded = ModelFile.FromJson(System.Text.Json.Nodes.JsonNode.Parse(text)!.AsObject());
        Assert.Equal(text, new ModelFile(loaded.Model, loaded.Preprocessor, 3, createdUtc: file.CreatedUtc).ToJson().ToJsonString());
    }

    /// <summary>The registration creates the learner of its name, from its own options type, and loads its model kind.</summary>
    [Theory]
    [MemberData(nameof(Learners))]
    public void Registration_CreatesAndLoadsItsOwnKind(string name)
    {
        var r = LearnerCatalog.Find(name)!;
        Assert.IsType(r.OptionsType, r.DefaultOptions);
        Assert.Equal(name, r.Create(new LearnerSettings()).Kind);
        Assert.Equal(name, LearnerCatalog.Create(name.ToUpperInvariant(), Settings).Kind);
        Assert.Equal(name, Fit(name).Model.Kind);
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void Fit_IsBitIdentical_ForOneAndTwoThreads(string name) =>
        AssertBitIdentical(Fit(name, threads: 1).Scores, Fit(name, threads: 2).Scores, $"{name}: 1 vs 2 threads");

    /// <summary>With a validation set (restart choice, early stopping, hyper-parameter choice): still finite and thread-independent.</summary>
    [Theory]
    [MemberData(nameof(Learners))]
    public void FitWithValidation_IsFinite_AndBitIdentical_ForOneAndTwoThreads(string name)
    {
        var one = Fit(name, threads: 1, validation: true).Scores;
        Assert.Equal(Rows, one.Length);
        Assert.All(one, v => Assert.True(double.IsFinite(v), $"{name}: score {v} is not finite"));
        AssertBitIdentical(one, Fit(name, threads: 2, validation: true).Scores, $"{name} with validation: 1 vs 2 threads");
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void Fit_IsRepeatable(string name)
    {
        var again = LearnerCatalog.Create(name, Settings).Fit(Campaign.Value.Data, null, new FitContext(3, 1));
        AssertBitIdentical(Fit(name).Scores, again.Score(Campaign.Value.Data), $"{name}: same seed, second fit");
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void Seeds_ChangeTheResult_WhereTheLearnerIsRandom(string name)
    {
        var a = Fit(name, seed: 3).Scores;
        var b = Fit(name, seed: 4).Scores;
        if (Deterministic.Contains(name))
            AssertBitIdentical(a, b, $"{name} is listed as deterministic: seeds 3 and 4");
        else
            Assert.False(a.AsSpan().SequenceEqual(b), $"{name}: seeds 3 and 4 give bit-identical scores (list it as deterministic if it is)");
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void Fit_RejectsEmptyData(string name)
    {
        var empty = Campaign.Value.Data.Subset(ReadOnlySpan<int>.Empty);
        var ex = Assert.ThrowsAny<UpliftException>(() => LearnerCatalog.Create(name, Settings).Fit(empty, null, new FitContext(3, 1)));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void Fit_RejectsOneArmData(string name)
    {
        var data = Campaign.Value.Data;
        foreach (byte arm in new byte[] { 0, 1 })
        {
            var rows = Enumerable.Range(0, data.Rows).Where(i => data.T[i] == arm).ToArray();
            var oneArm = data.Subset(rows);
            var ex = Assert.ThrowsAny<UpliftException>(() => LearnerCatalog.Create(name, Settings).Fit(oneArm, null, new FitContext(3, 1)));
            Assert.Contains("both treated and control", ex.Message);
        }
    }

    // ---- Several arms (METHOD.md section 10): the generic per-arm path of every registration ----

    /// <summary>A campaign of <see cref="MultiArmTestData.Arms"/> = 3 arms (T in 0..3) with the features of <see cref="Campaign"/>,
    /// so that its preprocessor goes into the model file; and a validation campaign of other users.</summary>
    static readonly Lazy<Dataset> ArmsCampaign = new(() => MultiArmTestData.Generate(Rows, Features, 21));
    static readonly Lazy<Dataset> ArmsValidation = new(() => MultiArmTestData.Generate(1200, Features, 22));

    static readonly ConcurrentDictionary<(string, int, bool), Lazy<(IMultiArmModel Model, double[] TauV, double[] TauC, double[] Scores)>> ArmFits = new();

    /// <summary>The learner fitted on the 3-arm campaign (cached), its effects (n x K, row-major) and scores.</summary>
    static (IMultiArmModel Model, double[] TauV, double[] TauC, double[] Scores) FitArms(string name, int threads = 1, bool validation = false) =>
        ArmFits.GetOrAdd((name, threads, validation), key => new(() =>
        {
            var data = ArmsCampaign.Value;
            var fitted = LearnerCatalog.Create(name, Settings).Fit(data, validation ? ArmsValidation.Value : null, new FitContext(3, threads));
            var model = Assert.IsAssignableFrom<IMultiArmModel>(fitted);
            var (tv, tc) = Effects(model, data);
            return (model, tv, tc, model.Score(data));
        })).Value;

    static (double[] TauV, double[] TauC) Effects(IMultiArmModel model, Dataset data, int? threads = null)
    {
        var tv = new double[data.Rows * model.Arms]; var tc = new double[data.Rows * model.Arms];
        model.PredictArmEffects(data, tv, tc, threads);
        return (tv, tc);
    }

    [Theory]
    [MemberData(nameof(ArmLearners))]
    public void MultiArm_Fit_GivesFiniteEffects_PerUserAndArm(string name)
    {
        var (model, tv, tc, scores) = FitArms(name);
        Assert.Equal(name, model.Kind);
        Assert.Equal(3, model.Arms);
        Assert.Equal(Features, model.Features);
        Assert.Equal(Rows * 3, tv.Length);
        Assert.All(tv, x => Assert.True(double.IsFinite(x), $"{name}: tau_v {x}"));
        Assert.All(tc, x => Assert.True(double.IsFinite(x), $"{name}: tau_c {x}"));
        Assert.Equal(Rows, scores.Length);
        Assert.All(scores, x => Assert.True(double.IsFinite(x), $"{name}: score {x}"));
        // the campaign's cost effects grow with the arm (0.6, 2.4, 5.4 on average): every learner finds that order
        for (int k = 1; k < 3; k++)
            Assert.True(ArmMean(tc, k + 1) > ArmMean(tc, k), $"{name}: mean tau_c of arm {k + 1} ({ArmMean(tc, k + 1)}) <= arm {k} ({ArmMean(tc, k)})");
    }

    static double ArmMean(double[] effects, int arm)
    {
        double s = 0; int n = effects.Length / 3;
        for (int i = 0; i < n; i++) s += effects[i * 3 + arm - 1];
        return s / n;
    }

    [Theory]
    [MemberData(nameof(ArmLearners))]
    public void MultiArm_ModelFile_RoundTrip_GivesIdenticalScoresAndEffects(string name)
    {
        var model = FitArms(name, validation: true).Model;
        var data = ArmsCampaign.Value;
        var file = new ModelFile(model, Campaign.Value.Pre, 3);
        string text = file.ToJson().ToJsonString();
        var loaded = ModelFile.FromJson(System.Text.Json.Nodes.JsonNode.Parse(text)!.AsObject());
        var arms = Assert.IsType<PerArmModel>(loaded.Model);
        Assert.Equal(3, arms.Arms);
        Assert.Equal(name, arms.Kind);
        var (tv2, tc2) = Effects(arms, data);
        AssertBitIdentical(Effects(model, data).TauV, tv2, $"{name}: loaded tau_v");
        AssertBitIdentical(Effects(model, data).TauC, tc2, $"{name}: loaded tau_c");
        AssertBitIdentical(model.Score(data), loaded.Model.Score(data), $"{name}: loaded scores");
        Assert.Equal(text, new ModelFile(loaded.Model, loaded.Preprocessor, 3, createdUtc: file.CreatedUtc).ToJson().ToJsonString());
    }

    [Theory]
    [MemberData(nameof(ArmLearners))]
    public void MultiArm_Fit_IsBitIdentical_ForOneAndTwoThreads(string name)
    {
        foreach (bool validation in new[] { false, true })
        {
            var one = FitArms(name, 1, validation);
            var two = FitArms(name, 2, validation);
            AssertBitIdentical(one.TauV, two.TauV, $"{name} (validation {validation}): tau_v, 1 vs 2 threads");
            AssertBitIdentical(one.TauC, two.TauC, $"{name} (validation {validation}): tau_c, 1 vs 2 threads");
            AssertBitIdentical(one.Scores, two.Scores, $"{name} (validation {validation}): scores, 1 vs 2 threads");
            AssertBitIdentical(one.TauV, Effects(one.Model, ArmsCampaign.Value, 2).TauV, $"{name}: effects predicted on 1 vs 2 threads");
            Assert.Equal(one.Model.Save().ToJsonString(), two.Model.Save().ToJsonString());
        }
    }

    /// <summary>The learner of today, built from its own type (not through the registration): what one arm must give.</summary>
    static IUpliftLearner Binary(string name) => name switch
    {
        DrmRegistration.Name => new DrmLearner(Settings.Get<DrmOptions>()),
        CrmRegistration.Name => new CrmLearner(Settings.Get<CrmOptions>()),
        RLearnerRegistration.Name => new RLearner(Settings.Get<RLearnerOptions>()),
        DualityRLearnerRegistration.Name => new DualityRLearner(LearnerCatalog.ValidationAucc, Settings.Get<DualityRLearnerOptions>()),
        CausalForestRegistration.Name => new CausalForestLearner(Settings.Get<CausalForestOptions>()),
        TLearnerRegistration.Name => new TLearner(Settings.Get<TLearnerOptions>()),
        _ => ((PerArmLearner)LearnerCatalog.Create(name, Settings)).Binary,
    };

    [Theory]
    [MemberData(nameof(Learners))]
    public void OneArm_GivesExactlyTodaysModel(string name)
    {
        var data = Campaign.Value.Data;
        Assert.Equal(1, data.Arms);
        var (model, scores) = Fit(name, validation: true);
        var today = Binary(name).Fit(data, Validation.Value, new FitContext(3, 1));
        Assert.Equal(today.GetType(), model.GetType());
        Assert.Equal(today.Save().ToJsonString(), model.Save().ToJsonString());
        AssertBitIdentical(today.Score(data), scores, $"{name}: one arm vs the binary learner");
        Assert.IsNotType<PerArmModel>(model);
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void MultiArm_ArmWithoutUsers_IsAClearError(string name)
    {
        var data = ArmsCampaign.Value;
        var rows = Enumerable.Range(0, data.Rows).Where(i => data.T[i] != 2).ToArray();
        var ex = Assert.ThrowsAny<UpliftException>(() => LearnerCatalog.Create(name, Settings).Fit(data.Subset(rows), null, new FitContext(3, 1)));
        Assert.Contains("arm 2 of 3 has 0 users", ex.Message);
    }

    static void AssertBitIdentical(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(actual[i]))
                Assert.Fail($"{what}: row {i} differs ({expected[i]:R} vs {actual[i]:R})");
    }
}

using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Models.Linear;
using Uplift.Models.MultiArm;
using Uplift.Models.Trees;

namespace Uplift.Models.Meta;

/// <summary>Options of the T-learner.</summary>
public sealed record TLearnerOptions
{
    /// <summary>Base learner of the four outcome models. Default <see cref="BaseLearnerKind.Boosted"/>.</summary>
    public BaseLearnerKind BaseLearner { get; init; } = BaseLearnerKind.Boosted;
    public GradientBoostingOptions Boosting { get; init; } = new();
    public RidgeOptions Ridge { get; init; } = new();

    public void Validate(string prefix = "tlearner")
    {
        UpliftOptionException.Check(Enum.IsDefined(BaseLearner), $"{prefix}.base-learner", $"unknown value {BaseLearner}.");
        Boosting.Validate($"{prefix}.boosting");
        Ridge.Validate($"{prefix}.ridge");
    }
}

/// <summary>
/// T-learner: one model per outcome and arm, mu_v1, mu_v0, mu_c1, mu_c0; tau_v = mu_v1 - mu_v0,
/// tau_c = mu_c1 - mu_c0, score = EffectRatio.Guarded(tau_v, tau_c) (METHOD.md section 5).
/// A validation set, when given, early-stops each boosted model on the rows of its arm. With K arms
/// (<see cref="IArmHeadsLearner"/>) the control models are fitted once and shared by the K heads.
/// </summary>
public sealed class TLearner(TLearnerOptions? options = null) : IUpliftLearner, IArmHeadsLearner
{
    public TLearnerOptions Options { get; } = options ?? new TLearnerOptions();
    public string Kind => TLearnerRegistration.Name;

    public IUpliftModel Fit(Dataset train, Dataset? validation, FitContext context)
    {
        var m = FitOutcomeModels(train, validation, context, 1);
        return new TLearnerModel(m[0], m[1], m[2], m[3]);
    }

    /// <summary>K arms with the control models mu_v0, mu_c0 fitted once and shared by every arm's head (METHOD.md section 10).</summary>
    IReadOnlyList<IUpliftModel> IArmHeadsLearner.FitHeads(Dataset train, Dataset? validation, FitContext context)
    {
        var m = FitOutcomeModels(train, validation, context, train.Arms);
        return [.. Enumerable.Range(1, train.Arms).Select(k => new TLearnerModel(m[Job(true, k)], m[1], m[Job(false, k)], m[3]))];
    }

    /// <summary>The index (and seed index) of the outcome model of (value or cost, arm): 0..3 = v1, v0, c1, c0 as in the
    /// binary T-learner, then arm k &gt;= 2's value and cost models at 2k and 2k + 1.</summary>
    static int Job(bool value, int arm) => arm switch { 0 => value ? 1 : 3, 1 => value ? 0 : 2, _ => 2 * arm + (value ? 0 : 1) };

    IRegressionModel[] FitOutcomeModels(Dataset train, Dataset? validation, FitContext context, int arms)
    {
        Options.Validate();
        RegressionModels.CheckTraining(train, Kind, 2);
        if (validation is not null && !validation.HasOutcomes)
            throw new UpliftDataException($"{Kind}: the validation data has no treatment and outcome columns.");
        if (validation is not null && validation.Features != train.Features)
            throw new UpliftDataException($"{Kind}: validation has {validation.Features} features, train has {train.Features}.");
        // Boosted: the features are binned once (edges from all training rows) for the 2 + 2K models, which run side by side.
        var reg = SharedBinsRegressor.Share(RegressionModels.Create(Options.BaseLearner, Options.Ridge, Options.Boosting),
            train.X, train.Features, Rng.SubSeed(context.Seed, RngStream.SharedBins), context.ParallelOptions);
        int jobs = 2 + 2 * arms;
        var models = new IRegressionModel[jobs];
        int finished = 0;
        RLoss.RunFits(jobs, context.ParallelOptions, (j, po) =>
        {
            bool value = j < 4 ? j < 2 : j % 2 == 0;
            byte arm = (byte)(j < 4 ? (j % 2 == 0 ? 1 : 0) : j / 2);
            var set = ArmSet(train, arm, value);
            var val = validation is null ? null : ArmSet(validation, arm, value);
            models[j] = reg.Fit(set, val is { Count: > 0 } ? val : null, Rng.SubSeed(context.Seed, RngStream.TLearnerArm, j), po);
            context.Report(Kind, Interlocked.Increment(ref finished), jobs);
        });
        return models;
    }

    static RegressionSet ArmSet(Dataset data, byte arm, bool value)
    {
        var rows = new List<int>();
        for (int i = 0; i < data.Rows; i++) if (data.T[i] == arm) rows.Add(i);
        var r = rows.ToArray();
        var y = new double[r.Length];
        double[]? w = data.Weight is null ? null : new double[r.Length];
        for (int q = 0; q < r.Length; q++)
        {
            y[q] = value ? data.V[r[q]] : data.C[r[q]];
            if (w is not null) w[q] = data.Weight![r[q]];
        }
        return new RegressionSet(data.X, data.Features, r, y, w);
    }
}

/// <summary>A fitted T-learner (four outcome models).</summary>
public sealed class TLearnerModel : IEffectModel
{
    public string Kind => TLearnerRegistration.Name;
    public int Features => MuV1.Features;
    public IRegressionModel MuV1 { get; }
    public IRegressionModel MuV0 { get; }
    public IRegressionModel MuC1 { get; }
    public IRegressionModel MuC0 { get; }

    public TLearnerModel(IRegressionModel muV1, IRegressionModel muV0, IRegressionModel muC1, IRegressionModel muC0)
    {
        if (muV0.Features != muV1.Features || muC1.Features != muV1.Features || muC0.Features != muV1.Features)
            throw new ArgumentException("the four T-learner models disagree on the feature count.");
        MuV1 = muV1; MuV0 = muV0; MuC1 = muC1; MuC0 = muC0;
    }

    public void PredictEffects(Dataset data, Span<double> tauV, Span<double> tauC) => PredictEffects(data, tauV, tauC, null);

    public void PredictEffects(Dataset data, Span<double> tauV, Span<double> tauC, int? maxThreads)
    {
        var po = ScoreParallelism.Options(maxThreads);
        var v1 = RegressionModels.PredictAll(MuV1, data, po); var v0 = RegressionModels.PredictAll(MuV0, data, po);
        var c1 = RegressionModels.PredictAll(MuC1, data, po); var c0 = RegressionModels.PredictAll(MuC0, data, po);
        for (int i = 0; i < data.Rows; i++) { tauV[i] = v1[i] - v0[i]; tauC[i] = c1[i] - c0[i]; }
    }

    public void Score(Dataset data, Span<double> scores) => Score(data, scores, null);

    public void Score(Dataset data, Span<double> scores, int? maxThreads)
    {
        var tv = new double[data.Rows]; var tc = new double[data.Rows];
        PredictEffects(data, tv, tc, maxThreads);
        for (int i = 0; i < tv.Length; i++) scores[i] = EffectRatio.Guarded(tv[i], tc[i]);
    }

    public JsonObject Save() => new()
    {
        ["kind"] = Kind,
        ["features"] = Features,
        ["mu_v1"] = MuV1.Save(), ["mu_v0"] = MuV0.Save(), ["mu_c1"] = MuC1.Save(), ["mu_c0"] = MuC0.Save(),
    };

    public static TLearnerModel Load(JsonObject o) => Load(Uplift.IO.ModelJson.FromNode(o, "model"));

    internal static TLearnerModel Load(Uplift.IO.ModelJson o)
    {
        o.Choice("kind", TLearnerRegistration.Name);
        int features = o.Int("features", 1, int.MaxValue);
        return new TLearnerModel(RegressionModels.Load(o, "mu_v1", features), RegressionModels.Load(o, "mu_v0", features),
            RegressionModels.Load(o, "mu_c1", features), RegressionModels.Load(o, "mu_c0", features));
    }
}

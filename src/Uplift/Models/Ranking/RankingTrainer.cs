using Uplift.Data;
using Uplift.Engine;
using Uplift.Evaluation;
using Uplift.Models.MultiArm;

namespace Uplift.Models.Ranking;

/// <summary>
/// The training loop shared by the DRM and the CRM (METHOD.md sections 3-4): full-batch Adam over the exact
/// gradient of <see cref="CohortEngine"/>, several restarts with derived seeds, and the parameters kept by
/// <see cref="DrmOptions.Selection"/> (validation AUCC, or the objective g on the validation set, or on the
/// training set without one), judged every <see cref="DrmOptions.EvalEvery"/> steps and at the end of each restart.
/// For the CRM the objective is evaluated with the mask at the final temperature of the schedule, so that
/// objectives of different steps are comparable.
/// </summary>
internal static class RankingTrainer
{
    internal sealed record CrmPlan(double TopFraction, double T0, double Dt, int K);

    /// <summary>Sees every judged snapshot of a fit: restart index, step (1-based) and the parameters (read only).</summary>
    internal delegate void SnapshotObserver(int restart, int step, float[] parameters);

    public static RankingModel Fit(string kind, DrmOptions o, CrmPlan? crm, System.Text.Json.Nodes.JsonObject optionsJson,
        Dataset train, Dataset? validation, FitContext context, SnapshotObserver? observer = null)
    {
        if (o.Scorer != ScorerKind.Auto) return FitScorer(kind, o, crm, optionsJson, train, validation, context, observer).Model;
        // The condition under which FitScorer judges its snapshots by the validation AUCC.
        bool judged = o.Selection == ModelSelection.ValidationAucc && validation is not null && validation.HasOutcomes
            && Stats.DifferenceOfMeans(validation.T, validation.C) > 0;
        return ChooseScorer(o, optionsJson, judged, (r, json) => FitScorer(kind, r, crm, json, train, validation, context, observer),
            (m, json) => m.WithOptions(json));
    }

    /// <summary>
    /// <see cref="DrmOptions.Scorer"/> = auto: the linear scorer, then (when <paramref name="canJudge"/>) the MLP, each fitted
    /// with the options resolved to it by <paramref name="fit"/>, which also returns the validation AUCC its kept parameters
    /// were selected by; the higher one is kept (ties: linear), with <c>scorerChoice</c> (both AUCCs, or why only the
    /// linear one was fitted) added to its recorded options.
    /// </summary>
    internal static TModel ChooseScorer<TModel>(DrmOptions o, System.Text.Json.Nodes.JsonObject optionsJson, bool canJudge,
        Func<DrmOptions, System.Text.Json.Nodes.JsonObject, (TModel Model, double Aucc)> fit,
        Func<TModel, System.Text.Json.Nodes.JsonObject, TModel> withOptions)
    {
        (DrmOptions, System.Text.Json.Nodes.JsonObject) Resolved(ScorerKind s)
        {
            var r = o with { Scorer = s };
            var json = (System.Text.Json.Nodes.JsonObject)optionsJson.DeepClone();
            var own = r.ToJson();
            foreach (var key in new[] { "scorer", "hiddenSizes", "l2" }) json[key] = own[key]!.DeepClone();
            return (r, json);
        }
        var (lo, lj) = Resolved(ScorerKind.Linear);
        var (linear, a) = fit(lo, lj);
        if (!canJudge)
        {
            lj["scorerChoice"] = new System.Text.Json.Nodes.JsonObject
            {
                ["chosen"] = "linear", ["reason"] = "no validation AUCC to choose by: only the linear scorer was fitted",
            };
            return withOptions(linear, lj);
        }
        var (mo, mj) = Resolved(ScorerKind.Mlp);
        var (mlp, b) = fit(mo, mj);
        bool takeMlp = b > a;
        var choice = new System.Text.Json.Nodes.JsonObject
        {
            ["chosen"] = takeMlp ? "mlp" : "linear",
            ["linearValidationAucc"] = a, ["mlpValidationAucc"] = b,
        };
        var chosenJson = takeMlp ? mj : lj;
        chosenJson["scorerChoice"] = choice;
        return withOptions(takeMlp ? mlp : linear, chosenJson);
    }

    /// <summary>The cost-curve grid of <see cref="ModelSelection.ValidationAucc"/> (<see cref="DrmOptions.SelectionSegments"/> segments).</summary>
    internal static readonly Uplift.Evaluation.CostCurveOptions SelectionGrid = new() { Segments = DrmOptions.SelectionSegments };

    /// <summary>One scorer's fit, and the kept snapshot's validation AUCC (or objective) it was judged by.</summary>
    static (RankingModel Model, double Judged) FitScorer(string kind, DrmOptions o, CrmPlan? crm, System.Text.Json.Nodes.JsonObject optionsJson,
        Dataset train, Dataset? validation, FitContext context, SnapshotObserver? observer)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(context);
        CheckData(train, "training");
        if (validation is not null)
        {
            CheckData(validation, "validation");
            if (validation.Features != train.Features)
                throw new UpliftException($"validation data has {validation.Features} features, training data {train.Features}");
        }
        var net = o.Scorer == ScorerKind.Linear ? Network.Linear(train.Features) : Network.Mlp(train.Features, o.HiddenSizes);
        // The AUCC is judged on the validation outcomes as given (before the baseline below).
        var validationAsGiven = o.Selection == ModelSelection.ValidationAucc && validation is not null && Stats.DifferenceOfMeans(validation.T, validation.C) > 0
            ? validation : null;
        bool baseline = o.Baseline == OutcomeBaseline.Linear && train.Features <= DrmOptions.MaxBaselineFeatures;
        var fitInfo = new RankingFitInfo(validationAsGiven is not null ? AppliedSelection.ValidationAucc
            : validation is not null ? AppliedSelection.ValidationObjective : AppliedSelection.TrainingObjective, baseline);
        if (baseline) (train, validation) = SubtractLinearBaseline(train, validation, context);
        double vScale = Scale(train.V), cScale = Scale(train.C);

        using var engine = new CohortEngine(net, train, vScale, cScale, context.MaxThreads);
        using var valEngine = validation is null ? null : new CohortEngine(net, validation, vScale, cScale, context.MaxThreads, withGradient: false);
        var aucc = validationAsGiven is not null ? new ValidationAucc(valEngine!, validationAsGiven) : null;
        var (best, trainG, valG, score) = Loop(kind, o, crm, net, engine, valEngine, aucc is null ? null : aucc.Of, context, observer);
        return (new RankingModel(kind, net, best, vScale, cScale, context.Seed, trainG, valG, optionsJson, fitInfo), score);
    }

    /// <summary>
    /// The Adam loop of <see cref="Fit"/> over any cohort (one engine, or a cohort split in partitions,
    /// <c>Partitions/PartitionedTrainer</c>): restarts with derived seeds, snapshots judged by <paramref name="aucc"/>
    /// (validation AUCC) or the objective on <paramref name="validation"/> (or on <paramref name="train"/> without one).
    /// Returns the kept parameters, the objective g on the training and validation cohorts, and the kept snapshot's
    /// judged score (its validation AUCC when <paramref name="aucc"/> is given).
    /// </summary>
    internal static (float[] Best, double TrainG, double? ValidG, double BestScore) Loop(string kind, DrmOptions o, CrmPlan? crm, Network net,
        ICohort train, ICohort? validation, Func<float[], double>? aucc, FitContext context, SnapshotObserver? observer = null)
    {
        var spec = new ObjectiveSpec(o.Objective, o.Lambda, o.L1, o.ResolvedL2);
        var judge = validation ?? train;
        MaskSpec? MaskAt(int step) => crm is null ? null
            : new MaskSpec(crm.TopFraction, CohortObjective.Temperature(crm.T0, crm.Dt, crm.K, step));
        MaskSpec? finalMask = MaskAt(o.Steps - 1);

        float[]? best = null;
        double bestScore = double.NegativeInfinity;
        var grad = new float[net.ParameterCount];
        for (int r = 0; r < o.Restarts; r++)
        {
            string stage = $"{kind} restart {r + 1}/{o.Restarts}";
            var p = net.Initialize(context.Seed, r);
            var adam = new Adam(net.ParameterCount, o.LearningRate);
            for (int step = 0; step < o.Steps; step++)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                var res = train.Run(p, grad, spec, MaskAt(step));
                if (!double.IsFinite(res.Loss)) break;   // diverged: this restart keeps what it had
                adam.Step(p, grad);
                bool last = step == o.Steps - 1;
                if (last || (o.EvalEvery > 0 && (step + 1) % o.EvalEvery == 0))
                {
                    observer?.Invoke(r, step + 1, p);
                    double score = aucc?.Invoke(p) ?? judge.Run(p, null, spec, finalMask).G;
                    if (double.IsFinite(score) && score > bestScore) { bestScore = score; best = (float[])p.Clone(); }
                }
                if (last || (step + 1) % 50 == 0)
                    context.Report(stage, step + 1, o.Steps, $"objective {res.G:G5}");
            }
        }
        if (best is null) throw new UpliftException($"{kind} training diverged in every restart (non-finite objective); try a smaller learning rate");
        double trainG = train.Run(best, null, spec, finalMask).G;
        double? valG = validation?.Run(best, null, spec, finalMask).G;
        return (best, trainG, valG, bestScore);
    }

    /// <summary>
    /// The learned gating over K &gt; 1 arms (<see cref="DrmOptions.ArmModel"/> = gating; <c>Models/MultiArm/GatingTrainer</c>):
    /// the ranking options' scorer, steps, restarts, learning rate, L2 (resolved as for the heads), snapshots every
    /// <see cref="DrmOptions.EvalEvery"/> steps and outcome baseline (subtracted as for the heads, validation users judged on
    /// their outcomes as given); <paramref name="topFraction"/> is the CRM's q (null for the DRM). The caller
    /// (<see cref="PerArmLearner"/>) has checked the arms. The model's options record what the fit did
    /// (<c>selectionApplied</c>: validation-aucc, or training-objective without a validation set that has every arm and
    /// control; <c>outcomeBaselineApplied</c>).
    /// </summary>
    internal static GatingModel FitGating(string kind, DrmOptions o, double? topFraction, System.Text.Json.Nodes.JsonObject optionsJson,
        Dataset train, Dataset? validation, FitContext context)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(context);
        if (validation is not null && validation.Features != train.Features)
            throw new UpliftException($"validation data has {validation.Features} features, training data {train.Features}");
        var judged = validation is not null && EveryGroup(validation) ? validation : null;
        bool baseline = o.Baseline == OutcomeBaseline.Linear && train.Features <= DrmOptions.MaxBaselineFeatures;
        if (baseline) (train, _) = SubtractLinearBaseline(train, null, context);
        var json = (System.Text.Json.Nodes.JsonObject)optionsJson.DeepClone();
        json["selectionApplied"] = RankingNames.AppliedSelection.Name(judged is null ? AppliedSelection.TrainingObjective : AppliedSelection.ValidationAucc);
        json["outcomeBaselineApplied"] = baseline;
        GatingModel Gating(DrmOptions r, System.Text.Json.Nodes.JsonObject j)
        {
            var settings = new GatingSettings(kind, r.Scorer == ScorerKind.Linear ? [] : r.HiddenSizes, r.Steps, r.Restarts, r.LearningRate,
                r.ResolvedL2, r.EvalEvery, GatingSettings.DefaultTemperature, GatingSettings.DefaultLambdaFactors, topFraction, j);
            return GatingTrainer.Fit(settings, train, judged, Scale(train.V), Scale(train.C), context);
        }
        if (o.Scorer != ScorerKind.Auto) return Gating(o, json);
        // The gating's own selection score: the validation multi-arm AUCC of its kept parameters.
        return ChooseScorer(o, json, judged is not null && o.Selection == ModelSelection.ValidationAucc,
            (r, j) =>
            {
                var m = Gating(r, j);
                return (m, m.ValidationAucc ?? double.NegativeInfinity);
            }, (m, j) => m.WithOptions(j));
    }

    static bool EveryGroup(Dataset d)
    {
        var n = new int[d.Arms + 1];
        foreach (var b in d.T) if (b <= d.Arms) n[b]++;
        return n.All(c => c > 0);
    }

    /// <summary>
    /// The AUCC (METHOD.md section 6) of the validation users ranked by f_θ, on a grid of
    /// <see cref="DrmOptions.SelectionSegments"/> segments. The model's score tanh f_θ has the same order, except
    /// that in double it ties users beyond |f_θ| ≈ 18.4. The raw scores come from the validation engine's forward
    /// pass (its chunks, threads and scratch: nothing allocated per snapshot but the cost curve's own buffers).
    /// </summary>
    sealed class ValidationAucc(CohortEngine engine, Dataset validation)
    {
        readonly float[] _f = new float[validation.Rows];
        readonly double[] _score = new double[validation.Rows];

        public double Of(float[] p)
        {
            engine.RawScores(p, _f);
            for (int i = 0; i < _f.Length; i++) _score[i] = _f[i];
            return Uplift.Evaluation.CostCurve.Aucc(_score, validation.T, validation.V, validation.C, SelectionGrid);
        }
    }

    /// <summary>
    /// The control variate of <see cref="DrmOptions.Baseline"/>: least-squares projections m̂_V, m̂_C of V and C
    /// on the features (intercept, sample weights if any; a negligible ridge of 1e-6 per unit weight only for
    /// numerical safety), fitted on the training users of both arms, subtracted from the training and the
    /// validation outcomes. Linear in the outcome, so a rescaled V or C gives rescaled residuals.
    /// </summary>
    internal static (Dataset Train, Dataset? Validation) SubtractLinearBaseline(Dataset train, Dataset? validation, FitContext context)
    {
        var rows = RegressionSet.AllRows(train.Rows);
        var ridge = new Uplift.Models.Linear.RidgeRegressor(new Uplift.Models.Linear.RidgeOptions { Lambda = BaselineRidge });
        var po = context.ParallelOptions;
        var mV = ridge.Fit(new RegressionSet(train.X, train.Features, rows, train.V, train.Weight), null, context.Seed, po);
        var mC = ridge.Fit(new RegressionSet(train.X, train.Features, rows, train.C, train.Weight), null, context.Seed, po);
        return (Residual(train, mV, mC, po), validation is null ? null : Residual(validation, mV, mC, po));
    }

    /// <summary>The ridge penalty of the outcome baseline (see <see cref="SubtractLinearBaseline"/>).</summary>
    internal const double BaselineRidge = 1e-6;

    /// <summary><paramref name="d"/> with V − m̂_V(x) and C − m̂_C(x) as outcomes.</summary>
    internal static Dataset Residual(Dataset d, IRegressionModel mv, IRegressionModel mc, ParallelOptions po)
    {
        var pv = new double[d.Rows]; var pc = new double[d.Rows];
        mv.Predict(d.X, null, pv, po); mc.Predict(d.X, null, pc, po);
        var v = new double[d.Rows]; var c = new double[d.Rows];
        for (int i = 0; i < d.Rows; i++) { v[i] = d.V[i] - pv[i]; c[i] = d.C[i] - pc[i]; }
        return d.WithOutcomes(v, c);
    }

    static void CheckData(Dataset d, string which)
    {
        if (!d.HasOutcomes) throw new UpliftException($"the {which} data must have T, V and C for every user");
        int t = d.TreatedCount;
        if (t == 0 || t == d.Rows) throw new UpliftException($"the {which} data needs both treated and control users (treated {t}, control {d.Rows - t})");
    }

    /// <summary>σ: the standard deviation of an outcome over the training users (1 when it is zero), the unit the losses work in.</summary>
    internal static double Scale(double[] y) => ScaleOf(Moments.Of(y));

    /// <summary>σ from an outcome's moments (1 when it is zero).</summary>
    internal static double ScaleOf(in Moments m)
    {
        double sd = m.Sd;
        if (!double.IsFinite(sd)) throw new UpliftDataException("outcomes must be finite");
        return sd > 0 ? sd : 1.0;
    }
}

/// <summary>Direct Ranking Model learner (METHOD.md section 3), kind "drm".</summary>
public sealed class DrmLearner(DrmOptions? options = null) : IUpliftLearner, IGatingLearner
{
    public DrmOptions Options { get; } = options ?? new DrmOptions();
    public string Kind => DrmRegistration.Name;

    public IUpliftModel Fit(Dataset train, Dataset? validation, FitContext context) => FitRanking(train, validation, context);

    /// <summary>As <see cref="Fit"/>, typed.</summary>
    public RankingModel FitRanking(Dataset train, Dataset? validation, FitContext context)
    {
        Options.Validate();
        var json = Options.ToJson();
        return RankingTrainer.Fit(Kind, Options, null, json, train, validation, context);
    }

    IMultiArmModel? IGatingLearner.FitGating(Dataset train, Dataset? validation, FitContext context)
    {
        Options.Validate();
        return Options.ArmModel == ArmModel.Gating ? RankingTrainer.FitGating(Kind, Options, null, Options.ToJson(), train, validation, context) : null;
    }
}

/// <summary>Constrained Ranking Model learner (METHOD.md section 4), kind "crm".</summary>
public sealed class CrmLearner(CrmOptions? options = null) : IUpliftLearner, IGatingLearner
{
    public CrmOptions Options { get; } = options ?? new CrmOptions();

    /// <summary>For benchmarks: sees every snapshot the fit judges (null = none).</summary>
    internal RankingTrainer.SnapshotObserver? Observer { get; init; }
    public string Kind => CrmRegistration.Name;

    public IUpliftModel Fit(Dataset train, Dataset? validation, FitContext context) => FitRanking(train, validation, context);

    public RankingModel FitRanking(Dataset train, Dataset? validation, FitContext context)
    {
        Options.Validate();
        ArgumentNullException.ThrowIfNull(train);
        double q = Options.TopFraction;
        if (Options.Budget is { } b)
        {
            if (!train.HasOutcomes) throw new UpliftException("the training data must have T, V and C for every user");
            q = CrmOptions.BudgetFraction(b, Options.BudgetUnit, Stats.DifferenceOfMeans(train.T, train.C), train.Rows);
        }
        var json = Options.ToJson();
        json["effectiveTopFraction"] = q;
        var plan = new RankingTrainer.CrmPlan(q, Options.T0, Options.TemperatureStep, Options.TemperatureEvery);
        return RankingTrainer.Fit(Kind, Options.Drm, plan, json, train, validation, context, Observer);
    }

    /// <summary>The gating with the CRM's q (or its budget translated with the incremental cost of any arm against control).</summary>
    IMultiArmModel? IGatingLearner.FitGating(Dataset train, Dataset? validation, FitContext context)
    {
        Options.Validate();
        if (Options.Drm.ArmModel != ArmModel.Gating) return null;
        double q = Options.TopFraction;
        if (Options.Budget is { } b)
        {
            var anyArm = new byte[train.Rows];
            for (int i = 0; i < anyArm.Length; i++) anyArm[i] = train.T[i] == 0 ? (byte)0 : (byte)1;
            q = CrmOptions.BudgetFraction(b, Options.BudgetUnit, Stats.DifferenceOfMeans(anyArm, train.C), train.Rows);
        }
        var json = Options.ToJson();
        json["effectiveTopFraction"] = q;
        return RankingTrainer.FitGating(Kind, Options.Drm, q, json, train, validation, context);
    }
}

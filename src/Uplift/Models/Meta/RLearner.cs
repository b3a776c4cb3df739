using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Models.Linear;
using Uplift.Models.Trees;

namespace Uplift.Models.Meta;

/// <summary>What the R-learner estimates (METHOD.md section 5).</summary>
public enum RLearnerOutcome
{
    /// <summary>The paper's "R-learner on gain": tau_v only; score = tau_v.</summary>
    Value,
    /// <summary>tau_v and tau_c; score = EffectRatio.Guarded(tau_v, tau_c).</summary>
    Both,
}

/// <summary>How the propensity e(x) is estimated.</summary>
public enum PropensityKind
{
    /// <summary>Dataset.Propensity when present, else the (weighted) fraction treated.</summary>
    Constant,
    /// <summary>Cross-fitted L2 logistic regression of T on x.</summary>
    Logistic,
}

/// <summary>Options of the R-learner (Nie and Wager; METHOD.md section 5).</summary>
public sealed record RLearnerOptions
{
    /// <summary>Default <see cref="RLearnerOutcome.Value"/> (as in the paper).</summary>
    public RLearnerOutcome Outcome { get; init; } = RLearnerOutcome.Value;
    /// <summary>Base learner of m(x) and tau(x). Default <see cref="BaseLearnerKind.Ridge"/> (as in the paper).</summary>
    public BaseLearnerKind BaseLearner { get; init; } = BaseLearnerKind.Ridge;
    /// <summary>Cross-fitting folds K (seeded split). Default 5; 2..20.</summary>
    public int Folds { get; init; } = 5;
    /// <summary>Default <see cref="PropensityKind.Constant"/> (randomized experiments).</summary>
    public PropensityKind Propensity { get; init; } = PropensityKind.Constant;
    /// <summary>ê is clipped to [clip, 1 - clip] so the pseudo-outcome (Y - m)/(T - ê) stays finite. Default 0.01; in (0, 0.5).</summary>
    public double PropensityClip { get; init; } = 0.01;
    public RidgeOptions Ridge { get; init; } = new();
    public GradientBoostingOptions Boosting { get; init; } = new();
    public LogisticOptions Logistic { get; init; } = new();

    public void Validate(string prefix = "rlearner")
    {
        UpliftOptionException.Check(Enum.IsDefined(Outcome), $"{prefix}.outcome", $"unknown value {Outcome}.");
        UpliftOptionException.Check(Enum.IsDefined(BaseLearner), $"{prefix}.base-learner", $"unknown value {BaseLearner}.");
        UpliftOptionException.Check(Enum.IsDefined(Propensity), $"{prefix}.propensity", $"unknown value {Propensity}.");
        UpliftOptionException.Check(Folds is >= 2 and <= 20, $"{prefix}.folds", $"must be in 2..20, got {Folds}.");
        UpliftOptionException.Check(PropensityClip > 0 && PropensityClip < 0.5, $"{prefix}.propensity-clip", $"must be in (0, 0.5), got {PropensityClip}.");
        Ridge.Validate($"{prefix}.ridge");
        Boosting.Validate($"{prefix}.boosting");
        Logistic.Validate($"{prefix}.logistic");
    }
}

/// <summary>
/// R-learner (METHOD.md section 5): cross-fitted m̂(x) = E[Y | x] and ê(x), then tau minimises
/// sum_i ((Y_i - m̂_i) - (T_i - ê_i) tau(x_i))^2 + penalty, fitted as the weighted regression of the
/// pseudo-outcome (Y - m̂)/(T - ê) with weights (T - ê)^2 (times the sample weights). The validation set
/// is not used.
/// </summary>
public sealed class RLearner(RLearnerOptions? options = null) : IUpliftLearner
{
    public RLearnerOptions Options { get; } = options ?? new RLearnerOptions();
    public string Kind => "rlearner";

    public IUpliftModel Fit(Dataset train, Dataset? validation, FitContext context)
    {
        Options.Validate();
        var nuisance = RLoss.Nuisance.Fit(train, Options, Options.Outcome == RLearnerOutcome.Both, context, Kind);
        var reg = RegressionModels.Create(Options.BaseLearner, Options.Ridge, Options.Boosting);
        context.Report(Kind, 0, 1, "effect model");
        var tauV = RLoss.FitEffect(reg, train, train.V, nuisance.MV, nuisance.E, RegressionModels.SubSeed(context.Seed, 1000), context.ParallelOptions);
        if (Options.Outcome == RLearnerOutcome.Value) { context.Report(Kind, 1, 1); return new RLearnerModel(tauV); }
        var tauC = RLoss.FitEffect(reg, train, train.C, nuisance.MC!, nuisance.E, RegressionModels.SubSeed(context.Seed, 1001), context.ParallelOptions);
        context.Report(Kind, 1, 1);
        return new RLearnerEffectModel(tauV, tauC);
    }
}

/// <summary>The pieces of the R-loss (METHOD.md section 5), shared by the R-learner and the duality R-learner.</summary>
internal static class RLoss
{
    /// <summary>Cross-fitted nuisances: ê per row, m̂_V per row, m̂_C per row (when asked).</summary>
    internal sealed record Nuisance(double[] E, double[] MV, double[]? MC)
    {
        public static Nuisance Fit(Dataset train, RLearnerOptions o, bool cost, FitContext context, string stage)
        {
            RegressionModels.CheckTraining(train, stage, 2 * o.Folds);
            int n = train.Rows, k = o.Folds;
            var po = context.ParallelOptions;
            var fold = Folds(n, k, context.Seed);
            var e = Propensity(train, o, fold, context, po);
            var reg = RegressionModels.Create(o.BaseLearner, o.Ridge, o.Boosting);
            int total = (cost ? 2 : 1) * k;
            var mv = CrossFit(reg, train, train.V, fold, k, RegressionModels.SubSeed(context.Seed, 100), po, i => context.Report(stage, i, total, "m(x) of value"));
            var mc = cost ? CrossFit(reg, train, train.C, fold, k, RegressionModels.SubSeed(context.Seed, 200), po, i => context.Report(stage, k + i, total, "m(x) of cost")) : null;
            return new Nuisance(e, mv, mc);
        }
    }

    /// <summary>Seeded split of rows 0..n-1 into K folds of near-equal size: fold[i] in 0..K-1.</summary>
    public static int[] Folds(int n, int k, int seed)
    {
        var perm = RegressionSet.AllRows(n);
        var rng = Rng.Derive(seed, 0x464F4C44);
        rng.Shuffle(perm.AsSpan());
        var fold = new int[n];
        for (int j = 0; j < n; j++) fold[perm[j]] = (int)((long)j * k / n);
        return fold;
    }

    /// <summary>Out-of-fold predictions: for each fold, a model fitted on the other folds predicts it.</summary>
    public static double[] CrossFit(IRegressor reg, Dataset data, double[] y, int[] fold, int k, int seed, ParallelOptions po, Action<int>? done = null)
    {
        var outOfFold = new double[data.Rows];
        for (int f = 0; f < k; f++)
        {
            var trainRows = new List<int>(); var testRows = new List<int>();
            for (int i = 0; i < data.Rows; i++) (fold[i] == f ? testRows : trainRows).Add(i);
            var rows = trainRows.ToArray();
            var yy = new double[rows.Length];
            double[]? w = data.Weight is null ? null : new double[rows.Length];
            for (int q = 0; q < rows.Length; q++) { yy[q] = y[rows[q]]; if (w is not null) w[q] = data.Weight![rows[q]]; }
            var model = reg.Fit(new RegressionSet(data.X, data.Features, rows, yy, w), null, RegressionModels.SubSeed(seed, f), po);
            var test = testRows.ToArray();
            var pred = new double[test.Length];
            model.Predict(data.X, test, pred, po);
            for (int q = 0; q < test.Length; q++) outOfFold[test[q]] = pred[q];
            done?.Invoke(f + 1);
        }
        return outOfFold;
    }

    /// <summary>ê per row, clipped to [clip, 1 - clip].</summary>
    static double[] Propensity(Dataset train, RLearnerOptions o, int[] fold, FitContext context, ParallelOptions po)
    {
        int n = train.Rows;
        double[] e;
        if (o.Propensity == PropensityKind.Logistic)
        {
            var t = new double[n];
            for (int i = 0; i < n; i++) t[i] = train.T[i];
            e = CrossFit(new LogisticRegressor(o.Logistic), train, t, fold, o.Folds, RegressionModels.SubSeed(context.Seed, 300), po);
        }
        else if (train.Propensity is not null) e = (double[])train.Propensity.Clone();
        else
        {
            double sw = 0, st = 0;
            for (int i = 0; i < n; i++) { double w = train.Weight?[i] ?? 1.0; sw += w; st += w * train.T[i]; }
            e = new double[n];
            Array.Fill(e, sw > 0 ? st / sw : 0.5);
        }
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(e[i])) throw new UpliftDataException("rlearner: the propensity is NaN.", row: i + 1, column: "propensity");
            e[i] = Math.Clamp(e[i], o.PropensityClip, 1 - o.PropensityClip);
        }
        return e;
    }

    /// <summary>
    /// The effect model: weighted regression of the pseudo-outcome (Y - m̂)/(T - ê) with weights (T - ê)^2 w
    /// (METHOD.md section 5), which minimises the R-loss sum w ((Y - m̂) - (T - ê) tau(x))^2.
    /// </summary>
    public static IRegressionModel FitEffect(IRegressor reg, Dataset train, double[] y, double[] mHat, double[] eHat, int seed, ParallelOptions po)
    {
        int n = train.Rows;
        var pseudo = new double[n];
        var weight = new double[n];
        for (int i = 0; i < n; i++)
        {
            double r = train.T[i] - eHat[i];
            pseudo[i] = (y[i] - mHat[i]) / r;
            weight[i] = r * r * (train.Weight?[i] ?? 1.0);
        }
        return reg.Fit(new RegressionSet(train.X, train.Features, RegressionSet.AllRows(n), pseudo, weight), null, seed, po);
    }
}

/// <summary>A fitted R-learner on the value outcome: score = tau_v(x).</summary>
public class RLearnerModel : IUpliftModel
{
    public string Kind => "rlearner";
    public int Features => TauV.Features;
    /// <summary>The effect model of the value outcome.</summary>
    public IRegressionModel TauV { get; }

    public RLearnerModel(IRegressionModel tauV) { TauV = tauV; }

    public double[] PredictTauV(Dataset data) => RegressionModels.PredictAll(TauV, data, RegressionModels.ScoringParallel);

    public virtual void Score(Dataset data, Span<double> scores) => PredictTauV(data).CopyTo(scores);

    public virtual JsonObject Save() => new()
    {
        ["kind"] = Kind,
        ["features"] = Features,
        ["outcome"] = "value",
        ["tau_v"] = TauV.Save(),
    };

    /// <summary>Reads a model written by <see cref="Save"/>: an <see cref="RLearnerEffectModel"/> when it holds both effects.</summary>
    public static RLearnerModel Load(JsonObject o)
    {
        if ((string?)o["kind"] != "rlearner") throw new UpliftException("model file: not an rlearner model.");
        var tauV = RegressionModels.Load((JsonObject)(o["tau_v"] ?? throw new UpliftException("rlearner model: missing 'tau_v'.")));
        return (string?)o["outcome"] switch
        {
            "value" => new RLearnerModel(tauV),
            "both" => new RLearnerEffectModel(tauV, RegressionModels.Load((JsonObject)(o["tau_c"] ?? throw new UpliftException("rlearner model: missing 'tau_c'.")))),
            var s => throw new UpliftException($"rlearner model: unknown outcome '{s}'."),
        };
    }
}

/// <summary>A fitted R-learner on both outcomes: score = EffectRatio.Guarded(tau_v, tau_c) (METHOD.md section 5).</summary>
public sealed class RLearnerEffectModel : RLearnerModel, IEffectModel
{
    public IRegressionModel TauC { get; }

    public RLearnerEffectModel(IRegressionModel tauV, IRegressionModel tauC) : base(tauV)
    {
        if (tauC.Features != tauV.Features) throw new ArgumentException("tau_v and tau_c models disagree on the feature count.");
        TauC = tauC;
    }

    public void PredictEffects(Dataset data, Span<double> tauV, Span<double> tauC)
    {
        PredictTauV(data).CopyTo(tauV);
        RegressionModels.PredictAll(TauC, data, RegressionModels.ScoringParallel).CopyTo(tauC);
    }

    public override void Score(Dataset data, Span<double> scores)
    {
        var v = PredictTauV(data);
        var c = RegressionModels.PredictAll(TauC, data, RegressionModels.ScoringParallel);
        for (int i = 0; i < v.Length; i++) scores[i] = EffectRatio.Guarded(v[i], c[i]);
    }

    public override JsonObject Save()
    {
        var o = base.Save();
        o["outcome"] = "both";
        o["tau_c"] = TauC.Save();
        return o;
    }
}

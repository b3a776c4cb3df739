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

/// <summary>How the R-learner fits several arms (METHOD.md section 10; K = 1 is the binary fit either way).</summary>
public enum RLearnerArmLoss
{
    /// <summary>The multi-arm R-loss: all users at once, sum_i ((Y_i - m̂_i) - sum_k (1[T_i = k] - ê_k) tau_k(x_i))^2,
    /// with m̂ = E[Y | x] over the arm mix (see <c>RLearner</c>'s multi-arm fit).</summary>
    Joint,
    /// <summary>One binary R-learner per arm, on arm k's users against control (each with its own m̂ and ê).</summary>
    PerArm,
}

/// <summary>The spellings of the meta-learners' enums (command line and model file).</summary>
public static class MetaNames
{
    public static NameTable<RLearnerOutcome> Outcome { get; } = new((RLearnerOutcome.Value, "value"), (RLearnerOutcome.Both, "both"));
    public static NameTable<BaseLearnerKind> BaseLearner { get; } = new((BaseLearnerKind.Ridge, "ridge"), (BaseLearnerKind.Boosted, "boosted"));
    public static NameTable<PropensityKind> Propensity { get; } = new((PropensityKind.Constant, "constant"), (PropensityKind.Logistic, "logistic"));
    public static NameTable<RLearnerArmLoss> ArmLoss { get; } = new((RLearnerArmLoss.Joint, "joint"), (RLearnerArmLoss.PerArm, "per-arm"));
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
    /// <summary>With several arms: <see cref="RLearnerArmLoss.Joint"/> (default; measured against per-arm fits in
    /// docs/BENCHMARKS.md, "Several arms") or <see cref="RLearnerArmLoss.PerArm"/>. A logistic propensity is a binary
    /// model, so with it the arms are always fitted per arm.</summary>
    public RLearnerArmLoss ArmLoss { get; init; } = RLearnerArmLoss.Joint;
    public RidgeOptions Ridge { get; init; } = new();
    public GradientBoostingOptions Boosting { get; init; } = new();
    public LogisticOptions Logistic { get; init; } = new();

    public void Validate(string prefix = "rlearner")
    {
        UpliftOptionException.Check(Enum.IsDefined(Outcome), $"{prefix}.outcome", $"unknown value {Outcome}.");
        UpliftOptionException.Check(Enum.IsDefined(BaseLearner), $"{prefix}.base-learner", $"unknown value {BaseLearner}.");
        UpliftOptionException.Check(Enum.IsDefined(Propensity), $"{prefix}.propensity", $"unknown value {Propensity}.");
        UpliftOptionException.Check(Enum.IsDefined(ArmLoss), $"{prefix}.arm-loss", $"unknown value {ArmLoss}.");
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
/// is not used. Fits run side by side where independent (RLoss.RunFits); a boosted base learner bins once.
/// </summary>
public sealed partial class RLearner(RLearnerOptions? options = null) : IUpliftLearner
{
    public RLearnerOptions Options { get; } = options ?? new RLearnerOptions();
    public string Kind => RLearnerRegistration.Name;

    public IUpliftModel Fit(Dataset train, Dataset? validation, FitContext context)
    {
        Options.Validate();
        bool both = Options.Outcome == RLearnerOutcome.Both;
        var nuisance = RLoss.Nuisance.Fit(train, Options, both, context, Kind);
        context.Report(Kind, 0, 1, "effect model");
        // tau_v and tau_c are independent fits: run side by side (each fit is thread-count independent).
        var tau = new IRegressionModel[both ? 2 : 1];
        RLoss.RunFits(tau.Length, context.ParallelOptions, (j, po) => tau[j] = j == 0
            ? RLoss.FitEffect(nuisance.Regressor, train, train.V, nuisance.MV, nuisance.E, Rng.SubSeed(context.Seed, RngStream.RLossEffect, 0), po)
            : RLoss.FitEffect(nuisance.Regressor, train, train.C, nuisance.MC!, nuisance.E, Rng.SubSeed(context.Seed, RngStream.RLossEffect, 1), po));
        context.Report(Kind, 1, 1);
        return both ? new RLearnerEffectModel(tau[0], tau[1]) : new RLearnerModel(tau[0]);
    }
}

/// <summary>The pieces of the R-loss (METHOD.md section 5), shared by the R-learner and the duality R-learner.</summary>
internal static class RLoss
{
    /// <summary>
    /// Cross-fitted nuisances: ê per row, m̂_V per row, m̂_C per row (when asked), and the base regressor to fit the
    /// effect models with. A boosted base learner bins the features once here (edges from all training rows; features
    /// only, no outcome) and every fit of the learner (folds, outcomes, effect models) reuses that binned matrix.
    /// </summary>
    internal sealed record Nuisance(double[] E, double[] MV, double[]? MC, IRegressor Regressor)
    {
        public static Nuisance Fit(Dataset train, RLearnerOptions o, bool cost, FitContext context, string stage)
        {
            RegressionModels.CheckTraining(train, stage, 2 * o.Folds);
            int n = train.Rows, k = o.Folds;
            var po = context.ParallelOptions;
            var fold = Folds(n, k, context.Seed);
            var e = Propensity(train, o, fold, context, po);
            var reg = SharedBinsRegressor.Share(RegressionModels.Create(o.BaseLearner, o.Ridge, o.Boosting),
                train.X, train.Features, Rng.SubSeed(context.Seed, RngStream.SharedBins), po);
            // m̂_V (and m̂_C) of every fold in one batch of independent fits.
            var ys = cost ? new[] { train.V, train.C } : new[] { train.V };
            var seeds = cost ? new[] { Rng.SubSeed(context.Seed, RngStream.RLossOutcome, 0), Rng.SubSeed(context.Seed, RngStream.RLossOutcome, 1) }
                             : new[] { Rng.SubSeed(context.Seed, RngStream.RLossOutcome, 0) };
            int total = ys.Length * k;
            var m = CrossFit(reg, train, ys, fold, k, seeds, po, (i, j) => context.Report(stage, i, total, j == 0 ? "m(x) of value" : "m(x) of cost"));
            return new Nuisance(e, m[0], cost ? m[1] : null, reg);
        }
    }

    /// <summary>
    /// Runs <paramref name="tasks"/> independent fits on the threads of <paramref name="po"/>: while at least as many
    /// fits remain as threads, each fit gets one thread (no per-node synchronisation); the last fits share the
    /// threads. Every base fit gives the same numbers for any thread count, so the results do too.
    /// </summary>
    public static void RunFits(int tasks, ParallelOptions po, Action<int, ParallelOptions> fit)
    {
        int p = po.MaxDegreeOfParallelism > 0 ? po.MaxDegreeOfParallelism : Environment.ProcessorCount;
        int waves = p > 1 ? tasks / p * p : 0;
        ParallelOptions With(int threads) => new() { MaxDegreeOfParallelism = threads, CancellationToken = po.CancellationToken };
        if (waves > 0) Parallel.For(0, waves, With(p), i => fit(i, With(1)));
        int rest = tasks - waves;
        if (rest == 1) fit(waves, po);
        else if (rest > 1) Parallel.For(waves, tasks, With(rest), i => fit(i, With(Math.Max(1, p / rest))));
    }

    /// <summary>Seeded split of rows 0..n-1 into K folds of near-equal size: fold[i] in 0..K-1.</summary>
    public static int[] Folds(int n, int k, long seed)
    {
        var perm = RegressionSet.AllRows(n);
        var rng = Rng.Derive(seed, RngStream.RLossFolds);
        rng.Shuffle(perm.AsSpan());
        var fold = new int[n];
        for (int j = 0; j < n; j++) fold[perm[j]] = (int)((long)j * k / n);
        return fold;
    }

    /// <summary>Out-of-fold predictions: for each fold, a model fitted on the other folds predicts it.</summary>
    public static double[] CrossFit(IRegressor reg, Dataset data, double[] y, int[] fold, int k, long seed, ParallelOptions po, Action<int>? done = null) =>
        CrossFit(reg, data, [y], fold, k, [seed], po, done is null ? null : (i, _) => done(i))[0];

    /// <summary>
    /// Out-of-fold predictions of several targets on the same folds: fit (target j, fold f) is seeded
    /// Rng.SubSeed(seeds[j], RngStream.CrossFitFold, f) and independent of the others, so all of them run as one batch (<see cref="RunFits"/>).
    /// <paramref name="done"/>(fits finished, target) reports progress.
    /// </summary>
    public static double[][] CrossFit(IRegressor reg, Dataset data, double[][] ys, int[] fold, int k, long[] seeds, ParallelOptions po, Action<int, int>? done = null)
    {
        var trainRows = new int[k][]; var testRows = new int[k][];
        for (int f = 0; f < k; f++)
        {
            var tr = new List<int>(); var te = new List<int>();
            for (int i = 0; i < data.Rows; i++) (fold[i] == f ? te : tr).Add(i);
            trainRows[f] = tr.ToArray(); testRows[f] = te.ToArray();
        }
        var outOfFold = new double[ys.Length][];
        for (int j = 0; j < ys.Length; j++) outOfFold[j] = new double[data.Rows];
        int finished = 0;
        RunFits(ys.Length * k, po, (t, tpo) =>
        {
            int j = t / k, f = t % k;
            var rows = trainRows[f];
            var yy = new double[rows.Length];
            double[]? w = data.Weight is null ? null : new double[rows.Length];
            for (int q = 0; q < rows.Length; q++) { yy[q] = ys[j][rows[q]]; if (w is not null) w[q] = data.Weight![rows[q]]; }
            var model = reg.Fit(new RegressionSet(data.X, data.Features, rows, yy, w), null, Rng.SubSeed(seeds[j], RngStream.CrossFitFold, f), tpo);
            var test = testRows[f];
            var pred = new double[test.Length];
            model.Predict(data.X, test, pred, tpo);
            for (int q = 0; q < test.Length; q++) outOfFold[j][test[q]] = pred[q];
            done?.Invoke(Interlocked.Increment(ref finished), j);
        });
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
            e = CrossFit(new LogisticRegressor(o.Logistic), train, t, fold, o.Folds, Rng.SubSeed(context.Seed, RngStream.RLossPropensity), po);
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
    public static IRegressionModel FitEffect(IRegressor reg, Dataset train, double[] y, double[] mHat, double[] eHat, long seed, ParallelOptions po)
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
    public string Kind => RLearnerRegistration.Name;
    public int Features => TauV.Features;
    /// <summary>The effect model of the value outcome.</summary>
    public IRegressionModel TauV { get; }

    public RLearnerModel(IRegressionModel tauV) { TauV = tauV; }

    /// <summary>tau_v(x) of every row, on at most <paramref name="maxThreads"/> threads (null = all cores).</summary>
    public double[] PredictTauV(Dataset data, int? maxThreads = null) =>
        RegressionModels.PredictAll(TauV, data, ScoreParallelism.Options(maxThreads));

    public void Score(Dataset data, Span<double> scores) => Score(data, scores, null);

    public virtual void Score(Dataset data, Span<double> scores, int? maxThreads) => PredictTauV(data, maxThreads).CopyTo(scores);

    public virtual JsonObject Save() => new()
    {
        ["kind"] = Kind,
        ["features"] = Features,
        ["outcome"] = MetaNames.Outcome.Name(RLearnerOutcome.Value),
        ["tau_v"] = TauV.Save(),
    };

    /// <summary>Reads a model written by <see cref="Save"/>: an <see cref="RLearnerEffectModel"/> when it holds both effects.</summary>
    public static RLearnerModel Load(JsonObject o) => Load(Uplift.IO.ModelJson.FromNode(o, "model"));

    internal static RLearnerModel Load(Uplift.IO.ModelJson o)
    {
        o.Choice("kind", RLearnerRegistration.Name);
        int features = o.Int("features", 1, int.MaxValue);
        var outcome = MetaNames.Outcome.Of(o.Choice("outcome", [.. MetaNames.Outcome.Names]));
        var tauV = RegressionModels.Load(o, "tau_v", features);
        return outcome == RLearnerOutcome.Value ? new RLearnerModel(tauV) : new RLearnerEffectModel(tauV, RegressionModels.Load(o, "tau_c", features));
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

    public void PredictEffects(Dataset data, Span<double> tauV, Span<double> tauC) => PredictEffects(data, tauV, tauC, null);

    public void PredictEffects(Dataset data, Span<double> tauV, Span<double> tauC, int? maxThreads)
    {
        PredictTauV(data, maxThreads).CopyTo(tauV);
        RegressionModels.PredictAll(TauC, data, ScoreParallelism.Options(maxThreads)).CopyTo(tauC);
    }

    public override void Score(Dataset data, Span<double> scores, int? maxThreads)
    {
        var v = PredictTauV(data, maxThreads);
        var c = RegressionModels.PredictAll(TauC, data, ScoreParallelism.Options(maxThreads));
        for (int i = 0; i < v.Length; i++) scores[i] = EffectRatio.Guarded(v[i], c[i]);
    }

    public override JsonObject Save()
    {
        var o = base.Save();
        o["outcome"] = MetaNames.Outcome.Name(RLearnerOutcome.Both);
        o["tau_c"] = TauC.Save();
        return o;
    }
}

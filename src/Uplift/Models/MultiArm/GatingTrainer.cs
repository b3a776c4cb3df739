using Uplift.Allocation;
using Uplift.Data;
using Uplift.Engine;
using Uplift.Evaluation;

namespace Uplift.Models.MultiArm;

/// <summary>
/// Fits the learned gating over K arms, the second option of METHOD.md section 10, "Decision" ("learn the gating over
/// arms directly (a per-user softmax over {0..K}, Lagrangian objective τv(π) − λ·τc(π) with λ traced along the budget)").
/// <list type="number">
/// <item>2K scalar scorers of the ranking models' architecture (linear, or the MLP of <c>--hidden</c>) give s_v,k(x) and
/// s_c,k(x) in rescaled units (V/σ_V, C/σ_C); for a slope λ the policy is π = softmax over {0..K} of z_0 = 0,
/// z_k = (s_v,k − λ s_c,k) / τ (<see cref="GatingEngine"/>).</item>
/// <item>Its value on the randomized training campaign is the difference of arm means per arm (IPW with the observed
/// shares), and the objective is the mean over a grid λ̄ · {1/4, 1/2, 1, 2, 4} of τ_v(π_λ) − λ τ_c(π_λ), minus the L2
/// penalty; λ̄ is the ratio of the arms' summed average effects Σ_k τ̄_v,k / Σ_k τ̄_c,k on the training data (1 when it
/// is not positive). For the CRM (a top fraction q is given) the grid is re-centred every <c>EvalEvery</c> steps on the
/// slope that the best q of the training users beat under the current scores (the CRM's mask: the fit looks at the
/// part of the budget path a budget of q would buy).</item>
/// <item>Full-batch Adam from Glorot weights (the output weights scaled by <see cref="OutputInitScale"/>, so every user
/// starts near the average policy) with the output biases at the arms' average effects; restarts with derived seeds
/// (<see cref="RngStream.GatingOutput"/>); the snapshot kept is the one with the highest multi-arm AUCC (section 10)
/// of the validation users as given (<see cref="SelectionSegments"/> segments), or, without a validation set, the highest
/// training objective.</item>
/// </list>
/// The budget path needs (τ_v,k, τ_c,k): the model gives β σ_V s_v,k and α σ_C s_c,k (one factor pair for all arms that
/// prices the path's assignment at half its full cost on the validation users, <see cref="GatingModel.CostFactor"/>),
/// a calibrated equivalent in the sense
/// of <see cref="IMultiArmModel"/>: at slope λ the hull of a user's points (0, 0), (s_c,k, s_v,k) picks
/// argmax_k (s_v,k − λ s_c,k) over {0..K}, which is the gating's own choice at λ (its most likely arm).
/// </summary>
internal static class GatingTrainer
{
    /// <summary>Factor on the Glorot output weights at the start: 0.1.</summary>
    public const float OutputInitScale = 0.1f;
    /// <summary>Segments of the validation multi-arm cost curve of the selection: 100, as the ranking models' selection.</summary>
    public const int SelectionSegments = 100;

    /// <summary>Fits on <paramref name="train"/> (its outcomes as the objective should see them, e.g. after a baseline);
    /// <paramref name="validationAsGiven"/> (optional) is judged by its multi-arm AUCC on its own outcomes.</summary>
    public static GatingModel Fit(GatingSettings s, Dataset train, Dataset? validationAsGiven, double vScale, double cScale, FitContext context)
    {
        ArgumentNullException.ThrowIfNull(train);
        int arms = train.Arms, d = train.Features;
        var net = s.Hidden.Length == 0 ? Network.Linear(d) : Network.Mlp(d, s.Hidden);
        using var engine = new GatingEngine(net, arms, train, vScale, cScale, context.MaxThreads);
        var (avgV, avgC) = engine.AverageEffects();
        double sumV = avgV.Sum(), sumC = avgC.Sum();
        double centre = sumV > 0 && sumC > 0 && double.IsFinite(sumV / sumC) ? sumV / sumC : 1.0;
        var lambdas = new double[s.LambdaFactors.Length];
        void SetGrid() { for (int j = 0; j < lambdas.Length; j++) lambdas[j] = centre * s.LambdaFactors[j]; }
        SetGrid();
        double startCentre = centre;

        var po = context.ParallelOptions;
        var validationJudge = validationAsGiven is null ? null : new Judge(net, arms, validationAsGiven, vScale, cScale, po);
        int P = engine.ParameterCount;
        var grad = new float[P];
        float[]? best = null;
        double bestScore = double.NegativeInfinity;
        double[]? bestLambdas = null;
        for (int r = 0; r < s.Restarts; r++)
        {
            string stage = $"{s.Kind} gating restart {r + 1}/{s.Restarts}";
            var p = Initial(net, arms, context.Seed, r, avgV, avgC);
            centre = startCentre; SetGrid();
            var adam = new Adam(P, s.LearningRate);
            for (int step = 0; step < s.Steps; step++)
            {
                double g = engine.Run(p, grad, lambdas, s.Temperature, s.L2);
                if (!double.IsFinite(g)) break;
                adam.Step(p, grad);
                bool last = step == s.Steps - 1;
                bool judge = last || (s.EvalEvery > 0 && (step + 1) % s.EvalEvery == 0);
                if (judge)
                {
                    double score = validationJudge?.Aucc(p) ?? engine.Run(p, null, lambdas, s.Temperature, s.L2);
                    if (double.IsFinite(score) && score > bestScore) { bestScore = score; best = (float[])p.Clone(); bestLambdas = (double[])lambdas.Clone(); }
                    if (s.TopFraction is { } q && !last && RecentredSlope(net, arms, p, train, q, po) is { } c) { centre = c; SetGrid(); }
                }
                if (last || (step + 1) % 50 == 0) context.Report(stage, step + 1, s.Steps, $"objective {g:G5}");
            }
        }
        if (best is null) throw new UpliftException($"{s.Kind} gating training diverged in every restart (non-finite objective); try a smaller learning rate");
        double trainG = engine.Run(best, null, bestLambdas!, s.Temperature, s.L2);
        var realLambdas = bestLambdas!.Select(l => l * vScale / cScale).ToArray();
        var json = (System.Text.Json.Nodes.JsonObject)s.OptionsJson.DeepClone();
        var (vf, cf) = Factors(net, arms, best, validationAsGiven ?? train, vScale, cScale, po);
        return new GatingModel(s.Kind, net, arms, best, vScale, cScale, context.Seed, s.Temperature, realLambdas, trainG,
            validationJudge is null ? null : bestScore, json, vf, cf);
    }

    /// <summary>
    /// β and α of <see cref="GatingModel.ValueFactor"/> / <see cref="GatingModel.CostFactor"/>: on <paramref name="data"/>
    /// (the validation users, else the training users), the assignment of the budget path at half its estimated full cost;
    /// β = its held-out value (difference of arm means, <see cref="MultiArmCostCurve.Estimate"/>) over its estimated value,
    /// α the same for cost; 1 when either is not positive.
    /// </summary>
    static (double Value, double Cost) Factors(Network net, int arms, float[] p, Dataset data, double vScale, double cScale, ParallelOptions po)
    {
        int n = data.Rows;
        var f = new double[(long)n * 2 * arms];
        GatingEngine.Outputs(net, arms, p, data, f, po);
        var v = new double[(long)n * arms]; var c = new double[(long)n * arms];
        GatingModel.Effects(f, arms, vScale, cScale, v, c);
        foreach (var x in v) if (!double.IsFinite(x)) return (1, 1);
        foreach (var x in c) if (!double.IsFinite(x)) return (1, 1);
        var path = BudgetPath.Build(v, c, n, arms);
        var half = path.Assign(path.FullCost / 2);
        var held = MultiArmCostCurve.Estimate(half.Arm, arms, data.T, data.V, data.C);
        static double Ratio(double a, double b) => a > 0 && b > 0 && double.IsFinite(a / b) && a / b > 0 ? a / b : 1.0;
        return (Ratio(held.Value, half.Value), Ratio(held.Cost, half.Cost));
    }

    /// <summary>Glorot weights per output (seed: the sub-seed of stream <see cref="RngStream.GatingOutput"/>, index o; restart r), output weights scaled
    /// by <see cref="OutputInitScale"/>, output biases at the arm's average effects.</summary>
    internal static float[] Initial(Network net, int arms, long seed, int restart, double[] avgV, double[] avgC)
    {
        int pn = net.ParameterCount;
        var p = new float[2 * arms * pn];
        for (int o = 0; o < 2 * arms; o++)
        {
            var po = net.Initialize(Rng.SubSeed(seed, RngStream.GatingOutput, o), restart);
            for (int j = 0; j < net.OutLen; j++) po[net.OutWOff + j] *= OutputInitScale;
            po[net.OutBOff] = (float)(o % 2 == 0 ? avgV[o / 2] : avgC[o / 2]);
            po.CopyTo(p, o * pn);
        }
        return p;
    }

    /// <summary>The slope that the best <paramref name="q"/> of the users beat: the (1 − q) quantile of each user's best
    /// guarded ratio s_v,k / s_c,k; null when it is not a positive finite number.</summary>
    static double? RecentredSlope(Network net, int arms, float[] p, Dataset data, double q, ParallelOptions po)
    {
        int n = data.Rows, o = 2 * arms;
        var f = new double[(long)n * o];
        GatingEngine.Outputs(net, arms, p, data, f, po);
        var best = new double[n];
        for (int i = 0; i < n; i++)
        {
            double b = double.NegativeInfinity;
            for (int k = 0; k < arms; k++) b = Math.Max(b, EffectRatio.Guarded(f[(long)i * o + 2 * k], f[(long)i * o + 2 * k + 1]));
            best[i] = b;
        }
        Array.Sort(best);
        double v = best[Math.Clamp((int)Math.Floor((1 - q) * n), 0, n - 1)];
        return v > 0 && double.IsFinite(v) ? v : null;
    }

    /// <summary>The multi-arm AUCC of a parameter vector on the validation users (their outcomes as given).</summary>
    sealed class Judge(Network net, int arms, Dataset data, double vScale, double cScale, ParallelOptions po)
    {
        static readonly CostCurveOptions Grid = new() { Segments = SelectionSegments };
        readonly double[] _f = new double[(long)data.Rows * 2 * arms];
        readonly double[] _v = new double[(long)data.Rows * arms], _c = new double[(long)data.Rows * arms];

        public double Aucc(float[] p)
        {
            GatingEngine.Outputs(net, arms, p, data, _f, po);
            GatingModel.Effects(_f, arms, vScale, cScale, _v, _c);
            for (int i = 0; i < _v.Length; i++) if (!double.IsFinite(_v[i]) || !double.IsFinite(_c[i])) return double.NaN;
            var path = BudgetPath.Build(_v, _c, data.Rows, arms);
            return MultiArmCostCurve.Aucc(path, data.T, data.V, data.C, options: Grid);
        }
    }
}

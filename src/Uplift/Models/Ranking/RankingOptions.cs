using System.Text.Json.Nodes;
using Uplift.Engine;
using Uplift.Models.MultiArm;

namespace Uplift.Models.Ranking;

/// <summary>
/// Options of the Direct Ranking Model (METHOD.md section 3); also the network and optimiser part of
/// <see cref="CrmOptions"/>. Every property has a documented default and a range checked by <see cref="Validate"/>.
/// </summary>
public sealed record DrmOptions
{
    /// <summary>
    /// Scoring network: <see cref="ScorerKind.Auto"/> (default), <see cref="ScorerKind.Linear"/> (the paper's Covertype
    /// model) or <see cref="ScorerKind.Mlp"/> (its US Census model). Auto fits both, the linear scorer first, each with its
    /// own restarts and snapshots, and keeps the one whose kept parameters have the higher validation AUCC (the AUCC of
    /// <see cref="Selection"/>, on the validation users as given; ties: linear); the model file records both AUCCs
    /// (<c>scorerChoice</c> in its options). Without a validation AUCC to judge by (no validation set, a non-positive
    /// validation incremental cost, or <see cref="ModelSelection.ValidationObjective"/>) only the linear scorer is fitted,
    /// and the file says so. Why the default: a linear scorer cannot rank by an effect ratio that is not monotone in a
    /// linear score, and on the nonlinear scenario it lost 0.11 AUCC to the MLP and the causal forest
    /// (docs/RESULTS.md, "Model chosen for the user"); on linear data the MLP gains nothing and the choice keeps
    /// the linear one about as often as not. The price is the MLP's fit, about 3 times the linear one.
    /// </summary>
    public ScorerKind Scorer { get; init; } = ScorerKind.Auto;

    /// <summary>Hidden layer widths when <see cref="Scorer"/> is <see cref="ScorerKind.Mlp"/>, or of the MLP that
    /// <see cref="ScorerKind.Auto"/> tries (default [64]; the paper used [92] on US Census). Each 1..4096.</summary>
    public int[] HiddenSizes { get; init; } = [64];

    /// <summary>
    /// The aggregated function g (default <see cref="Objective.SmoothAbsRatio"/>). Why: METHOD.md's Covertype
    /// measurements put it well above the plain ratio (0.925 vs 0.797 AUCC), whose seeds sometimes collapse when
    /// τc approaches zero. On a synthetic probe (20,000 users, 10 features, 600 steps, 4 seeds; Spearman
    /// correlation with the oracle τv/τc on 20,000 test users) it equalled the plain ratio (0.884: with τc far
    /// from zero the smoothing is inactive) and beat softplus-ratio (0.859); the Lagrangian reached 0.925 there
    /// but needs λ tuned to the data's cost scale, so it is not the default.
    /// </summary>
    public Objective Objective { get; init; } = Objective.SmoothAbsRatio;

    /// <summary>Adam learning rate (default 0.01, the top of METHOD.md's 1e-3..1e-2 range: with 1,500 full-batch
    /// steps it converges on the benchmarks, 1e-3 often had not). Range (0, 1].</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Adam steps per restart, each on the full batch (default 1500). Range 1..1,000,000.</summary>
    public int Steps { get; init; } = 1500;

    /// <summary>Random restarts, each with its own derived seed; the best one by <see cref="Selection"/> is kept (default 3). Range 1..100.</summary>
    public int Restarts { get; init; } = 3;

    /// <summary>L1 penalty on the weights (biases excluded), default 0 (off). Range [0, ∞).</summary>
    public double L1 { get; init; }

    /// <summary>
    /// L2 penalty Λ(θ) = L2 · Σ w² on the weights (biases excluded), in the units of g (the outcomes are rescaled,
    /// so it does not depend on the units of V and C). Range [0, ∞). Default null = <see cref="DefaultMlpL2"/>
    /// (0.001) for the MLP scorer and 0 for the linear scorer (see <see cref="ResolvedL2"/>).
    /// <para>
    /// Why the MLP needs it: s = tanh(f) is bounded, so the softmax weights exp(s) only span a factor e² and the
    /// cohort objective is linear-fractional in them; its optimum is bang-bang (s = +1 for users with
    /// τv/τc above the cohort's ratio, s = −1 below) and says nothing about the order inside either group. A
    /// flexible MLP reaches it: without a penalty, 90 % of the scores saturated within 1,500 steps, only about
    /// 1,500 distinct float scores were left among 10,000 test users, and the test AUCC fell while the training
    /// objective still rose (nonlinear scenario, 50,000 users: 0.70 at step 200, 0.63 at step 1,500, oracle 0.78).
    /// The penalty keeps f in tanh's linear range, where the objective's gradient ranks users by
    /// τv − r·τc with r the cohort ratio, which orders them almost like τv/τc near the cut-offs that matter.
    /// Chosen on the nonlinear scenario (100,000 users, seeds 12 and 13, never the benchmark's seeds 1-5; test
    /// AUCC minus oracle AUCC, with <see cref="OutcomeBaseline.Linear"/>, MLP [64]): L2 = 0 −0.045 (seed 11 only),
    /// 3e-4 −0.025, 1e-3 +0.001, 3e-3 +0.011, 1e-2 −0.125 (seed 12: the penalty wins over the objective and the
    /// ranking collapses). 1e-3 keeps a factor 10 from that cliff: the penalty is weighed against g, whose size
    /// (and gradient) varies with the data, so the default stays well inside the safe side. Raise it towards
    /// 3e-3 when validation says so. On the linear scorer (linear scenario) the penalty did not help
    /// (0: −0.001, 1e-3: −0.005), so it stays off there.
    /// </para>
    /// </summary>
    public double? L2 { get; init; }

    /// <summary>The L2 penalty used when <see cref="L2"/> is null on an MLP scorer.</summary>
    public const double DefaultMlpL2 = 1e-3;

    /// <summary>The L2 penalty in effect: <see cref="L2"/>, or its scorer-dependent default.</summary>
    public double ResolvedL2 => L2 ?? (Scorer == ScorerKind.Mlp ? DefaultMlpL2 : 0.0);

    /// <summary>
    /// Baseline subtracted from V and C before training (default <see cref="OutcomeBaseline.Linear"/>): a control
    /// variate, part of the outcome rescaling METHOD.md section 3 asks for. In a randomized campaign both arms
    /// have the same distribution of x, so for any scores the per-arm softmax means of a function m(x) have the
    /// same expectation in both arms and Σ_{T=1} p_i m(x_i) − Σ_{T=0} p_i m(x_i) has expectation zero: τv and τc,
    /// and hence the objective, keep their expectation, but the noise that the baselines (which explain most of
    /// the variance of V and C in real campaigns) put into them, and into the per-user gradients, is removed,
    /// so the network has less noise to overfit. The same fitted m̂ is applied to the validation users.
    /// Measured (nonlinear scenario, MLP [64], no penalty, 100,000 users, seed 11): test AUCC gap to the oracle
    /// −0.153 raw, −0.047 with the baseline; at 50,000 users, MLP [32], seeds 11-12: −0.164 vs −0.061. On the linear
    /// scenario (linear scorer, seeds 11-13) −0.007 vs −0.003. Fitted in closed form on the (d+1)² normal
    /// equations, so with more than <see cref="MaxBaselineFeatures"/> features it is skipped (the model's
    /// fit information records it: <see cref="RankingFitInfo.OutcomeBaselineApplied"/>).
    /// </summary>
    public OutcomeBaseline Baseline { get; init; } = OutcomeBaseline.Linear;

    /// <summary>Above this many features the linear baseline is skipped (its normal equations would be too large).</summary>
    public const int MaxBaselineFeatures = 2048;

    /// <summary>λ of the Lagrangian objective τv − λτc, in rescaled units (V/σ_V, C/σ_C); default 1. Range [0, ∞).</summary>
    public double Lambda { get; init; } = 1.0;

    /// <summary>
    /// Every this many steps the objective is evaluated on the validation set (the training set without one)
    /// and the best parameters seen so far are kept (default 50; 0 = only the final parameters of each
    /// restart compete). Costs one forward pass per evaluation (2 % of the steps at the default).
    /// </summary>
    public int EvalEvery { get; init; } = 50;

    /// <summary>
    /// How the kept parameters are chosen among the snapshots (every <see cref="EvalEvery"/> steps and the end of
    /// each restart) of all restarts. Default <see cref="ModelSelection.ValidationAucc"/>: the highest AUCC of the
    /// validation scores (METHOD.md section 6 on a grid of <see cref="SelectionSegments"/> segments), computed on
    /// the validation outcomes as given (before any baseline; weights and propensities are ignored, as by every
    /// AUCC of the library); among equal values the earliest snapshot wins. It falls back to the objective g when
    /// there is no validation set (then g on the training set) or when the validation set's incremental cost
    /// mean(C | T=1) − mean(C | T=0) is not positive (its AUCC is undefined); the model's fit information records
    /// which rule was applied (<see cref="RankingFitInfo.Selection"/>).
    /// <para>
    /// A deviation from METHOD.md section 3 ("the restart kept by its validation objective"). Measured by
    /// <c>bench/Uplift.Bench -- selection</c> (docs/BENCHMARKS.md; the paper's CRM on the Covertype sample
    /// construction, 20 seeds 11-30 that the paper table never uses): test AUCC 0.950 ± 0.038 kept by validation
    /// AUCC, 0.924 ± 0.076 by the validation objective (3 restarts). Across the 3,000 snapshots of those fits the
    /// validation objective was uncorrelated with the test AUCC (−0.11), the validation AUCC correlated (0.35 on
    /// 10 segments, 0.41 on 100): the plain ratio on a few thousand validation users is unbounded as τc approaches
    /// zero, so the snapshot with the highest validation ratio is often a degenerate ranking.
    /// Why 100 segments and not the paper's 10: the 10-segment area is 1 (up to 1e-7) whenever the top tenth has a
    /// non-positive incremental cost (clipped by section 6, step 4) and already the whole incremental value; 52 of
    /// those snapshots did, up to 19 in one fit, with test AUCCs from 0.72 to 0.97 among the tied ones of one seed.
    /// The 100-segment area saturated for 11. On the synthetic campaigns of <c>-- quality</c> the DRM and CRM gaps
    /// to the oracle moved by at most 0.006 with the new rule (docs/BENCHMARKS.md).
    /// </para>
    /// </summary>
    public ModelSelection Selection { get; init; } = ModelSelection.ValidationAucc;

    /// <summary>Segments S of the validation cost curve that <see cref="ModelSelection.ValidationAucc"/> uses (100).</summary>
    public const int SelectionSegments = 100;

    /// <summary>
    /// How the model takes K &gt; 1 arms (METHOD.md section 10, "Decision"; no effect with one arm): <see cref="ArmModel.Heads"/>
    /// (default), one binary head per arm calibrated to effects on validation users, or <see cref="ArmModel.Gating"/>, a
    /// learned per-user softmax over {0..K} trained on τ_v(π) − λ τ_c(π) over a grid of λ (<c>Models/MultiArm/GatingTrainer</c>;
    /// the same scorer, steps, restarts, learning rate, L2 and baseline; <see cref="Objective"/> and <see cref="Lambda"/>
    /// do not apply, the selection is the validation multi-arm AUCC). Measured side by side by <c>bench multiarm</c>
    /// (docs/BENCHMARKS.md, "Heads or learned gating"; 100,000 users, seeds 1-3): at true spend, share of the oracle's value
    /// at 1/3, 2/3 and half the full cost, crm 0.974 / 0.958 / 0.965 and crm-gating 0.929 / 0.944 / 0.950, drm 0.958 /
    /// 0.946 / 0.951 and drm-gating 0.911 / 0.929 / 0.938, at 6-21 times the binary fit's time (heads about 2), so the heads
    /// stay the default.
    /// </summary>
    public ArmModel ArmModel { get; init; } = ArmModel.Heads;

    /// <summary>Throws <see cref="UpliftOptionException"/> when an option is out of range.</summary>
    public void Validate()
    {
        UpliftOptionException.Check(Enum.IsDefined(Scorer), "scorer", $"must be {RankingNames.Scorer.Choices}");
        UpliftOptionException.Check(Enum.IsDefined(Objective), "objective", $"must be {EngineNames.Objective.Choices}");
        if (Scorer != ScorerKind.Linear)
        {
            UpliftOptionException.Check(HiddenSizes is { Length: > 0 and <= 8 }, "hidden", "an MLP needs 1 to 8 hidden layers");
            foreach (var h in HiddenSizes) UpliftOptionException.Check(h is >= 1 and <= 4096, "hidden", $"layer width {h} outside 1..4096");
        }
        UpliftOptionException.Check(LearningRate is > 0 and <= 1, "learning-rate", $"{LearningRate} outside (0, 1]");
        UpliftOptionException.Check(Steps is >= 1 and <= 1_000_000, "steps", $"{Steps} outside 1..1000000");
        UpliftOptionException.Check(Restarts is >= 1 and <= 100, "restarts", $"{Restarts} outside 1..100");
        UpliftOptionException.Check(L1 >= 0 && double.IsFinite(L1), "l1", "must be a finite value >= 0");
        UpliftOptionException.Check(L2 is null || (L2 >= 0 && double.IsFinite(L2.Value)), "l2", "must be a finite value >= 0");
        UpliftOptionException.Check(Enum.IsDefined(Baseline), "baseline", $"must be {RankingNames.Baseline.Choices}");
        UpliftOptionException.Check(Lambda >= 0 && double.IsFinite(Lambda), "lambda", "must be a finite value >= 0");
        UpliftOptionException.Check(EvalEvery >= 0, "eval-every", "must be >= 0");
        UpliftOptionException.Check(Enum.IsDefined(Selection), "selection", $"must be {RankingNames.Selection.Choices}");
        UpliftOptionException.Check(Enum.IsDefined(ArmModel), "arm-model", $"must be {ArmModelNames.Table.Choices}");
    }

    /// <summary>The options as saved in a model file; "armModel" only when it is not the default (files of heads stay as they were).</summary>
    internal JsonObject ToJson()
    {
        var o = Json();
        if (ArmModel != ArmModel.Heads) o["armModel"] = ArmModelNames.Table.Name(ArmModel);
        return o;
    }

    JsonObject Json() => new()
    {
        ["scorer"] = RankingNames.Scorer.Name(Scorer),
        ["hiddenSizes"] = new JsonArray([.. (Scorer == ScorerKind.Mlp ? HiddenSizes : []).Select(h => (JsonNode)h)]),
        ["objective"] = EngineNames.Objective.Name(Objective),
        ["learningRate"] = LearningRate,
        ["steps"] = Steps,
        ["restarts"] = Restarts,
        ["l1"] = L1,
        ["l2"] = ResolvedL2,
        ["baseline"] = RankingNames.Baseline.Name(Baseline),
        ["lambda"] = Lambda,
        ["evalEvery"] = EvalEvery,
        ["selection"] = RankingNames.Selection.Name(Selection),
    };
}

/// <summary>How <see cref="CrmOptions.Budget"/> is expressed.</summary>
public enum BudgetUnit
{
    /// <summary>A fraction (0, 1] of the incremental cost of treating every user.</summary>
    FractionOfTotalCost,
    /// <summary>Absolute cost units for the training cohort.</summary>
    CostUnits,
}

/// <summary>
/// Options of the Constrained Ranking Model (METHOD.md section 4): the DRM's network and optimiser options plus
/// the top fraction (or budget) and the temperature schedule t = t0 + Δt · floor(step / K).
/// </summary>
public sealed record CrmOptions
{
    /// <summary>Network, objective and optimiser options (default: <see cref="DrmOptions"/> defaults).</summary>
    public DrmOptions Drm { get; init; } = new();

    /// <summary>q: the fraction of users the mask keeps per arm (default 0.4, as in every experiment of the papers). Range (0, 1].</summary>
    public double TopFraction { get; init; } = 0.4;

    /// <summary>Optional budget replacing <see cref="TopFraction"/>, in <see cref="BudgetUnit"/> (translated by <see cref="BudgetFraction"/>). Must be &gt; 0.</summary>
    public double? Budget { get; init; }

    /// <summary>Unit of <see cref="Budget"/> (default: fraction of the incremental cost of treating everyone).</summary>
    public BudgetUnit BudgetUnit { get; init; } = BudgetUnit.FractionOfTotalCost;

    /// <summary>Initial temperature t0 (default 0.5). Range (0, 1000].</summary>
    public double T0 { get; init; } = 0.5;

    /// <summary>Temperature increase Δt every <see cref="TemperatureEvery"/> steps (default 0.1). Range [0, 1000].</summary>
    public double TemperatureStep { get; init; } = 0.1;

    /// <summary>K: steps between temperature increases (default 100). Range 1..1,000,000.</summary>
    public int TemperatureEvery { get; init; } = 100;

    public void Validate()
    {
        UpliftOptionException.Check(Drm is not null, "drm", "missing network options");
        Drm!.Validate();
        UpliftOptionException.Check(TopFraction is > 0 and <= 1, "top-fraction", $"{TopFraction} outside (0, 1]");
        if (Budget is { } b)
        {
            UpliftOptionException.Check(b > 0 && double.IsFinite(b), "budget", "must be a finite value > 0");
            UpliftOptionException.Check(BudgetUnit != BudgetUnit.FractionOfTotalCost || b <= 1, "budget", $"a fraction of the total cost must be in (0, 1], got {b}");
        }
        UpliftOptionException.Check(T0 is > 0 and <= 1000, "t0", $"{T0} outside (0, 1000]");
        UpliftOptionException.Check(TemperatureStep is >= 0 and <= 1000, "temperature-step", $"{TemperatureStep} outside [0, 1000]");
        UpliftOptionException.Check(TemperatureEvery is >= 1 and <= 1_000_000, "temperature-every", $"{TemperatureEvery} outside 1..1000000");
    }

    /// <summary>
    /// Translates a budget into the fraction q_B of users the model should target (METHOD.md section 4 decision):
    /// with the training cohort's incremental cost per treated user ATE_c = mean(C | T=1) − mean(C | T=0),
    /// treating a fraction q of the N users costs about q · N · ATE_c, so
    /// a fraction f of the total incremental cost gives q_B = f, and B cost units give q_B = B / (N · ATE_c),
    /// capped at 1. This is the cost of an average user; the model's top users may cost more or less.
    /// </summary>
    /// <exception cref="UpliftException">ATE_c ≤ 0 with a budget in cost units (the budget cannot be translated).</exception>
    public static double BudgetFraction(double budget, BudgetUnit unit, double incrementalCostPerUser, int users)
    {
        if (!(budget > 0)) throw new UpliftOptionException("budget", "must be > 0");
        if (unit == BudgetUnit.FractionOfTotalCost) return Math.Min(budget, 1.0);
        if (!(incrementalCostPerUser > 0) || users <= 0)
            throw new UpliftException($"a budget in cost units needs a positive incremental cost per treated user; the training cohort's is {incrementalCostPerUser:G4}");
        return Math.Clamp(budget / (users * incrementalCostPerUser), 1.0 / users, 1.0);
    }

    internal JsonObject ToJson()
    {
        var o = Drm.ToJson();
        o["topFraction"] = TopFraction;
        o["budget"] = Budget;
        o["budgetUnit"] = RankingNames.BudgetUnit.Name(BudgetUnit);
        o["t0"] = T0;
        o["temperatureStep"] = TemperatureStep;
        o["temperatureEvery"] = TemperatureEvery;
        return o;
    }
}

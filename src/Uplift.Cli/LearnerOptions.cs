using System.CommandLine;
using System.Globalization;
using Uplift.Models;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.Ranking;

namespace Uplift.Cli;

/// <summary>
/// The command-line options of every learner, shared by 'train' and 'compare'. Unset options keep the
/// library defaults (documented on each options record), so the CLI never invents its own defaults.
/// </summary>
sealed class LearnerOptions
{
    // DRM / CRM (METHOD.md sections 3-4)
    readonly Option<string?> _hidden = new("--hidden") { Description = "MLP hidden sizes, e.g. 64 or 92 or 64,32 (default: linear scorer)." };
    readonly Option<int?> _steps = new("--steps") { Description = "Adam steps per restart (default 1500)." };
    readonly Option<int?> _restarts = new("--restarts") { Description = "Random restarts (default 3); the best snapshot of all is kept (see --selection)." };
    readonly Option<string?> _selection = new("--selection") { Description = "Which parameters a DRM/CRM keeps: aucc (highest validation AUCC, default) | objective (highest validation objective)." };
    readonly Option<string?> _objective = new("--objective") { Description = "ratio | softplus-ratio | smooth-abs-ratio | lagrangian (default smooth-abs-ratio)." };
    readonly Option<double?> _learningRate = new("--learning-rate") { Description = "Adam learning rate (default 0.01)." };
    readonly Option<double?> _l1 = new("--l1") { Description = "L1 weight penalty (default 0)." };
    readonly Option<double?> _l2 = new("--l2") { Description = "L2 weight penalty (default 1e-3 for an MLP scorer, 0 for the linear one)." };
    readonly Option<double?> _lambda = new("--lambda") { Description = "Lambda of the Lagrangian objective / score (drm, crm, causal-forest)." };
    readonly Option<double?> _topFraction = new("--top-fraction") { Description = "CRM: fraction of users the mask keeps (default 0.4)." };
    readonly Option<double?> _budget = new("--budget-fraction") { Description = "CRM: budget as a fraction of the incremental cost of treating everyone (replaces --top-fraction)." };
    // R-learners, T-learner (METHOD.md section 5)
    readonly Option<string?> _outcome = new("--outcome") { Description = "rlearner: value (the paper's R-learner on value, default) | both (rank by tau_v/tau_c)." };
    readonly Option<string?> _base = new("--base") { Description = "rlearner, duality-rlearner, tlearner: ridge | boosted (defaults: ridge for R-learners, boosted for tlearner)." };
    readonly Option<int?> _folds = new("--folds") { Description = "rlearner: cross-fitting folds (default 5)." };
    readonly Option<string?> _propensity = new("--propensity-model") { Description = "rlearner: constant (default) | logistic; causal-forest: constant | forest (default forest)." };
    readonly Option<string?> _lambdas = new("--lambdas") { Description = "duality-rlearner: lambda grid (default 0.001,0.005,0.01,0.05)." };
    // Causal forest
    readonly Option<string?> _preset = new("--preset") { Description = "causal-forest: grf (defaults of grf, 2000 trees) | paper (60 trees, alpha 0.2, min node 3)." };
    readonly Option<int?> _trees = new("--trees") { Description = "causal-forest: trees per forest." };
    readonly Option<int?> _minNode = new("--min-node-size") { Description = "causal-forest: minimum node size." };
    readonly Option<double?> _alpha = new("--alpha") { Description = "causal-forest: balance parameter alpha." };
    readonly Option<double?> _sampleFraction = new("--sample-fraction") { Description = "causal-forest: subsample fraction (default 0.5)." };
    readonly Option<int?> _mtry = new("--mtry") { Description = "causal-forest: features tried per split (default min(ceil(sqrt(d)+20), d))." };
    readonly Option<string?> _forestScore = new("--forest-score") { Description = "causal-forest: ratio (guarded, default) | lagrangian." };

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { _hidden, _steps, _restarts, _selection, _objective, _learningRate, _l1, _l2, _lambda, _topFraction, _budget,
                     _outcome, _base, _folds, _propensity, _lambdas, _preset, _trees, _minNode, _alpha, _sampleFraction, _mtry, _forestScore })
            cmd.Options.Add(o);
    }

    public LearnerSettings Build(ParseResult r)
    {
        var drm = new DrmOptions();
        if (r.GetValue(_hidden) is { } hidden)
            drm = drm with { Scorer = ScorerKind.Mlp, HiddenSizes = Common.ParseInts(hidden, "--hidden") };
        if (r.GetValue(_steps) is { } steps) drm = drm with { Steps = steps };
        if (r.GetValue(_restarts) is { } restarts) drm = drm with { Restarts = restarts };
        if (r.GetValue(_selection) is { } selection) drm = drm with { Selection = Common.ParseSelection(selection, "--selection") };
        if (r.GetValue(_objective) is { } obj) drm = drm with { Objective = ParseObjective(obj) };
        if (r.GetValue(_learningRate) is { } lr) drm = drm with { LearningRate = lr };
        if (r.GetValue(_l1) is { } l1) drm = drm with { L1 = l1 };
        if (r.GetValue(_l2) is { } l2) drm = drm with { L2 = l2 };
        if (r.GetValue(_lambda) is { } lambda) drm = drm with { Lambda = lambda };
        var crm = new CrmOptions { Drm = drm };
        if (r.GetValue(_topFraction) is { } q) crm = crm with { TopFraction = q };
        if (r.GetValue(_budget) is { } b) crm = crm with { Budget = b, BudgetUnit = BudgetUnit.FractionOfTotalCost };

        var rl = new RLearnerOptions();
        if (r.GetValue(_outcome) is { } outcome)
            rl = rl with
            {
                Outcome = outcome switch
                {
                    "value" => RLearnerOutcome.Value,
                    "both" => RLearnerOutcome.Both,
                    _ => throw new UpliftOptionException("--outcome", $"'{outcome}': use value or both."),
                },
            };
        BaseLearnerKind? baseKind = r.GetValue(_base) switch
        {
            null => null,
            "ridge" => BaseLearnerKind.Ridge,
            "boosted" => BaseLearnerKind.Boosted,
            var s => throw new UpliftOptionException("--base", $"'{s}': use ridge or boosted."),
        };
        if (baseKind is { } bk) rl = rl with { BaseLearner = bk };
        if (r.GetValue(_folds) is { } folds) rl = rl with { Folds = folds };
        string? prop = r.GetValue(_propensity);
        if (prop is not null && prop != "forest")
            rl = rl with
            {
                Propensity = prop switch
                {
                    "constant" => PropensityKind.Constant,
                    "logistic" => PropensityKind.Logistic,
                    _ => throw new UpliftOptionException("--propensity-model", $"'{prop}': use constant, logistic (R-learners) or forest (causal forest)."),
                },
            };
        var duality = new DualityRLearnerOptions { RLearner = rl with { Outcome = RLearnerOutcome.Value } };
        if (r.GetValue(_lambdas) is { } lambdas)
            duality = duality with { Lambdas = ParseDoubles(lambdas, "--lambdas") };

        var forest = r.GetValue(_preset) switch
        {
            null or "grf" => new CausalForestOptions(),
            "paper" => CausalForestOptions.Paper,
            var s => throw new UpliftOptionException("--preset", $"'{s}': use grf or paper."),
        };
        if (r.GetValue(_trees) is { } trees) forest = forest with { NumTrees = trees };
        if (r.GetValue(_minNode) is { } minNode) forest = forest with { MinNodeSize = minNode };
        if (r.GetValue(_alpha) is { } alpha) forest = forest with { Alpha = alpha };
        if (r.GetValue(_sampleFraction) is { } sf) forest = forest with { SampleFraction = sf };
        if (r.GetValue(_mtry) is { } mtry) forest = forest with { Mtry = mtry };
        if (prop is "constant" or "forest")
            forest = forest with { Propensity = prop == "constant" ? PropensityMode.Constant : PropensityMode.Forest };
        if (r.GetValue(_forestScore) is { } fs)
            forest = forest with
            {
                Score = fs switch
                {
                    "ratio" => ForestScore.GuardedRatio,
                    "lagrangian" => ForestScore.Lagrangian,
                    _ => throw new UpliftOptionException("--forest-score", $"'{fs}': use ratio or lagrangian."),
                },
            };
        if (r.GetValue(_lambda) is { } fl) forest = forest with { Lambda = fl };

        var tl = new TLearnerOptions();
        if (baseKind is { } tk) tl = tl with { BaseLearner = tk };

        return new LearnerSettings { Drm = drm, Crm = crm, RLearner = rl, DualityRLearner = duality, CausalForest = forest, TLearner = tl };
    }

    static Objective ParseObjective(string s) => s switch
    {
        "ratio" => Objective.Ratio,
        "softplus-ratio" => Objective.SoftplusRatio,
        "smooth-abs-ratio" => Objective.SmoothAbsRatio,
        "lagrangian" => Objective.Lagrangian,
        _ => throw new UpliftOptionException("--objective", $"'{s}': use ratio, softplus-ratio, smooth-abs-ratio or lagrangian."),
    };

    static double[] ParseDoubles(string s, string option)
    {
        var parts = s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var r = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out r[i]))
                throw new UpliftOptionException(option, $"expected numbers separated by commas, got '{s}'.");
        UpliftOptionException.Check(r.Length > 0, option, "give at least one value.");
        return r;
    }
}

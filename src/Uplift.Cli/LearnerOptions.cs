using System.CommandLine;
using System.Globalization;
using Uplift.Engine;
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

    /// <summary>
    /// Which learners each option applies to: the one source of truth. An option given on the command line that applies
    /// to none of the chosen learners is an error (never silently ignored).
    /// </summary>
    readonly (Option Option, string[] Models)[] _appliesTo;

    static readonly string[] RankingModels = ["drm", "crm"];
    static readonly string[] RLearners = ["rlearner", "duality-rlearner"];
    static readonly string[] Forest = ["causal-forest"];

    public LearnerOptions()
    {
        _appliesTo =
        [
            (_hidden, RankingModels), (_steps, RankingModels), (_restarts, RankingModels), (_selection, RankingModels), (_objective, RankingModels),
            (_learningRate, RankingModels), (_l1, RankingModels), (_l2, RankingModels), (_lambda, [.. RankingModels, .. Forest]),
            (_topFraction, ["crm"]), (_budget, ["crm"]),
            (_outcome, ["rlearner"]), (_base, [.. RLearners, "tlearner"]), (_folds, RLearners),
            (_propensity, [.. RLearners, .. Forest]), (_lambdas, ["duality-rlearner"]),
            (_preset, Forest), (_trees, Forest), (_minNode, Forest), (_alpha, Forest), (_sampleFraction, Forest),
            (_mtry, Forest), (_forestScore, Forest),
        ];
    }

    public void AddTo(Command cmd)
    {
        foreach (var (o, _) in _appliesTo) cmd.Options.Add(o);
    }

    /// <summary>The learners (catalog names) an option applies to, e.g. ["causal-forest"] for --trees.</summary>
    internal IReadOnlyList<string> AppliesTo(string option) =>
        _appliesTo.First(p => p.Option.Name == option).Models;

    /// <summary>The option names with the learners each applies to (for tests and help).</summary>
    internal IEnumerable<(string Option, IReadOnlyList<string> Models)> Mapping =>
        _appliesTo.Select(p => (p.Option.Name, (IReadOnlyList<string>)p.Models));

    /// <summary>
    /// The settings of every learner from the options given, after checking that each given option applies to at
    /// least one of <paramref name="models"/> (catalog names).
    /// </summary>
    public LearnerSettings Build(ParseResult r, IReadOnlyList<string> models)
    {
        foreach (var (option, applies) in _appliesTo)
        {
            if (r.GetResult(option) is null || models.Any(applies.Contains)) continue;
            throw new UpliftOptionException(option.Name,
                $"applies to {Words(applies)} only, not to {Words(models)}; leave it out or choose {(applies.Length > 1 ? "one of those models" : "that model")}.");
        }
        string? prop = r.GetValue(_propensity)?.Trim().ToLowerInvariant();
        if (prop is not null and not ("constant" or "logistic" or "forest"))
            throw new UpliftOptionException("--propensity-model", $"'{r.GetValue(_propensity)}': use constant, logistic (R-learners) or forest (causal forest).");
        if (prop is "logistic" && !models.Any(RLearners.Contains))
            throw new UpliftOptionException("--propensity-model", $"logistic applies to {Words(RLearners)} only, not to {Words(models)}.");
        if (prop is "forest" && !models.Any(Forest.Contains))
            throw new UpliftOptionException("--propensity-model", $"forest applies to causal-forest only, not to {Words(models)}.");

        var drm = new DrmOptions();
        if (r.GetValue(_hidden) is { } hidden)
            drm = drm with { Scorer = ScorerKind.Mlp, HiddenSizes = Common.ParseInts(hidden, "--hidden") };
        if (r.GetValue(_steps) is { } steps) drm = drm with { Steps = steps };
        if (r.GetValue(_restarts) is { } restarts) drm = drm with { Restarts = restarts };
        if (r.GetValue(_selection) is { } selection) drm = drm with { Selection = Common.ParseSelection(selection, "--selection") };
        if (r.GetValue(_objective) is { } obj)
            drm = drm with
            {
                Objective = Common.Choice(obj, "--objective", ("ratio", Objective.Ratio), ("softplus-ratio", Objective.SoftplusRatio),
                    ("smooth-abs-ratio", Objective.SmoothAbsRatio), ("lagrangian", Objective.Lagrangian)),
            };
        if (r.GetValue(_learningRate) is { } lr) drm = drm with { LearningRate = lr };
        if (r.GetValue(_l1) is { } l1) drm = drm with { L1 = l1 };
        if (r.GetValue(_l2) is { } l2) drm = drm with { L2 = l2 };
        if (r.GetValue(_lambda) is { } lambda) drm = drm with { Lambda = lambda };
        var crm = new CrmOptions { Drm = drm };
        if (r.GetValue(_topFraction) is { } q) crm = crm with { TopFraction = q };
        if (r.GetValue(_budget) is { } b) crm = crm with { Budget = b, BudgetUnit = BudgetUnit.FractionOfTotalCost };

        var rl = new RLearnerOptions();
        if (r.GetValue(_outcome) is { } outcome)
            rl = rl with { Outcome = Common.Choice(outcome, "--outcome", ("value", RLearnerOutcome.Value), ("both", RLearnerOutcome.Both)) };
        BaseLearnerKind? baseKind = r.GetValue(_base) is { } baseName
            ? Common.Choice(baseName, "--base", ("ridge", BaseLearnerKind.Ridge), ("boosted", BaseLearnerKind.Boosted))
            : null;
        if (baseKind is { } bk) rl = rl with { BaseLearner = bk };
        if (r.GetValue(_folds) is { } folds) rl = rl with { Folds = folds };
        if (prop is not null && prop != "forest")
            rl = rl with { Propensity = prop == "logistic" ? PropensityKind.Logistic : PropensityKind.Constant };
        var duality = new DualityRLearnerOptions { RLearner = rl with { Outcome = RLearnerOutcome.Value } };
        if (r.GetValue(_lambdas) is { } lambdas)
            duality = duality with { Lambdas = ParseDoubles(lambdas, "--lambdas") };

        var forest = r.GetValue(_preset) is { } preset
            ? Common.Choice(preset, "--preset", ("grf", new CausalForestOptions()), ("paper", CausalForestOptions.Paper))
            : new CausalForestOptions();
        if (r.GetValue(_trees) is { } trees) forest = forest with { NumTrees = trees };
        if (r.GetValue(_minNode) is { } minNode) forest = forest with { MinNodeSize = minNode };
        if (r.GetValue(_alpha) is { } alpha) forest = forest with { Alpha = alpha };
        if (r.GetValue(_sampleFraction) is { } sf) forest = forest with { SampleFraction = sf };
        if (r.GetValue(_mtry) is { } mtry) forest = forest with { Mtry = mtry };
        if (prop is "constant" or "forest")
            forest = forest with { Propensity = prop == "constant" ? PropensityMode.Constant : PropensityMode.Forest };
        if (r.GetValue(_forestScore) is { } fs)
            forest = forest with { Score = Common.Choice(fs, "--forest-score", ("ratio", ForestScore.GuardedRatio), ("lagrangian", ForestScore.Lagrangian)) };
        if (r.GetValue(_lambda) is { } fl) forest = forest with { Lambda = fl };

        var tl = new TLearnerOptions();
        if (baseKind is { } tk) tl = tl with { BaseLearner = tk };

        return new LearnerSettings { Drm = drm, Crm = crm, RLearner = rl, DualityRLearner = duality, CausalForest = forest, TLearner = tl };
    }

    static string Words(IReadOnlyList<string> names) =>
        names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1];

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

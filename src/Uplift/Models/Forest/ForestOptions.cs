namespace Uplift.Models.Forest;

/// <summary>
/// Options of a <see cref="RegressionForest"/> (grf's regression_forest defaults). Used on its own and for
/// the local centring of a causal forest (m̂(x) = E[Y|x], ê(x) = E[T|x]).
/// </summary>
public sealed record RegressionForestOptions
{
    /// <summary>Number of trees (grf default 2000).</summary>
    public int NumTrees { get; init; } = 2000;
    /// <summary>Fraction of the rows each tree draws, without replacement (default 0.5).</summary>
    public double SampleFraction { get; init; } = 0.5;
    /// <summary>Candidate features per split; null = min(ceil(sqrt(d) + 20), d). As in grf the count of each node is a
    /// Poisson(mtry) draw clamped to [1, d].</summary>
    public int? Mtry { get; init; }
    /// <summary>A node with at most this many rows is not split (grf default 5).</summary>
    public int MinNodeSize { get; init; } = 5;
    /// <summary>Honest trees: one part of each subsample chooses the splits, the other fills the leaves (default true).</summary>
    public bool Honesty { get; init; } = true;
    /// <summary>Share of the subsample that chooses the splits when <see cref="Honesty"/> is on (default 0.5).</summary>
    public double HonestyFraction { get; init; } = 0.5;
    /// <summary>Remove splits whose side received no estimation row (grf default true).</summary>
    public bool HonestyPruneLeaves { get; init; } = true;
    /// <summary>Each child must hold at least ceil(alpha * node size) rows (grf default 0.05; range [0, 0.25]).</summary>
    public double Alpha { get; init; } = 0.05;
    /// <summary>Penalty on unbalanced splits, lambda * (1/n_left + 1/n_right) (default 0).</summary>
    public double ImbalancePenalty { get; init; }

    /// <summary>Throws <see cref="UpliftOptionException"/> on a value out of range.</summary>
    public void Validate() =>
        ForestChecks.Common(NumTrees, SampleFraction, Mtry, MinNodeSize, HonestyFraction, Alpha, ImbalancePenalty, "regression-forest");

    internal TreeOptions ToTreeOptions(int features) => new(
        ForestChecks.ResolveMtry(Mtry, features, "regression-forest"), MinNodeSize, Alpha, ImbalancePenalty,
        SampleFraction, Honesty, HonestyFraction, HonestyPruneLeaves);
}

/// <summary>How a causal forest centres the treatment, ê(x) = E[T | x].</summary>
public enum PropensityMode
{
    /// <summary>Out-of-bag regression forest of T on x (grf's default).</summary>
    Forest,
    /// <summary>Constant ê = (weighted) fraction treated; sound for randomized data (METHOD.md section 1).</summary>
    Constant,
}

/// <summary>Which ranking score a causal-forest model reports (METHOD.md section 5).</summary>
public enum ForestScore
{
    /// <summary>relu(tau_v) / (relu(tau_c) + eps).</summary>
    GuardedRatio,
    /// <summary>tau_v - lambda * tau_c.</summary>
    Lagrangian,
}

/// <summary>A named starting point of the causal forest's options (<see cref="CausalForestOptions.Preset"/>).</summary>
public enum ForestPreset
{
    /// <summary>grf's causal_forest defaults (2000 trees).</summary>
    Grf,
    /// <summary>The paper's setting (METHOD.md section 5).</summary>
    Paper,
}

/// <summary>The spellings of the causal forest's enums on the command line.</summary>
public static class ForestNames
{
    public static NameTable<PropensityMode> Propensity { get; } = new((PropensityMode.Constant, "constant"), (PropensityMode.Forest, "forest"));
    public static NameTable<ForestScore> Score { get; } = new((ForestScore.GuardedRatio, "ratio"), (ForestScore.Lagrangian, "lagrangian"));
    public static NameTable<ForestPreset> Preset { get; } = new((ForestPreset.Grf, "grf"), (ForestPreset.Paper, "paper"));
}

/// <summary>
/// Options of the causal forest (generalized random forest, Athey, Tibshirani and Wager 2019) with grf's
/// causal_forest defaults. <see cref="Paper"/> is the setting of METHOD.md section 5.
/// <see cref="CiGroupSize"/> is grf's ci_group_size; it defaults to 1 here (no intervals, the forest exactly as before),
/// set it to 2 (grf's default) for variance estimates and intervals of tau.
/// </summary>
public sealed record CausalForestOptions
{
    /// <summary>Number of trees of each causal forest (grf default 2000).</summary>
    public int NumTrees { get; init; } = 2000;
    /// <summary>Fraction of the rows each tree draws, without replacement (default 0.5).</summary>
    public double SampleFraction { get; init; } = 0.5;
    /// <summary>Candidate features per split; null = min(ceil(sqrt(d) + 20), d), Poisson-randomised per node as in grf.</summary>
    public int? Mtry { get; init; }
    /// <summary>A node with at most this many rows is not split; each child also needs this many rows on each
    /// side of the parent's mean centred treatment (grf default 5).</summary>
    public int MinNodeSize { get; init; } = 5;
    /// <summary>Honest trees (default true).</summary>
    public bool Honesty { get; init; } = true;
    /// <summary>Share of the subsample that chooses the splits (default 0.5).</summary>
    public double HonestyFraction { get; init; } = 0.5;
    /// <summary>Remove splits whose side received no estimation row (default true).</summary>
    public bool HonestyPruneLeaves { get; init; } = true;
    /// <summary>Balance: each child's sum of squared centred treatment must be at least alpha times the parent's
    /// (grf default 0.05; range [0, 0.25]).</summary>
    public double Alpha { get; init; } = 0.05;
    /// <summary>Penalty lambda * (1/size_left + 1/size_right) on unbalanced splits (default 0).</summary>
    public double ImbalancePenalty { get; init; }
    /// <summary>Trees of the centring forests; null = max(50, NumTrees / 4) as grf.</summary>
    public int? NuisanceTrees { get; init; }
    /// <summary>How ê(x) is obtained (default <see cref="PropensityMode.Forest"/>, as grf). The learner uses the
    /// data's propensity column instead when there is one.</summary>
    public PropensityMode Propensity { get; init; } = PropensityMode.Forest;
    /// <summary>The model's ranking score (default the guarded ratio).</summary>
    public ForestScore Score { get; init; } = ForestScore.GuardedRatio;
    /// <summary>lambda of the Lagrangian score (default 0.05).</summary>
    public double Lambda { get; init; } = 0.05;
    /// <summary>epsilon of the guarded ratio (default 1e-5).</summary>
    public double Epsilon { get; init; } = EffectRatio.DefaultEpsilon;
    /// <summary>Little bags (grf's ci_group_size; Athey, Tibshirani and Wager 2019, section 4): trees are grown in groups
    /// of this size, each group on its own half-sample of the rows (each tree draws SampleFraction of all rows from it),
    /// so that the model can estimate the variance of tau(x) and give intervals. Default 1: no groups, no variance, the
    /// forest bit-identical to one without the option. 2 (grf's default) or more needs NumTrees a multiple of it and
    /// SampleFraction at most 0.5 (range 1..64).</summary>
    public int CiGroupSize { get; init; } = 1;

    /// <summary>The paper's setting (METHOD.md section 5): 60 trees, alpha 0.2, minimum node size 3, sample fraction 0.5.</summary>
    public static CausalForestOptions Paper => new() { NumTrees = 60, Alpha = 0.2, MinNodeSize = 3, SampleFraction = 0.5 };

    /// <summary>The options of a preset: grf's defaults or <see cref="Paper"/>.</summary>
    public static CausalForestOptions Preset(ForestPreset preset) => preset == ForestPreset.Paper ? Paper : new();

    /// <summary>Trees of each centring forest.</summary>
    public int ResolvedNuisanceTrees => NuisanceTrees ?? Math.Max(50, NumTrees / 4);

    /// <summary>Throws <see cref="UpliftOptionException"/> on a value out of range.</summary>
    public void Validate()
    {
        ForestChecks.Common(NumTrees, SampleFraction, Mtry, MinNodeSize, HonestyFraction, Alpha, ImbalancePenalty, "causal-forest");
        UpliftOptionException.Check(NuisanceTrees is null or >= 1, "causal-forest.nuisance-trees", $"must be at least 1, got {NuisanceTrees}");
        UpliftOptionException.Check(Enum.IsDefined(Propensity), "causal-forest.propensity", $"unknown mode {Propensity}");
        UpliftOptionException.Check(Enum.IsDefined(Score), "causal-forest.score", $"unknown score {Score}");
        UpliftOptionException.Check(double.IsFinite(Lambda) && Lambda >= 0, "causal-forest.lambda", $"must be finite and >= 0, got {Lambda}");
        UpliftOptionException.Check(double.IsFinite(Epsilon) && Epsilon > 0, "causal-forest.epsilon", $"must be finite and > 0, got {Epsilon}");
        UpliftOptionException.Check(CiGroupSize is >= 1 and <= 64, "causal-forest.ci-group-size", $"must be in 1..64, got {CiGroupSize}");
        if (CiGroupSize > 1)
        {
            UpliftOptionException.Check(NumTrees % CiGroupSize == 0 && NumTrees >= 2 * CiGroupSize, "causal-forest.ci-group-size",
                $"needs the number of trees ({NumTrees}) to be a multiple of it ({CiGroupSize}) with at least two groups");
            UpliftOptionException.Check(SampleFraction <= 0.5, "causal-forest.ci-group-size",
                $"needs a sample fraction of at most 0.5 (each group draws from a half-sample), got {SampleFraction}");
        }
    }

    internal TreeOptions ToTreeOptions(int features) => new(
        ForestChecks.ResolveMtry(Mtry, features, "causal-forest"), MinNodeSize, Alpha, ImbalancePenalty,
        SampleFraction, Honesty, HonestyFraction, HonestyPruneLeaves, CiGroupSize);

    /// <summary>The centring forests' options, as grf's causal_forest sets them (min node size 5, honest, ci group 1).</summary>
    public RegressionForestOptions NuisanceOptions => new()
    {
        NumTrees = ResolvedNuisanceTrees, SampleFraction = SampleFraction, Mtry = Mtry, MinNodeSize = 5,
        Honesty = true, HonestyFraction = 0.5, HonestyPruneLeaves = HonestyPruneLeaves, Alpha = Alpha,
        ImbalancePenalty = ImbalancePenalty,
    };
}

/// <summary>The per-tree settings the generic trainer needs (resolved from an options record).</summary>
internal readonly record struct TreeOptions(
    int Mtry, int MinNodeSize, double Alpha, double ImbalancePenalty,
    double SampleFraction, bool Honesty, double HonestyFraction, bool PruneLeaves, int CiGroupSize = 1);

internal static class ForestChecks
{
    public static void Common(int trees, double sampleFraction, int? mtry, int minNodeSize, double honestyFraction,
        double alpha, double penalty, string prefix)
    {
        UpliftOptionException.Check(trees >= 1, $"{prefix}.trees", $"must be at least 1, got {trees}");
        UpliftOptionException.Check(sampleFraction > 0 && sampleFraction <= 1, $"{prefix}.sample-fraction", $"must be in (0, 1], got {sampleFraction}");
        UpliftOptionException.Check(mtry is null or >= 1, $"{prefix}.mtry", $"must be at least 1, got {mtry}");
        UpliftOptionException.Check(minNodeSize >= 1, $"{prefix}.min-node-size", $"must be at least 1, got {minNodeSize}");
        UpliftOptionException.Check(honestyFraction > 0 && honestyFraction < 1, $"{prefix}.honesty-fraction", $"must be in (0, 1), got {honestyFraction}");
        UpliftOptionException.Check(alpha >= 0 && alpha <= 0.25, $"{prefix}.alpha", $"must be in [0, 0.25], got {alpha}");
        UpliftOptionException.Check(double.IsFinite(penalty) && penalty >= 0, $"{prefix}.imbalance-penalty", $"must be finite and >= 0, got {penalty}");
    }

    public static int ResolveMtry(int? mtry, int features, string prefix)
    {
        if (mtry is null) return Math.Max(1, Math.Min((int)Math.Ceiling(Math.Sqrt(features) + 20), features));
        UpliftOptionException.Check(mtry.Value <= features, $"{prefix}.mtry", $"must be at most the number of features ({features}), got {mtry}");
        return mtry.Value;
    }
}

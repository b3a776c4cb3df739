using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models.Trees;

namespace Uplift.Models.Propensity;

/// <summary>The model of the propensity e(x) (and, for the doubly robust curve, of the outcomes μ_a(x)) fitted on the features.</summary>
public enum PropensityModelKind
{
    /// <summary>Logistic regression of T (outcomes: ridge regression per arm).</summary>
    Logistic,
    /// <summary>Histogram gradient boosting of T with squared loss, predictions clipped (outcomes: boosting per arm).</summary>
    Boosted,
}

/// <summary>Spellings of <see cref="PropensityModelKind"/>: logistic, boosted.</summary>
public static class PropensityModels
{
    public static NameTable<PropensityModelKind> Table { get; } = new((PropensityModelKind.Logistic, "logistic"), (PropensityModelKind.Boosted, "boosted"));
}

/// <summary>Options of <see cref="CrossFitted.Fit"/>.</summary>
public sealed record CrossFitOptions
{
    /// <summary>Model kind. Default <see cref="PropensityModelKind.Logistic"/>.</summary>
    public PropensityModelKind Kind { get; init; } = PropensityModelKind.Logistic;
    /// <summary>Folds of the cross-fitting: each user's e and μ come from models fitted on the other folds. Default 3, range 2 to 20.</summary>
    public int Folds { get; init; } = 3;
    /// <summary>Fit the outcome models μ1, μ0 of V and C too (the doubly robust curve). Default false.</summary>
    public bool Outcomes { get; init; }
    /// <summary>Fitted propensities are clipped to [Clip, 1 − Clip] (weights stay finite). Default 0.01, range (0, 0.1].</summary>
    public double Clip { get; init; } = 0.01;
    /// <summary>Boosting settings of <see cref="PropensityModelKind.Boosted"/>. Default 100 trees of 7 leaves with at least 100
    /// users each, learning rate 0.05, no early stopping: squared-loss boosting of a 0/1 target overshoots at the extremes,
    /// and an extreme propensity is an enormous weight, so the trees are kept coarse.</summary>
    public GradientBoostingOptions Boosting { get; init; } = new() { NumTrees = 100, NumLeaves = 7, MinDataInLeaf = 100, EarlyStoppingRounds = 0 };

    internal void Validate()
    {
        UpliftOptionException.Check(Enum.IsDefined(Kind), "propensity-model", $"unknown value {Kind}.");
        UpliftOptionException.Check(Folds is >= 2 and <= 20, "propensity-folds", $"must be between 2 and 20, got {Folds}.");
        UpliftOptionException.Check(Clip > 0 && Clip <= 0.1, "propensity-clip", $"must be in (0, 0.1], got {Clip}.");
    }
}

/// <summary>
/// Cross-fitted propensity and outcome models on a dataset's feature columns (METHOD.md section 11): users are cut in
/// seeded folds (<c>RngStream.PropensityFolds</c>); each fold's e(x), μ1(x), μ0(x) come from models fitted on the other
/// folds, so no user's own outcome enters its nuisance estimates. The features are the dataset's (never the id,
/// treatment or outcome columns: <see cref="Dataset"/> holds only features in X).
/// </summary>
public static class CrossFitted
{
    /// <summary>The adjustment of <paramref name="data"/> (binary T) with seed <paramref name="seed"/>.</summary>
    public static Adjustment Fit(Dataset data, CrossFitOptions? options = null, long seed = 1, int? maxThreads = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new CrossFitOptions();
        options.Validate();
        int n = data.Rows, k = options.Folds;
        if (data.Arms != 1) throw new UpliftOptionException("propensity-model", "a fitted propensity is available for two arms (treated and control) only.");
        if (n < 2 * k) throw new UpliftDataException($"the propensity model needs at least {2 * k} users for {k} folds, got {n}.");
        var po = new ParallelOptions { MaxDegreeOfParallelism = maxThreads ?? Environment.ProcessorCount };
        var fold = new int[n];
        for (int i = 0; i < n; i++) fold[i] = i % k;
        var rng = Rng.Derive(seed, RngStream.PropensityFolds, 0);
        rng.Shuffle<int>(fold);

        var t = new double[n];
        for (int i = 0; i < n; i++) t[i] = data.T[i];
        var e = OutOfFold(data, t, fold, k, options, classify: true, arm: -1, seed, po);
        for (int i = 0; i < n; i++) e[i] = Math.Clamp(e[i], options.Clip, 1 - options.Clip);
        string source = $"{PropensityModels.Table.Name(options.Kind)}, {k}-fold cross-fitted";
        if (!options.Outcomes) return new Adjustment { Propensity = e, Source = source };
        return new Adjustment
        {
            Propensity = e, Source = source,
            Mu1V = OutOfFold(data, data.V, fold, k, options, false, 1, seed, po), Mu0V = OutOfFold(data, data.V, fold, k, options, false, 0, seed, po),
            Mu1C = OutOfFold(data, data.C, fold, k, options, false, 1, seed, po), Mu0C = OutOfFold(data, data.C, fold, k, options, false, 0, seed, po),
        };
    }

    /// <summary>The outcome models alone (μ1, μ0 of V and C) added to a given propensity (a column), cross-fitted the same way.</summary>
    public static Adjustment WithOutcomes(Dataset data, double[] propensity, CrossFitOptions? options = null, long seed = 1, int? maxThreads = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new CrossFitOptions();
        options.Validate();
        var fitted = Fit(data, options with { Outcomes = true }, seed, maxThreads);
        return fitted with { Propensity = propensity, Source = "given" };
    }

    /// <summary>Out-of-fold predictions of <paramref name="y"/> (rows of arm <paramref name="arm"/> only, −1 = all rows).</summary>
    static double[] OutOfFold(Dataset data, double[] y, int[] fold, int k, CrossFitOptions o, bool classify, int arm, long seed, ParallelOptions po)
    {
        int n = data.Rows;
        var output = new double[n];
        for (int f = 0; f < k; f++)
        {
            var trainRows = new List<int>(); var predictRows = new List<int>();
            for (int i = 0; i < n; i++)
            {
                if (fold[i] == f) predictRows.Add(i);
                else if (arm < 0 || data.T[i] == arm) trainRows.Add(i);
            }
            if (trainRows.Count < 2)
                throw new UpliftDataException($"the cross-fitted {(arm < 0 ? "propensity" : $"outcome model of arm {arm}")} has fewer than 2 training users in fold {f + 1}.");
            int[] tr = [.. trainRows], pr = [.. predictRows];
            var set = new RegressionSet(data.X, data.Features, tr, [.. tr.Select(i => y[i])]);
            IRegressor reg = o.Kind == PropensityModelKind.Boosted ? new GradientBoostingRegressor(o.Boosting)
                : classify ? new Linear.LogisticRegressor() : new Linear.RidgeRegressor();
            var model = reg.Fit(set, null, Rng.SubSeed(seed, RngStream.PropensityFolds, 1 + f * 3 + (arm + 1)), po);
            var pred = new double[pr.Length];
            model.Predict(data.X, pr, pred, po);
            for (int j = 0; j < pr.Length; j++) output[pr[j]] = pred[j];
        }
        return output;
    }
}

using System.Text.Json.Nodes;
using Uplift.Data;

namespace Uplift.Models.Meta;

/// <summary>Options of the duality R-learner (METHOD.md section 5).</summary>
public sealed record DualityRLearnerOptions
{
    /// <summary>Candidate multipliers lambda of the combined outcome V - lambda C. Default {0.001, 0.005, 0.01, 0.05} (the paper's grid); each finite and &gt;= 0.</summary>
    public IReadOnlyList<double> Lambdas { get; init; } = [0.001, 0.005, 0.01, 0.05];
    /// <summary>The R-learner settings (its <see cref="RLearnerOptions.Outcome"/> must stay Value). Default: ridge, 5 folds, constant propensity.</summary>
    public RLearnerOptions RLearner { get; init; } = new();
    /// <summary>Without a validation set, this seeded fraction of train is held out to choose lambda (the model is fitted on the rest). Default 0.2; in (0, 0.9].</summary>
    public double HoldoutFraction { get; init; } = 0.2;

    public void Validate(string prefix = "duality-rlearner")
    {
        UpliftOptionException.Check(Lambdas is { Count: > 0 }, $"{prefix}.lambdas", "must hold at least one value.");
        foreach (var l in Lambdas)
            UpliftOptionException.Check(l >= 0 && double.IsFinite(l), $"{prefix}.lambdas", $"values must be finite and >= 0, got {l}.");
        UpliftOptionException.Check(RLearner.Outcome == RLearnerOutcome.Value, $"{prefix}.outcome",
            "the duality R-learner fits one combined outcome V - lambda C; the R-learner outcome must be Value.");
        UpliftOptionException.Check(HoldoutFraction > 0 && HoldoutFraction <= 0.9, $"{prefix}.holdout-fraction", $"must be in (0, 0.9], got {HoldoutFraction}.");
        RLearner.Validate($"{prefix}.rlearner");
    }
}

/// <summary>
/// Duality R-learner (METHOD.md section 5): an R-learner on the Lagrangian outcome V - lambda C, lambda
/// chosen from a grid by a validation metric (the lead wires in the cost-curve AUCC; higher is better).
/// m̂ of the combined outcome is m̂_V - lambda m̂_C (conditional expectation is linear), so the nuisances
/// are cross-fitted once and only the effect model is refitted per lambda.
/// Without a validation set, a seeded <see cref="DualityRLearnerOptions.HoldoutFraction"/> of train chooses
/// lambda and the model is fitted on the remaining rows (no refit on all of train).
/// </summary>
public sealed class DualityRLearner : IUpliftLearner
{
    readonly Func<Dataset, double[], double> _metric;
    public DualityRLearnerOptions Options { get; }
    public string Kind => DualityRLearnerRegistration.Name;

    /// <param name="validationMetric">metric(validation data, scores), higher is better (e.g. AUCC).</param>
    /// <param name="options">Null = defaults.</param>
    public DualityRLearner(Func<Dataset, double[], double> validationMetric, DualityRLearnerOptions? options = null)
    {
        _metric = validationMetric ?? throw new ArgumentNullException(nameof(validationMetric));
        Options = options ?? new DualityRLearnerOptions();
    }

    public IUpliftModel Fit(Dataset train, Dataset? validation, FitContext context)
    {
        Options.Validate();
        var o = Options.RLearner;
        if (validation is null)
        {
            RegressionModels.CheckTraining(train, Kind, 4 * o.Folds);
            var perm = RegressionSet.AllRows(train.Rows);
            var rng = Rng.Derive(context.Seed, RngStream.DualityHoldout);
            rng.Shuffle(perm.AsSpan());
            int hold = Math.Max(1, (int)Math.Round(Options.HoldoutFraction * train.Rows));
            var holdRows = perm[..hold]; var fitRows = perm[hold..];
            Array.Sort(holdRows); Array.Sort(fitRows);
            validation = train.Subset(holdRows);
            train = train.Subset(fitRows);
        }
        if (!validation.HasOutcomes) throw new UpliftDataException($"{Kind}: the validation data has no treatment and outcome columns.");
        if (validation.Features != train.Features) throw new UpliftDataException($"{Kind}: validation has {validation.Features} features, train has {train.Features}.");

        var nuisance = RLoss.Nuisance.Fit(train, o, cost: true, context, Kind);
        var reg = nuisance.Regressor;
        int n = train.Rows, L = Options.Lambdas.Count;
        var metrics = new double[L];
        IRegressionModel? best = null;
        int bestIndex = -1;
        for (int j = 0; j < L; j++)
        {
            double lambda = Options.Lambdas[j];
            var y = new double[n]; var m = new double[n];
            for (int i = 0; i < n; i++)
            {
                y[i] = EffectRatio.Lagrangian(train.V[i], train.C[i], lambda);
                m[i] = EffectRatio.Lagrangian(nuisance.MV[i], nuisance.MC![i], lambda);
            }
            var tau = RLoss.FitEffect(reg, train, y, m, nuisance.E, Rng.SubSeed(context.Seed, RngStream.DualityEffect, j), context.ParallelOptions);
            metrics[j] = _metric(validation, RegressionModels.PredictAll(tau, validation, context.ParallelOptions));
            context.Report(Kind, j + 1, L, $"lambda {lambda}: metric {metrics[j]}");
            // Ties keep the earlier lambda; NaN never wins.
            if (!double.IsNaN(metrics[j]) && (bestIndex < 0 || metrics[j] > metrics[bestIndex])) { bestIndex = j; best = tau; }
        }
        if (best is null) throw new UpliftException($"{Kind}: the validation metric was NaN for every lambda.");
        return new DualityRLearnerModel(best, Options.Lambdas[bestIndex], Options.Lambdas.ToArray(), metrics);
    }
}

/// <summary>A fitted duality R-learner: score = tau(x) of V - lambda C at the chosen lambda.</summary>
public sealed class DualityRLearnerModel : IUpliftModel
{
    public string Kind => DualityRLearnerRegistration.Name;
    public int Features => Tau.Features;
    public IRegressionModel Tau { get; }
    /// <summary>The chosen lambda.</summary>
    public double Lambda { get; }
    /// <summary>The grid that was tried, and the validation metric of each lambda (same order).</summary>
    public IReadOnlyList<double> Lambdas { get; }
    public IReadOnlyList<double> Metrics { get; }

    public DualityRLearnerModel(IRegressionModel tau, double lambda, double[] lambdas, double[] metrics)
    {
        Tau = tau; Lambda = lambda; Lambdas = lambdas; Metrics = metrics;
    }

    public void Score(Dataset data, Span<double> scores) => Score(data, scores, null);

    public void Score(Dataset data, Span<double> scores, int? maxThreads) =>
        RegressionModels.PredictAll(Tau, data, ScoreParallelism.Options(maxThreads)).CopyTo(scores);

    public JsonObject Save() => new()
    {
        ["kind"] = Kind,
        ["features"] = Features,
        ["lambda"] = Lambda,
        ["lambdas"] = new JsonArray(Lambdas.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
        // NaN is not valid JSON: a NaN metric is written as null.
        ["metrics"] = new JsonArray(Metrics.Select(v => double.IsNaN(v) ? null : (JsonNode?)JsonValue.Create(v)).ToArray()),
        ["tau"] = Tau.Save(),
    };

    public static DualityRLearnerModel Load(JsonObject o) => Load(Uplift.IO.ModelJson.FromNode(o, "model"));

    /// <summary>Reads what <see cref="Save"/> wrote: lambdas finite, one metric (or null) per lambda.</summary>
    internal static DualityRLearnerModel Load(Uplift.IO.ModelJson o)
    {
        o.Choice("kind", DualityRLearnerRegistration.Name);
        int features = o.Int("features", 1, int.MaxValue);
        var tau = RegressionModels.Load(o, "tau", features);
        var lambdas = o.Doubles("lambdas");
        var metrics = o.Doubles("metrics", lambdas.Length, "one per lambda", double.MinValue, double.MaxValue, allowNull: true);
        return new DualityRLearnerModel(tau, o.Double("lambda"), lambdas, metrics);
    }
}

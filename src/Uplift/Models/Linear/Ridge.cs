using System.Text.Json.Nodes;

namespace Uplift.Models.Linear;

/// <summary>Options of the weighted ridge regression (closed form; intercept not penalised).</summary>
public sealed record RidgeOptions
{
    /// <summary>
    /// Penalty lambda of sum_i w_i (y_i - b0 - x_i beta)^2 + lambda W ||beta||^2 (W = total weight, so lambda is
    /// per unit of weight and does not change with the number of rows). Null (default) = chosen by K-fold
    /// cross-validation over <see cref="LambdaGrid"/>. Must be &gt;= 0.
    /// </summary>
    public double? Lambda { get; init; }
    /// <summary>Candidates for the cross-validated lambda. Default {1e-4, 1e-3, 1e-2, 1e-1, 1, 10}; each &gt;= 0.</summary>
    public IReadOnlyList<double> LambdaGrid { get; init; } = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
    /// <summary>Folds of the lambda cross-validation (seeded split). Default 3; 2..20.</summary>
    public int CvFolds { get; init; } = 3;

    public void Validate(string prefix = "ridge")
    {
        UpliftOptionException.Check(Lambda is null || (Lambda >= 0 && double.IsFinite(Lambda.Value)), $"{prefix}.lambda", $"must be a finite number >= 0, got {Lambda}.");
        UpliftOptionException.Check(LambdaGrid is { Count: > 0 }, $"{prefix}.lambda-grid", "must hold at least one value.");
        foreach (var l in LambdaGrid)
            UpliftOptionException.Check(l >= 0 && double.IsFinite(l), $"{prefix}.lambda-grid", $"values must be finite and >= 0, got {l}.");
        UpliftOptionException.Check(CvFolds is >= 2 and <= 20, $"{prefix}.cv-folds", $"must be in 2..20, got {CvFolds}.");
    }
}

/// <summary>
/// Weighted ridge regression solved in closed form: the (d+1)x(d+1) normal equations in double, by Cholesky.
/// Inputs are expected standardised (the data layer z-scores them), so one lambda fits all coefficients.
/// </summary>
public sealed class RidgeRegressor(RidgeOptions? options = null) : IRegressor
{
    public RidgeOptions Options { get; } = options ?? new RidgeOptions();

    public IRegressionModel Fit(RegressionSet train, RegressionSet? validation, long seed, ParallelOptions parallel)
    {
        Options.Validate();
        int n = train.Count;
        if (n == 0) throw new UpliftException("ridge: no training rows.");
        var s = new double[n];
        for (int k = 0; k < n; k++) s[k] = train.Weight(k);
        double lambda;
        // Too few rows for the folds: the first grid value, without cross-validation.
        if (Options.Lambda is not null || Options.LambdaGrid.Count == 1 || n < 2 * Options.CvFolds)
            lambda = Options.Lambda ?? Options.LambdaGrid[0];
        else
            lambda = CrossValidate(train, s, seed, parallel);
        var normal = NormalEquations.Compute(train, null, s, train.Y, parallel);
        var beta = normal.Solve(lambda);
        return new LinearModel(LinearLink.Identity, beta[0], beta[1..], lambda);
    }

    /// <summary>K-fold CV of lambda: per-fold normal equations once, then the held-out SSE of each lambda in closed form.</summary>
    double CrossValidate(RegressionSet train, double[] s, long seed, ParallelOptions parallel)
    {
        int n = train.Count, k = Options.CvFolds;
        var perm = RegressionSet.AllRows(n);
        var rng = Rng.Derive(seed, RngStream.RidgeFolds);
        rng.Shuffle(perm.AsSpan());
        var folds = new NormalEquations[k];
        for (int f = 0; f < k; f++)
        {
            int a = (int)((long)f * n / k), b = (int)((long)(f + 1) * n / k);
            var pos = perm[a..b];
            Array.Sort(pos);
            folds[f] = NormalEquations.Compute(train, pos, s, train.Y, parallel);
        }
        var total = new NormalEquations(train.Features + 1);
        foreach (var f in folds) total.Add(f, 1.0);
        double best = double.PositiveInfinity, bestLambda = Options.LambdaGrid[0];
        foreach (var lambda in Options.LambdaGrid)
        {
            double sse = 0;
            for (int f = 0; f < k; f++)
            {
                var fit = new NormalEquations(total.P);
                fit.Add(total, 1.0); fit.Add(folds[f], -1.0);
                sse += folds[f].Sse(fit.Solve(lambda));
            }
            if (sse < best) { best = sse; bestLambda = lambda; }
        }
        return bestLambda;
    }
}

public enum LinearLink { Identity, Logistic }

/// <summary>A fitted linear model: prediction = link(intercept + x . coefficients).</summary>
public sealed class LinearModel : IRegressionModel
{
    public LinearLink Link { get; }
    public double Intercept { get; }
    public IReadOnlyList<double> Coefficients => _beta;
    /// <summary>The penalty the model was fitted with.</summary>
    public double Lambda { get; }
    public int Features => _beta.Length;
    readonly double[] _beta;

    public LinearModel(LinearLink link, double intercept, double[] coefficients, double lambda)
    {
        Link = link; Intercept = intercept; _beta = coefficients; Lambda = lambda;
    }

    public double PredictRow(ReadOnlySpan<float> x)
    {
        double eta = Intercept;
        for (int j = 0; j < _beta.Length; j++) eta += _beta[j] * x[j];
        return Link == LinearLink.Identity ? eta : 1.0 / (1.0 + Math.Exp(-eta));
    }

    public void Predict(float[] x, int[]? rows, double[] output, ParallelOptions parallel)
    {
        int d = Features;
        int n = rows?.Length ?? x.Length / Math.Max(d, 1);
        Chunks.For(n, parallel, (start, end) =>
        {
            for (int k = start; k < end; k++)
            {
                int r = rows is null ? k : rows[k];
                output[k] = PredictRow(new ReadOnlySpan<float>(x, r * d, d));
            }
        });
    }

    public JsonObject Save() => new()
    {
        ["type"] = Link == LinearLink.Identity ? "ridge" : "logistic",
        ["lambda"] = Lambda,
        ["intercept"] = Intercept,
        ["coefficients"] = new JsonArray(_beta.Select(b => (JsonNode?)JsonValue.Create(b)).ToArray()),
    };

    public static LinearModel Load(JsonObject o) => Load(Uplift.IO.ModelJson.FromNode(o, "model"));

    /// <summary>Reads what <see cref="Save"/> wrote; every number finite with magnitude at most 1e30.</summary>
    internal static LinearModel Load(Uplift.IO.ModelJson o)
    {
        var link = o.Choice("type", "ridge", "logistic") == "ridge" ? LinearLink.Identity : LinearLink.Logistic;
        var beta = o.Doubles("coefficients");
        if (beta.Length == 0) throw o.Error("coefficients", "must hold at least one value");
        return new LinearModel(link, o.Double("intercept"), beta, o.OptionalDouble("lambda", 0, double.MaxValue) ?? 0);
    }
}


namespace Uplift.Models.Linear;

/// <summary>Options of the L2-penalised logistic regression (used for a fitted propensity e(x)).</summary>
public sealed record LogisticOptions
{
    /// <summary>Penalty lambda of -loglik/W + (lambda/2) ||beta||^2 (intercept not penalised). Default 1e-4; &gt;= 0.</summary>
    public double Lambda { get; init; } = 1e-4;
    /// <summary>Maximum Newton (IRLS) iterations. Default 50; 1..1000.</summary>
    public int MaxIterations { get; init; } = 50;
    /// <summary>Stop when the largest coefficient change is below this. Default 1e-8; &gt; 0.</summary>
    public double Tolerance { get; init; } = 1e-8;

    public void Validate(string prefix = "logistic")
    {
        UpliftOptionException.Check(Lambda >= 0 && double.IsFinite(Lambda), $"{prefix}.lambda", $"must be a finite number >= 0, got {Lambda}.");
        UpliftOptionException.Check(MaxIterations is >= 1 and <= 1000, $"{prefix}.max-iterations", $"must be in 1..1000, got {MaxIterations}.");
        UpliftOptionException.Check(Tolerance > 0, $"{prefix}.tolerance", $"must be > 0, got {Tolerance}.");
    }
}

/// <summary>
/// Weighted logistic regression for targets in [0, 1], fitted by Newton's method in its IRLS form:
/// each step solves the weighted ridge normal equations with working weights w p (1 - p) and working
/// response eta + (y - p) / (p (1 - p)). Predictions are probabilities.
/// </summary>
public sealed class LogisticRegressor(LogisticOptions? options = null) : IRegressor
{
    public LogisticOptions Options { get; } = options ?? new LogisticOptions();

    public IRegressionModel Fit(RegressionSet train, RegressionSet? validation, long seed, ParallelOptions parallel)
    {
        Options.Validate();
        int n = train.Count, d = train.Features;
        if (n == 0) throw new UpliftException("logistic: no training rows.");
        var beta = new double[d + 1];
        var s = new double[n];
        var z = new double[n];
        var eta = new double[n];
        // Start from the intercept-only fit so the first step is well scaled.
        double sw = 0, sy = 0;
        for (int k = 0; k < n; k++) { sw += train.Weight(k); sy += train.Weight(k) * train.Y[k]; }
        double p0 = Math.Clamp(sy / sw, 1e-6, 1 - 1e-6);
        beta[0] = Math.Log(p0 / (1 - p0));
        for (int it = 0; it < Options.MaxIterations; it++)
        {
            var current = new LinearModel(LinearLink.Identity, beta[0], beta[1..], 0);
            current.Predict(train.X, train.Rows, eta, parallel);
            for (int k = 0; k < n; k++)
            {
                double p = 1.0 / (1.0 + Math.Exp(-eta[k]));
                double v = Math.Max(p * (1 - p), 1e-10);
                s[k] = train.Weight(k) * v;
                z[k] = eta[k] + (train.Y[k] - p) / v;
            }
            // The IRLS system is the ridge system with total weight taken from the sample weights, not s.
            var normal = NormalEquations.Compute(train, null, s, z, parallel);
            normal.W = sw;
            var next = normal.Solve(Options.Lambda);
            double change = 0;
            for (int j = 0; j < next.Length; j++) change = Math.Max(change, Math.Abs(next[j] - beta[j]));
            beta = next;
            if (change < Options.Tolerance) break;
        }
        return new LinearModel(LinearLink.Logistic, beta[0], beta[1..], Options.Lambda);
    }
}

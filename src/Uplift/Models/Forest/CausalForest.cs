namespace Uplift.Models.Forest;

/// <summary>
/// A causal forest (generalized random forest, Athey, Tibshirani and Wager 2019; METHOD.md section 5) for one
/// outcome: local centring Y - m̂(x), W - ê(x) with out-of-bag regression forests, trees split on the causal
/// pseudo-outcomes, and tau(x) by forest-weighted residual-on-residual regression.
/// </summary>
public sealed class CausalForest
{
    internal Forest Inner { get; }
    readonly float[]? _trainX;

    public int Features => Inner.Features;
    public int NumTrees => Inner.Trees.Length;
    /// <summary>Centred training outcome Y - m̂ (out-of-bag m̂).</summary>
    public ReadOnlySpan<double> CentredY => Inner.Obs.Y;
    /// <summary>Centred training treatment W - ê.</summary>
    public ReadOnlySpan<double> CentredW => Inner.Obs.W;

    internal CausalForest(Forest inner, float[]? trainX)
    {
        Inner = inner; _trainX = trainX;
    }

    /// <summary>
    /// Fits on row-major <paramref name="x"/>, outcome <paramref name="y"/> and treatment <paramref name="w"/>
    /// (0/1; any real treatment works the same way).
    /// </summary>
    public static CausalForest Fit(float[] x, int rows, int features, double[] y, double[] w, CausalForestOptions? options,
        FitContext context, double[]? sampleWeights = null, string stage = "causal forest")
    {
        options ??= new CausalForestOptions();
        options.Validate();
        if (y.Length != rows || w.Length != rows) throw new ArgumentException("y and w must have one value per row");
        ForestInputs.CheckFinite(y, "outcome");
        ForestInputs.CheckFinite(w, "treatment");
        if (sampleWeights is not null) ForestInputs.CheckWeights(sampleWeights, rows);
        var fx = FeatureIndex.Build(x, rows, features, context.ParallelOptions);
        var wHat = PropensityHat(fx, w, sampleWeights, options, Rng.SubSeed(context.Seed, RngStream.ForestPropensity), context);
        return Fit(fx, y, w, wHat, sampleWeights, options, Rng.SubSeed(context.Seed, RngStream.ForestEffect, 0), context, stage);
    }

    /// <summary>ê(x) for the training rows: out-of-bag regression forest of W, or the weighted fraction treated.</summary>
    internal static double[] PropensityHat(FeatureIndex fx, double[] w, double[]? s, CausalForestOptions o, long seed, FitContext context)
    {
        if (o.Propensity == PropensityMode.Constant)
        {
            double sw = 0, sww = 0;
            for (int i = 0; i < w.Length; i++) { double si = s?[i] ?? 1.0; sw += si; sww += si * w[i]; }
            var e = new double[w.Length];
            Array.Fill(e, sw > 0 ? sww / sw : 0.0);
            return e;
        }
        return RegressionForest.Fit(fx, w, s, o.NuisanceOptions, seed, context, "regression forest (W.hat)").PredictOob(context);
    }

    /// <summary>The causal forest proper, with ê given; m̂ is fitted here (out-of-bag regression forest of Y).</summary>
    internal static CausalForest Fit(FeatureIndex fx, double[] y, double[] w, double[] wHat, double[]? s,
        CausalForestOptions o, long seed, FitContext context, string stage)
    {
        var yHat = RegressionForest.Fit(fx, y, s, o.NuisanceOptions, Rng.SubSeed(seed, RngStream.ForestOutcome), context, $"regression forest (Y.hat, {stage})")
            .PredictOob(context);
        var yc = new double[y.Length];
        var wc = new double[w.Length];
        for (int i = 0; i < y.Length; i++) { yc[i] = y[i] - yHat[i]; wc[i] = w[i] - wHat[i]; }
        var forest = ForestTrainer.Causal.Train(fx, new Observations(yc, wc, s), o.ToTreeOptions(fx.Features),
            o.NumTrees, Rng.SubSeed(seed, RngStream.CausalTrees), context, stage);
        return new CausalForest(forest, fx.X);
    }

    /// <summary>tau(x) for the rows of row-major <paramref name="x"/>.</summary>
    public double[] Predict(float[] x, int rows, FitContext? context = null) =>
        Inner.Predict(x, rows, (context ?? new FitContext()).ParallelOptions);

    /// <summary>tau(x) for the rows of row-major <paramref name="x"/>, on <paramref name="parallel"/>'s thread cap.</summary>
    internal double[] Predict(float[] x, int rows, ParallelOptions parallel) => Inner.Predict(x, rows, parallel);

    /// <summary>Out-of-bag tau of the training rows.</summary>
    public double[] PredictOob(FitContext? context = null)
    {
        if (_trainX is null) throw new InvalidOperationException("out-of-bag predictions are only available on a freshly fitted forest");
        return Inner.PredictOob(_trainX, (context ?? new FitContext()).ParallelOptions);
    }
}

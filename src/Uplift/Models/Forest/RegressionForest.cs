namespace Uplift.Models.Forest;

/// <summary>
/// An honest regression forest (grf's regression_forest): m̂(x) = E[Y | x] as the forest-weighted mean of Y,
/// with out-of-bag predictions for the training rows. Used on its own and for the local centring of causal forests.
/// </summary>
public sealed class RegressionForest
{
    internal Forest Inner { get; }
    readonly float[] _trainX;

    /// <summary>The options the forest was fitted with.</summary>
    public RegressionForestOptions Options { get; }
    public int Features => Inner.Features;
    public int NumTrees => Inner.Trees.Length;

    RegressionForest(Forest inner, float[] trainX, RegressionForestOptions options)
    {
        Inner = inner; _trainX = trainX; Options = options;
    }

    /// <summary>Fits on row-major <paramref name="x"/> (rows x features) and outcome <paramref name="y"/>.</summary>
    public static RegressionForest Fit(float[] x, int rows, int features, double[] y, RegressionForestOptions? options,
        FitContext context, double[]? sampleWeights = null, string stage = "regression forest")
    {
        options ??= new RegressionForestOptions();
        options.Validate();
        if (y.Length != rows) throw new ArgumentException("y must have one value per row");
        ForestInputs.CheckFinite(y, "outcome");
        if (sampleWeights is not null) ForestInputs.CheckWeights(sampleWeights, rows);
        var fx = FeatureIndex.Build(x, rows, features, context.ParallelOptions);
        return Fit(fx, y, sampleWeights, options, Rng.SubSeed(context.Seed, RngStream.RegressionForest), context, stage);
    }

    internal static RegressionForest Fit(FeatureIndex fx, double[] y, double[]? s, RegressionForestOptions o, long seed,
        FitContext context, string stage)
    {
        var forest = ForestTrainer.Regression.Train(fx, new Observations(y, null, s), o.ToTreeOptions(fx.Features),
            o.NumTrees, seed, context, stage);
        return new RegressionForest(forest, fx.X, o);
    }

    /// <summary>m̂(x) for the rows of row-major <paramref name="x"/>.</summary>
    public double[] Predict(float[] x, int rows, FitContext? context = null) =>
        Inner.Predict(x, rows, (context ?? new FitContext()).ParallelOptions);

    /// <summary>Out-of-bag m̂ of the training rows (each from the trees that did not draw it).</summary>
    public double[] PredictOob(FitContext? context = null) =>
        Inner.PredictOob(_trainX, (context ?? new FitContext()).ParallelOptions);
}

internal static class ForestInputs
{
    public static void CheckFinite(double[] v, string what)
    {
        for (int i = 0; i < v.Length; i++)
            if (!double.IsFinite(v[i])) throw new UpliftDataException($"{what} must be finite", row: i + 1);
    }

    public static void CheckWeights(double[] s, int rows)
    {
        if (s.Length != rows) throw new ArgumentException("sample weights must have one value per row");
        for (int i = 0; i < s.Length; i++)
            if (!(s[i] >= 0) || !double.IsFinite(s[i])) throw new UpliftDataException("sample weights must be finite and >= 0", row: i + 1);
    }
}

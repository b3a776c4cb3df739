using System.Text.Json.Nodes;

namespace Uplift.Models;

/// <summary>
/// Training rows for a base regressor: a subset <see cref="Rows"/> of a row-major float matrix
/// <see cref="X"/> (the whole matrix stays shared, so cross-fitting never copies features), with one target
/// and one optional non-negative weight per selected row (aligned with <see cref="Rows"/>).
/// </summary>
public sealed class RegressionSet
{
    public float[] X { get; }
    public int Features { get; }
    /// <summary>Indices into the rows of <see cref="X"/>.</summary>
    public int[] Rows { get; }
    /// <summary>Target per selected row (Y[k] belongs to row Rows[k]).</summary>
    public double[] Y { get; }
    /// <summary>Weight per selected row; null = all ones.</summary>
    public double[]? Weights { get; }
    public int Count => Rows.Length;

    public RegressionSet(float[] x, int features, int[] rows, double[] y, double[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(y);
        if (features <= 0 || x.Length % features != 0) throw new ArgumentException("X length must be a multiple of features.");
        if (y.Length != rows.Length) throw new ArgumentException("Y must have one value per selected row.");
        if (weights is not null && weights.Length != rows.Length) throw new ArgumentException("Weights must have one value per selected row.");
        X = x; Features = features; Rows = rows; Y = y; Weights = weights;
    }

    /// <summary>The indices 0..n-1 (every row).</summary>
    public static int[] AllRows(int n)
    {
        var r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    public double Weight(int k) => Weights is null ? 1.0 : Weights[k];
}

/// <summary>A base regressor of the meta-learners (ridge, logistic, gradient-boosted trees): fits once, returns an immutable model.</summary>
public interface IRegressor
{
    /// <summary>Fits on <paramref name="train"/>; <paramref name="validation"/> (optional) is used for early stopping where the regressor supports it.</summary>
    IRegressionModel Fit(RegressionSet train, RegressionSet? validation, long seed, ParallelOptions parallel);
}

/// <summary>A fitted base regressor. Predictions depend only on the raw float features.</summary>
public interface IRegressionModel
{
    int Features { get; }
    /// <summary>
    /// Predicts rows <paramref name="rows"/> (null = every row) of the row-major matrix <paramref name="x"/>
    /// into <paramref name="output"/> (output[k] for the k-th selected row).
    /// </summary>
    void Predict(float[] x, int[]? rows, double[] output, ParallelOptions parallel);
    /// <summary>The fitted state as JSON, with a "type" field read by <c>Uplift.Models.Meta.RegressionModels.Load</c>.</summary>
    JsonObject Save();
}

/// <summary>Fixed row chunking shared by the base regressors, so parallel results never depend on the thread count.</summary>
internal static class Chunks
{
    public const int RowChunk = 2048;

    public static int Count(int n, int size = RowChunk) => (n + size - 1) / size;

    /// <summary>Runs <paramref name="body"/>(start, end) for each fixed chunk of [0, n), in parallel.</summary>
    public static void For(int n, ParallelOptions parallel, Action<int, int> body, int size = RowChunk)
    {
        int chunks = Count(n, size);
        if (chunks <= 1) { if (n > 0) body(0, n); return; }
        Parallel.For(0, chunks, parallel, c => body(c * size, Math.Min(n, (c + 1) * size)));
    }
}

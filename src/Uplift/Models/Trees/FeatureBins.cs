namespace Uplift.Models.Trees;

/// <summary>
/// Quantisation of each feature into at most 255 bins, computed once per fit. Bin b of feature f holds the
/// values v with Upper[f][b-1] &lt; v &lt;= Upper[f][b]; every upper edge except the last (+inf) is a value
/// seen in the sample, so "bin &lt;= b" on training rows is exactly "v &lt;= Upper[f][b]" at scoring time.
/// NaN goes to the last bin (and to the right child at scoring, since NaN &lt;= t is false).
/// </summary>
internal sealed class FeatureBins
{
    public readonly float[][] Upper;
    public int Features => Upper.Length;

    FeatureBins(float[][] upper) { Upper = upper; }

    /// <summary>Quantile edges from a seeded subsample of at most <paramref name="sampleRows"/> of the training rows.</summary>
    public static FeatureBins Compute(RegressionSet set, int maxBins, int sampleRows, long seed, ParallelOptions parallel) =>
        Compute(set.X, set.Features, set.Rows, maxBins, sampleRows, seed, parallel);

    /// <summary>Quantile edges of rows <paramref name="rows"/> of the row-major matrix <paramref name="x"/> (seeded subsample of at most <paramref name="sampleRows"/>).</summary>
    public static FeatureBins Compute(float[] x, int d, int[] rows, int maxBins, int sampleRows, long seed, ParallelOptions parallel)
    {
        int[] sample = rows;
        if (sample.Length > sampleRows)
        {
            var pos = RegressionSet.AllRows(sample.Length);
            var rng = Rng.Derive(seed, RngStream.BoostingBins);
            // Partial Fisher-Yates: the first sampleRows positions are a uniform sample.
            for (int i = 0; i < sampleRows; i++)
            {
                int j = i + rng.NextInt(pos.Length - i);
                (pos[i], pos[j]) = (pos[j], pos[i]);
            }
            sample = new int[sampleRows];
            for (int i = 0; i < sampleRows; i++) sample[i] = rows[pos[i]];
        }
        var upper = new float[d][];
        Parallel.For(0, d, parallel, f =>
        {
            var vals = new float[sample.Length];
            int m = 0;
            foreach (int r in sample)
            {
                float v = x[(long)r * d + f];
                if (!float.IsNaN(v)) vals[m++] = v;
            }
            upper[f] = Edges(vals.AsSpan(0, m), maxBins);
        });
        return new FeatureBins(upper);
    }

    static float[] Edges(Span<float> vals, int maxBins)
    {
        vals.Sort();
        var distinct = new List<(float V, int N)>();
        foreach (var v in vals)
        {
            if (distinct.Count > 0 && distinct[^1].V == v) distinct[^1] = (v, distinct[^1].N + 1);
            else distinct.Add((v, 1));
        }
        var edges = new List<float>();
        if (distinct.Count <= maxBins)
        {
            for (int i = 0; i + 1 < distinct.Count; i++) edges.Add(distinct[i].V);
        }
        else
        {
            // Greedy quantiles: close bin b once the running count reaches (b+1) n / maxBins.
            long n = vals.Length, cum = 0;
            for (int i = 0; i + 1 < distinct.Count && edges.Count < maxBins - 1; i++)
            {
                cum += distinct[i].N;
                if (cum * maxBins >= (edges.Count + 1) * n) edges.Add(distinct[i].V);
            }
        }
        edges.Add(float.PositiveInfinity);
        return edges.ToArray();
    }

    public int BinCount(int f) => Upper[f].Length;

    public byte Bin(int f, float v)
    {
        var u = Upper[f];
        if (float.IsNaN(v)) return (byte)(u.Length - 1);
        int lo = 0, hi = u.Length - 1; // first index with u[idx] >= v; u[^1] = +inf
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (u[mid] >= v) hi = mid; else lo = mid + 1;
        }
        return (byte)lo;
    }

    /// <summary>The column-major bin matrix of the selected rows: bins[f * n + k] for the k-th row of <paramref name="set"/>.</summary>
    public byte[] BinColumns(RegressionSet set, ParallelOptions parallel) => BinColumns(set.X, set.Features, set.Rows, parallel);

    /// <summary>The column-major bin matrix of rows <paramref name="rows"/> (null = every row) of <paramref name="x"/>: bins[f * n + k].</summary>
    public byte[] BinColumns(float[] x, int d, int[]? rows, ParallelOptions parallel)
    {
        int n = rows?.Length ?? x.Length / d;
        var bins = new byte[(long)n * d];
        Parallel.For(0, d, parallel, f =>
        {
            long off = (long)f * n;
            for (int k = 0; k < n; k++) bins[off + k] = Bin(f, x[(long)(rows is null ? k : rows[k]) * d + f]);
        });
        return bins;
    }
}

/// <summary>
/// Every row of a feature matrix quantised once (column-major bytes, <c>Columns[f * Rows + row]</c>) with bin edges
/// taken from chosen rows. Shared by all the boosted fits on the same matrix (the R-learner's folds, outcomes and
/// effect models; the T-learner's four models), so the features are binned once per learner fit.
/// Bin edges use only the features, never an outcome, so edges from all rows leak nothing across folds.
/// </summary>
internal sealed class BinnedMatrix
{
    public FeatureBins Bins { get; }
    /// <summary>The matrix the bins were computed on (fits check the reference).</summary>
    public float[] X { get; }
    public int Rows { get; }
    public int Features { get; }
    public byte[] Columns { get; }

    BinnedMatrix(FeatureBins bins, float[] x, int rows, int features, byte[] columns)
    {
        Bins = bins; X = x; Rows = rows; Features = features; Columns = columns;
    }

    /// <summary>Bins every row of <paramref name="x"/>, with edges from <paramref name="edgeRows"/> (as a fit on those rows would place them).</summary>
    public static BinnedMatrix Build(float[] x, int features, int[] edgeRows, int maxBins, int sampleRows, long seed, ParallelOptions parallel)
    {
        var bins = FeatureBins.Compute(x, features, edgeRows, maxBins, sampleRows, seed, parallel);
        return new BinnedMatrix(bins, x, x.Length / features, features, bins.BinColumns(x, features, null, parallel));
    }

    /// <summary>A compact matrix: <paramref name="columns"/> holds only rows <paramref name="rows"/> (k-th row at column offset k).</summary>
    public static BinnedMatrix FromColumns(FeatureBins bins, float[] x, int features, int[] rows, byte[] columns) =>
        new(bins, x, rows.Length, features, columns);
}

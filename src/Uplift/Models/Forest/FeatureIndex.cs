namespace Uplift.Models.Forest;

/// <summary>
/// The training features of a forest: row-major X (for routing rows down trees) plus, per feature, the rows
/// sorted by value and the sorted values (column-major, feature f at [f*Rows, (f+1)*Rows)). Built once per fit
/// and shared by every forest on the same X (centring forests and causal forests).
/// </summary>
internal sealed class FeatureIndex
{
    public int Rows { get; }
    public int Features { get; }
    public float[] X { get; }
    public int[] SortedRows { get; }
    public float[] SortedValues { get; }

    FeatureIndex(float[] x, int rows, int features, int[] sortedRows, float[] sortedValues)
    {
        X = x; Rows = rows; Features = features; SortedRows = sortedRows; SortedValues = sortedValues;
    }

    public static FeatureIndex Build(float[] x, int rows, int features, ParallelOptions po)
    {
        if ((long)rows * features != x.Length) throw new ArgumentException("X has the wrong length.");
        for (int i = 0; i < x.Length; i++)
            if (float.IsNaN(x[i]))
                throw new UpliftDataException("forest features must not be NaN (preprocess missing values first)",
                    row: i / Math.Max(features, 1) + 1);
        var sortedRows = new int[(long)rows * features];
        var sortedValues = new float[(long)rows * features];
        Parallel.For(0, features, po, f =>
        {
            var keys = new Span<float>(sortedValues, f * rows, rows);
            var items = new Span<int>(sortedRows, f * rows, rows);
            for (int i = 0; i < rows; i++) { keys[i] = x[(long)i * features + f]; items[i] = i; }
            // Ties keep a deterministic order: sort by (value, row).
            MemoryExtensions.Sort(keys, items, static (a, b) => a.CompareTo(b));
            FixTies(keys, items);
        });
        return new FeatureIndex(x, rows, features, sortedRows, sortedValues);
    }

    // Introsort is unstable; order each run of equal values by row so the result is a pure function of X.
    static void FixTies(Span<float> keys, Span<int> items)
    {
        int n = keys.Length, i = 0;
        while (i < n)
        {
            int j = i + 1;
            while (j < n && keys[j] == keys[i]) j++;
            if (j - i > 1) items[i..j].Sort();
            i = j;
        }
    }
}

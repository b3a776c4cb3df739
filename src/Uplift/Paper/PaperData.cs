using System.Globalization;
using Uplift.Data;

namespace Uplift.Paper;

/// <summary>
/// One of the paper's benchmark constructions (METHOD.md section 7): the train, validation and test
/// splits (features already z-scored, with their names) and what the construction did.
/// </summary>
internal sealed record PaperData(Dataset Train, Dataset Validation, Dataset Test, ConstructionSummary Summary);

/// <summary>One filter step of a construction and the rows it left.</summary>
internal sealed record FilterStep(string Description, long RowsKept);

/// <summary>A median used by a construction (METHOD.md section 7; median as defined in <see cref="PaperStats.Median"/>).</summary>
internal sealed record MedianUsed(string Column, double Value, string Use);

/// <summary>
/// What a construction did, for the CLI to print: rows read, rows left by each filter, the medians,
/// the treated share, the overall incremental value and cost (difference of means T=1 minus T=0 over
/// all kept rows) and the cost convention used.
/// </summary>
internal sealed record ConstructionSummary(
    string Name,
    string File,
    long RowsRead,
    IReadOnlyList<FilterStep> Filters,
    IReadOnlyList<MedianUsed> Medians,
    long RowsKept,
    double TreatedShare,
    double IncrementalValue,
    double IncrementalCost,
    string CostConvention,
    int TrainRows,
    int ValidationRows,
    int TestRows,
    string SplitDescription,
    IReadOnlyList<string> Notes)
{
    /// <summary>Human-readable lines (the library never prints; the CLI does).</summary>
    public IReadOnlyList<string> ToLines()
    {
        var ci = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            $"{Name} construction from {File}",
            string.Create(ci, $"  rows read: {RowsRead:N0}"),
        };
        foreach (var f in Filters) lines.Add(string.Create(ci, $"  {f.Description}: {f.RowsKept:N0} rows"));
        foreach (var m in Medians) lines.Add(string.Create(ci, $"  median of {m.Column} = {m.Value:G10} ({m.Use})"));
        lines.Add(string.Create(ci, $"  rows kept: {RowsKept:N0}, treated share {TreatedShare:F4}"));
        lines.Add(string.Create(ci, $"  incremental value (mean V | T=1 - mean V | T=0): {IncrementalValue:+0.######;-0.######;0} ({Sign(IncrementalValue)})"));
        lines.Add(string.Create(ci, $"  incremental cost  (mean C | T=1 - mean C | T=0): {IncrementalCost:+0.######;-0.######;0} ({Sign(IncrementalCost)})"));
        lines.Add($"  cost convention: {CostConvention}");
        lines.Add(string.Create(ci, $"  split: train {TrainRows:N0} / validation {ValidationRows:N0} / test {TestRows:N0} ({SplitDescription})"));
        foreach (var n in Notes) lines.Add($"  note: {n}");
        return lines;
    }

    static string Sign(double x) => x > 0 ? "positive" : x < 0 ? "negative" : "zero";

    public override string ToString() => string.Join(Environment.NewLine, ToLines());
}

/// <summary>Shared pieces of the constructions: median, z-scoring, splits (the difference of means is <see cref="Evaluation.Stats.DifferenceOfMeans"/>).</summary>
internal static class PaperStats
{
    /// <summary>
    /// The median as numpy and pandas define it: the middle value of the sorted values for an odd
    /// count, the mean of the two middle values for an even count. Filters compare strictly against it
    /// (METHOD.md section 7: "Elevation &gt; its median", "distance &lt; its median").
    /// </summary>
    public static double Median(ReadOnlySpan<int> values)
    {
        if (values.IsEmpty) throw new InvalidOperationException("median of no values");
        var a = values.ToArray();
        Array.Sort(a);
        int n = a.Length;
        return n % 2 == 1 ? a[n / 2] : (a[n / 2 - 1] + (double)a[n / 2]) / 2.0;
    }

    /// <summary>
    /// Z-scores the integer columns <paramref name="columns"/> of the rows <paramref name="rowIdx"/> of the
    /// row-major table <paramref name="table"/> (<paramref name="width"/> ints per row) into a row-major
    /// float32 matrix (one row per entry of <paramref name="rowIdx"/>): (x - mean) / sd with the
    /// population standard deviation (divide by N); a zero-variance column becomes all 0.
    /// Statistics are over every row given (the paper z-scores the whole kept set before splitting).
    /// </summary>
    public static float[] ZScore(int[] table, int width, ReadOnlySpan<int> rowIdx, ReadOnlySpan<int> columns)
    {
        int d = columns.Length, rows = rowIdx.Length;
        var mean = new double[d];
        var m2 = new double[d];
        // Two passes in double: sums, then centred sums of squares (exact enough for integer codes).
        for (int r = 0; r < rows; r++)
        {
            long off = (long)rowIdx[r] * width;
            for (int j = 0; j < d; j++) mean[j] += table[off + columns[j]];
        }
        for (int j = 0; j < d; j++) mean[j] /= Math.Max(rows, 1);
        for (int r = 0; r < rows; r++)
        {
            long off = (long)rowIdx[r] * width;
            for (int j = 0; j < d; j++) { double e = table[off + columns[j]] - mean[j]; m2[j] += e * e; }
        }
        var inv = new double[d];
        for (int j = 0; j < d; j++)
        {
            double sd = Math.Sqrt(m2[j] / Math.Max(rows, 1));
            inv[j] = sd > 1e-12 * Math.Max(1.0, Math.Abs(mean[j])) ? 1.0 / sd : 0.0;
        }
        var x = new float[(long)rows * d];
        for (int r = 0; r < rows; r++)
        {
            long off = (long)rowIdx[r] * width;
            long o = (long)r * d;
            for (int j = 0; j < d; j++) x[o + j] = (float)((table[off + columns[j]] - mean[j]) * inv[j]);
        }
        return x;
    }

    /// <summary>Split sizes: train = floor(f_train N), validation = floor(f_val N), test = the rest.</summary>
    public static (int Train, int Validation, int Test) SplitSizes(int n, double trainFraction, double validationFraction)
    {
        int tr = (int)Math.Floor(trainFraction * n);
        int va = (int)Math.Floor(validationFraction * n);
        return (tr, va, n - tr - va);
    }

    public static PaperData Split(Dataset all, int[] order, double trainFraction, double validationFraction,
        Func<int, int, int, ConstructionSummary> summary)
    {
        var (tr, va, te) = SplitSizes(all.Rows, trainFraction, validationFraction);
        var o = order.AsSpan();
        return new PaperData(all.Subset(o[..tr]), all.Subset(o.Slice(tr, va)), all.Subset(o.Slice(tr + va, te)),
            summary(tr, va, te));
    }

    public static void CheckFractions(double train, double validation)
    {
        UpliftOptionException.Check(train > 0 && train < 1, "TrainFraction", $"must be in (0, 1), got {train}.");
        UpliftOptionException.Check(validation >= 0 && validation < 1, "ValidationFraction", $"must be in [0, 1), got {validation}.");
        UpliftOptionException.Check(train + validation < 1, "TrainFraction + ValidationFraction",
            $"must leave a test share (sum below 1), got {train + validation}.");
    }
}

using System.Globalization;

namespace Uplift.Data;

/// <summary>
/// The fitted encoding of one feature column.
/// </summary>
/// <param name="Column">The column name in the data.</param>
/// <param name="Kind">Numeric (z-scored) or categorical (one-hot).</param>
/// <param name="Mean">Training mean (numeric only; a column missing in every training row is refused by <see cref="Preprocessor.Fit"/>).</param>
/// <param name="Sd">Training standard deviation used to divide (numeric only; 1 when the training sd is 0).</param>
/// <param name="Vocabulary">Categories kept, in ordinal order (categorical only; empty for numeric).</param>
/// <param name="HasOther">True when the vocabulary was capped and an "other" indicator follows the categories.</param>
public sealed record FeatureSpec(string Column, FeatureKind Kind, double Mean, double Sd, IReadOnlyList<string> Vocabulary, bool HasOther)
{
    /// <summary>Number of output features.</summary>
    public int Width => Kind == FeatureKind.Numeric ? 1 : Vocabulary.Count + (HasOther ? 1 : 0);

    /// <summary>The output feature names: "age", or "country=FR", ..., "country=(other)".</summary>
    public IEnumerable<string> OutputNames()
    {
        if (Kind == FeatureKind.Numeric) { yield return Column; yield break; }
        foreach (var v in Vocabulary) yield return $"{Column}={v}";
        if (HasOther) yield return $"{Column}={Preprocessor.OtherCategory}";
    }
}

/// <summary>
/// Turns a <see cref="RawTable"/> into a <see cref="Dataset"/>: numeric features are z-scored, text features one-hot
/// encoded, with statistics fitted on the training rows only, so validation, test and scoring data are transformed
/// exactly like the training data. Immutable; saved with the model (<see cref="ToJson"/> / <see cref="FromJson"/>).
/// <para>Missing values: see <see cref="PreprocessOptions"/> (numeric: training mean by default; text: all zeros).
/// A category never seen in training gives all zeros (or the "other" indicator when the vocabulary was capped).</para>
/// </summary>
public sealed partial class Preprocessor
{
    /// <summary>The category name of the "other" bucket of a capped vocabulary.</summary>
    public const string OtherCategory = "(other)";
    const int Block = 1024;

    /// <summary>The roles, with <see cref="ColumnRoles.Features"/> resolved to the explicit list of feature columns.</summary>
    public ColumnRoles Roles { get; }
    /// <summary>One spec per feature column, in output order.</summary>
    public IReadOnlyList<FeatureSpec> Specs { get; }
    /// <summary>The output feature names (as in <see cref="Dataset.FeatureNames"/>).</summary>
    public IReadOnlyList<string> FeatureNames { get; }
    /// <summary>The policy for missing numeric features.</summary>
    public MissingNumericPolicy MissingNumeric { get; }
    /// <summary>The treatment labels: control and arms (METHOD.md section 10; see <see cref="TreatmentLabels"/>).</summary>
    public TreatmentLabels Labels { get; }
    /// <summary>The label of arm k at index k − 1 ("1" for a 0/1 or known-pair binary column).</summary>
    public IReadOnlyList<string> ArmLabels => Labels.ArmLabels;
    /// <summary>The label of the control group ("0" for a 0/1 or known-pair binary column).</summary>
    public string ControlLabel => Labels.ControlLabel;
    /// <summary>K, the number of treatment arms besides control (1 for a binary campaign); <see cref="Dataset.Arms"/> of every transform.</summary>
    public int Arms => Labels.Arms;

    Preprocessor(ColumnRoles roles, IReadOnlyList<FeatureSpec> specs, MissingNumericPolicy missing, TreatmentLabels labels)
    {
        Roles = roles; Specs = specs; MissingNumeric = missing; Labels = labels;
        FeatureNames = specs.SelectMany(s => s.OutputNames()).ToArray();
    }

    /// <summary>
    /// Fits the preprocessing on the rows <paramref name="trainRows"/> of <paramref name="table"/> only. Also checks the
    /// outcome columns of those rows (the treatment labels, see <see cref="TreatmentLabels"/>; V and C finite, ...) and
    /// that control and each arm have at least <see cref="PreprocessOptions.MinRowsPerArm"/> rows.
    /// </summary>
    public static Preprocessor Fit(RawTable table, ColumnRoles roles, ReadOnlySpan<int> trainRows, PreprocessOptions? options = null) =>
        FitWithLabels(table, roles, trainRows, options, labels: null);

    /// <summary>As the public <see cref="Fit(RawTable, ColumnRoles, ReadOnlySpan{int}, PreprocessOptions?)"/>, with the
    /// treatment <paramref name="labels"/> already found on the whole file (null: found on the training rows), so that an
    /// arm absent from the training rows is named.</summary>
    internal static Preprocessor FitWithLabels(RawTable table, ColumnRoles roles, ReadOnlySpan<int> trainRows, PreprocessOptions? options, TreatmentLabels? labels)
    {
        options ??= new PreprocessOptions();
        options.Validate();
        var bound = roles.Bind(table);
        string src = table.Source;
        if (trainRows.Length == 0) throw new UpliftDataException("no training rows", src);

        labels ??= FindLabels(table, bound.Treatment, trainRows, bound.Control);
        var t = Treatment(table, bound.Treatment, trainRows, bound.Control, labels);
        Values(table, bound.Value, "value", trainRows);
        Values(table, bound.Cost, "cost", trainRows);
        if (bound.Propensity is not null) Values(table, bound.Propensity, "propensity", trainRows);
        if (bound.Weight is not null) Values(table, bound.Weight, "weight", trainRows);
        CheckArms(src, t, labels, options.MinRowsPerArm, "training rows");

        var specs = new FeatureSpec[bound.Features!.Count];
        for (int f = 0; f < specs.Length; f++)
        {
            var col = table[bound.Features[f]];
            specs[f] = col.IsNumeric ? FitNumeric(src, col, trainRows, options) : FitCategorical(src, col, trainRows, options);
        }
        return new Preprocessor(bound, specs, options.MissingNumeric, labels);
    }

    /// <summary>Largest magnitude of a numeric feature value in training rows (1e30, the model file's bound on means and sds).</summary>
    public const double MaxFeatureMagnitude = 1e30;

    static FeatureSpec FitNumeric(string src, RawColumn col, ReadOnlySpan<int> rows, PreprocessOptions options)
    {
        var (n, mean, ss) = NumericStats(src, col, rows, options);
        if (n == 0 && rows.Length > 0) throw EntirelyMissing(src, col.Name, rows.Length);
        return NumericSpec(col.Name, n, mean, ss);
    }

    /// <summary>Count, mean and sum of squared deviations from that mean of the non-missing values of <paramref name="rows"/>
    /// (two passes, in row order), after the checks of a numeric feature (finite, within ±1e30, the missing-value policy).</summary>
    static (long N, double Mean, double SS) NumericStats(string src, RawColumn col, ReadOnlySpan<int> rows, PreprocessOptions options)
    {
        var x = col.Numbers!;
        double sum = 0; long n = 0;
        foreach (int i in rows)
        {
            double v = x[i];
            if (double.IsNaN(v))
            {
                if (options.MissingNumeric == MissingNumericPolicy.Error)
                    throw new UpliftDataException("missing value in a numeric feature (missing-value policy: error)", src, i + 1, col.Name);
                continue;
            }
            if (!double.IsFinite(v)) throw new UpliftDataException($"feature value {Show(v)} is not finite", src, i + 1, col.Name);
            // The model file bounds means and standard deviations to 1e30 (IO/ModelJson): larger values would
            // make a model that cannot be loaded, or overflow the variance to infinity.
            if (Math.Abs(v) > MaxFeatureMagnitude)
                throw new UpliftDataException($"feature value {Show(v)} is beyond ±1e30, the largest a model supports; rescale the column", src, i + 1, col.Name);
            sum += v; n++;
        }
        double mean = n == 0 ? 0 : sum / n;
        double ss = 0;
        foreach (int i in rows) { double v = x[i]; if (!double.IsNaN(v)) ss += (v - mean) * (v - mean); }
        return (n, mean, ss);
    }

    /// <summary>The spec of a numeric feature from its count, mean and sum of squared deviations.</summary>
    static FeatureSpec NumericSpec(string column, long n, double mean, double ss)
    {
        double sd = n == 0 ? 0 : Math.Sqrt(ss / n);
        // A constant feature: centre it and divide by 1, so it becomes 0 (METHOD.md benchmarks: zero variance -> 0).
        if (!(sd > 1e-12 * Math.Max(1, Math.Abs(mean))) || !double.IsFinite(sd)) sd = 1;
        return new FeatureSpec(column, FeatureKind.Numeric, mean, sd, [], false);
    }

    static FeatureSpec FitCategorical(string src, RawColumn col, ReadOnlySpan<int> rows, PreprocessOptions options)
    {
        var counts = CategoryCounts(src, col, rows, options);
        if (counts.Count == 0 && rows.Length > 0) throw EntirelyMissing(src, col.Name, rows.Length);
        return CategoricalSpec(col.Name, counts, options);
    }

    /// <summary>How often each label of a text feature occurs in <paramref name="rows"/> (at most
    /// <see cref="PreprocessOptions.MaxDistinctCategories"/> labels).</summary>
    static Dictionary<string, int> CategoryCounts(string src, RawColumn col, ReadOnlySpan<int> rows, PreprocessOptions options)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var s = col.Strings!;
        foreach (int i in rows)
        {
            var v = s[i];
            if (v is null) continue;
            counts[v] = counts.GetValueOrDefault(v) + 1;
            CheckDistinct(src, col.Name, counts.Count, options);
        }
        return counts;
    }

    static void CheckDistinct(string src, string column, int distinct, PreprocessOptions options)
    {
        if (distinct > options.MaxDistinctCategories)
            throw new UpliftDataException(
                $"text feature has more than {options.MaxDistinctCategories} distinct values in the training rows; it looks like an id or free text, " +
                "not a feature: leave it out with --features (or make it the id column)", src, column: column);
    }

    /// <summary>The spec of a text feature from its label counts: the vocabulary (sorted), capped at
    /// <see cref="PreprocessOptions.MaxCategories"/> most frequent labels with an "(other)" level.</summary>
    static FeatureSpec CategoricalSpec(string column, IReadOnlyDictionary<string, int> counts, PreprocessOptions options)
    {
        IEnumerable<string> keep = counts.Keys;
        bool other = false;
        if (options.MaxCategories is int cap && counts.Count > cap)
        {
            keep = counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(cap).Select(p => p.Key);
            other = true;
        }
        var vocab = keep.Order(StringComparer.Ordinal).ToArray();
        return new FeatureSpec(column, FeatureKind.Categorical, 0, 1, vocab, other);
    }

    static UpliftDataException EntirelyMissing(string src, string column, int rows) => new(
        $"feature column is entirely missing in the {rows} training rows, so it cannot be learnt from; leave it out (--exclude {column}, or --features)",
        src, column: column);

    internal static void CheckArms(string src, int rows, int treated, int minPerArm, string where)
    {
        int control = rows - treated;
        if (treated == 0) throw new UpliftDataException($"no treated rows (treatment = 1) in the {where}; both arms are needed", src);
        if (control == 0) throw new UpliftDataException($"no control rows (treatment = 0) in the {where}; both arms are needed", src);
        if (treated < minPerArm || control < minPerArm)
            throw new UpliftDataException(
                $"too few rows: {treated} treated and {control} control in the {where}; at least {minPerArm} per arm are needed", src);
    }

    /// <summary>Transforms every row of <paramref name="table"/>. See the overload with rows.</summary>
    public Dataset Transform(RawTable table, bool requireOutcomes = true)
    {
        var all = new int[table.Rows];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        return Transform(table, all, requireOutcomes);
    }

    /// <summary>
    /// Builds the dataset of the rows <paramref name="rows"/> of <paramref name="table"/>, in that order, with the
    /// fitted encoding. When <paramref name="requireOutcomes"/> is true, T, V and C must be present and valid and both
    /// arms non-empty; when false (scoring data) they may be absent and are ignored. The feature columns must all be
    /// present. Propensity, weight and id are carried when their columns are present.
    /// </summary>
    public Dataset Transform(RawTable table, ReadOnlySpan<int> rows, bool requireOutcomes = true) =>
        Transform(table, rows, requireOutcomes, firstRow: 0);

    /// <summary>
    /// As <see cref="Transform(RawTable, ReadOnlySpan{int}, bool)"/> for a chunk of a larger file whose row 0 is data row
    /// <paramref name="firstRow"/> + 1 of the file (0-based offset), so feature errors name the file's row.
    /// </summary>
    public Dataset Transform(RawTable table, ReadOnlySpan<int> rows, bool requireOutcomes, long firstRow) =>
        Transform(table, rows, requireOutcomes, firstRow, requireArms: true);

    /// <summary>As the public overloads; <paramref name="requireArms"/> false lets the rows lack an arm (a partition's
    /// share of a split, Partitions/: the arms are checked on the whole campaign).</summary>
    internal Dataset Transform(RawTable table, ReadOnlySpan<int> rows, bool requireOutcomes, long firstRow, bool requireArms)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        string src = table.Source;
        var absent = Specs.Select(s => s.Column).Where(c => !table.Contains(c)).ToList();
        if (requireOutcomes)
            absent.InsertRange(0, new[] { Roles.Treatment, Roles.Value, Roles.Cost }.Where(c => !table.Contains(c)));
        if (absent.Count > 0)
            throw new UpliftDataException(
                $"data does not match the model: missing column(s) {string.Join(", ", absent.Select(a => $"'{a}'"))}; available columns: {table.DescribeColumns()}",
                src, column: absent[0]);
        foreach (int i in rows)
            if ((uint)i >= (uint)table.Rows) throw new ArgumentOutOfRangeException(nameof(rows), $"row {i} is outside the table ({table.Rows} rows)");

        byte[]? t = null; double[]? v = null, c = null;
        if (requireOutcomes)
        {
            t = Treatment(table, Roles.Treatment, rows, Roles.Control, Labels);
            v = Values(table, Roles.Value, "value", rows);
            c = Values(table, Roles.Cost, "cost", rows);
            if (rows.Length > 0 && requireArms)
            {
                // A subset may lack an arm (it keeps K); it needs the control group and some treated users.
                int treated = 0;
                foreach (var b in t) if (b != 0) treated++;
                bool binary = Arms == 1;
                if (treated == 0)
                    throw new UpliftDataException(binary ? "no treated rows (treatment = 1); both arms are needed"
                        : $"no treated rows (none of the arms {string.Join(", ", ArmLabels.Select(a => $"'{Clip(a)}'"))}); at least one arm is needed", src);
                if (treated == rows.Length)
                    throw new UpliftDataException(binary ? "no control rows (treatment = 0); both arms are needed"
                        : $"no control rows (label '{Clip(ControlLabel)}'); the control group is needed", src);
            }
        }
        double[]? p = Roles.Propensity is { } pc && table.Contains(pc) ? Values(table, pc, "propensity", rows) : null;
        double[]? w = Roles.Weight is { } wc && table.Contains(wc) ? Values(table, wc, "weight", rows) : null;
        string[]? ids = Roles.Id is { } ic && table.Contains(ic) ? Ids(table, ic, rows, firstRow) : null;

        int d = FeatureNames.Count;
        var x = new float[(long)rows.Length * d];
        var sources = Specs.Select(s => Prepare(table, s, firstRow)).ToArray();
        for (int start = 0; start < rows.Length; start += Block)
        {
            var block = rows.Slice(start, Math.Min(Block, rows.Length - start));
            int offset = 0;
            for (int f = 0; f < Specs.Count; f++)
            {
                var spec = Specs[f];
                if (spec.Kind == FeatureKind.Numeric) FillNumeric(src, spec, sources[f], block, x, start, d, offset, firstRow);
                else FillCategorical(spec, sources[f], block, x, start, d, offset);
                offset += spec.Width;
            }
        }
        return new Dataset(x, rows.Length, d, FeatureNames, t, v, c, p, w, ids, Arms);
    }

    /// <summary>The source of one feature: numbers (numeric spec) or (text, vocabulary index) for a categorical one.</summary>
    sealed record Source(RawColumn Column, double[]? Numbers, Dictionary<string, int>? Index);

    Source Prepare(RawTable table, FeatureSpec spec, long firstRow)
    {
        var col = table[spec.Column];
        if (spec.Kind == FeatureKind.Numeric)
            return new Source(col, col.Numbers ?? ParseAll(table.Source, col, $"'{col.Name}' is a numeric feature of the model", firstRow), null);
        var index = new Dictionary<string, int>(spec.Vocabulary.Count, StringComparer.Ordinal);
        for (int k = 0; k < spec.Vocabulary.Count; k++) index[spec.Vocabulary[k]] = k;
        return new Source(col, null, index);
    }

    void FillNumeric(string src, FeatureSpec spec, Source s, ReadOnlySpan<int> block, float[] x, int start, int d, int offset, long firstRow)
    {
        var nums = s.Numbers!;
        double mean = spec.Mean, inv = 1.0 / spec.Sd;
        for (int k = 0; k < block.Length; k++)
        {
            int i = block[k];
            double v = nums[i];
            float z;
            if (double.IsNaN(v))
            {
                if (MissingNumeric == MissingNumericPolicy.Error)
                    throw new UpliftDataException("missing value in a numeric feature (missing-value policy: error)", src, firstRow + i + 1, spec.Column);
                z = 0f; // imputed with the training mean, which is 0 after z-scoring
            }
            else if (!double.IsFinite(v)) throw new UpliftDataException($"feature value {Show(v)} is not finite", src, firstRow + i + 1, spec.Column);
            else z = (float)((v - mean) * inv);
            x[(long)(start + k) * d + offset] = z;
        }
    }

    static void FillCategorical(FeatureSpec spec, Source s, ReadOnlySpan<int> block, float[] x, int start, int d, int offset)
    {
        var col = s.Column;
        var index = s.Index!;
        for (int k = 0; k < block.Length; k++)
        {
            string? v = col.TextAt(block[k]);
            if (v is null) continue; // missing text: all zeros
            if (index.TryGetValue(v, out int slot)) x[(long)(start + k) * d + offset + slot] = 1f;
            else if (spec.HasOther) x[(long)(start + k) * d + offset + spec.Vocabulary.Count] = 1f;
            // unseen category without an "other" bucket: all zeros
        }
    }


    /// <summary>Reads a value / cost / propensity / weight column for <paramref name="rows"/>, checking its range.</summary>
    internal static double[] Values(RawTable table, string column, string role, ReadOnlySpan<int> rows)
    {
        var col = table[column];
        var nums = col.Numbers ?? ParseAll(table.Source, col, $"the {role} must be a number");
        var r = new double[rows.Length];
        for (int k = 0; k < rows.Length; k++)
        {
            int i = rows[k];
            double v = nums[i];
            if (double.IsNaN(v)) throw new UpliftDataException($"missing {role}", table.Source, i + 1, column);
            if (!double.IsFinite(v)) throw new UpliftDataException($"{role} {Show(v)} is not a finite number", table.Source, i + 1, column);
            if (role == "propensity" && !(v > 0 && v < 1))
                throw new UpliftDataException($"propensity must be strictly between 0 and 1, got {Show(v)}", table.Source, i + 1, column);
            if (role == "weight" && v < 0)
                throw new UpliftDataException($"weight must be >= 0, got {Show(v)}", table.Source, i + 1, column);
            r[k] = v;
        }
        return r;
    }

    static string[] Ids(RawTable table, string column, ReadOnlySpan<int> rows, long firstRow)
    {
        var col = table[column];
        var ids = new string[rows.Length];
        for (int k = 0; k < rows.Length; k++)
            ids[k] = col.TextAt(rows[k]) ?? throw new UpliftDataException("missing id", table.Source, firstRow + rows[k] + 1, column);
        return ids;
    }

    /// <summary>Parses a text column as numbers (missing stays NaN); the first non-number is an error naming its row.</summary>
    static double[] ParseAll(string src, RawColumn col, string why, long firstRow = 0)
    {
        var s = col.Strings!;
        var r = new double[s.Length];
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] is null) { r[i] = double.NaN; continue; }
            // The readers' one number rule (NumberText); a text column is shown cut to 200 characters (CellText).
            if (NumberText.Parse(s[i], '.', out r[i]) != NumberKind.Number)
                throw new UpliftDataException($"{CellText.Show(s[i])} is not a number ({why})", src, firstRow + i + 1, col.Name);
        }
        return r;
    }

    static string Show(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

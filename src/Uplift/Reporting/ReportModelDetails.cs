using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Models.Auto;
using Uplift.Persistence;

namespace Uplift.Reporting;

/// <summary>A learner's per-user effect estimates on the evaluation users (a model that estimates effects, <c>IEffectModel</c>):
/// the report tests their calibration (grf's <c>test_calibration</c>, <see cref="Evaluation.Calibration"/>).</summary>
/// <param name="TauV">Estimated incremental value per user, one per row of the evaluation set.</param>
/// <param name="TauC">Estimated incremental cost per user.</param>
public sealed record ReportEffects(double[] TauV, double[] TauC);

/// <summary>
/// What a model file records about how its model was made, shown in the report's "Model details" block. Every field is
/// read from the file (<see cref="FromModelFile"/>); a field the file does not hold is null and shown as "not recorded".
/// </summary>
public sealed record ReportModelDetails
{
    /// <summary>The learner (the model file's kind: drm, causal-forest, auto, ...).</summary>
    public required string Learner { get; init; }
    /// <summary>The settings the model section stores (scorer, objective, steps, ...), as name and text; null = none stored.</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Settings { get; init; }
    /// <summary>The training command line the file records (options.args); null = not recorded.</summary>
    public string? TrainedWith { get; init; }
    /// <summary>Training rows (metrics.train_rows); null = not recorded.</summary>
    public int? TrainRows { get; init; }
    /// <summary>Training rows per group (label, rows; control first), from metrics.train_rows_by_arm; null = not recorded
    /// (files written before 2026-12-02 21:30 UTC do not hold them).</summary>
    public IReadOnlyList<KeyValuePair<string, int>>? TrainRowsPerArm { get; init; }
    /// <summary>Validation rows (metrics.valid_rows); null = not recorded.</summary>
    public int? ValidRows { get; init; }
    /// <summary>The validation AUCC measured at training time (metrics.valid_aucc); null = not recorded.</summary>
    public double? ValidationAucc { get; init; }
    /// <summary><c>--model auto</c>: the chosen candidate's name; null otherwise.</summary>
    public string? AutoChosen { get; init; }
    /// <summary><c>--model auto</c>: every candidate with its nested validation AUCCs (the runners-up); null otherwise.</summary>
    public IReadOnlyList<AutoCandidateResult>? AutoCandidates { get; init; }

    /// <summary>The details a model file records (nothing is inferred: what it lacks stays null).</summary>
    public static ReportModelDetails FromModelFile(ModelFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var model = file.Model;
        var auto = model as AutoModel;
        var section = (auto?.Chosen ?? model).Save();
        return new ReportModelDetails
        {
            Learner = model.Kind,
            Settings = SettingsOf(section),
            TrainedWith = file.Options["args"] is JsonValue a && a.TryGetValue(out string? args) && !string.IsNullOrWhiteSpace(args) ? "uplift " + args : null,
            TrainRows = Number(file.Metrics["train_rows"]) is { } tr && tr == Math.Floor(tr) && tr is >= 0 and <= int.MaxValue ? (int)tr : null,
            TrainRowsPerArm = file.Metrics["train_rows_by_arm"] is JsonArray byArm
                && byArm.Select(e => (Label: e?["label"] is JsonValue l && l.TryGetValue(out string? s) ? s : null, N: Number(e?["rows"]))).ToList() is { Count: > 0 } pairs
                && pairs.All(p => p.Label is not null && p.N is { } x && x == Math.Floor(x) && x is >= 0 and <= int.MaxValue)
                ? [.. pairs.Select(p => new KeyValuePair<string, int>(p.Label!, (int)p.N!.Value))] : null,
            ValidRows = Number(file.Metrics["valid_rows"]) is { } vr && vr == Math.Floor(vr) && vr is >= 0 and <= int.MaxValue ? (int)vr : null,
            ValidationAucc = Number(file.Metrics["valid_aucc"]),
            AutoChosen = auto?.ChosenName,
            AutoCandidates = auto?.Candidates,
        };
    }

    /// <summary>A finite JSON number (parsed or built in memory, of any .NET numeric type), else null.</summary>
    static double? Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number
        && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? d : null;

    /// <summary>Names of a model section that are bookkeeping, not settings.</summary>
    static readonly HashSet<string> NotSettings = new(StringComparer.Ordinal) { "kind", "format", "version", "features", "layers" };

    /// <summary>The scalar (and short numeric list) entries of a model section and of its "options" object; null when there are none.</summary>
    internal static IReadOnlyList<KeyValuePair<string, string>>? SettingsOf(JsonObject section)
    {
        var list = new List<KeyValuePair<string, string>>();
        void Add(JsonObject o, string prefix)
        {
            foreach (var (name, node) in o)
            {
                if (prefix.Length == 0 && NotSettings.Contains(name)) continue;
                if (Text(node) is { } text) list.Add(new(prefix + name, text));
            }
        }
        Add(section, "");
        if (section["options"] is JsonObject opts) Add(opts, "");
        // the options object repeats some top-level names (scorer, ...): keep the first of each
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = list.Where(kv => seen.Add(kv.Key)).ToList();
        return unique.Count == 0 ? null : unique;
    }

    /// <summary>A scalar as text, a list of at most 8 scalars as "[a, b]", anything else null.</summary>
    static string? Text(JsonNode? node)
    {
        switch (node)
        {
            case null: return null;
            case JsonValue v:
                return v.GetValueKind() switch
                {
                    JsonValueKind.String => v.GetValue<string>(),
                    JsonValueKind.Number => Number(v) is { } d ? d.ToString("G6", CultureInfo.InvariantCulture) : null,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => null,
                };
            case JsonArray arr when arr.Count <= 8:
                var items = arr.Select(x => x is JsonValue ? Text(x) : null).ToList();
                return items.Any(x => x is null) ? null : "[" + string.Join(", ", items) + "]";
            default: return null;
        }
    }
}

/// <summary>One feature column's missing values in the data the report was computed on.</summary>
/// <param name="Column">The column name.</param>
/// <param name="Missing">Rows where it is missing (an empty cell or NA; NaN for a number).</param>
/// <param name="Share">Missing / rows.</param>
/// <param name="Handling">What the model's preprocessing does with a missing value there; null = not known.</param>
public sealed record MissingColumn(string Column, int Missing, double Share, string? Handling);

/// <summary>
/// The missing-value summary of the report: the feature columns with any missing value, and the totals over every feature
/// column (<see cref="Compute(RawTable, IReadOnlyList{Preprocessor})"/>).
/// </summary>
/// <param name="Rows">Rows of the data.</param>
/// <param name="FeatureColumns">Feature columns looked at.</param>
/// <param name="Columns">The feature columns with at least one missing value, in the order of <paramref name="FeatureColumns"/>' source.</param>
/// <param name="MissingCells">Missing cells over all feature columns.</param>
/// <param name="RowsWithMissing">Rows with at least one missing feature value.</param>
public sealed record MissingValueSummary(int Rows, int FeatureColumns, IReadOnlyList<MissingColumn> Columns, long MissingCells, int RowsWithMissing)
{
    /// <summary>Missing cells / (rows × feature columns); 0 for an empty table.</summary>
    public double CellShare => Rows == 0 || FeatureColumns == 0 ? 0 : MissingCells / ((double)Rows * FeatureColumns);

    /// <summary>
    /// The summary of <paramref name="table"/> over the feature columns of <paramref name="preprocessors"/> (their union, in the
    /// first one's order; a column the table lacks is left out), each column's handling read from the first preprocessor
    /// that uses it: a number is replaced by the training mean (0 after z-scoring) or stops scoring with an error, a text
    /// cell has no category (all its one-hot columns 0).
    /// </summary>
    public static MissingValueSummary Compute(RawTable table, IReadOnlyList<Preprocessor> preprocessors)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(preprocessors);
        var handling = new Dictionary<string, string>(StringComparer.Ordinal);
        var columns = new List<string>();
        foreach (var p in preprocessors)
            foreach (var spec in p.Specs)
                if (handling.TryAdd(spec.Column, Handling(spec.Kind, p.MissingNumeric)) && table.Contains(spec.Column)) columns.Add(spec.Column);
        return Compute(table, columns, c => handling.GetValueOrDefault(c));
    }

    /// <summary>The summary of <paramref name="table"/> over <paramref name="featureColumns"/> (each must be in the table),
    /// with <paramref name="handling"/> giving each column's handling (null = not known).</summary>
    public static MissingValueSummary Compute(RawTable table, IReadOnlyList<string> featureColumns, Func<string, string?>? handling = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(featureColumns);
        var any = new bool[table.Rows];
        var list = new List<MissingColumn>();
        long cells = 0;
        foreach (var name in featureColumns)
        {
            var col = table[name];
            int k = 0;
            for (int i = 0; i < col.Length; i++)
                if (col.IsMissing(i)) { k++; any[i] = true; }
            cells += k;
            if (k > 0) list.Add(new MissingColumn(name, k, k / (double)table.Rows, handling?.Invoke(name)));
        }
        return new MissingValueSummary(table.Rows, featureColumns.Count, list, cells, any.Count(x => x));
    }

    static string Handling(FeatureKind kind, MissingNumericPolicy policy) => kind == FeatureKind.Numeric
        ? policy == MissingNumericPolicy.ImputeMean ? "replaced by the training mean (0 after z-scoring)" : "none: scoring stops with an error"
        : "no category: all its one-hot columns are 0";
}

using System.Text.Json.Nodes;

namespace Uplift.Data;

// The preprocessing of a campaign split in partitions (one file each, Partitions/): each partition computes mergeable
// statistics of its training rows (Partial), the partials are merged in partition order (Merge), and the merged
// statistics give the preprocessor (FromPartial). One partition gives exactly what Fit gives on its training rows.
public sealed partial class Preprocessor
{
    /// <summary>Mergeable statistics of the training rows of one partition (or of several, merged).</summary>
    internal sealed class Partial
    {
        public required string Labels { get; init; }
        public required string Control { get; init; }
        public required string[] ArmLabels { get; init; }
        public required bool Saved { get; init; }
        public int Arms => ArmLabels.Length;
        public required long Rows { get; set; }
        public required long Treated { get; set; }
        public required string[] Columns { get; init; }
        public required bool[] Numeric { get; init; }
        /// <summary>Per numeric column: count, mean and sum of squared deviations of the non-missing values.</summary>
        public required long[] N { get; init; }
        public required double[] Mean { get; init; }
        public required double[] SS { get; init; }
        /// <summary>Per text column: label counts (null for numeric columns).</summary>
        public required Dictionary<string, int>?[] Counts { get; init; }

        public JsonObject ToJson()
        {
            var counts = new JsonArray();
            foreach (var c in Counts)
            {
                if (c is null) { counts.Add(null); continue; }
                var o = new JsonObject();
                foreach (var (k, v) in c.OrderBy(p => p.Key, StringComparer.Ordinal)) o[k] = v;
                counts.Add(o);
            }
            return new JsonObject
            {
                ["labels"] = Labels, ["control"] = Control, ["saved"] = Saved,
                ["armLabels"] = new JsonArray(ArmLabels.Select(c => (JsonNode?)c).ToArray()), ["rows"] = Rows, ["treated"] = Treated,
                ["columns"] = new JsonArray(Columns.Select(c => (JsonNode?)c).ToArray()),
                ["numeric"] = new JsonArray(Numeric.Select(b => (JsonNode?)b).ToArray()),
                ["n"] = new JsonArray(N.Select(b => (JsonNode?)b).ToArray()),
                ["mean"] = new JsonArray(Mean.Select(b => (JsonNode?)b).ToArray()),
                ["ss"] = new JsonArray(SS.Select(b => (JsonNode?)b).ToArray()),
                ["counts"] = counts,
            };
        }

        public static Partial FromJson(JsonObject o)
        {
            var counts = o["counts"]!.AsArray().Select(n => n is null ? null
                : n.AsObject().ToDictionary(p => p.Key, p => (int)p.Value!, StringComparer.Ordinal)).ToArray();
            return new Partial
            {
                Labels = (string)o["labels"]!, Control = (string)o["control"]!, Saved = (bool)o["saved"]!,
                ArmLabels = o["armLabels"]!.AsArray().Select(n => (string)n!).ToArray(),
                Rows = (long)o["rows"]!, Treated = (long)o["treated"]!,
                Columns = o["columns"]!.AsArray().Select(n => (string)n!).ToArray(),
                Numeric = o["numeric"]!.AsArray().Select(n => (bool)n!).ToArray(),
                N = o["n"]!.AsArray().Select(n => (long)n!).ToArray(),
                Mean = o["mean"]!.AsArray().Select(n => (double)n!).ToArray(),
                SS = o["ss"]!.AsArray().Select(n => (double)n!).ToArray(),
                Counts = counts,
            };
        }
    }

    /// <summary>The statistics of <paramref name="trainRows"/> of one partition, after the same checks as
    /// <see cref="Fit(RawTable, ColumnRoles, ReadOnlySpan{int}, PreprocessOptions?)"/> (except the arm sizes, which are
    /// checked on the merged counts).</summary>
    internal static Partial FitPartial(RawTable table, ColumnRoles roles, ReadOnlySpan<int> trainRows, PreprocessOptions options)
    {
        options.Validate();
        var bound = roles.Bind(table);
        string src = table.Source;
        var labels = FindLabels(table, bound.Treatment, trainRows, bound.Control);
        var t = Treatment(table, bound.Treatment, trainRows, bound.Control, labels);
        Values(table, bound.Value, "value", trainRows);
        Values(table, bound.Cost, "cost", trainRows);
        int f = bound.Features!.Count;
        var part = new Partial
        {
            Labels = labels.ToString(), Control = labels.ControlLabel, ArmLabels = labels.ArmLabels.ToArray(), Saved = labels.Saved,
            Rows = trainRows.Length, Treated = t.Count(b => b != 0),
            Columns = bound.Features.ToArray(), Numeric = new bool[f], N = new long[f], Mean = new double[f], SS = new double[f],
            Counts = new Dictionary<string, int>?[f],
        };
        for (int j = 0; j < f; j++)
        {
            var col = table[bound.Features[j]];
            if (col.IsNumeric)
            {
                part.Numeric[j] = true;
                (part.N[j], part.Mean[j], part.SS[j]) = NumericStats(src, col, trainRows, options);
            }
            else part.Counts[j] = CategoryCounts(src, col, trainRows, options);
        }
        return part;
    }

    /// <summary>Merges partials in the given (partition) order: counts add; means and squared deviations combine
    /// pairwise (<see cref="Moments.Merge"/>), so the result depends on the order but not on who computed each partial.</summary>
    internal static Partial Merge(IReadOnlyList<Partial> parts, PreprocessOptions options)
    {
        if (parts.Count == 0) throw new UpliftDataException("no partitions");
        var first = parts[0];
        int f = first.Columns.Length;
        var m = new Partial
        {
            Labels = first.Labels, Control = first.Control, ArmLabels = first.ArmLabels, Saved = first.Saved, Rows = 0, Treated = 0,
            Columns = first.Columns, Numeric = first.Numeric, N = new long[f], Mean = new double[f], SS = new double[f],
            Counts = first.Numeric.Select(b => b ? null : new Dictionary<string, int>(StringComparer.Ordinal)).ToArray(),
        };
        for (int p = 0; p < parts.Count; p++)
        {
            var q = parts[p];
            if (!q.Columns.SequenceEqual(first.Columns) || !q.Numeric.SequenceEqual(first.Numeric))
                throw new UpliftDataException($"partition {p + 1} does not have the feature columns (or their types) of partition 1");
            if (q.Rows > 0 && q.Labels != first.Labels)
                throw new UpliftDataException($"partition {p + 1} reads the treatment labels as {q.Labels}, partition 1 as {first.Labels}");
            m.Rows += q.Rows; m.Treated += q.Treated;
            for (int j = 0; j < f; j++)
            {
                if (m.Numeric[j])
                {
                    var merged = new Moments(m.N[j], m.Mean[j], m.SS[j]).Merge(new Moments(q.N[j], q.Mean[j], q.SS[j]));
                    (m.N[j], m.Mean[j], m.SS[j]) = ((long)merged.N, merged.Mean, merged.SS);
                }
                else
                {
                    var c = m.Counts[j]!;
                    foreach (var (k, v) in q.Counts[j]!) c[k] = c.GetValueOrDefault(k) + v;
                    CheckDistinct("partitions", m.Columns[j], c.Count, options);
                }
            }
        }
        return m;
    }

    /// <summary>The preprocessor of merged statistics (see <see cref="Merge"/>) of the training rows of every partition.</summary>
    internal static Preprocessor FromPartial(ColumnRoles roles, Partial merged, PreprocessOptions options)
    {
        var bound = roles with { Features = merged.Columns };
        const string src = "partitions";
        if (merged.Arms != 1)
            throw new UpliftDataException($"several treatment arms ({merged.Arms}) are not supported with partitioned data yet; train on one file");
        var labels = new TreatmentLabels(merged.Control, merged.ArmLabels, merged.Saved);
        if (merged.Rows == 0) throw new UpliftDataException("no training rows", src);
        CheckArms(src, (int)Math.Min(int.MaxValue, merged.Rows), (int)Math.Min(int.MaxValue, merged.Treated), options.MinRowsPerArm, "training rows");
        var specs = new FeatureSpec[merged.Columns.Length];
        for (int j = 0; j < specs.Length; j++)
        {
            if (merged.Numeric[j])
            {
                if (merged.N[j] == 0) throw EntirelyMissing(src, merged.Columns[j], (int)Math.Min(int.MaxValue, merged.Rows));
                specs[j] = NumericSpec(merged.Columns[j], merged.N[j], merged.Mean[j], merged.SS[j]);
            }
            else
            {
                if (merged.Counts[j]!.Count == 0) throw EntirelyMissing(src, merged.Columns[j], (int)Math.Min(int.MaxValue, merged.Rows));
                specs[j] = CategoricalSpec(merged.Columns[j], merged.Counts[j]!, options);
            }
        }
        return new Preprocessor(bound, specs, options.MissingNumeric, labels);
    }
}

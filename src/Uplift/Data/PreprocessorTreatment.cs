using System.Globalization;

namespace Uplift.Data;

// The binary treatment column: 0/1 numbers, the known label pairs, or two labels with --control naming the control one.
// Several arms: PreprocessorArms.cs, which sends every binary case here.
public sealed partial class Preprocessor
{
    /// <summary>The labels read as treated and as control (case-insensitive; numbers 1 and 0 in any spelling, e.g. 1.0).</summary>
    static readonly string[] TreatedLabels = ["1", "true", "yes", "t", "treatment", "treated"];
    static readonly string[] ControlLabels = ["0", "false", "no", "f", "control"];
    const string KnownPairs = "0/1, true/false, yes/no, t/f, treatment/control or treated/control";

    /// <summary>
    /// Reads the treatment of <paramref name="rows"/> as 0/1: a numeric 0/1 column as is; otherwise the labels of
    /// <see cref="ColumnRoles.Control"/> (<paramref name="control"/> = 0, the one other label = 1) or of the known
    /// pairs (<see cref="TreatedLabels"/>, <see cref="ControlLabels"/>). Anything else is a clear error; two unknown
    /// labels ask for the control label.
    /// </summary>
    internal static byte[] Treatment(RawTable table, string column, ReadOnlySpan<int> rows, string? control = null)
    {
        var col = table[column];
        if (col.Numbers is { } nums && control is null)
        {
            var t = new byte[rows.Length];
            for (int k = 0; k < rows.Length; k++)
            {
                int i = rows[k];
                double v = nums[i];
                if (double.IsNaN(v)) throw new UpliftDataException("missing treatment (must be 0 or 1)", table.Source, i + 1, column);
                if (v == 1) t[k] = 1;
                else if (v != 0) return LabelledTreatment(table, col, rows, null); // names the problem (e.g. two labels: --control)
            }
            return t;
        }
        return LabelledTreatment(table, col, rows, control);
    }

    static byte[] LabelledTreatment(RawTable table, RawColumn col, ReadOnlySpan<int> rows, string? control)
    {
        string src = table.Source;
        string? ctl = control is null ? null : NormalLabel(control);
        var t = new byte[rows.Length];
        string? treatedLabel = null;
        bool sawControl = false;
        for (int k = 0; k < rows.Length; k++)
        {
            int i = rows[k];
            string label = TreatmentLabel(col, i) ?? throw new UpliftDataException("missing treatment", src, i + 1, col.Name);
            if (ctl is not null)
            {
                if (SameLabel(label, ctl)) { sawControl = true; continue; }
                treatedLabel ??= label;
                if (!SameLabel(label, treatedLabel) && !DistinctLabels(col, rows, int.MaxValue).Any(l => SameLabel(l, ctl)))
                    throw ControlNotFound(src, col, rows, ctl);
                if (!SameLabel(label, treatedLabel))
                    throw new UpliftDataException(
                        $"the treatment column has more than two labels ('{Clip(ctl)}', '{Clip(treatedLabel)}', '{Clip(label)}'); " +
                        "with --control, the one other label is the treated group", src, i + 1, col.Name);
                t[k] = 1;
            }
            else if (TreatedLabels.Any(x => SameLabel(x, label))) t[k] = 1;
            else if (!ControlLabels.Any(x => SameLabel(x, label)))
            {
                var labels = DistinctLabels(col, rows, 6);
                if (labels.Count == 2)
                    throw new UpliftDataException(
                        $"the treatment column has the labels '{Clip(labels[0])}' and '{Clip(labels[1])}', not one of the known pairs ({KnownPairs}); " +
                        $"say which is the control group with --control (e.g. --control {Clip(labels[0])})", src, column: col.Name);
                string several = labels.Count < 3 ? "" :
                    $"; for several treatment arms, say which label is the control group with --control (labels: {string.Join(", ", labels.Select(l => $"'{Clip(l)}'"))})";
                throw new UpliftDataException(
                    $"treatment must be {KnownPairs} (or two labels with --control naming the control one), got '{Clip(label)}'{several}", src, i + 1, col.Name);
            }
        }
        if (ctl is not null && !sawControl && rows.Length > 0) throw ControlNotFound(src, col, rows, ctl);
        return t;
    }

    static UpliftDataException ControlNotFound(string src, RawColumn col, ReadOnlySpan<int> rows, string ctl) => new(
        $"the control label '{Clip(ctl)}' (--control) does not occur in the treatment column; its labels: " +
        string.Join(", ", DistinctLabels(col, rows, 5).Select(l => $"'{Clip(l)}'")), src, column: col.Name);

    /// <summary>The cell as a label: trimmed text, with numbers written canonically (1.0 -> "1"); null when missing.</summary>
    static string? TreatmentLabel(RawColumn col, int i)
    {
        if (col.Numbers is { } nums) return double.IsNaN(nums[i]) ? null : Show(nums[i]);
        var s = col.Strings![i];
        return s is null || s.Trim().Length == 0 ? null : NormalLabel(s);
    }

    internal static string NormalLabel(string s)
    {
        s = s.Trim();
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? Show(v) : s;
    }

    static bool SameLabel(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    static List<string> DistinctLabels(RawColumn col, ReadOnlySpan<int> rows, int max)
    {
        var seen = new List<string>();
        foreach (int i in rows)
            if (TreatmentLabel(col, i) is { } l && !seen.Any(x => SameLabel(x, l)))
            {
                seen.Add(l);
                if (seen.Count >= max) break;
            }
        return seen;
    }

    static string Clip(string s) => s.Length <= 40 ? s : s[..37] + "...";
}

using System.Globalization;

namespace Uplift.Data;

// The treatment column with several arms (METHOD.md section 10): which labels are the arms (TreatmentLabels), and
// reading T in 0..K with them. The binary cases go through PreprocessorTreatment.cs unchanged.
public sealed partial class Preprocessor
{
    /// <summary>
    /// Reads the treatment of <paramref name="rows"/>: finds the labels (<see cref="FindLabels"/>), then T with them.
    /// </summary>
    internal static (byte[] T, TreatmentLabels Labels) ReadTreatment(RawTable table, string column, ReadOnlySpan<int> rows, string? control)
    {
        var labels = FindLabels(table, column, rows, control);
        return (Treatment(table, column, rows, control, labels), labels);
    }

    /// <summary>
    /// The labels of the treatment column in <paramref name="rows"/> by the rules of <see cref="TreatmentLabels"/>.
    /// The binary cases return a binary coding and leave their errors (missing cell, unknown label, absent control)
    /// to <see cref="Treatment(RawTable, string, ReadOnlySpan{int}, string?)"/>, so they read exactly as before.
    /// </summary>
    internal static TreatmentLabels FindLabels(RawTable table, string column, ReadOnlySpan<int> rows, string? control)
    {
        var col = table[column];
        string src = table.Source;
        var found = FindDistinct(col, rows, TreatmentLabels.MaxArms + 2);
        bool capped = found.Count == TreatmentLabels.MaxArms + 2;
        if (control is not null)
        {
            string ctl = NormalLabel(control);
            var others = found.Where(l => !SameLabel(l, ctl)).ToList();
            bool hasControl = others.Count < found.Count;
            if (!hasControl && !capped) return TreatmentLabels.Binary(ctl); // the binary reader names the absent control
            if (others.Count > TreatmentLabels.MaxArms || capped) throw TooManyArms(src, col.Name, found);
            if (others.Count <= 1) return others.Count == 0 ? TreatmentLabels.Binary(ctl) : new TreatmentLabels(ctl, others, saved: true);
            return new TreatmentLabels(ctl, SortLabels(others), saved: true);
        }
        if (capped) throw TooManyArms(src, col.Name, found);
        if (found.Count <= 2 || found.All(IsKnownLabel)) return TreatmentLabels.Binary(null);
        if (WholeNumbers(found) is { } numbers)
        {
            int k = numbers.Max();
            if (k > TreatmentLabels.MaxArms) throw TooManyArms(src, col.Name, found);
            for (int a = 1; a <= k; a++)
                if (!numbers.Contains(a))
                    throw new UpliftDataException(
                        $"the treatment column's numbers are read as 0 = control and 1..{k} = the arms, but arm {a} has no users " +
                        $"(labels: {ShowLabels(found)}); give --control to take the labels as they are", src, column: col.Name);
            var arms = new string[k];
            for (int a = 1; a <= k; a++) arms[a - 1] = a.ToString(CultureInfo.InvariantCulture);
            return new TreatmentLabels("0", arms, saved: true);
        }
        // A known pair with a stray label: the binary reader names the first stray row.
        if (found.Any(l => TreatedLabels.Any(x => SameLabel(x, l))) && found.Any(l => ControlLabels.Any(x => SameLabel(x, l))))
            return TreatmentLabels.Binary(null);
        throw new UpliftDataException(
            $"the treatment column has {found.Count} labels ({ShowLabels(found)}); say which is the control group with --control " +
            $"(e.g. --control {Clip(found[0])}): the other labels are then the treatment arms", src, column: col.Name);
    }

    /// <summary>
    /// T of <paramref name="rows"/> with fitted <paramref name="labels"/>: binary through the binary reader (and, when the
    /// treated label is known, a check that it is the one the rows hold); K arms by the labels, a label the model does not
    /// know being an error naming its row.
    /// </summary>
    internal static byte[] Treatment(RawTable table, string column, ReadOnlySpan<int> rows, string? control, TreatmentLabels labels)
    {
        if (labels.Arms == 1)
        {
            var t = Treatment(table, column, rows, control);
            if (labels.Saved)
                for (int k = 0; k < rows.Length; k++)
                    if (t[k] == 1)
                    {
                        var l = TreatmentLabel(table[column], rows[k])!;
                        if (!SameLabel(l, labels.ArmLabels[0])) throw UnknownLabel(table.Source, rows[k] + 1, column, l, labels);
                        break; // the binary reader allows one treated label only
                    }
            return t;
        }
        return ArmTreatment(table, table[column], rows, labels);
    }

    static byte[] ArmTreatment(RawTable table, RawColumn col, ReadOnlySpan<int> rows, TreatmentLabels labels)
    {
        string src = table.Source;
        var t = new byte[rows.Length];
        if (col.Numbers is { } nums)
        {
            var byNumber = new Dictionary<double, byte>();
            for (int a = 0; a <= labels.Arms; a++)
                if (double.TryParse(a == 0 ? labels.ControlLabel : labels.ArmLabels[a - 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double x))
                    byNumber.TryAdd(x == 0 ? 0 : x, (byte)a);
            for (int k = 0; k < rows.Length; k++)
            {
                int i = rows[k];
                double v = nums[i];
                if (double.IsNaN(v)) throw new UpliftDataException("missing treatment", src, i + 1, col.Name);
                if (!byNumber.TryGetValue(v == 0 ? 0 : v, out t[k])) throw UnknownLabel(src, i + 1, col.Name, Show(v), labels);
            }
            return t;
        }
        var byLabel = new Dictionary<string, byte>(StringComparer.OrdinalIgnoreCase) { [labels.ControlLabel] = 0 };
        for (int a = 1; a <= labels.Arms; a++) byLabel[labels.ArmLabels[a - 1]] = (byte)a;
        for (int k = 0; k < rows.Length; k++)
        {
            int i = rows[k];
            string label = TreatmentLabel(col, i) ?? throw new UpliftDataException("missing treatment", src, i + 1, col.Name);
            if (!byLabel.TryGetValue(label, out t[k])) throw UnknownLabel(src, i + 1, col.Name, label, labels);
        }
        return t;
    }

    /// <summary>
    /// Checks the arms of <paramref name="t"/>: binary as always (<see cref="CheckArms(string, int, int, int, string)"/>);
    /// with K arms, control and every arm present with at least <paramref name="minPerArm"/> rows.
    /// </summary>
    internal static void CheckArms(string src, ReadOnlySpan<byte> t, TreatmentLabels labels, int minPerArm, string where)
    {
        if (labels.Arms == 1)
        {
            int treated = 0;
            foreach (var b in t) treated += b;
            CheckArms(src, t.Length, treated, minPerArm, where);
            return;
        }
        var counts = Dataset.CountArms(t, labels.Arms);
        if (counts[0] == 0)
            throw new UpliftDataException($"no control rows (label '{Clip(labels.ControlLabel)}') in the {where}; the control group is needed", src);
        for (int a = 1; a <= labels.Arms; a++)
            if (counts[a] == 0)
                throw new UpliftDataException(
                    $"the arm '{Clip(labels.ArmLabels[a - 1])}' has no users in the {where}; every arm needs users ({labels})", src);
        if (counts.Any(n => n < minPerArm))
            throw new UpliftDataException(
                $"too few rows in the {where}: " +
                string.Join(", ", counts.Select((n, a) => $"{n} {(a == 0 ? "control" : $"'{Clip(labels.ArmLabels[a - 1])}'")}")) +
                $"; at least {minPerArm} per arm are needed", src);
    }

    static UpliftDataException UnknownLabel(string src, long row, string column, string label, TreatmentLabels labels) => new(
        $"the treatment label '{Clip(label)}' is not one the model knows ({labels})", src, row, column);

    static UpliftDataException TooManyArms(string src, string column, List<string> found) => new(
        $"the treatment column has more than {TreatmentLabels.MaxArms} arms besides the control group (labels: {ShowLabels(found.Take(8).ToList())}, ...); " +
        $"at most {TreatmentLabels.MaxArms} are supported", src, column: column);

    /// <summary>The distinct labels of <paramref name="rows"/> in order of first occurrence (missing cells skipped), at most
    /// <paramref name="max"/>; numbers compare as numbers (-0 = 0), text case-insensitively.</summary>
    static List<string> FindDistinct(RawColumn col, ReadOnlySpan<int> rows, int max)
    {
        var seen = new List<string>();
        if (col.Numbers is { } nums)
        {
            var values = new List<double>();
            foreach (int i in rows)
            {
                double v = nums[i];
                if (double.IsNaN(v) || values.Contains(v == 0 ? 0 : v)) continue;
                values.Add(v == 0 ? 0 : v);
                seen.Add(Show(v == 0 ? 0 : v));
                if (seen.Count >= max) break;
            }
            return seen;
        }
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (int i in rows)
            if (TreatmentLabel(col, i) is { } l && set.Add(l))
            {
                seen.Add(l);
                if (seen.Count >= max) break;
            }
        return seen;
    }

    static bool IsKnownLabel(string l) => TreatedLabels.Any(x => SameLabel(x, l)) || ControlLabels.Any(x => SameLabel(x, l));

    /// <summary>The labels as whole numbers in [0, 255], or null when one is not.</summary>
    static HashSet<int>? WholeNumbers(List<string> labels)
    {
        var r = new HashSet<int>();
        foreach (var l in labels)
        {
            if (!double.TryParse(l, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || v < 0 || v > 255 || v != Math.Floor(v)) return null;
            r.Add((int)v);
        }
        return r;
    }

    /// <summary>Arm order: numerically when every label is a number, else ordinal case-insensitive.</summary>
    static string[] SortLabels(List<string> labels)
    {
        var numbers = new double[labels.Count];
        bool numeric = true;
        for (int k = 0; k < labels.Count && numeric; k++)
            numeric = double.TryParse(labels[k], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[k]) && double.IsFinite(numbers[k]);
        var order = Enumerable.Range(0, labels.Count);
        var sorted = numeric
            ? order.OrderBy(k => numbers[k])
            : order.OrderBy(k => labels[k], StringComparer.OrdinalIgnoreCase).ThenBy(k => labels[k], StringComparer.Ordinal);
        return sorted.Select(k => labels[k]).ToArray();
    }

    static string ShowLabels(List<string> labels) => string.Join(", ", labels.Select(l => $"'{Clip(l)}'"));
}

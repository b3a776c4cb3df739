namespace Uplift.Data;

/// <summary>
/// How the labels of a treatment column map to T (METHOD.md section 10): T = 0 is <see cref="ControlLabel"/>,
/// T = k is <see cref="ArmLabels"/>[k − 1]; K = <see cref="Arms"/> = 1 is the binary campaign. Labels compare
/// case-insensitively, numbers in any spelling (1.0 = 1). The rules, on the training rows:
/// <list type="bullet">
/// <item>0/1 numbers or the known pairs (yes/no, true/false, ...), without --control: binary, read as always;
/// the labels are then reported as "0" and "1".</item>
/// <item>--control with one other label: binary, the other label is the treated arm.</item>
/// <item>--control with several other labels: K arms, the other labels sorted (numerically when all are numbers,
/// else ordinal case-insensitive); arm k is the k-th.</item>
/// <item>Numbers 0..K without --control (three or more labels, whole numbers): 0 is the control group and k is
/// arm k; each of 1..K must occur.</item>
/// <item>Three or more labels otherwise: an error asking for --control.</item>
/// </list>
/// At most <see cref="MaxArms"/> arms (<see cref="Dataset.T"/> is a byte; the budget path's hull per user grows with K).
/// </summary>
public sealed record TreatmentLabels
{
    /// <summary>The most arms besides control a treatment column may hold (16).</summary>
    public const int MaxArms = 16;

    /// <summary>The label of the control group (T = 0).</summary>
    public string ControlLabel { get; }
    /// <summary>The label of arm k at index k − 1.</summary>
    public IReadOnlyList<string> ArmLabels { get; }
    /// <summary>K, the number of arms besides control.</summary>
    public int Arms => ArmLabels.Count;
    /// <summary>True when the labels are written to the model file: with --control, or K &gt; 1. A 0/1 or
    /// known-pair binary column is not (its model file is unchanged), nor an older --control model read back.</summary>
    internal bool Saved { get; }

    internal TreatmentLabels(string control, IReadOnlyList<string> arms, bool saved)
    {
        ControlLabel = control; ArmLabels = arms; Saved = saved;
    }

    /// <summary>The binary coding read by the known pairs (or by an older model file's control label alone).</summary>
    internal static TreatmentLabels Binary(string? control) => new(control ?? "0", ["1"], saved: false);

    /// <summary>The index T of <paramref name="label"/> (control 0, arm k; case-insensitive, numbers in any spelling),
    /// or -1 when it is none of these labels.</summary>
    public int IndexOf(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        string l = Preprocessor.NormalLabel(label);
        if (string.Equals(l, ControlLabel, StringComparison.OrdinalIgnoreCase)) return 0;
        for (int k = 0; k < ArmLabels.Count; k++)
            if (string.Equals(l, ArmLabels[k], StringComparison.OrdinalIgnoreCase)) return k + 1;
        return -1;
    }

    /// <summary>The labels as shown in messages: "control 'none'; arms 'small', 'medium', 'large'".</summary>
    public override string ToString() =>
        $"control '{ControlLabel}'; arm{(Arms == 1 ? "" : "s")} {string.Join(", ", ArmLabels.Select(a => $"'{a}'"))}";
}

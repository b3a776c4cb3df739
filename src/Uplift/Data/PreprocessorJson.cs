using System.Text.Json.Nodes;

namespace Uplift.Data;

// The fitted preprocessing saved with the model: ToJson, and FromJson / FromModelJson reading it back.
public sealed partial class Preprocessor
{
    const string JsonKind = "uplift.preprocessor";
    const int JsonVersion = 1;

    /// <summary>The fitted preprocessing as JSON (roles, per-feature specs, output names, missing policy).</summary>
    public JsonObject ToJson()
    {
        var roles = new JsonObject
        {
            ["treatment"] = Roles.Treatment, ["value"] = Roles.Value, ["cost"] = Roles.Cost,
            ["propensity"] = Roles.Propensity, ["weight"] = Roles.Weight, ["id"] = Roles.Id,
        };
        if (Roles.Control is not null) roles["control"] = Roles.Control; // absent for 0/1 treatments (files unchanged)
        if (Labels.Saved) // with --control or several arms only: 0/1 and known-pair files are unchanged
            roles["arms"] = new JsonArray(ArmLabels.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
        var features = new JsonArray();
        foreach (var s in Specs)
        {
            var o = new JsonObject { ["column"] = s.Column };
            if (s.Kind == FeatureKind.Numeric)
            {
                o["kind"] = "numeric"; o["mean"] = s.Mean; o["sd"] = s.Sd;
            }
            else
            {
                o["kind"] = "categorical";
                o["vocabulary"] = new JsonArray(s.Vocabulary.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
                o["other"] = s.HasOther;
            }
            features.Add(o);
        }
        return new JsonObject
        {
            ["kind"] = JsonKind,
            ["version"] = JsonVersion,
            ["roles"] = roles,
            ["missingNumeric"] = MissingNumeric == MissingNumericPolicy.ImputeMean ? "impute-mean" : "error",
            ["features"] = features,
            ["featureNames"] = new JsonArray(FeatureNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
        };
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote; throws <see cref="UpliftException"/> naming the field when it is malformed.</summary>
    public static Preprocessor FromJson(JsonObject json) => FromModelJson(Uplift.IO.ModelJson.FromNode(json, "preprocessor", "model file"));

    /// <summary>
    /// Reads the preprocessor section of a model file. Bounds: a numeric feature's mean is finite with magnitude at
    /// most 1e30 and its sd is in [1e-12, 1e30] (training writes sd &gt; 1e-12, or 1 for a constant column); a
    /// vocabulary has no repeated category; the output names are exactly those the specs make.
    /// </summary>
    internal static Preprocessor FromModelJson(Uplift.IO.ModelJson section)
    {
        var json = section.WithSource($"{section.Source}: invalid preprocessor");
        json.Choice("kind", JsonKind);
        int version = json.Int("version");
        if (version != JsonVersion) throw json.Error("version", $"is {version}, not supported (expected {JsonVersion})");
        var r = json.Object("roles");
        var roles = new ColumnRoles(r.String("treatment"), r.String("value"), r.String("cost"))
        {
            Propensity = r.OptionalString("propensity"), Weight = r.OptionalString("weight"), Id = r.OptionalString("id"),
            Control = r.OptionalString("control"),
        };
        var labels = ReadLabels(r, roles.Control);
        var missing = json.Choice("missingNumeric", "impute-mean", "error") == "impute-mean"
            ? MissingNumericPolicy.ImputeMean : MissingNumericPolicy.Error;
        var featureArray = json.Array("features");
        if (featureArray.Length == 0) throw featureArray.Error("must list at least one feature");
        var specs = new List<FeatureSpec>(featureArray.Length);
        foreach (var o in featureArray.Items())
        {
            string column = o.String("column");
            if (o.Choice("kind", "numeric", "categorical") == "numeric")
            {
                specs.Add(new FeatureSpec(column, FeatureKind.Numeric, o.Double("mean"), o.Double("sd", 1e-12, 1e30), [], false));
                continue;
            }
            var vocabulary = o.Strings("vocabulary");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int k = 0; k < vocabulary.Length; k++)
                if (!seen.Add(vocabulary[k]))
                    throw o.Error($"vocabulary[{k}]", $"repeats the category '{Uplift.IO.ModelJson.Clip(vocabulary[k], 60)}'");
            bool other = o.Bool("other");
            if (vocabulary.Length == 0 && !other) throw o.Error("vocabulary", "is empty and there is no 'other' column: the feature would have no output");
            specs.Add(new FeatureSpec(column, FeatureKind.Categorical, 0, 1, vocabulary, other));
        }
        roles = roles with { Features = specs.Select(s => s.Column).ToArray() };
        try { roles.CheckNames(null); }
        catch (UpliftDataException e) { throw json.Error("roles", $"and features do not name the columns consistently: {e.Message}"); }
        var pre = new Preprocessor(roles, specs, missing, labels);
        var names = json.Strings("featureNames", pre.FeatureNames.Count, "one per output feature of the specs");
        for (int k = 0; k < names.Length; k++)
            if (names[k] != pre.FeatureNames[k])
                throw json.Error($"featureNames[{k}]", $"is '{Uplift.IO.ModelJson.Clip(names[k], 60)}' but the feature specs make '{Uplift.IO.ModelJson.Clip(pre.FeatureNames[k], 60)}'");
        return pre;
    }

    /// <summary>
    /// The treatment labels of the roles: "arms" (absent: binary, read as before) lists 1 to
    /// <see cref="TreatmentLabels.MaxArms"/> distinct labels (case-insensitive), none the control label; one arm only with a
    /// control label; without one, the arms are "1".."K" (K &gt;= 2) and the control label is "0".
    /// </summary>
    static TreatmentLabels ReadLabels(Uplift.IO.ModelJson roles, string? control)
    {
        string? ctl = control is null ? null : NormalLabel(control);
        if (!roles.Has("arms")) return TreatmentLabels.Binary(ctl);
        var arms = roles.Strings("arms");
        if (arms.Length is 0 or > TreatmentLabels.MaxArms)
            throw roles.Error("arms", $"lists {arms.Length} labels; 1 to {TreatmentLabels.MaxArms} are supported");
        for (int k = 0; k < arms.Length; k++)
        {
            string a = arms[k];
            string at = $"arms[{k}]";
            if (a.Trim().Length == 0 || a != NormalLabel(a)) throw roles.Error(at, "must be a label without surrounding spaces, numbers written as 1 not 1.0");
            if (ctl is not null && SameLabel(a, ctl)) throw roles.Error(at, "is the control label");
            for (int j = 0; j < k; j++)
                if (SameLabel(a, arms[j])) throw roles.Error(at, $"repeats the label '{Uplift.IO.ModelJson.Clip(a, 60)}'");
            if (ctl is null && a != (k + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
                throw roles.Error(at, $"must be {k + 1}: without a control label the arms are the numbers 1..K");
        }
        if (ctl is null && arms.Length == 1) throw roles.Error("arms", "lists one arm without a control label (a 0/1 treatment records no arms)");
        return new TreatmentLabels(ctl ?? "0", arms, saved: true);
    }
}

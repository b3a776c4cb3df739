using System.CommandLine;
using System.Text.Json.Nodes;
using Uplift.Evaluation;
using Uplift.Experiments;
using Uplift.Models.Propensity;

namespace Uplift.Cli;

/// <summary>
/// The flags of observational evaluation (METHOD.md section 11), shared by 'train' and 'compare': a propensity from the
/// --propensity column or --propensity-fit logistic|boosted (cross-fitted on the feature columns, which --features /
/// --exclude choose), --doubly-robust and --trim. (The causal forest's own --propensity-model flag names how the
/// forest estimates ê for its fit; --propensity-fit names the model of the evaluation.)
/// </summary>
sealed class ObservationalFlags
{
    readonly Option<string?> _fit = new("--propensity-fit")
    {
        Description = "Evaluate as observational data with a propensity model cross-fitted on the feature columns: " +
            string.Join(" or ", PropensityModels.Table.Names) + " (default: the --propensity column when given, else randomized evaluation).",
    };
    readonly Option<bool> _dr = new("--doubly-robust") { Description = "With a propensity, doubly robust (AIPW) curves with cross-fitted outcome models instead of IPW." };
    readonly Option<double?> _trim = new("--trim") { Description = "With a propensity, leave out users whose propensity is outside [P, 1-P] (e.g. 0.02)." };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(_fit); cmd.Options.Add(_dr); cmd.Options.Add(_trim);
    }

    /// <summary>The observational options of the flags; null (randomized evaluation, numbers as without these flags) when
    /// neither a propensity column nor a propensity model is given.</summary>
    public ObservationalOptions? Build(ParseResult r, bool hasPropensityColumn)
    {
        var fit = r.GetValue(_fit);
        PropensityModelKind? model = null;
        if (fit is not null)
            model = PropensityModels.Table.TryParse(fit, out var k) ? k
                : throw new UpliftOptionException("--propensity-fit", $"unknown model '{fit}'; expected one of {string.Join(", ", PropensityModels.Table.Names)}.");
        UpliftOptionException.Check(!(fit is not null && hasPropensityColumn), "--propensity-fit", "give either a --propensity column or --propensity-fit, not both.");
        bool dr = r.GetValue(_dr);
        double? trim = r.GetValue(_trim);
        if (model is null && !hasPropensityColumn)
        {
            UpliftOptionException.Check(!dr, "--doubly-robust", "needs a propensity: --propensity COL or --propensity-fit logistic|boosted.");
            UpliftOptionException.Check(trim is null, "--trim", "needs a propensity: --propensity COL or --propensity-fit logistic|boosted.");
            return null;
        }
        UpliftOptionException.Check(trim is null || (trim > 0 && trim < 0.5), "--trim", "must be in (0, 0.5).");
        return new ObservationalOptions { Model = model, DoublyRobust = dr, Trim = trim };
    }

    /// <summary>The JSON of the observational evaluation of a repeat's test users (null when randomized).</summary>
    public static JsonObject? Json(ObservedUsers? o) => o is null ? null : new JsonObject
    {
        ["adjustment"] = o.Adjustment.Kind == AdjustmentKind.Ipw ? "ipw" : "doubly-robust",
        ["propensity"] = o.Adjustment.Source,
        ["kept_users"] = o.Rows.Length,
        ["overlap"] = new JsonObject
        {
            ["quantiles"] = "min, 5, 25, 50, 75, 95 %, max",
            ["treated"] = Arm(o.Overlap.Treated), ["control"] = Arm(o.Overlap.Control),
            ["warning"] = o.Overlap.Warning,
        },
    };

    static JsonObject Arm(ArmOverlap a) => new()
    {
        ["users"] = a.Users, ["outside_0.02_0.98"] = a.Outside,
        ["quantiles"] = new JsonArray([.. a.Quantiles.Select(q => (JsonNode)q)]),
    };

    /// <summary>The lines the console shows for the observational evaluation (empty when randomized).</summary>
    public static IEnumerable<string> Lines(ObservedUsers? o)
    {
        if (o is null) yield break;
        string kind = o.Adjustment.Kind == AdjustmentKind.Ipw ? "inverse-propensity weighted" : "doubly robust";
        yield return $"observational evaluation: {kind} cost curves (METHOD.md section 11), propensity {o.Adjustment.Source}, {o.Rows.Length} test users kept";
        foreach (var line in OverlapLines(o.Overlap)) yield return line;
    }

    /// <summary>The propensity's distribution by arm and the overlap warning, as the console shows them.</summary>
    public static IEnumerable<string> OverlapLines(OverlapReport overlap)
    {
        foreach (var a in new[] { overlap.Treated, overlap.Control })
            yield return $"  propensity of {a.Arm} ({a.Users}): min {a.Quantiles.ElementAtOrDefault(0):0.000}, median {a.Quantiles.ElementAtOrDefault(3):0.000}, max {a.Quantiles.ElementAtOrDefault(6):0.000}; outside [0.02, 0.98]: {a.Outside}";
        if (overlap.Warning is { } w) yield return "warning: " + w;
    }
}

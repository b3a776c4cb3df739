using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Experiments;

namespace Uplift.Cli;

/// <summary>One evaluated ranking: its cost curve, AUCC and value captured at 10/20/30 % of the incremental cost.</summary>
sealed record ScoreRow(string Name, CostCurveResult Curve, IReadOnlyList<ValueAtCost> ValueAt, BootstrapSummary? Ci)
{
    /// <summary>With several arms: the budget path's value at budgets and per-arm split (the curve is then the multi-arm one).</summary>
    public MultiArmEvaluation? Arms { get; init; }
    /// <summary>The whole evaluation (the metrics other tools report, the adjustment), when the row comes from one.</summary>
    public RankingEvaluation? Eval { get; init; }

    public double Aucc => Curve.Aucc;
    public double ValueAt20 => ValueAt.First(v => Math.Abs(v.Share - 0.2) < 1e-9).Value;

    /// <summary>The row of an evaluation by the experiment (at the standard cost shares).</summary>
    public static ScoreRow From(string name, RankingEvaluation e) => new(name, e.Curve, e.ValueAt, e.Ci) { Arms = e.Arms, Eval = e };

    /// <summary>The row of <paramref name="score"/> (with the metrics other tools report unless <paramref name="metrics"/> is
    /// false; inverse-propensity weighted with <paramref name="adjustment"/>).</summary>
    public static ScoreRow Evaluate(string name, ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, CostCurveOptions curveOptions, int bootstrap, long seed, Adjustment? adjustment = null, bool metrics = false) =>
        From(name, Experiment.Evaluate(score, t, v, c, new EvaluationOptions
        {
            Curve = curveOptions, BootstrapReplicates = bootstrap, Metrics = metrics ? UpliftMetricsOptions.Default : null,
        }, seed, adjustment));

    /// <summary>The row as JSON; with several arms also the value at budgets, users per arm by <paramref name="labels"/> (arms, control).</summary>
    public JsonObject ToJson((IReadOnlyList<string> Arms, string Control)? labels = null)
    {
        var o = new JsonObject
        {
            ["name"] = Name,
            ["aucc"] = Aucc,
            ["value_at_10pct_cost"] = ValueAt[0].Value,
            ["value_at_20pct_cost"] = ValueAt[1].Value,
            ["value_at_30pct_cost"] = ValueAt[2].Value,
        };
        if (Ci is not null)
        {
            o["aucc_ci_low"] = Ci.Lower;
            o["aucc_ci_high"] = Ci.Upper;
            o["aucc_bootstrap_sd"] = Ci.StdDev;
        }
        if (Eval is { } e && MetricsJson.Of(e) is { } m) o["metrics"] = m;
        if (Arms is { } a && labels is { } l)
        {
            o["multiarm"] = true;
            o["value_at_budgets"] = ArmsJson.Budgets(a, l.Arms, l.Control);
        }
        return o;
    }

    public static string Table(IReadOnlyList<ScoreRow> rows)
    {
        bool ci = rows.Any(r => r.Ci is not null);
        var headers = new List<string> { "ranking", "AUCC" };
        if (ci) headers.Add("95% CI");
        headers.AddRange(["value@10% cost", "value@20% cost", "value@30% cost"]);
        var table = new TextTable([.. headers]);
        foreach (var r in rows)
        {
            var cells = new List<string> { r.Name, Common.F3(r.Aucc) };
            if (ci) cells.Add(r.Ci is null ? "" : $"{Common.F3(r.Ci.Lower)}-{Common.F3(r.Ci.Upper)}");
            cells.AddRange(r.ValueAt.Select(v => $"{Common.F3(v.Value)} ({v.LiftVsRandom:0.0}x)"));
            table.Add([.. cells]);
        }
        return table.ToString();
    }

    /// <summary>Writes the plot of the rows' cost curves: SVG or PNG by the file's extension (both when it has none).</summary>
    public static IReadOnlyList<string> WritePlot(string path, IReadOnlyList<ScoreRow> rows, string title, string? subtitle = null)
    {
        var curves = rows.Select(r => (r.Name, r.Curve)).ToList();
        var options = CostCurvePlotOptions.Default with { Subtitle = subtitle };
        string ext = Path.GetExtension(path).ToLowerInvariant();
        var written = new List<string>();
        if (ext is ".svg" or "")
        {
            string p = ext == "" ? path + ".svg" : path;
            CostCurvePlot.WriteSvg(p, curves, title, options);
            written.Add(p);
        }
        if (ext is ".png" or "")
        {
            string p = ext == "" ? path + ".png" : path;
            CostCurvePlot.WritePng(p, curves, title, options);
            written.Add(p);
        }
        if (written.Count == 0) throw new UpliftOptionException("--plot", $"'{path}': use a .svg or .png file name (or none, for both).");
        return written;
    }
}

/// <summary>How the commands show a multi-arm evaluation (METHOD.md section 10): arms by their labels, value at budgets.</summary>
static class ArmsJson
{
    /// <summary>The arm labels, comma-separated, in T order (arm k = label k).</summary>
    public static string Labels(Preprocessor p) => string.Join(", ", p.ArmLabels);

    /// <summary>The label of arm <paramref name="a"/> (0 = control).</summary>
    public static string Label(IReadOnlyList<string> arms, string control, int a) => a == 0 ? control : arms[a - 1];

    /// <summary>The value at fixed budgets as JSON: per budget share, the budget, the path's planned value and cost, the
    /// held-out estimate and the users per arm (by label).</summary>
    public static JsonArray Budgets(MultiArmEvaluation e, Preprocessor p) => Budgets(e, p.ArmLabels, p.ControlLabel);

    public static JsonArray Budgets(MultiArmEvaluation e, IReadOnlyList<string> arms, string control) =>
        new([.. e.ValueAtBudgets.Select(b => (JsonNode)new JsonObject
        {
            ["share"] = b.Share, ["budget"] = b.Budget, ["planned_value"] = b.PlannedValue, ["planned_cost"] = b.PlannedCost,
            ["value"] = b.Value, ["cost"] = b.Cost,
            ["users"] = new JsonObject(b.ArmCounts.Select((n, a) => KeyValuePair.Create(Label(arms, control, a), (JsonNode?)n))),
        })]);

    /// <summary>One line per budget share: "value at 50 % of the full budget: 123 (cost 45); users small 10, ...".</summary>
    public static IEnumerable<string> BudgetLines(MultiArmEvaluation e, IReadOnlyList<string> arms, string control) =>
        e.ValueAtBudgets.Select(b => $"  {b.Share * 100:0}% of the full budget ({Common.F3(b.Budget)}): held-out value {Common.F3(b.Value)}, cost {Common.F3(b.Cost)}; users " +
            string.Join(", ", b.ArmCounts.Select((n, a) => $"{Label(arms, control, a)} {n}")));
}

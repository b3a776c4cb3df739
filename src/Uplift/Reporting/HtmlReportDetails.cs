using System.Text;
using Uplift.Evaluation;

namespace Uplift.Reporting;

// Issue 12's report blocks that describe rather than rank: the calibration test of the learners that estimate effects,
// what each model file records about its model, and the missing values of the data the report was computed on.
public static partial class HtmlReport
{
    static void WriteCalibration(StringBuilder sb, ReportNumbers m)
    {
        if (m.Arms > 1) return; // one arm: the tests compare tau against the DR scores of treated vs control
        sb.Append("<section id=\"calibration\">\n<h2>Calibration of the effect estimates</h2>\n")
          .Append("<p class=\"lead\">The test of grf's <em>test_calibration</em>: the doubly robust scores of V (and of C) regressed on the mean ")
          .Append("prediction and on the prediction's deviation from it (METHOD.md section 11). A mean coefficient near 1: the average effect is right; ")
          .Append("a differential coefficient near 1: the differences between users are right (0: no information on who gains more). ")
          .Append("HC3 standard errors; one-sided p-values of “coefficient ≤ 0”.</p>\n");
        foreach (var r in m.Models)
        {
            sb.Append("<h3>");
            Swatch(sb, r.Color);
            sb.Append(Esc(r.Name)).Append("</h3>\n");
            if (!r.EstimatesEffects)
            {
                sb.Append("<p class=\"note\">Not an effect estimator: no effect estimates were given for this model (a learner that only ranks, such as DRM or CRM: its score is not an estimate of tau_v or tau_c), so there is nothing to calibrate.</p>\n");
                continue;
            }
            if (r.CalibrationValue is not null || r.CalibrationCost is not null)
            {
                sb.Append("<div class=\"table-wrap\">\n<table class=\"calibration\">\n<thead><tr><th>Effect</th><th>Coefficient</th><th class=\"num\">Estimate</th>")
                  .Append("<th class=\"num\">Std. error</th><th class=\"num\">t</th><th class=\"num\">p-value</th></tr></thead>\n<tbody>\n");
                CalibrationRows(sb, "tau_v (value)", r.CalibrationValue);
                CalibrationRows(sb, "tau_c (cost)", r.CalibrationCost);
                sb.Append("</tbody>\n</table>\n</div>\n");
            }
            if (r.CalibrationNote is { } note) sb.Append("<p class=\"note\">Not defined: ").Append(Esc(note)).Append("</p>\n");
        }
        sb.Append("</section>\n");
    }

    static void CalibrationRows(StringBuilder sb, string effect, CalibrationResult? c)
    {
        if (c is null) return;
        foreach (var (label, k) in new[] { ("mean prediction", c.Mean), ("differential prediction", c.Differential) })
            sb.Append("<tr><td>").Append(Esc(effect)).Append("</td><td>").Append(label).Append("</td><td class=\"num strong\">").Append(A3(k.Estimate))
              .Append("</td><td class=\"num\">").Append(A3(k.Se)).Append("</td><td class=\"num\">").Append(Num(k.T))
              .Append("</td><td class=\"num\">").Append(PValue(k.PValue)).Append("</td></tr>\n");
    }

    static string PValue(double p) => double.IsNaN(p) ? "n/a" : p < 0.001 ? "&lt; 0.001" : p.ToString("0.000", Inv);

    const string NotRecorded = "<span class=\"ci\">not recorded</span>";

    static void WriteModelDetails(StringBuilder sb, ReportInput input, ReportNumbers m)
    {
        if (input.Models.All(x => x.Details is null)) return;
        sb.Append("<section id=\"model-details\">\n<h2>Model details</h2>\n")
          .Append("<p class=\"lead\">What each model file records about its model. A field the file does not hold is shown as “not recorded”.</p>\n");
        for (int k = 0; k < input.Models.Count; k++)
        {
            if (input.Models[k].Details is not { } d) continue;
            sb.Append("<h3>");
            Swatch(sb, m.Models[k].Color);
            sb.Append(Esc(input.Models[k].Name)).Append("</h3>\n<table class=\"kv\">\n<tbody>\n");
            Kv(sb, "Learner", d.AutoChosen is { } ch ? $"{Esc(d.Learner)} <span class=\"ci\">chose</span> <span class=\"strong\">{Esc(ch)}</span>" : Esc(d.Learner));
            Kv(sb, d.AutoChosen is null ? "Settings" : "Settings of the chosen model", d.Settings is { Count: > 0 } s
                ? string.Join(" · ", s.Select(kv => $"{Esc(kv.Key)} <span class=\"strong\">{Esc(kv.Value)}</span>")) : NotRecorded);
            Kv(sb, "Trained with", d.TrainedWith is { } cmd ? $"<code>{Esc(cmd)}</code>" : NotRecorded);
            Kv(sb, "Training users", d.TrainRows is { } tr ? Count(tr) : NotRecorded);
            Kv(sb, "Training users per arm", d.TrainRowsPerArm is { Count: > 0 } pa
                ? string.Join(" · ", pa.Select(kv => $"{Esc(kv.Key)} {Count(kv.Value)}")) : NotRecorded);
            Kv(sb, "Validation AUCC", d.ValidationAucc is { } va
                ? $"<span class=\"strong\">{A3(va)}</span>" + (d.ValidRows is { } vr ? $" <span class=\"ci\">on {Count(vr)} validation users</span>" : "") : NotRecorded);
            sb.Append("</tbody>\n</table>\n");
            if (d.AutoCandidates is { Count: > 0 } cands)
            {
                sb.Append("<div class=\"table-wrap\">\n<table class=\"auto-candidates\">\n<thead><tr><th>Candidate</th><th>Learner</th><th>Settings</th>")
                  .Append("<th class=\"num\">Tune AUCC</th><th class=\"num\">Judge AUCC</th></tr></thead>\n<tbody>\n");
                foreach (var c in cands)
                {
                    bool chosen = c.Name == d.AutoChosen;
                    sb.Append(c.Ran ? "<tr>" : "<tr class=\"muted-row\">").Append("<td>").Append(Esc(c.Name))
                      .Append(chosen ? " <span class=\"badge\">chosen</span>" : "").Append("</td><td>").Append(Esc(c.Kind)).Append("</td><td>").Append(Esc(c.Settings))
                      .Append("</td><td class=\"num\">").Append(c.TuneAucc is { } ta ? A3(ta) : "").Append("</td><td class=\"num strong\">")
                      .Append(c.Ran ? A3(c.JudgeAucc!.Value) : c.Stopped ? "<span class=\"ci\">stopped at the time limit</span>" : "<span class=\"ci\">skipped (time limit)</span>").Append("</td></tr>\n");
                }
                sb.Append("</tbody>\n</table>\n</div>\n<p class=\"note\">Nested validation: each candidate tuned on one half of the validation users ")
                  .Append("(tune AUCC) and judged on the other (judge AUCC); the highest judge AUCC is chosen.</p>\n");
            }
        }
        sb.Append("</section>\n");
    }

    static void WriteMissing(StringBuilder sb, MissingValueSummary s)
    {
        sb.Append("<section id=\"missing-values\">\n<h2>Missing values</h2>\n");
        if (s.Columns.Count == 0)
        {
            sb.Append("<p class=\"note\">No feature column has a missing value (").Append(Count(s.FeatureColumns)).Append(" columns, ")
              .Append(Count(s.Rows)).Append(" rows).</p>\n</section>\n");
            return;
        }
        sb.Append("<p class=\"lead\">Feature columns of the data this report was computed on with at least one missing value (an empty cell or NA), ")
          .Append("and what the model's preprocessing does with one.</p>\n")
          .Append("<div class=\"table-wrap\">\n<table class=\"missing\">\n<thead><tr><th>Column</th><th class=\"num\">Missing</th><th class=\"num\">Share of rows</th>")
          .Append("<th>Handled by preprocessing</th></tr></thead>\n<tbody>\n");
        foreach (var c in s.Columns)
            sb.Append("<tr><td>").Append(Esc(c.Column)).Append("</td><td class=\"num strong\">").Append(Count(c.Missing)).Append("</td><td class=\"num\">")
              .Append(Pct1(c.Share)).Append("</td><td>").Append(c.Handling is { } h ? Esc(h) : NotRecorded).Append("</td></tr>\n");
        sb.Append("<tr class=\"total\"><td class=\"strong\">all ").Append(Count(s.FeatureColumns)).Append(" feature columns</td><td class=\"num strong\">")
          .Append(Count(s.MissingCells)).Append("</td><td class=\"num\">").Append(Pct1(s.CellShare)).Append(" of cells</td><td>")
          .Append(Count(s.RowsWithMissing)).Append(" of ").Append(Count(s.Rows)).Append(" rows have a missing value</td></tr>\n")
          .Append("</tbody>\n</table>\n</div>\n</section>\n");
    }
}

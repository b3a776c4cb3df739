using System.Globalization;
using System.Text;
using Uplift.Evaluation;
using Uplift.IO;

namespace Uplift.Reporting;

/// <summary>
/// One self-contained HTML page summarising an evaluation (METHOD.md sections 6 and 9): data summary, cost
/// curves, AUCC with bootstrap intervals, paired differences against a reference model, value captured at
/// 10/20/30 % of the incremental cost, an optional budget plan and permutation feature importance.
/// The page needs no network access (inline CSS and SVG, no script) and prints cleanly.
/// Every text from the input is HTML-escaped. The markup is also well-formed XML (void elements closed).
/// </summary>
public static partial class HtmlReport
{
    /// <summary>The library version shown in the header (assembly informational version without build metadata).</summary>
    public static string LibraryVersion => UpliftInfo.Version;

    /// <summary>Most feature-importance rows shown; the rest are summarised in one line.</summary>
    public const int MaxImportanceRows = 40;

    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    internal const string OracleColor = "#000000";
    const string RandomColor = "#8C8C8C";

    /// <summary>Computes every number of the report and returns the HTML page.</summary>
    public static string Render(ReportInput input)
    {
        var m = ReportNumbers.Compute(input);
        var sb = new StringBuilder(64 * 1024);
        WriteHead(sb, input);
        sb.Append("<body>\n<main>\n");
        WriteHeader(sb, input);
        WriteHighlights(sb, m);
        WriteData(sb, input, m);
        if (input.MissingValues is not null) WriteMissing(sb, input.MissingValues);
        WriteCurves(sb, input, m);
        WriteAucc(sb, m);
        WriteDifferences(sb, m);
        WriteValueAtCost(sb, m);
        WriteDeciles(sb, m);
        WriteCalibration(sb, m);
        if (m.Arms > 1) WriteBudgets(sb, input, m);
        if (input.Plan is not null) WritePlan(sb, input.Plan);
        if (input.ArmPlan is not null) WriteArmPlan(sb, input.ArmPlan);
        if (input.FeatureImportance is not null) WriteImportance(sb, input.FeatureImportance);
        WriteModelDetails(sb, input, m);
        WriteHowToRead(sb);
        if (input.Notes.Count > 0) WriteNotes(sb, input.Notes);
        WriteFooter(sb, input);
        sb.Append("</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>Renders the report and writes it to <paramref name="path"/> through <see cref="AtomicFile"/>
    /// (temporary file in the same folder, then rename; missing folders are created).</summary>
    public static void Write(string path, ReportInput input)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllText(path, Render(input));
    }

    // ---------------------------------------------------------------- sections

    static void WriteHead(StringBuilder sb, ReportInput input)
    {
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n")
          .Append("<meta name=\"generator\" content=\"Uplift ").Append(Esc(LibraryVersion)).Append("\" />\n")
          .Append("<title>").Append(Esc(input.Title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n");
    }

    static void WriteHeader(StringBuilder sb, ReportInput input)
    {
        var at = (input.GeneratedAt ?? DateTimeOffset.UtcNow).ToUniversalTime();
        sb.Append("<header class=\"page\">\n<p class=\"eyebrow\">Uplift evaluation report</p>\n<h1>").Append(Esc(input.Title)).Append("</h1>\n")
          .Append("<p class=\"meta\">Generated ").Append(Esc(at.ToString("yyyy-MM-dd HH:mm 'UTC'", Inv)))
          .Append(" · Uplift ").Append(Esc(LibraryVersion)).Append("</p>\n</header>\n");
    }

    static void WriteHighlights(StringBuilder sb, ReportNumbers m)
    {
        var best = m.Best;
        var at20 = best.AtCost.First(a => Math.Abs(a.Share - 0.2) < 1e-9);
        sb.Append("<section class=\"cards\" aria-label=\"Highlights\">\n");
        Card(sb, m.Models.Count > 1 ? (m.BestIsClear ? "Best model by AUCC" : "Highest AUCC (not clearly best)") : "Model", best.Name,
            $"AUCC {A3(best.Curve.Aucc)} <span class=\"ci\">[{A3(best.Boot.Lower)}, {A3(best.Boot.Upper)}]</span>", best.Color);
        Card(sb, "Value at 20% of the cost", Pct1(at20.Value),
            $"{Esc(best.Name)} captures {Pct1(at20.Value)} of the incremental value; random would capture 20% ({Times(at20.LiftVsRandom)} random)", null);
        Card(sb, "Evaluation set", $"{Count(m.N)} users",
            $"{Pct1((double)m.Treated / m.N)} treated · incremental value per user {Num(m.IncValue)}", null);
        sb.Append("</section>\n");
    }

    static void Card(StringBuilder sb, string label, string value, string subHtml, string? color)
    {
        sb.Append("<div class=\"card\">\n<p class=\"label\">").Append(Esc(label)).Append("</p>\n<p class=\"value\">");
        if (color is not null) Swatch(sb, color);
        sb.Append(Esc(value)).Append("</p>\n<p class=\"sub\">").Append(subHtml).Append("</p>\n</div>\n");
    }

    static void WriteData(StringBuilder sb, ReportInput input, ReportNumbers m)
    {
        sb.Append("<section id=\"data\">\n<h2>Data</h2>\n<table class=\"kv\">\n<tbody>\n");
        if (!string.IsNullOrWhiteSpace(input.Source)) Kv(sb, "Source", Esc(input.Source!));
        Kv(sb, "Users", Count(m.N));
        Kv(sb, "Treated / control", $"{Count(m.Treated)} / {Count(m.N - m.Treated)} <span class=\"ci\">({Pct1((double)m.Treated / m.N)} treated)</span>");
        Kv(sb, "Incremental value per user", $"{Num(m.IncValue)} <span class=\"ci\">mean V over treated − mean V over control</span>");
        Kv(sb, "Incremental cost per user", $"{Num(m.IncCost)} <span class=\"ci\">mean C over treated − mean C over control</span>");
        if (m.IncCost > 0 && double.IsFinite(m.IncValue))
            Kv(sb, "Value per unit of cost (treat everyone)", Num(m.IncValue / m.IncCost));
        if (m.Arms > 1) WriteArmCounts(sb, input, m);
        Kv(sb, "Features", Count(input.Evaluation.Features));
        sb.Append("</tbody>\n</table>\n</section>\n");
    }

    static void Kv(StringBuilder sb, string key, string valueHtml) =>
        sb.Append("<tr><th scope=\"row\">").Append(Esc(key)).Append("</th><td>").Append(valueHtml).Append("</td></tr>\n");

    static void WriteCurves(StringBuilder sb, ReportInput input, ReportNumbers m)
    {
        var curves = m.Models.Select(r => (r.Name, r.Curve)).ToList();
        bool bands = m.Models.Any(r => r.Band is not null);
        var plot = new CostCurvePlotOptions
        {
            Oracle = m.Oracle?.Curve, Subtitle = $"{Count(m.N)} users · {m.Models[0].Curve.Segments} segments",
            Bands = bands ? [.. m.Models.Select(r => r.Band)] : null,
        };
        bool arms = m.Arms > 1;
        string title = arms ? "Multi-arm cost curves" : "Cost curves";
        string svg = CostCurvePlot.RenderSvg(curves, title, plot);
        sb.Append("<section id=\"curves\">\n<h2>").Append(title).Append("</h2>\n<figure class=\"plot\">\n").Append(svg)
          .Append(arms
              ? "<figcaption>Each model's budget path (METHOD.md section 10): users' upgrades between arms, steepest estimated value per cost first. Each point is a prefix of the path: the share of the "
              : "<figcaption>Users are targeted in order of decreasing score. Each point is a prefix of that order: the share of the whole set's ")
          .Append("incremental cost it spends (x) against the share of incremental value it captures (y). Higher and further left is better.")
          .Append(bands ? BandCaption(m) : "").Append("</figcaption>\n")
          .Append("</figure>\n</section>\n");
    }

    static string BandCaption(ReportNumbers m)
    {
        var b = m.Models.First(r => r.Band is not null).Band!;
        int failed = m.Models.Max(r => r.Band?.FailedReplicates ?? 0);
        return $" <span class=\"band-note\">Shaded: each model's pointwise 95% bootstrap band (2.5 and 97.5 percentiles of the value captured at each of {Count(b.Share.Length)} cost shares over "
            + $"{Count(b.Replicates)} resamples of the users, stratified by arm, seed {m.Boot.Seed.ToString(Inv)}: the resamples of the AUCC intervals; docs/METRICS.md)."
            + (failed > 0 ? $" Up to {Count(failed)} resamples per model had an undefined curve and were left out." : "") + "</span>";
    }

    static void WriteAucc(StringBuilder sb, ReportNumbers m)
    {
        var all = m.Models.Concat(m.Oracle is null ? [] : [m.Oracle]).ToList();
        double lo = Math.Min(0.5, all.Min(r => Math.Min(r.Boot.Lower, r.Curve.Aucc)));
        double hi = Math.Max(0.5, all.Max(r => Math.Max(r.Boot.Upper, r.Curve.Aucc)));
        double pad = Math.Max(0.01, (hi - lo) * 0.08);
        lo -= pad; hi += pad;
        bool anyFit = m.Models.Any(r => r.FitSeconds is not null);

        sb.Append("<section id=\"aucc\">\n<h2>").Append(m.Arms > 1 ? "Area under the multi-arm cost curve (multi-arm AUCC)" : "Area under the cost curve (AUCC)").Append("</h2>\n<div class=\"table-wrap\">\n<table>\n<thead><tr>")
          .Append("<th>Model</th><th class=\"num\">AUCC</th><th class=\"num\">95% CI</th><th class=\"num\">Bootstrap SD</th>")
          .Append("<th class=\"chart\">Interval <span class=\"ci\">(dashed: random, 0.5)</span></th>");
        if (anyFit) sb.Append("<th class=\"num\">Fit time</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var r in all)
        {
            sb.Append(r.IsOracle ? "<tr class=\"muted-row\">" : "<tr>").Append("<td>");
            Swatch(sb, r.Color);
            sb.Append(Esc(r.Name));
            if (r.IsOracle) sb.Append(" <span class=\"ci\">(true effects)</span>");
            if (ReferenceEquals(r, m.Best) && m.BestIsClear) sb.Append(" <span class=\"badge\">best</span>");
            else if (ReferenceEquals(r, m.Best) && m.Models.Count > 1) sb.Append(" <span class=\"ci\">(highest AUCC; not better than every other model by the paired 95% interval)</span>");
            sb.Append("</td><td class=\"num strong\">").Append(A3(r.Curve.Aucc)).Append("</td><td class=\"num\">[")
              .Append(A3(r.Boot.Lower)).Append(", ").Append(A3(r.Boot.Upper)).Append("]</td><td class=\"num\">")
              .Append(A3(r.Boot.StdDev)).Append("</td><td class=\"chart\">");
            IntervalSvg(sb, r.Curve.Aucc, r.Boot.Lower, r.Boot.Upper, lo, hi, 0.5, r.Color);
            sb.Append("</td>");
            if (anyFit) sb.Append("<td class=\"num\">").Append(r.FitSeconds is { } s ? Seconds(s) : "").Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("<tr class=\"muted-row\"><td>");
        Swatch(sb, RandomColor);
        sb.Append("random</td><td class=\"num strong\">0.500</td><td class=\"num\"></td><td class=\"num\"></td><td class=\"chart\"></td>");
        if (anyFit) sb.Append("<td class=\"num\"></td>");
        sb.Append("</tr>\n</tbody>\n</table>\n</div>\n");
        int failed = all.Max(r => r.Boot.FailedReplicates);
        sb.Append("<p class=\"note\">Intervals: 2.5 and 97.5 percentiles of ").Append(Count(m.Boot.Replicates))
          .Append(" bootstrap resamples of the users (stratified by arm, seed ").Append(m.Boot.Seed.ToString(Inv)).Append(").");
        if (failed > 0)
            sb.Append(" Up to ").Append(Count(failed)).Append(" resamples per model had an undefined cost curve (incremental cost or value not positive) and were left out.");
        sb.Append("</p>\n</section>\n");
    }

    static void WriteDifferences(StringBuilder sb, ReportNumbers m)
    {
        if (m.Diffs.Count == 0) return;
        double ext = m.Diffs.Max(d => Math.Max(Math.Abs(d.D.Lower), Math.Max(Math.Abs(d.D.Upper), Math.Abs(d.D.Estimate))));
        ext = Math.Max(ext * 1.1, 0.005);
        sb.Append("<section id=\"differences\">\n<h2>Paired differences against ").Append(Esc(m.Reference.Name)).Append("</h2>\n")
          .Append("<p class=\"lead\">AUCC of each model minus AUCC of the reference <strong>").Append(Esc(m.Reference.Name))
          .Append("</strong>, on the same bootstrap resamples (so the interval accounts for the models being scored on the same users).</p>\n")
          .Append("<div class=\"table-wrap\">\n<table>\n<thead><tr><th>Model</th><th class=\"num\">Difference</th><th class=\"num\">95% CI</th>")
          .Append("<th class=\"num\">Resamples where better</th><th class=\"chart\">Interval <span class=\"ci\">(dashed: no difference)</span></th><th>Verdict</th></tr></thead>\n<tbody>\n");
        foreach (var d in m.Diffs)
        {
            string verdict, cls;
            if (d.D.Lower > 0) { verdict = "better"; cls = "pos"; }
            else if (d.D.Upper < 0) { verdict = "worse"; cls = "neg"; }
            else { verdict = "no clear difference"; cls = "ci"; }
            sb.Append("<tr><td>");
            Swatch(sb, d.Model.Color);
            sb.Append(Esc(d.Model.Name)).Append("</td><td class=\"num strong\">").Append(Signed(d.D.Estimate)).Append("</td><td class=\"num\">[")
              .Append(Signed(d.D.Lower)).Append(", ").Append(Signed(d.D.Upper)).Append("]</td><td class=\"num\">")
              .Append(double.IsNaN(d.ShareBetter) ? "" : Pct1(d.ShareBetter)).Append("</td><td class=\"chart\">");
            IntervalSvg(sb, d.D.Estimate, d.D.Lower, d.D.Upper, -ext, ext, 0, d.Model.Color);
            sb.Append("</td><td><span class=\"").Append(cls).Append("\">").Append(verdict).Append("</span></td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n</div>\n<p class=\"note\">“Better” or “worse” when the 95% interval excludes zero.</p>\n</section>\n");
    }

    static void WriteValueAtCost(StringBuilder sb, ReportNumbers m)
    {
        var shares = CostCurve.StandardShares;
        sb.Append("<section id=\"value-at-cost\">\n<h2>Value captured at a share of the cost</h2>\n")
          .Append("<p class=\"lead\">Share of the whole set's incremental value captured when the top-ranked users use the given share of its incremental cost, ")
          .Append("and the lift over random targeting (which captures the same share of value as of cost).</p>\n")
          .Append("<div class=\"table-wrap\">\n<table>\n<thead><tr><th>Model</th>");
        foreach (var s in shares) sb.Append("<th class=\"num\">").Append(Pct(s)).Append(" of cost</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        var all = m.Models.Concat(m.Oracle is null ? [] : [m.Oracle]);
        foreach (var r in all)
        {
            sb.Append(r.IsOracle ? "<tr class=\"muted-row\">" : "<tr>").Append("<td>");
            Swatch(sb, r.Color);
            sb.Append(Esc(r.Name)).Append("</td>");
            foreach (var a in r.AtCost)
                sb.Append("<td class=\"num\"><span class=\"strong\">").Append(Pct1(a.Value)).Append("</span> <span class=\"ci\">")
                  .Append(Times(a.LiftVsRandom)).Append("</span></td>");
            sb.Append("</tr>\n");
        }
        sb.Append("<tr class=\"muted-row\"><td>");
        Swatch(sb, RandomColor);
        sb.Append("random</td>");
        foreach (var s in shares) sb.Append("<td class=\"num\"><span class=\"strong\">").Append(Pct1(s)).Append("</span> <span class=\"ci\">1.00×</span></td>");
        sb.Append("</tr>\n</tbody>\n</table>\n</div>\n</section>\n");
    }

    static void WritePlan(StringBuilder sb, PlanSummary p)
    {
        string level = Pct(p.ConfidenceLevel);
        sb.Append("<section id=\"plan\">\n<h2>Budget plan</h2>\n<table class=\"kv\">\n<tbody>\n");
        if (!string.IsNullOrWhiteSpace(p.Model)) Kv(sb, "Model", Esc(p.Model!));
        Kv(sb, "Budget (incremental cost)", Num(p.Budget));
        Kv(sb, "Cut-off score", $"{Num(p.CutoffScore)} <span class=\"ci\">treat users scoring at or above it</span>");
        string share = Pct1(p.ShareTreated);
        if (p.Users is { } u) share += $" <span class=\"ci\">(about {Count((long)Math.Round(p.ShareTreated * u))} of {Count(u)} users)</span>";
        Kv(sb, "Share of users treated", share);
        Kv(sb, "Expected incremental value", $"<span class=\"strong\">{Num(p.IncrementalValue)}</span> <span class=\"ci\">{level} CI [{Num(p.IncrementalValueCi.Low)}, {Num(p.IncrementalValueCi.High)}]</span>");
        Kv(sb, "Expected incremental cost", $"<span class=\"strong\">{Num(p.IncrementalCost)}</span> <span class=\"ci\">{level} CI [{Num(p.IncrementalCostCi.Low)}, {Num(p.IncrementalCostCi.High)}]</span>");
        if (p.IncrementalCost > 0) Kv(sb, "Value per unit of cost", Num(p.IncrementalValue / p.IncrementalCost));
        sb.Append("</tbody>\n</table>\n");
        if (!string.IsNullOrWhiteSpace(p.Note)) sb.Append("<p class=\"note\">").Append(Esc(p.Note!)).Append("</p>\n");
        sb.Append("</section>\n");
    }

    static void WriteImportance(StringBuilder sb, ReportFeatureImportance fi)
    {
        ArgumentNullException.ThrowIfNull(fi.Result);
        var rows = fi.Result.Rows;
        var shown = rows.Take(MaxImportanceRows).ToList();
        double ext = shown.Count == 0 ? 1 : shown.Max(r => Math.Abs(r.MeanDrop) + r.StdDev);
        double neg = shown.Count == 0 ? 0 : shown.Max(r => Math.Max(0, -(r.MeanDrop - r.StdDev)));
        if (ext <= 0) ext = 1;
        sb.Append("<section id=\"importance\">\n<h2>Permutation feature importance</h2>\n<p class=\"lead\">Drop in AUCC of <strong>")
          .Append(Esc(fi.ModelName)).Append("</strong> (baseline ").Append(A3(fi.Result.BaselineAucc))
          .Append(") when a feature is shuffled across users, mean ± SD over ").Append(Count(fi.Result.Repeats))
          .Append(fi.Result.Repeats == 1 ? " shuffle" : " shuffles").Append(". One-hot columns of one source column are shuffled together. ")
          .Append("A drop near zero means the ranking does not use the feature.</p>\n")
          .Append("<div class=\"table-wrap\">\n<table>\n<thead><tr><th class=\"num\">#</th><th>Feature</th><th class=\"num\">Columns</th>")
          .Append("<th class=\"num\">AUCC drop</th><th class=\"num\">SD</th><th class=\"chart\">Drop</th></tr></thead>\n<tbody>\n");
        for (int i = 0; i < shown.Count; i++)
        {
            var r = shown[i];
            sb.Append("<tr><td class=\"num ci\">").Append((i + 1).ToString(Inv)).Append("</td><td>").Append(Esc(r.Feature))
              .Append("</td><td class=\"num\">").Append(Count(r.Columns.Length)).Append("</td><td class=\"num strong\">").Append(Signed(r.MeanDrop))
              .Append("</td><td class=\"num\">").Append(A3(r.StdDev)).Append("</td><td class=\"chart\">");
            BarSvg(sb, r.MeanDrop, r.StdDev, ext, neg);
            sb.Append("</td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n</div>\n");
        if (rows.Count > shown.Count)
            sb.Append("<p class=\"note\">").Append(Count(rows.Count - shown.Count)).Append(" more features with smaller drops are not shown.</p>\n");
        sb.Append("</section>\n");
    }

    static void WriteHowToRead(StringBuilder sb)
    {
        sb.Append("<section id=\"how-to-read\">\n<h2>How to read this</h2>\n")
          .Append("<p>A model ranks users by score and the campaign treats the top of the ranking first. The cost curve follows that ranking: ")
          .Append("for each share of users targeted it plots the share of the total incremental cost spent (x) against the share of the total ")
          .Append("incremental value gained (y), both estimated from the randomized treatment and control groups. ")
          .Append("The area under it (AUCC) is 0.5 for random targeting and approaches 1 for a ranking that finds all the value first; ")
          .Append("a model is worth deploying when its interval lies clearly above 0.5 and above the current practice.</p>\n</section>\n");
    }

    static void WriteNotes(StringBuilder sb, IReadOnlyList<string> notes)
    {
        sb.Append("<section id=\"notes\">\n<h2>Notes</h2>\n");
        foreach (var note in notes) sb.Append("<p>").Append(Esc(note ?? "")).Append("</p>\n");
        sb.Append("</section>\n");
    }

    static void WriteFooter(StringBuilder sb, ReportInput input)
    {
        var o = input.Options;
        var c = o.Curve;
        sb.Append("<footer>\n<p>Seed ").Append(o.Seed.ToString(Inv)).Append(" · ").Append(Count(o.BootstrapReplicates))
          .Append(" bootstrap replicates · cost curve: ").Append(c.Segments.ToString(Inv)).Append(" segments, grid ")
          .Append(Esc(c.Grid.ToString())).Append(", ties ").Append(Esc(c.Ties.ToString())).Append(", empty groups ").Append(Esc(c.EmptyGroup.ToString()))
          .Append(" · Uplift ").Append(Esc(LibraryVersion)).Append("</p>\n");
        if (!string.IsNullOrWhiteSpace(input.CommandLine))
            sb.Append("<p>Command: <code>").Append(Esc(input.CommandLine!)).Append("</code></p>\n");
        sb.Append("</footer>\n");
    }

    // ---------------------------------------------------------------- small inline SVGs

    const int ChartW = 180, ChartH = 18;

    /// <summary>A point with its interval on the axis [lo, hi], with a dashed reference line.</summary>
    static void IntervalSvg(StringBuilder sb, double est, double low, double high, double lo, double hi, double reference, string color)
    {
        double X(double v) => 6 + (Math.Clamp(v, lo, hi) - lo) / (hi - lo) * (ChartW - 12);
        double mid = ChartH / 2.0;
        sb.Append(Inv, $"<svg class=\"mini\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{ChartW}\" height=\"{ChartH}\" viewBox=\"0 0 {ChartW} {ChartH}\" role=\"img\" aria-label=\"{A3(est)} [{A3(low)}, {A3(high)}]\">")
          .Append(Inv, $"<line x1=\"{F(X(reference))}\" y1=\"1\" x2=\"{F(X(reference))}\" y2=\"{ChartH - 1}\" stroke=\"{RandomColor}\" stroke-width=\"1\" stroke-dasharray=\"3 2\"/>")
          .Append(Inv, $"<line x1=\"{F(X(low))}\" y1=\"{F(mid)}\" x2=\"{F(X(high))}\" y2=\"{F(mid)}\" stroke=\"{color}\" stroke-width=\"2\" stroke-linecap=\"round\"/>")
          .Append(Inv, $"<line x1=\"{F(X(low))}\" y1=\"{F(mid - 4)}\" x2=\"{F(X(low))}\" y2=\"{F(mid + 4)}\" stroke=\"{color}\" stroke-width=\"1.5\"/>")
          .Append(Inv, $"<line x1=\"{F(X(high))}\" y1=\"{F(mid - 4)}\" x2=\"{F(X(high))}\" y2=\"{F(mid + 4)}\" stroke=\"{color}\" stroke-width=\"1.5\"/>")
          .Append(Inv, $"<circle cx=\"{F(X(est))}\" cy=\"{F(mid)}\" r=\"4\" fill=\"{color}\" stroke=\"#FFFFFF\" stroke-width=\"1\"/>")
          .Append("</svg>");
    }

    /// <summary>A horizontal bar from 0 to <paramref name="value"/> with a ±sd whisker; negative values go left of the zero line.</summary>
    static void BarSvg(StringBuilder sb, double value, double sd, double ext, double negExt)
    {
        double w = ChartW - 8;
        double negShare = Math.Min(0.4, negExt / (ext + negExt));
        double zero = 4 + negShare * w;
        double scale = (w - negShare * w) / ext; // px per unit on the positive side, same on the negative side
        double X(double v) => Math.Clamp(zero + v * scale, 2, ChartW - 2);
        double x0 = Math.Min(X(0), X(value)), x1 = Math.Max(X(0), X(value));
        string fill = value >= 0 ? "#0072B2" : "#D55E00";
        sb.Append(Inv, $"<svg class=\"mini\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{ChartW}\" height=\"{ChartH}\" viewBox=\"0 0 {ChartW} {ChartH}\" role=\"img\" aria-label=\"{Signed(value)}\">")
          .Append(Inv, $"<rect x=\"{F(x0)}\" y=\"4\" width=\"{F(Math.Max(x1 - x0, 0.5))}\" height=\"{ChartH - 8}\" rx=\"2\" fill=\"{fill}\" fill-opacity=\"0.85\"/>");
        if (sd > 0)
            sb.Append(Inv, $"<line x1=\"{F(X(value - sd))}\" y1=\"{ChartH / 2}\" x2=\"{F(X(value + sd))}\" y2=\"{ChartH / 2}\" stroke=\"#222222\" stroke-width=\"1\"/>");
        sb.Append(Inv, $"<line x1=\"{F(zero)}\" y1=\"1\" x2=\"{F(zero)}\" y2=\"{ChartH - 1}\" stroke=\"#8C8C8C\" stroke-width=\"1\"/>")
          .Append("</svg>");
    }

    static void Swatch(StringBuilder sb, string color) =>
        sb.Append("<span class=\"swatch\" style=\"background:").Append(color).Append("\"></span>");

    // ---------------------------------------------------------------- formatting (invariant culture, true minus sign)

    /// <summary>HTML-escapes text for element content and quoted attribute values.</summary>
    public static string Esc(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length + 16);
        foreach (char ch in text)
        {
            switch (ch)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    // control characters are not allowed in HTML (nor XML) text; keep tab and newlines
                    if (char.IsControl(ch) && ch is not ('\t' or '\n' or '\r')) sb.Append('\uFFFD');
                    else sb.Append(ch);
                    break;
            }
        }
        return sb.ToString();
    }

    static string Minus(string s) => s.StartsWith('-') ? "\u2212" + s[1..] : s;
    static string F(double v) => Math.Round(v, 2).ToString(Inv);
    /// <summary>An AUCC-like number with three decimals ("0.634").</summary>
    internal static string A3(double v) => double.IsNaN(v) ? "n/a" : Minus(v.ToString("0.000", Inv));
    static string Signed(double v) => double.IsNaN(v) ? "n/a" : Math.Round(v, 3) == 0 ? "0.000" : (v > 0 ? "+" : "\u2212") + Math.Abs(v).ToString("0.000", Inv);
    /// <summary>A share as a label ("20%", "2.5%").</summary>
    static string Pct(double share) => double.IsNaN(share) ? "n/a" : Minus((share * 100).ToString("0.#", Inv)) + "%";
    /// <summary>A share as a measured value, always one decimal so that columns align ("25.0%").</summary>
    static string Pct1(double share) => double.IsNaN(share) ? "n/a" : Minus((share * 100).ToString("0.0", Inv)) + "%";
    static string Times(double x) => double.IsNaN(x) ? "n/a" : Minus(x.ToString("0.00", Inv)) + "×";
    static string Count(long n) => n.ToString("#,##0", Inv);
    static string Seconds(double s) => s < 60 ? s.ToString(s < 10 ? "0.0" : "0", Inv) + " s" : (s / 60).ToString("0.0", Inv) + " min";

    /// <summary>A general number with about four significant digits and thousands separators.</summary>
    static string Num(double v)
    {
        if (double.IsNaN(v)) return "n/a";
        if (double.IsInfinity(v)) return v > 0 ? "∞" : "\u2212∞";
        if (v == 0) return "0";
        int digits = (int)Math.Floor(Math.Log10(Math.Abs(v))) + 1;
        int decimals = Math.Clamp(4 - digits, 0, 6);
        return Minus(v.ToString("N" + decimals.ToString(Inv), Inv));
    }
}

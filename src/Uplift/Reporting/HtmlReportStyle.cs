namespace Uplift.Reporting;

// The report's inline style sheet.
public static partial class HtmlReport
{
    // ---------------------------------------------------------------- style

    const string Css = """
:root {
  --ink: #1d2330; --muted: #5d6677; --line: #e2e6ec; --soft: #f5f7fa; --accent: #0072B2;
  --good: #17794a; --bad: #b3361f;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--soft); color: var(--ink);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
  font-size: 15px; line-height: 1.55;
}
main { max-width: 1060px; margin: 0 auto; padding: 36px 24px 40px; }
header.page { padding: 0 4px 8px; }
.eyebrow { margin: 0; color: var(--accent); font-size: 12px; font-weight: 650; letter-spacing: 0.08em; text-transform: uppercase; }
h1 { margin: 6px 0 6px; font-size: 30px; line-height: 1.2; letter-spacing: -0.015em; font-weight: 700; }
h2 { margin: 0 0 12px; font-size: 18px; line-height: 1.3; font-weight: 650; }
h3 { margin: 18px 0 8px; font-size: 15px; line-height: 1.3; font-weight: 650; }
h3:first-of-type { margin-top: 4px; }
.meta { margin: 0; color: var(--muted); font-size: 13.5px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 22px 26px; margin: 18px 0; }
section.cards { background: none; border: none; padding: 0; display: grid; gap: 14px; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 16px 18px; }
.card p { margin: 0; }
.card .label { color: var(--muted); font-size: 12.5px; font-weight: 600; letter-spacing: 0.04em; text-transform: uppercase; }
.card .value { margin: 6px 0 4px; font-size: 24px; font-weight: 700; line-height: 1.25; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.card .sub { color: var(--muted); font-size: 13.5px; font-variant-numeric: tabular-nums; }
.lead { margin: -4px 0 14px; color: var(--muted); font-size: 14px; max-width: 78ch; }
.note { margin: 12px 0 0; color: var(--muted); font-size: 13px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 8px 12px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: middle; }
thead th { color: var(--muted); font-size: 12.5px; font-weight: 600; border-bottom: 2px solid var(--line); white-space: nowrap; }
tbody tr:last-child td, tbody tr:last-child th { border-bottom: none; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.chart, th.chart { width: 196px; padding-top: 4px; padding-bottom: 4px; }
svg.mini, svg.deciles { display: block; }
table.kv th { width: 34%; color: var(--muted); font-weight: 500; white-space: normal; border-bottom: 1px solid var(--line); }
table.kv td { font-variant-numeric: tabular-nums; }
tr.muted-row td { color: var(--muted); }
.strong { font-weight: 650; color: var(--ink); }
.ci { color: var(--muted); font-weight: 400; }
.pos { color: var(--good); font-weight: 600; }
.neg { color: var(--bad); font-weight: 600; }
.badge { display: inline-block; margin-left: 6px; padding: 0 7px; border-radius: 9px; background: #e6f1f8; color: var(--accent); font-size: 11.5px; font-weight: 650; line-height: 18px; vertical-align: 1px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 8px; border-radius: 2px; vertical-align: 0; }
.card .swatch { width: 14px; height: 14px; margin-right: 10px; border-radius: 3px; }
figure.plot { margin: 0; }
figure.plot > svg { display: block; width: 100%; max-width: 640px; height: auto; margin: 0 auto; }
figcaption { max-width: 640px; margin: 10px auto 0; color: var(--muted); font-size: 13px; }
#how-to-read p, #notes p { margin: 0 0 8px; max-width: 80ch; }
footer { padding: 6px 4px; color: var(--muted); font-size: 13px; }
footer p { margin: 4px 0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; background: #eceff3; padding: 2px 6px; border-radius: 4px; overflow-wrap: anywhere; }
@media (max-width: 640px) {
  main { padding: 18px 10px 28px; }
  section { padding: 16px 14px; border-radius: 10px; }
  h1 { font-size: 24px; }
  th, td { padding: 7px 8px; }
}
@media print {
  body { background: #fff; font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  section { border: none; border-radius: 0; padding: 0; margin: 0 0 16pt; break-inside: avoid; }
  section.cards { grid-template-columns: repeat(3, 1fr); }
  .card { border: 1px solid #ccc; }
  .table-wrap { overflow: visible; }
  table { font-size: 9pt; }
  th, td { padding: 4px 6px; }
  thead th { white-space: normal; }
  td.chart, th.chart { width: auto; }
  svg.mini { width: 110px; height: auto; }
  figure.plot > svg { max-width: 13cm; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}

""";
}

using Uplift.Benchmarks;
using Uplift.Models;
using Uplift.Models.Ranking;

namespace Uplift.Bench;

/// <summary>
/// Which parameters a CRM fit should keep (DrmOptions.Selection): the paper's CRM on the Covertype construction
/// (bench paper's faithful settings: plain ratio, linear scorer, no baseline), trained once per seed and rule,
/// with 3 and 5 restarts, kept by validation AUCC (DrmOptions.SelectionSegments segments) or by the validation
/// objective. Test AUCC (METHOD.md section 6, 10 segments) per seed.
/// Meant for seeds the paper table does not use (it uses 1-5).
/// </summary>
static class SelectionBench
{
    public sealed record Row(string Rule, int Restarts, double[] TestAucc, double[] ValidAucc, double Seconds);

    public static List<Row> Run(string covertypePath, int firstSeed, int seeds, Action<string> log)
    {
        var crm = PaperBenchmark.FaithfulSettings(PaperDataset.Covertype, new PaperBenchmarkOptions()).Crm;
        var cases = new List<(string Rule, int Restarts, ModelSelection Selection)>();
        foreach (int r in new[] { 3, 5 })
        {
            cases.Add(($"validation AUCC ({DrmOptions.SelectionSegments} segments)", r, ModelSelection.ValidationAucc));
            cases.Add(("validation objective", r, ModelSelection.ValidationObjective));
        }
        var test = cases.Select(_ => new double[seeds]).ToArray();
        var valid = cases.Select(_ => new double[seeds]).ToArray();
        var secs = new double[cases.Count];
        for (int k = 0; k < seeds; k++)
        {
            int seed = firstSeed + k;
            var data = CovertypeConstruction.Load(covertypePath, new CovertypeOptions { Seed = seed });
            for (int c = 0; c < cases.Count; c++)
            {
                var o = crm with { Drm = crm.Drm with { Restarts = cases[c].Restarts, Selection = cases[c].Selection } };
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var model = new CrmLearner(o).Fit(data.Train, data.Validation, new FitContext(seed));
                secs[c] += clock.Elapsed.TotalSeconds;
                test[c][k] = LearnerCatalog.ValidationAucc(data.Test, model.Score(data.Test));
                valid[c][k] = LearnerCatalog.ValidationAucc(data.Validation, model.Score(data.Validation));
            }
            log($"seed {seed}: " + string.Join(", ", cases.Select((x, c) => $"{(x.Selection == ModelSelection.ValidationAucc ? "aucc" : "objective")} r{x.Restarts} {test[c][k]:F3}")));
        }
        return [.. cases.Select((x, c) => new Row(x.Rule, x.Restarts, test[c], valid[c], secs[c] / seeds))];
    }

    public static string Format(IEnumerable<Row> rows)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("| kept by | restarts | test AUCC mean ± sd | min | median | valid AUCC (10 segments) of the kept fit | s per fit |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            double m = r.TestAucc.Average();
            double sd = Math.Sqrt(r.TestAucc.Sum(x => (x - m) * (x - m)) / Math.Max(1, r.TestAucc.Length - 1));
            var sorted = r.TestAucc.Order().ToArray();
            double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
            sb.AppendLine($"| {r.Rule} | {r.Restarts} | {m:F3} ± {sd:F3} | {sorted[0]:F3} | {median:F3} | {r.ValidAucc.Average():F3} | {r.Seconds:F1} |");
        }
        return sb.ToString();
    }
}

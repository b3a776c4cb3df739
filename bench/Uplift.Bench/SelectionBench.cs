using Uplift.Benchmarks;
using Uplift.Engine;
using Uplift.Evaluation;
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

    /// <summary>One snapshot of a training run: the criteria a selection rule could use, and the test AUCC.</summary>
    public sealed record Snapshot(int Seed, int Restart, int Step, double ValidObjective, double ValidAucc10, double ValidAucc100, double TestAucc);

    /// <summary>
    /// Every snapshot (every <paramref name="every"/> steps, <paramref name="restarts"/> restarts) of the same CRM
    /// training runs, replayed with the trainer's parts (CohortEngine, Adam, Network.Initialize with the trainer's
    /// seed streams): validation objective, validation AUCC on 10 and 100 segments, test AUCC.
    /// </summary>
    public static List<Snapshot> Snapshots(string covertypePath, int firstSeed, int seeds, int restarts, int every, Action<string> log)
    {
        var crm = PaperBenchmark.FaithfulSettings(PaperDataset.Covertype, new PaperBenchmarkOptions()).Crm;
        var o = crm.Drm;
        var spec = new ObjectiveSpec(o.Objective, o.Lambda, o.L1, o.ResolvedL2);
        MaskSpec Mask(int step) => new(crm.TopFraction, CohortObjective.Temperature(crm.T0, crm.TemperatureStep, crm.TemperatureEvery, step));
        var grid100 = new CostCurveOptions { Segments = 100 };
        var list = new List<Snapshot>();
        for (int seed = firstSeed; seed < firstSeed + seeds; seed++)
        {
            var data = CovertypeConstruction.Load(covertypePath, new CovertypeOptions { Seed = seed });
            var net = Network.Linear(data.Train.Features);
            double vs = RankingTrainer.Scale(data.Train.V), cs = RankingTrainer.Scale(data.Train.C);
            using var train = new CohortEngine(net, data.Train, vs, cs, null);
            using var valid = new CohortEngine(net, data.Validation, vs, cs, null, withGradient: false);
            var fv = new float[data.Validation.Rows]; var ft = new float[data.Test.Rows];
            var sv = new double[fv.Length]; var st = new double[ft.Length];
            var grad = new float[net.ParameterCount];
            for (int r = 0; r < restarts; r++)
            {
                var p = net.Initialize(seed, r);
                var adam = new Adam(net.ParameterCount, o.LearningRate);
                for (int step = 0; step < o.Steps; step++)
                {
                    train.Run(p, grad, spec, Mask(step));
                    adam.Step(p, grad);
                    if ((step + 1) % every != 0) continue;
                    RankingModel.RawScores(net, p, data.Validation, fv);
                    RankingModel.RawScores(net, p, data.Test, ft);
                    for (int i = 0; i < fv.Length; i++) sv[i] = fv[i];
                    for (int i = 0; i < ft.Length; i++) st[i] = ft[i];
                    var d = data.Validation;
                    list.Add(new Snapshot(seed, r, step + 1, valid.Evaluate(p, spec, Mask(o.Steps - 1)).G,
                        CostCurve.Aucc(sv, d.T, d.V, d.C), CostCurve.Aucc(sv, d.T, d.V, d.C, grid100),
                        CostCurve.Aucc(st, data.Test.T, data.Test.V, data.Test.C)));
                }
            }
            log($"seed {seed}: {list.Count} snapshots so far");
        }
        return list;
    }

    /// <summary>An AUCC this close to 1 means the curve jumped to (0, 1): the clipped-cost edge of METHOD.md section 6.</summary>
    const double Saturated = 0.9999;

    /// <summary>Correlation of each criterion with the test AUCC over all snapshots, and the saturated (tied) snapshots.</summary>
    public static string FormatSnapshots(List<Snapshot> snaps)
    {
        static double Corr(IReadOnlyList<double> a, IReadOnlyList<double> b)
        {
            double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
            for (int i = 0; i < a.Count; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
            return sab / Math.Sqrt(saa * sbb);
        }
        var test = snaps.Select(x => x.TestAucc).ToList();
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"| criterion, over {snaps.Count} snapshots | correlation with test AUCC | snapshots at 0.9999 or more (the curve jumps to (0, 1)) |");
        sb.AppendLine("|---|---:|---:|");
        sb.AppendLine($"| validation objective (plain ratio) | {Corr(snaps.Select(x => x.ValidObjective).ToList(), test):F2} | - |");
        sb.AppendLine($"| validation AUCC, 10 segments | {Corr(snaps.Select(x => x.ValidAucc10).ToList(), test):F2} | {snaps.Count(x => x.ValidAucc10 >= Saturated)} |");
        sb.AppendLine($"| validation AUCC, 100 segments | {Corr(snaps.Select(x => x.ValidAucc100).ToList(), test):F2} | {snaps.Count(x => x.ValidAucc100 >= Saturated)} |");
        sb.AppendLine();
        // Each criterion as a selection rule over the same snapshots: the highest value, the earliest among equals.
        sb.AppendLine("| kept by (over the replayed snapshots, earliest among equal values) | test AUCC mean ± sd | min |");
        sb.AppendLine("|---|---:|---:|");
        foreach (var (name, key) in new (string, Func<Snapshot, double>)[]
                 { ("validation objective", x => x.ValidObjective), ("validation AUCC, 10 segments", x => x.ValidAucc10), ("validation AUCC, 100 segments", x => x.ValidAucc100) })
        {
            var kept = snaps.GroupBy(x => x.Seed).Select(g => g.Aggregate((best, x) => key(x) > key(best) ? x : best).TestAucc).ToList();
            double m = kept.Average(), sd = Math.Sqrt(kept.Sum(x => (x - m) * (x - m)) / Math.Max(1, kept.Count - 1));
            sb.AppendLine($"| {name} | {m:F3} ± {sd:F3} | {kept.Min():F3} |");
        }
        sb.AppendLine();
        sb.AppendLine("| seed | snapshots with a 10-segment validation AUCC of 0.9999 or more | their test AUCC min - max |");
        sb.AppendLine("|---|---:|---|");
        foreach (var g in snaps.Where(x => x.ValidAucc10 >= Saturated).GroupBy(x => x.Seed).Where(g => g.Count() > 1))
            sb.AppendLine($"| {g.Key} | {g.Count()} | {g.Min(x => x.TestAucc):F3} - {g.Max(x => x.TestAucc):F3} |");
        return sb.ToString();
    }
}

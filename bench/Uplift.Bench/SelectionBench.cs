using Uplift.Paper;
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

    /// <summary>One judged snapshot of a fit: the criteria a selection rule could use, and the test AUCC.</summary>
    public sealed record Snapshot(long Seed, int Restart, int Step, double ValidObjective, double ValidAucc10, double ValidAucc100, double TestAucc);

    /// <summary>
    /// Fits the CRM per seed and rule. The 5-restart fit kept by validation AUCC is also observed snapshot by
    /// snapshot (every judged snapshot of the trainer): validation objective, validation AUCC on 10 and
    /// <see cref="DrmOptions.SelectionSegments"/> segments, test AUCC ranked by f.
    /// </summary>
    public static (List<Row> Rows, List<Snapshot> Snapshots) Run(string covertypePath, long firstSeed, int seeds, Action<string> log)
    {
        var crm = PaperBenchmark.FaithfulSettings(PaperDataset.Covertype, new PaperBenchmarkOptions()).Get<CrmOptions>();
        var cases = new List<(string Rule, int Restarts, ModelSelection Selection)>();
        foreach (int r in new[] { 3, 5 })
        {
            cases.Add(($"validation AUCC ({DrmOptions.SelectionSegments} segments)", r, ModelSelection.ValidationAucc));
            cases.Add(("validation objective", r, ModelSelection.ValidationObjective));
        }
        int observed = cases.FindIndex(x => x.Restarts == 5 && x.Selection == ModelSelection.ValidationAucc);
        var test = cases.Select(_ => new double[seeds]).ToArray();
        var valid = cases.Select(_ => new double[seeds]).ToArray();
        var secs = new double[cases.Count];
        var snapshots = new List<Snapshot>();
        for (int k = 0; k < seeds; k++)
        {
            long seed = firstSeed + k;
            var data = CovertypeConstruction.Load(covertypePath, new CovertypeOptions { Seed = seed });
            using var watch = new SnapshotCriteria(crm, data, seed, snapshots);
            for (int c = 0; c < cases.Count; c++)
            {
                var o = crm with { Drm = crm.Drm with { Restarts = cases[c].Restarts, Selection = cases[c].Selection } };
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var model = new CrmLearner(o) { Observer = c == observed ? watch.Observe : null }.Fit(data.Train, data.Validation, new FitContext(seed));
                secs[c] += clock.Elapsed.TotalSeconds;
                test[c][k] = LearnerCatalog.ValidationAucc(data.Test, model.Score(data.Test));
                valid[c][k] = LearnerCatalog.ValidationAucc(data.Validation, model.Score(data.Validation));
            }
            log($"seed {seed}: " + string.Join(", ", cases.Select((x, c) => $"{(x.Selection == ModelSelection.ValidationAucc ? "aucc" : "objective")} r{x.Restarts} {test[c][k]:F3}")));
        }
        return ([.. cases.Select((x, c) => new Row(x.Rule, x.Restarts, test[c], valid[c], secs[c] / seeds))], snapshots);
    }

    /// <summary>Computes a <see cref="Snapshot"/> from the parameters the trainer shows (the fit's network is linear).</summary>
    sealed class SnapshotCriteria : IDisposable
    {
        readonly Paper.PaperData _data;
        readonly long _seed;
        readonly List<Snapshot> _into;
        readonly Network _net;
        readonly CohortEngine _valid;
        readonly ObjectiveSpec _spec;
        readonly MaskSpec _finalMask;
        readonly float[] _fv, _ft;
        readonly double[] _sv, _st;
        static readonly CostCurveOptions Fine = new() { Segments = DrmOptions.SelectionSegments };

        public SnapshotCriteria(CrmOptions crm, Paper.PaperData data, long seed, List<Snapshot> into)
        {
            _data = data; _seed = seed; _into = into;
            var o = crm.Drm;
            _net = Network.Linear(data.Train.Features);
            // The validation objective as the trainer judges it: training scales, the mask at the final temperature.
            _valid = new CohortEngine(_net, data.Validation, RankingTrainer.Scale(data.Train.V), RankingTrainer.Scale(data.Train.C), null, withGradient: false);
            _spec = new ObjectiveSpec(o.Objective, o.Lambda, o.L1, o.ResolvedL2);
            _finalMask = new MaskSpec(crm.TopFraction, CohortObjective.Temperature(crm.T0, crm.TemperatureStep, crm.TemperatureEvery, o.Steps - 1));
            _fv = new float[data.Validation.Rows]; _ft = new float[data.Test.Rows];
            _sv = new double[_fv.Length]; _st = new double[_ft.Length];
        }

        public void Observe(int restart, int step, float[] p)
        {
            RankingModel.RawScores(_net, p, _data.Validation, _fv);
            RankingModel.RawScores(_net, p, _data.Test, _ft);
            for (int i = 0; i < _fv.Length; i++) _sv[i] = _fv[i];
            for (int i = 0; i < _ft.Length; i++) _st[i] = _ft[i];
            var (v, t) = (_data.Validation, _data.Test);
            _into.Add(new Snapshot(_seed, restart, step, _valid.Evaluate(p, _spec, _finalMask).G,
                CostCurve.Aucc(_sv, v.T, v.V, v.C), CostCurve.Aucc(_sv, v.T, v.V, v.C, Fine), CostCurve.Aucc(_st, t.T, t.V, t.C)));
        }

        public void Dispose() => _valid.Dispose();
    }

    public static string Format(IEnumerable<Row> rows)
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("| kept by | restarts | test AUCC mean ± sd | min | median | valid AUCC (10 segments) of the kept fit | s per fit |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in rows)
            sb.AppendLine($"| {r.Rule} | {r.Restarts} | {r.TestAucc.Average():F3} ± {BenchStats.Sd(r.TestAucc):F3} | {r.TestAucc.Min():F3} | {BenchStats.Median(r.TestAucc):F3} | {r.ValidAucc.Average():F3} | {r.Seconds:F1} |");
        return sb.ToString();
    }

    /// <summary>An AUCC this close to 1 means the curve jumped to (0, 1): the clipped-cost edge of METHOD.md section 6.</summary>
    const double Saturated = 0.9999;

    /// <summary>Correlation of each criterion with the test AUCC over all snapshots, each as a selection rule, and the saturated (tied) snapshots.</summary>
    public static string FormatSnapshots(List<Snapshot> snaps)
    {
        var test = snaps.Select(x => x.TestAucc).ToList();
        double Corr(Func<Snapshot, double> key) => BenchStats.Correlation(snaps.Select(key).ToList(), test);
        var sb = new System.Text.StringBuilder();
        sb.AppendLine($"| criterion, over {snaps.Count} snapshots | correlation with test AUCC | snapshots at 0.9999 or more (the curve jumps to (0, 1)) |");
        sb.AppendLine("|---|---:|---:|");
        sb.AppendLine($"| validation objective (plain ratio) | {Corr(x => x.ValidObjective):F2} | - |");
        sb.AppendLine($"| validation AUCC, 10 segments | {Corr(x => x.ValidAucc10):F2} | {snaps.Count(x => x.ValidAucc10 >= Saturated)} |");
        sb.AppendLine($"| validation AUCC, 100 segments | {Corr(x => x.ValidAucc100):F2} | {snaps.Count(x => x.ValidAucc100 >= Saturated)} |");
        sb.AppendLine();
        // Each criterion as a selection rule over the same snapshots: the highest value, the earliest among equals.
        sb.AppendLine("| kept by (over the observed snapshots, earliest among equal values) | test AUCC mean ± sd | min |");
        sb.AppendLine("|---|---:|---:|");
        foreach (var (name, key) in new (string, Func<Snapshot, double>)[]
                 { ("validation objective", x => x.ValidObjective), ("validation AUCC, 10 segments", x => x.ValidAucc10), ("validation AUCC, 100 segments", x => x.ValidAucc100) })
        {
            var kept = snaps.GroupBy(x => x.Seed).Select(g => g.Aggregate((best, x) => key(x) > key(best) ? x : best).TestAucc).ToList();
            sb.AppendLine($"| {name} | {kept.Average():F3} ± {BenchStats.Sd(kept):F3} | {kept.Min():F3} |");
        }
        sb.AppendLine();
        sb.AppendLine("| seed | snapshots with a 10-segment validation AUCC of 0.9999 or more | their test AUCC min - max |");
        sb.AppendLine("|---|---:|---|");
        foreach (var g in snaps.Where(x => x.ValidAucc10 >= Saturated).GroupBy(x => x.Seed).Where(g => g.Count() > 1))
            sb.AppendLine($"| {g.Key} | {g.Count()} | {g.Min(x => x.TestAucc):F3} - {g.Max(x => x.TestAucc):F3} |");
        return sb.ToString();
    }
}

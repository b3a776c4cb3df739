using System.Diagnostics;
using System.Globalization;
using System.Text;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.Ranking;
using Uplift.Synthetic;

namespace Uplift.Bench;

/// <summary>
/// One scenario x learner of <see cref="QualityBench"/>: test AUCC over the seeds (mean and sample standard
/// deviation), the oracle's test AUCC (mean), the mean gap (learner − oracle, per seed then averaged) and the
/// mean fit time (rough: the machine may be shared).
/// </summary>
public sealed record QualityRow(string Scenario, string Learner, string Note, int Rows, int Seeds,
    double MeanAucc, double SdAucc, double OracleAucc, double Gap, double FitSeconds);

/// <summary>
/// Quality benchmark on synthetic campaigns (METHOD.md sections 3 and 6): for each scenario and seed
/// 1..<c>seeds</c>, generate the campaign (10 features), split it 60/20/20 with
/// <see cref="DataSplit.Stratified"/> (same seed), fit each learner on the training rows (validation rows
/// passed to the learner), and compare its test AUCC with the oracle AUCC (true τv/τc) on the same test rows.
/// </summary>
public static class QualityBench
{
    /// <summary>The learner labels <see cref="Run"/> uses by default.</summary>
    public static IReadOnlyList<string> AllLearners { get; } =
        ["drm", "crm", "rlearner-boosted", "rlearner-ridge", "duality-rlearner", "tlearner", "causal-forest"];

    /// <summary>
    /// Extra labels for comparisons: <c>drm-raw</c> and <c>crm-raw</c> are the ranking models without the outcome
    /// baseline and without the L2 penalty (the settings before they became defaults); <c>rlearner-ridge-per-arm</c> and
    /// <c>rlearner-boosted-per-arm</c> fit one R-learner per arm instead of the multi-arm R-loss (several arms only); <c>drm-gating</c> and
    /// <c>crm-gating</c> learn the gating over the arms (<c>--arm-model gating</c>) instead of one calibrated head per arm.
    /// </summary>
    public static IReadOnlyList<string> ExtraLearners { get; } = ["drm-raw", "crm-raw", "rlearner-ridge-per-arm", "rlearner-boosted-per-arm", "drm-gating", "crm-gating"];

    /// <summary>Trees of the causal forest here (grf's default is 2,000; capped for time, said in the row's note).</summary>
    public const int ForestTrees = 200;

    /// <param name="rows">Users per campaign.</param>
    /// <param name="seeds">Seeds 1..seeds (campaign, split and learner seed).</param>
    /// <param name="scenarios">Scenario names (default: linear, nonlinear).</param>
    /// <param name="learners">Learner labels from <see cref="AllLearners"/> (default: all).</param>
    /// <param name="log">Receives one line per fit.</param>
    public static IReadOnlyList<QualityRow> Run(int rows = 100_000, int seeds = 5, IReadOnlyList<string>? scenarios = null,
        IReadOnlyList<string>? learners = null, Action<string>? log = null)
    {
        scenarios ??= ["linear", "nonlinear"];
        learners ??= AllLearners;
        foreach (var l in learners)
            if (!AllLearners.Contains(l) && !ExtraLearners.Contains(l)) throw new ArgumentException($"unknown learner '{l}'; known: {string.Join(", ", AllLearners.Concat(ExtraLearners))}");
        var result = new List<QualityRow>();
        foreach (var scName in scenarios)
        {
            var sc = SyntheticScenarios.Parse(scName);
            var aucc = learners.ToDictionary(l => l, _ => new List<double>());
            var gaps = learners.ToDictionary(l => l, _ => new List<double>());
            var secs = learners.ToDictionary(l => l, _ => new List<double>());
            var oracles = new List<double>();
            for (long seed = 1; seed <= seeds; seed++)
            {
                var sim = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = sc, Rows = rows, Seed = seed });
                var split = DataSplit.Stratified(sim.Data.T, 0.6, 0.2, seed);
                var train = sim.Data.Subset(split.Train);
                var valid = sim.Data.Subset(split.Valid);
                var test = sim.Data.Subset(split.Test);
                double oracle = CostCurve.Aucc(Oracle.OracleScore(Pick(sim.TauV, split.Test), Pick(sim.TauC, split.Test)), test.T, test.V, test.C);
                oracles.Add(oracle);
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{scName} seed {seed}: oracle {oracle:F4}"));
                foreach (var l in learners)
                {
                    var clock = Stopwatch.StartNew();
                    var model = Create(l, sc).Fit(train, valid, new FitContext(seed));
                    double s = clock.Elapsed.TotalSeconds;
                    double a = CostCurve.Aucc(model.Score(test), test.T, test.V, test.C);
                    aucc[l].Add(a); gaps[l].Add(a - oracle); secs[l].Add(s);
                    log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"  {l,-18} test AUCC {a:F4} gap {a - oracle:+0.0000;-0.0000} fit {s:F1} s"));
                }
            }
            foreach (var l in learners)
                result.Add(new QualityRow(scName, l, Note(l, sc), rows, seeds, aucc[l].Average(), BenchStats.Sd(aucc[l]), oracles.Average(),
                    gaps[l].Average(), secs[l].Average()));
        }
        return result;
    }

    /// <summary>The learner behind a label, with the scorer suited to the scenario (MLP for nonlinear, linear otherwise).</summary>
    public static IUpliftLearner Create(string label, SyntheticScenario scenario)
    {
        var drm = scenario == SyntheticScenario.Nonlinear ? new DrmOptions { Scorer = ScorerKind.Mlp } : new DrmOptions();
        var settings = new LearnerSettings()
            .With(drm)
            .With(new CrmOptions { Drm = drm })
            .With(new CausalForestOptions { NumTrees = ForestTrees });
        var raw = drm with { Baseline = OutcomeBaseline.None, L2 = 0 };
        return label switch
        {
            "drm-raw" => new DrmLearner(raw),
            "crm-raw" => new CrmLearner(new CrmOptions { Drm = raw }),
            "rlearner-boosted" => LearnerCatalog.Create("rlearner",
                settings.With(new RLearnerOptions { Outcome = RLearnerOutcome.Both, BaseLearner = BaseLearnerKind.Boosted })),
            "rlearner-ridge" => LearnerCatalog.Create("rlearner", settings),
            "drm-gating" => LearnerCatalog.Create("drm", settings.With(drm with { ArmModel = Uplift.Models.MultiArm.ArmModel.Gating })),
            "crm-gating" => LearnerCatalog.Create("crm", settings.With(new CrmOptions { Drm = drm with { ArmModel = Uplift.Models.MultiArm.ArmModel.Gating } })),
            "rlearner-boosted-per-arm" => LearnerCatalog.Create("rlearner",
                settings.With(new RLearnerOptions { Outcome = RLearnerOutcome.Both, BaseLearner = BaseLearnerKind.Boosted, ArmLoss = RLearnerArmLoss.PerArm })),
            "rlearner-ridge-per-arm" => LearnerCatalog.Create("rlearner", settings.With(new RLearnerOptions { ArmLoss = RLearnerArmLoss.PerArm })),
            _ => LearnerCatalog.Create(label, settings),
        };
    }

    static string Note(string label, SyntheticScenario sc) => label switch
    {
        "drm-raw" or "crm-raw" => (sc == SyntheticScenario.Nonlinear ? $"MLP [{string.Join(",", new DrmOptions().HiddenSizes)}]" : "linear") + ", raw outcomes, no L2",
        "drm" or "crm" => sc == SyntheticScenario.Nonlinear ? $"MLP [{string.Join(",", new DrmOptions().HiddenSizes)}]" : "linear",
        "drm-gating" or "crm-gating" => (sc == SyntheticScenario.Nonlinear ? $"MLP [{string.Join(",", new DrmOptions().HiddenSizes)}]" : "linear") + ", --arm-model gating",
        "rlearner-boosted" => "both outcomes, boosted trees",
        "rlearner-ridge" => "value only, ridge (paper)",
        "rlearner-boosted-per-arm" => "both outcomes, boosted trees, one R-learner per arm",
        "rlearner-ridge-per-arm" => "value only, ridge, one R-learner per arm",
        "causal-forest" => $"grf defaults, {ForestTrees} trees (capped)",
        _ => "defaults",
    };

    /// <summary>The rows as a Markdown table.</summary>
    public static string Format(IReadOnlyList<QualityRow> rows)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| scenario | learner | setting | users | seeds | test AUCC (mean ± sd) | oracle AUCC | gap to oracle | fit s |");
        sb.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.Learner} | {r.Note} | {r.Rows:N0} | {r.Seeds} | {r.MeanAucc:F3} ± {r.SdAucc:F3} | {r.OracleAucc:F3} | {r.Gap:+0.000;-0.000} | {r.FitSeconds:F1} |"));
        return sb.ToString();
    }

    static double[] Pick(double[] a, int[] rows)
    {
        var r = new double[rows.Length];
        for (int i = 0; i < rows.Length; i++) r[i] = a[rows[i]];
        return r;
    }
}

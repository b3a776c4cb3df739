using System.CommandLine;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Experiments;
using Uplift.Models;
using Uplift.Models.Ranking;
using Uplift.Synthetic;

namespace Uplift.Cli.Commands;

/// <summary>
/// <c>uplift demo</c>, the main job on built-in data: simulate a campaign with known effects, train the
/// DRM and the CRM (and the fast baselines), evaluate everything on held-out users against random and
/// the oracle, print the table and write the cost-curve plot.
/// </summary>
static class DemoCommand
{
    public static Command Create()
    {
        var scenario = new Option<string>("--scenario")
        {
            Description = $"Synthetic scenario: {string.Join(", ", SyntheticScenarios.Names.Where(n => n != "multiarm"))}.",
            DefaultValueFactory = _ => "nonlinear",
        };
        var rows = new Option<int>("--rows") { Description = "Users in the simulated campaign (60 % train, 20 % validation, 20 % test).", DefaultValueFactory = _ => 50_000 };
        var baselines = new Option<bool>("--no-baselines") { Description = "Train only the DRM and the CRM." };
        var outDir = new Option<string>("--out-dir") { Description = "Folder for the plot (cost-curves.svg and .png).", DefaultValueFactory = _ => "uplift-demo" };
        var seed = Common.Seed();
        var threads = Common.Threads();
        var json = Common.Json();
        var cmd = new Command("demo", "Simulate a campaign, train DRM, CRM and baselines, and compare them on held-out users (about a minute on 2 cores).")
        {
            scenario, rows, baselines, outDir, seed, threads, json,
        };
        cmd.SetAction(r => Common.Run(() =>
        {
            long s = r.GetValue(seed);
            var sc = Common.Scenario(r.GetValue(scenario)!);
            UpliftOptionException.Check(sc != SyntheticScenario.MultiArm, "--scenario",
                "multiarm is not a demo scenario (the demo compares binary learners); write it with 'uplift simulate --scenario multiarm'.");
            int n = r.GetValue(rows);
            UpliftOptionException.Check(n >= 1000, "--rows", "the demo needs at least 1000 users.");
            var sim = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = sc, Rows = n, Seed = s });

            // The nonlinear scenario needs an MLP; the others are within reach of a linear scorer (METHOD.md section 3).
            var drm = sc == SyntheticScenario.Nonlinear
                ? new DrmOptions { Scorer = ScorerKind.Mlp, HiddenSizes = [64] }
                : new DrmOptions();
            var settings = new LearnerSettings().With(drm).With(new CrmOptions { Drm = drm });
            var kinds = r.GetValue(baselines)
                ? new[] { "drm", "crm" }
                : ["drm", "crm", "rlearner", "duality-rlearner", "tlearner", "causal-forest"];
            // Fast, strong settings for a one-minute demo: the forest with the paper's preset (60 trees),
            // the R-learners with boosted trees (the R-learner on both outcomes, ranked by the guarded ratio).
            var duality = settings.Get<Models.Meta.DualityRLearnerOptions>();
            settings = settings
                .With(Models.Forest.CausalForestOptions.Paper)
                .With(settings.Get<Models.Meta.RLearnerOptions>() with { Outcome = Models.Meta.RLearnerOutcome.Both, BaseLearner = Models.Meta.BaseLearnerKind.Boosted })
                .With(duality with { RLearner = duality.RLearner with { BaseLearner = Models.Meta.BaseLearnerKind.Boosted } });

            var progress = new ConsoleProgress();
            // One repeat of the 60/20/20 split stratified by arm, seed s (validation users only pick restarts and settings).
            var result = Experiment.Run(sim.Data, [.. kinds.Select(k => ExperimentLearner.FromCatalog(k, settings))],
                new ExperimentOptions { FirstSeed = s, ScoreValidation = false }, Common.Context(s, r.GetValue(threads), progress));
            progress.Finish();
            var repeat = result.Repeats[0];
            var (train, test, split) = (repeat.Split.Train, repeat.Split.Test, repeat.Split.Rows!);

            // Random and the oracle (the true tau_v / tau_c of the test users) go first in the table.
            var random = new double[test.Rows];
            var rng = Rng.Derive(s, RngStream.RandomScores);
            for (int i = 0; i < random.Length; i++) random[i] = rng.NextDouble();
            var oracle = Oracle.OracleScore(Pick(sim.TauV, split.Test), Pick(sim.TauC, split.Test));
            var rowsOut = new List<ScoreRow>
            {
                ScoreRow.From("random", Experiment.Evaluate(random, test.T, test.V, test.C)),
                ScoreRow.From("oracle", Experiment.Evaluate(oracle, test.T, test.V, test.C)),
            };
            var fitSeconds = new Dictionary<string, double>();
            foreach (var run in repeat.Runs)
            {
                fitSeconds[run.Learner] = run.FitSeconds;
                rowsOut.Add(ScoreRow.From(run.Learner, run.Test!));
            }

            string dir = r.GetValue(outDir)!;
            Directory.CreateDirectory(dir);
            var plotted = rowsOut.Where(x => x.Name is not ("random" or "oracle")).ToList();
            var plotOptions = CostCurvePlotOptions.Default with
            {
                Subtitle = $"scenario {SyntheticScenarios.Name(sc)}, {test.Rows} held-out users, seed {s}",
                Oracle = rowsOut[1].Curve,
            };
            var title = "Cost curves on held-out users";
            string svg = Path.Combine(dir, "cost-curves.svg"), png = Path.Combine(dir, "cost-curves.png");
            CostCurvePlot.WriteSvg(svg, plotted.Select(x => (x.Name, x.Curve)).ToList(), title, plotOptions);
            CostCurvePlot.WritePng(png, plotted.Select(x => (x.Name, x.Curve)).ToList(), title, plotOptions);

            if (r.GetValue(json))
            {
                Common.WriteJson(new JsonObject
                {
                    ["scenario"] = SyntheticScenarios.Name(sc),
                    ["rows"] = n, ["test_rows"] = test.Rows, ["seed"] = s,
                    ["results"] = new JsonArray([.. rowsOut.Select(x =>
                    {
                        var o = x.ToJson();
                        if (fitSeconds.TryGetValue(x.Name, out var sec)) o["fit_seconds"] = sec;
                        return (JsonNode)o;
                    })]),
                    ["plots"] = new JsonArray(svg, png),
                });
                return Common.ExitOk;
            }
            Console.WriteLine($"Simulated campaign '{SyntheticScenarios.Name(sc)}': {n} users, {sim.Data.Features} features, seed {s}; " +
                              $"trained on {train.Rows}, evaluated on {test.Rows} held-out users.");
            Console.WriteLine();
            var table = new TextTable("ranking", "test AUCC", "value@20% cost", "vs random", "fit s");
            foreach (var x in rowsOut)
                table.Add(x.Name, Common.F3(x.Aucc), Common.F3(x.ValueAt20), $"{x.ValueAt[1].LiftVsRandom:0.00}x",
                    fitSeconds.TryGetValue(x.Name, out var sec) ? Common.F1(sec) : "");
            Console.Write(table);
            Console.WriteLine();
            Console.WriteLine("AUCC: area under the cost curve (share of incremental value bought vs share of incremental cost spent); random = 0.5.");
            Console.WriteLine($"plot: {svg}, {png}");
            return Common.ExitOk;
        }));
        return cmd;
    }

    static double[] Pick(double[] a, int[] rows) => rows.Select(i => a[i]).ToArray();
}

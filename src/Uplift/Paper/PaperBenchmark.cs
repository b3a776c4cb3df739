using System.Diagnostics;
using System.Globalization;
using Uplift.Data;
using Uplift.Engine;
using Uplift.Evaluation;
using Uplift.Experiments;
using Uplift.Models;
using Uplift.Models.Auto;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.Ranking;

namespace Uplift.Paper;

/// <summary>Options of <see cref="PaperBenchmark.Run"/>. Defaults are the paper's settings (METHOD.md sections 3-8).</summary>
internal sealed record PaperBenchmarkOptions
{
    /// <summary>Path of covtype.data (plain or gzip); null = skip Covertype.</summary>
    public string? CovertypePath { get; init; }

    /// <summary>Path of USCensus1990.data.txt (plain or gzip); null = skip US Census.</summary>
    public string? CensusPath { get; init; }

    /// <summary>Number of seeds (default 5). Seed k is <see cref="FirstSeed"/> + k. Range 1..100.
    /// Covertype: each seed reshuffles the split and seeds the learners. US Census: the split is in file
    /// order (METHOD.md section 7), so only the learners' seeds vary.</summary>
    public int Seeds { get; init; } = 5;

    /// <summary>The first seed (default 1).</summary>
    public long FirstSeed { get; init; } = 1;

    /// <summary>Cost-curve segments S (default 10, the paper's). Range 1..1,000,000.</summary>
    public int Segments { get; init; } = 10;

    /// <summary>Adam steps of every DRM and CRM fit (default 1500, METHOD.md section 3: 600 to 1500). Range 1..1,000,000.</summary>
    public int Steps { get; init; } = 1500;

    /// <summary>Restarts of every DRM and CRM fit (default 5, the 2020 code's count, METHOD.md section 3). Range 1..100.</summary>
    public int Restarts { get; init; } = 5;

    /// <summary>Steps between validation snapshots of every DRM and CRM fit (0 = only each restart's final
    /// parameters compete; default: the <see cref="DrmOptions.EvalEvery"/> default). Range 0 and up.</summary>
    public int? EvalEvery { get; init; }

    /// <summary>Adam learning rate of every DRM and CRM fit (default: the <see cref="DrmOptions.LearningRate"/> default).</summary>
    public double? LearningRate { get; init; }

    /// <summary>Outcome baseline of every DRM and CRM fit (default <see cref="OutcomeBaseline.None"/>, the papers' raw
    /// outcomes: the constructions are not randomized, so the control variate of <see cref="DrmOptions.Baseline"/>
    /// would shift the cohort effects).</summary>
    public OutcomeBaseline? Baseline { get; init; }

    /// <summary>How every DRM and CRM fit keeps its parameters among restarts and snapshots (default: the
    /// <see cref="DrmOptions.Selection"/> default, validation AUCC).</summary>
    public ModelSelection? Selection { get; init; }

    /// <summary>Trees of each causal forest; null = the paper's preset (<see cref="CausalForestOptions.Paper"/>, 60 trees).</summary>
    public int? CausalForestTrees { get; init; }

    /// <summary>Run the "best" search (default true): extra candidates chosen on validation AUCC only.</summary>
    public bool Best { get; init; } = true;

    /// <summary>Bootstrap replicates of the paired CRM-minus-other differences on the first seed's test set (default 200; 0 = off). Range 0 or 2..100,000.</summary>
    public int BootstrapReplicates { get; init; } = 200;

    /// <summary>Covertype cost convention (default <see cref="CovertypeCost.Auto"/>: the one with positive incremental cost).</summary>
    public CovertypeCost CovertypeCost { get; init; } = CovertypeCost.Auto;

    /// <summary>US Census cost convention (default <see cref="CensusCost.MinusChildren"/>).</summary>
    public CensusCost CensusCost { get; init; } = CensusCost.MinusChildren;

    /// <summary>Cap on worker threads (null = all cores). Results do not depend on it.</summary>
    public int? MaxThreads { get; init; }

    /// <summary>Receives progress reports; null = silent.</summary>
    public IProgress<ProgressInfo>? Progress { get; init; }

    /// <summary>Throws <see cref="UpliftOptionException"/> when an option is out of range.</summary>
    public void Validate()
    {
        UpliftOptionException.Check(Seeds is >= 1 and <= 100, "seeds", $"must be in 1..100, got {Seeds}.");
        UpliftOptionException.Check(FirstSeed is >= 0 and <= int.MaxValue - 100, "first-seed", $"must be a non-negative seed, got {FirstSeed}.");
        UpliftOptionException.Check(Segments is >= 1 and <= 1_000_000, "segments", $"must be in 1..1000000, got {Segments}.");
        UpliftOptionException.Check(Steps is >= 1 and <= 1_000_000, "steps", $"must be in 1..1000000, got {Steps}.");
        UpliftOptionException.Check(Restarts is >= 1 and <= 100, "restarts", $"must be in 1..100, got {Restarts}.");
        UpliftOptionException.Check(CausalForestTrees is null or >= 1, "causal-forest-trees", $"must be at least 1, got {CausalForestTrees}.");
        UpliftOptionException.Check(BootstrapReplicates == 0 || BootstrapReplicates is >= 2 and <= 100_000, "bootstrap",
            $"must be 0 (off) or 2..100000, got {BootstrapReplicates}.");
        UpliftOptionException.Check(Enum.IsDefined(CovertypeCost), "covertype-cost", $"unknown value {(int)CovertypeCost}.");
        UpliftOptionException.Check(Enum.IsDefined(CensusCost), "census-cost", $"unknown value {(int)CensusCost}.");
        UpliftOptionException.Check(MaxThreads is null or >= 1, "threads", "must be at least 1.");
    }
}

/// <summary>
/// Reproduces the paper's experiments (METHOD.md sections 7-8): on each data set, every method of the
/// paper's table with the paper's settings, over several seeds, plus a "best" row chosen on validation
/// AUCC only. Returns numbers and curves; the library never prints.
/// </summary>
internal static class PaperBenchmark
{
    /// <summary>The methods of the paper's table, by CLI name, in the paper's order.</summary>
    public static IReadOnlyList<string> PaperMethods { get; } = ["random", "rlearner", "duality-rlearner", "causal-forest", "drm", "crm"];

    /// <summary>The name of the last row: our best, chosen on validation.</summary>
    public const string BestMethod = "best";

    /// <summary>The data set's name in results and JSON.</summary>
    public static string Name(PaperDataset d) => PaperNames.Dataset.Name(d);

    /// <summary>Loads the data sets named in <paramref name="options"/> and runs every method on each.</summary>
    public static PaperBenchmarkResult Run(PaperBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        UpliftOptionException.Check(options.CovertypePath is not null || options.CensusPath is not null, "--covertype/--census",
            "give at least one data set.");
        var results = new List<PaperDatasetResult>();
        if (options.CovertypePath is { } cov)
        {
            var co = new CovertypeOptions { Cost = options.CovertypeCost };
            results.Add(RunDataset(PaperDataset.Covertype, seed => CovertypeConstruction.Load(cov, co with { Seed = seed }), options));
        }
        if (options.CensusPath is { } cen)
        {
            // The split is in file order: one load serves every seed.
            var data = CensusConstruction.Load(cen, new CensusOptions { Cost = options.CensusCost });
            results.Add(RunDataset(PaperDataset.Census, _ => data, options));
        }
        return new PaperBenchmarkResult(results);
    }

    /// <summary>The learner settings of the faithful reproduction on <paramref name="dataset"/> (METHOD.md sections 3-5).</summary>
    public static LearnerSettings FaithfulSettings(PaperDataset dataset, PaperBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The paper's g is the plain ratio; linear scorer on Covertype, MLP 46-92-1 (tanh) on US Census.
        var drm = new DrmOptions
        {
            Scorer = dataset == PaperDataset.Covertype ? ScorerKind.Linear : ScorerKind.Mlp,
            HiddenSizes = [92],
            Objective = Objective.Ratio,
            Steps = options.Steps,
            Restarts = options.Restarts,
            Baseline = options.Baseline ?? OutcomeBaseline.None,
        };
        if (options.EvalEvery is { } every) drm = drm with { EvalEvery = every };
        if (options.Selection is { } selection) drm = drm with { Selection = selection };
        if (options.LearningRate is { } lr) drm = drm with { LearningRate = lr };
        var forest = CausalForestOptions.Paper;
        if (options.CausalForestTrees is { } trees) forest = forest with { NumTrees = trees };
        var ridge = new RLearnerOptions { Outcome = RLearnerOutcome.Value, BaseLearner = BaseLearnerKind.Ridge };
        return new LearnerSettings()
            .With(drm)
            // q = 0.4 and the 2020 temperature schedule t = 0.5 + 0.1 floor(step / 100) (METHOD.md section 4).
            .With(new CrmOptions { Drm = drm, TopFraction = 0.4, T0 = 0.5, TemperatureStep = 0.1, TemperatureEvery = 100 })
            .With(ridge)
            .With(new DualityRLearnerOptions { Lambdas = [0.001, 0.005, 0.01, 0.05], RLearner = ridge })
            .With(forest);
    }

    /// <summary>One line describing each faithful method's settings.</summary>
    public static string Describe(string method, LearnerSettings s)
    {
        var (crm, forest) = (s.Get<CrmOptions>(), s.Get<CausalForestOptions>());
        return method switch
        {
            "random" => "uniform random scores (seeded)",
            "rlearner" => "R-learner on value, ridge, 5-fold cross-fitting, constant propensity",
            "duality-rlearner" => $"R-learner on V - lambda C, ridge, lambda in {{{string.Join(", ", s.Get<DualityRLearnerOptions>().Lambdas.Select(l => l.ToString(CultureInfo.InvariantCulture)))}}} by validation AUCC",
            "causal-forest" => string.Create(CultureInfo.InvariantCulture,
                $"two honest causal forests ({forest.NumTrees} trees, alpha {forest.Alpha}, min node {forest.MinNodeSize}, sample {forest.SampleFraction}), relu-guarded ratio"),
            "drm" => $"DRM, {Scorer(s.Get<DrmOptions>())}, {Training(s.Get<DrmOptions>())}",
            "crm" => string.Create(CultureInfo.InvariantCulture,
                $"CRM q = {crm.TopFraction}, t = {crm.T0} + {crm.TemperatureStep} floor(step/{crm.TemperatureEvery}), {Scorer(crm.Drm)}, {Training(crm.Drm)}"),
            _ => method,
        };
    }

    static string Training(DrmOptions d) => string.Create(CultureInfo.InvariantCulture,
        $"{EngineNames.Objective.Name(d.Objective)}, Adam lr {d.LearningRate}, {d.Steps} steps, {d.Restarts} restarts, kept by validation {RankingNames.Selection.Name(d.Selection)}, baseline {RankingNames.Baseline.Name(d.Baseline)}");

    static string Scorer(DrmOptions d) => d.Scorer == ScorerKind.Linear ? "linear" : $"MLP {string.Join("-", d.HiddenSizes)} tanh";

    /// <summary>A candidate of the "best" search: a name and its learner.</summary>
    public sealed record BestCandidate(string Name, IUpliftLearner Learner);

    /// <summary>
    /// The extra candidates of the "best" search on <paramref name="dataset"/>, beyond the faithful fits (which
    /// are candidates too, as is the rank average of every CRM fit of the seed). A small search: the objective,
    /// twice the restarts, q in {0.3, 0.5}, and another network.
    /// </summary>
    public static IReadOnlyList<BestCandidate> BestCandidates(PaperDataset dataset, PaperBenchmarkOptions options)
    {
        var s = FaithfulSettings(dataset, options);
        var crm = s.Get<CrmOptions>();
        var smooth = crm.Drm with { Objective = Objective.SmoothAbsRatio };
        var list = new List<BestCandidate>
        {
            new("crm smooth-abs-ratio q=0.4", new CrmLearner(crm with { Drm = smooth })),
            new($"crm ratio q=0.4, {2 * options.Restarts} restarts", new CrmLearner(crm with { Drm = crm.Drm with { Restarts = Math.Min(2 * options.Restarts, 100) } })),
            new("crm ratio q=0.3", new CrmLearner(crm with { TopFraction = 0.3 })),
            new("crm ratio q=0.5", new CrmLearner(crm with { TopFraction = 0.5 })),
        };
        // Covertype's paper model is linear: try a small MLP; US Census's is already an MLP: try the linear one.
        list.Add(dataset == PaperDataset.Covertype
            ? new("crm MLP 16 ratio q=0.4", new CrmLearner(crm with { Drm = crm.Drm with { Scorer = ScorerKind.Mlp, HiddenSizes = [16] } }))
            : new("crm linear ratio q=0.4", new CrmLearner(crm with { Drm = crm.Drm with { Scorer = ScorerKind.Linear } })));
        return list;
    }

    /// <summary>The name of the rank-average ensemble candidate.</summary>
    public const string EnsembleName = "rank average of the seed's CRM fits";

    /// <summary>
    /// Runs every method on one data set. <paramref name="dataForSeed"/> gives the construction for a seed
    /// (Covertype reshuffles; US Census returns the same file-order split).
    /// </summary>
    public static PaperDatasetResult RunDataset(PaperDataset dataset, Func<long, PaperData> dataForSeed, PaperBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataForSeed);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var total = Stopwatch.StartNew();
        string ds = Name(dataset);
        var settings = FaithfulSettings(dataset, options);
        var curveOptions = new CostCurveOptions { Segments = options.Segments };
        var methods = options.Best ? [.. PaperMethods, BestMethod] : PaperMethods.ToList();
        int seeds = options.Seeds;

        var test = methods.ToDictionary(m => m, _ => new double[seeds]);
        var valid = methods.ToDictionary(m => m, _ => new double[seeds]);
        var v20 = methods.ToDictionary(m => m, _ => new double[seeds]);
        var secs = methods.ToDictionary(m => m, _ => new double[seeds]);
        var chosen = new string[seeds];
        // Every candidate of the "best" search, per seed: its evaluation, ValidAucc being the AUCC on the judging
        // half of the validation users (the choice is made after the last seed).
        var candidates = new List<Dictionary<string, Evaluated>>();
        var searchSeconds = new double[seeds];
        var searchedCandidates = new List<SearchedCandidate>();
        var curves = new List<(string, CostCurveResult)>();
        var firstScores = new Dictionary<string, double[]>();
        void Store(string method, int k, Evaluated e, double seconds)
        {
            valid[method][k] = e.ValidAucc;
            test[method][k] = e.Test.Aucc;
            v20[method][k] = CostCurve.ValueAtCostShare(e.Test, 0.2).Value;
            secs[method][k] = seconds;
            if (k == 0) { curves.Add((method, e.Test)); firstScores[method] = e.TestScores!; }
        }
        // The AUCC on the validation users (or the judging half of them) and the test curve; test scores kept for the first seed.
        var evaluation = new EvaluationOptions { Curve = curveOptions };
        Evaluated Evaluate(double[] sv, Dataset validation, double[] st, Dataset test, int k) =>
            new(Aucc(sv, validation, curveOptions), Experiment.Evaluate(st, test.T, test.V, test.C, evaluation).Curve, k == 0 ? st : null);
        // The paper's learners (every method but random) run through the experiment loop, one repeat per seed.
        var experiment = new ExperimentOptions { Repeats = seeds, FirstSeed = options.FirstSeed, Evaluation = evaluation };
        var learners = PaperMethods.Where(m => m != "random").Select(m => ExperimentLearner.FromCatalog(m, settings)).ToArray();
        var baseContext = new FitContext(options.FirstSeed, options.MaxThreads, options.Progress);

        ConstructionSummary? summary = null;
        PaperData? firstData = null;
        var candidateNames = new List<string>();

        for (int k = 0; k < seeds; k++)
        {
            long seed = options.FirstSeed + k;
            string stage = $"{ds} seed {k + 1}/{seeds}";
            var context = new FitContext(seed, options.MaxThreads, options.Progress);
            var data = dataForSeed(seed);
            if (k == 0) { summary = data.Summary; firstData = data; }

            void Record(string method, double[] sv, double[] st, double seconds) =>
                Store(method, k, Evaluate(sv, data.Validation, st, data.Test, k), seconds);

            int step = 0, steps = PaperMethods.Count + (options.Best ? 1 : 0);
            void Reported(string method, double seconds) => options.Progress?.Report(new ProgressInfo(stage, ++step, steps,
                string.Create(CultureInfo.InvariantCulture, $"{method}: test AUCC {test[method][k]:0.000}, {seconds:0.0} s")));
            {
                // "random" (the first method): uniform scores, validation users then test users.
                var clock = Stopwatch.StartNew();
                var rng = Rng.Derive(seed, RngStream.RandomScores);
                var sv = new double[data.Validation.Rows]; var st = new double[data.Test.Rows];
                for (int i = 0; i < sv.Length; i++) sv[i] = rng.NextDouble();
                for (int i = 0; i < st.Length; i++) st[i] = rng.NextDouble();
                double seconds = clock.Elapsed.TotalSeconds;
                Record("random", sv, st, seconds);
                Reported("random", seconds);
            }
            Experiment.RunRepeat(new ExperimentSplit(data.Train, data.Validation, data.Test), k, learners, experiment, baseContext, run =>
            {
                Store(run.Learner, k, new Evaluated(run.ValidAucc, run.Test!.Curve, k == 0 ? run.TestScores : null), run.FitSeconds);
                Reported(run.Learner, run.FitSeconds);
            });

            if (options.Best)
            {
                // Nested validation: every candidate keeps its snapshots / λ on one half of the validation users
                // (stratified, seeded) and is judged on the other half, so the choice between candidates does not
                // reward the ones that fit the validation users hardest (a flexible model tuned and judged on the
                // same 4,000 users looked best and was worst on test).
                var clock = Stopwatch.StartNew();
                var (tune, judge) = NestedValidation.Halves(data.Validation, seed);
                var searched = new List<(string Name, double[] Judge, double[] Test)>();
                var searchedCrm = new List<(double[] Judge, double[] Test)>();
                var all = PaperMethods.Where(m => m != "random").Select(m => new BestCandidate(m, LearnerCatalog.Create(m, settings)))
                    .Concat(BestCandidates(dataset, options));
                foreach (var cand in all)
                {
                    if (k == 0) candidateNames.Add(cand.Name);
                    var model = cand.Learner.Fit(data.Train, tune, context);
                    var sj = model.Score(judge, context.MaxThreads); var st = model.Score(data.Test, context.MaxThreads);
                    searched.Add((cand.Name, sj, st));
                    if (cand.Learner.Kind == "crm") searchedCrm.Add((sj, st));
                    options.Progress?.Report(new ProgressInfo(stage, step, steps, $"best search: {cand.Name} fitted"));
                }
                if (k == 0) candidateNames.Add(EnsembleName);
                searched.Add((EnsembleName, RankAverage(searchedCrm.Select(f => f.Judge)), RankAverage(searchedCrm.Select(f => f.Test))));
                candidates.Add(searched.ToDictionary(f => f.Name, f => Evaluate(f.Judge, judge, f.Test, data.Test, k)));
                searchSeconds[k] = clock.Elapsed.TotalSeconds;
                options.Progress?.Report(new ProgressInfo(stage, ++step, steps,
                    string.Create(CultureInfo.InvariantCulture, $"best search: {candidates[k].Count} candidates, {clock.Elapsed.TotalSeconds:0.0} s")));
            }
        }
        if (options.Best)
        {
            // One recipe per data set: the candidate with the highest AUCC on the judging half of the validation
            // users, averaged over the seeds (a per-seed maximum over a dozen candidates mostly picks the luckiest
            // fit). The test set is looked at once, for the winner.
            searchedCandidates.AddRange(candidateNames.Select(name => new SearchedCandidate(name, candidates.Average(c => c[name].ValidAucc))));
            string winner = searchedCandidates.MaxBy(c => c.JudgeAuccMean)!.Name;
            for (int k = 0; k < seeds; k++)
            {
                chosen[k] = winner;
                Store(BestMethod, k, candidates[k][winner], searchSeconds[k]);
            }
        }

        var seedList = Enumerable.Range(0, seeds).Select(k => options.FirstSeed + k).ToArray();
        var rows = methods.Select(m => new PaperMethodResult(ds, m, seedList, test[m], valid[m], v20[m], secs[m],
            m == BestMethod ? "the candidate with the highest mean AUCC over the seeds on the judging half of the validation users (each candidate tuned on the other half)" : Describe(m, settings),
            m == BestMethod ? chosen : null, PaperReference.Aucc(ds, m))).ToList();

        var diffs = new List<PairedDifference>();
        foreach (var other in methods.Where(m => m != "crm"))
        {
            var per = new double[seeds];
            for (int k = 0; k < seeds; k++) per[k] = test["crm"][k] - test[other][k];
            var (lo, hi) = Stats.TInterval(per);
            BootstrapSummary? boot = null;
            if (options.BootstrapReplicates > 0)
            {
                try
                {
                    var t = firstData!.Test;
                    boot = Bootstrap.AuccDifference(firstScores["crm"], firstScores[other], t.T, t.V, t.C,
                        new BootstrapOptions { Replicates = options.BootstrapReplicates, Seed = options.FirstSeed, MaxThreads = options.MaxThreads, Curve = curveOptions }).Difference;
                }
                catch (UpliftException) { boot = null; }   // too few users for a defined curve on most resamples
            }
            diffs.Add(new PairedDifference(ds, "crm", other, per, Stats.Mean(per), lo, hi, boot));
        }

        string note = dataset == PaperDataset.Covertype
            ? "each seed reshuffles the 60/20/20 split and seeds the learners"
            : "the 60/20/20 split is in file order (METHOD.md section 7), so only the learners' seeds vary";
        return new PaperDatasetResult(ds, summary!, rows, diffs, curves, note, searchedCandidates, total.Elapsed.TotalSeconds);
    }

    /// <summary>A fitted ranking's validation AUCC and test curve (the test scores kept for the first seed only).</summary>
    sealed record Evaluated(double ValidAucc, CostCurveResult Test, double[]? TestScores);

    static double Aucc(double[] scores, Dataset d, CostCurveOptions o) => CostCurve.Compute(scores, d.T, d.V, d.C, o).Aucc;

    /// <summary>Mean over score vectors of each user's rank / n (ties get their average rank).</summary>
    internal static double[] RankAverage(IEnumerable<double[]> scores)
    {
        double[]? sum = null;
        int count = 0;
        foreach (var s in scores)
        {
            var r = Ranks(s);
            sum ??= new double[s.Length];
            for (int i = 0; i < s.Length; i++) sum[i] += r[i];
            count++;
        }
        if (sum is null) return [];
        for (int i = 0; i < sum.Length; i++) sum[i] /= count;
        return sum;
    }

    static double[] Ranks(double[] s)
    {
        int n = s.Length;
        var idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        var keys = (double[])s.Clone();
        Array.Sort(keys, idx);
        var r = new double[n];
        for (int a = 0; a < n;)
        {
            int b = a;
            while (b + 1 < n && keys[b + 1] == keys[a]) b++;
            double avg = (a + b) / 2.0 / Math.Max(n - 1, 1);
            for (int j = a; j <= b; j++) r[idx[j]] = avg;
            a = b + 1;
        }
        return r;
    }
}

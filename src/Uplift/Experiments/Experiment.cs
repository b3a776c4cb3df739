using System.Diagnostics;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models;

namespace Uplift.Experiments;

/// <summary>
/// The one evaluation loop: for each repeat, split the users (seeded), fit every learner on the training users
/// (validation users for restarts and hyper-parameters), score the held-out users and evaluate them (AUCC, value at
/// cost shares, bootstrap interval, METHOD.md section 6; with K &gt; 1 arms in the data, by each model's budget path,
/// section 10: <see cref="EvaluateArms"/>), with paired comparisons against a reference learner on the
/// same users and resamples; then summarise over the repeats. The commands, the report and the paper benchmark call
/// it. The library never prints: learners report through <see cref="FitContext.Progress"/>.
/// </summary>
public static partial class Experiment
{
    /// <summary>Repeats on a table: each repeat loads the campaign with its split (<see cref="CampaignData.FromTable"/> with
    /// <paramref name="load"/>, whose split is replaced by the repeat's: the preprocessor is fitted on that repeat's
    /// training rows).</summary>
    public static ExperimentResult Run(RawTable table, ColumnRoles roles, IReadOnlyList<ExperimentLearner> learners,
        ExperimentOptions? options = null, FitContext? context = null, CampaignLoadOptions? load = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(roles);
        options ??= new ExperimentOptions();
        load ??= new CampaignLoadOptions();
        return Run(seed =>
        {
            var campaign = CampaignData.FromTable(table, roles, load with { Split = options.Split(seed) });
            return new ExperimentSplit(campaign.Train, campaign.Valid, campaign.Test) { Campaign = campaign, Rows = campaign.Split };
        }, learners, options, context);
    }

    /// <summary>Repeats on a preprocessed dataset: each repeat splits its rows (<see cref="DataSplit.Create"/>).</summary>
    public static ExperimentResult Run(Dataset data, IReadOnlyList<ExperimentLearner> learners,
        ExperimentOptions? options = null, FitContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ExperimentOptions();
        return Run(seed =>
        {
            var rows = DataSplit.Create(data.T, options.Split(seed));
            return new ExperimentSplit(data.Subset(rows.Train), data.Subset(rows.Valid), data.Subset(rows.Test)) { Rows = rows };
        }, learners, options, context);
    }

    /// <summary>Repeats on the splits <paramref name="splitForSeed"/> gives for each repeat's seed (the split options of
    /// <paramref name="options"/> are then unused). <paramref name="fitted"/> is told of each fit as it is evaluated.</summary>
    public static ExperimentResult Run(Func<long, ExperimentSplit> splitForSeed, IReadOnlyList<ExperimentLearner> learners,
        ExperimentOptions? options = null, FitContext? context = null, Action<FittedRun>? fitted = null)
    {
        ArgumentNullException.ThrowIfNull(splitForSeed);
        options ??= new ExperimentOptions();
        Check(learners, options);
        var repeats = new List<ExperimentRepeat>();
        for (int k = 0; k < options.Repeats; k++)
            repeats.Add(RunRepeat(splitForSeed(options.Seed(k)), k, learners, options, context, fitted));
        return Summarise(repeats, learners, options);
    }

    /// <summary>
    /// One repeat on <paramref name="split"/>: repeat <paramref name="index"/>, seed <see cref="ExperimentOptions.Seed"/>
    /// (the learners fit with <paramref name="context"/> at that seed), learners in order. For callers that interleave
    /// work of their own between repeats (then <see cref="Summarise"/>).
    /// </summary>
    public static ExperimentRepeat RunRepeat(ExperimentSplit split, int index, IReadOnlyList<ExperimentLearner> learners,
        ExperimentOptions options, FitContext? context = null, Action<FittedRun>? fitted = null)
    {
        ArgumentNullException.ThrowIfNull(split);
        Check(learners, options);
        UpliftOptionException.Check(index >= 0 && index < options.Repeats, "repeat", $"must be in 0..{options.Repeats - 1}, got {index}.");
        long seed = options.Seed(index);
        var ctx = (context ?? new FitContext()) with { Seed = seed };
        var ev = options.Evaluation;
        // With a reference, each model's interval comes from the paired bootstrap (the same resamples) below.
        var alone = options.Reference is null ? ev : ev with { BootstrapReplicates = 0 };
        // Held-out parts are evaluated when they have users or the fractions give them a share (an empty part then
        // fails as the cost curve does: there is no test AUCC of no users).
        bool evaluateTest = split.Test.Rows > 0 || options.TrainFraction + options.ValidFraction < 1 - 1e-9;
        // Several arms (K > 1, from the data): each model is evaluated by its budget path (METHOD.md section 10).
        bool arms = split.Train.Arms > 1;
        // Observational data (METHOD.md section 11): one adjustment of each held-out part per repeat, shared by every model.
        var obs = options.Observational;
        var obsValid = obs is not null && options.ScoreValidation && split.Valid.Rows > 0 ? Observe(split.Valid, obs, seed, ctx.MaxThreads) : null;
        var obsTest = obs is not null && split.Test.Rows > 0 ? Observe(split.Test, obs, seed + 1_000_003, ctx.MaxThreads) : null;
        var runs = new List<FittedRun>();
        foreach (var l in learners)
        {
            var clock = Stopwatch.StartNew();
            var model = l.Learner.Fit(split.Train, split.Valid, ctx);
            double seconds = clock.Elapsed.TotalSeconds;
            double[] sv = [];
            double validAucc = double.NaN;
            if (options.ScoreValidation && (split.Valid.Rows > 0 || options.ValidFraction > 0))
            {
                sv = model.Score(split.Valid, ctx.MaxThreads);
                var valid = split.Valid;
                validAucc = arms
                    ? Named(l.Name, () => MultiArmCostCurve.Aucc(ArmPath(model, valid, ctx.MaxThreads), valid.T, valid.V, valid.C, options: ev.Curve))
                    : Named(l.Name, () => ValidationAucc(sv, valid, obsValid, ev.Curve));
            }
            double[] st = evaluateTest ? model.Score(split.Test, ctx.MaxThreads) : [];
            var tst = split.Test;
            var test = !evaluateTest ? null
                : arms ? Named(l.Name, () => EvaluateArms(ArmPath(model, tst, ctx.MaxThreads), tst.T, tst.V, tst.C, alone, seed))
                : Named(l.Name, () => EvaluateHeldOut(model, st, tst, obsTest, alone, seed, ctx.MaxThreads));
            var run = new FittedRun(l.Name, index, seed, model, seconds, sv, validAucc, st, test);
            runs.Add(run);
            fitted?.Invoke(run);
        }

        var paired = new List<PairedComparison>();
        if (options.Reference is { } reference && ev.BootstrapReplicates > 0 && split.Test.Rows > 0)
        {
            int r = runs.FindIndex(x => x.Learner == reference);
            var compared = arms
                ? PairedArms([.. runs.Select(x => (x.Learner, x.Test!.Arms!.Path))], r, split.Test.T, split.Test.V, split.Test.C, ev.Bootstrap(seed))
                : obsTest is { } o ? Paired([.. runs.Select(x => (x.Learner, o.Pick(x.TestScores)))], r, o.Data.T, o.Data.V, o.Data.C, ev.Bootstrap(seed), o.Adjustment)
                : Paired([.. runs.Select(x => (x.Learner, x.TestScores))], r, split.Test.T, split.Test.V, split.Test.C, ev.Bootstrap(seed));
            for (int k = 0; k < runs.Count; k++)
            {
                var own = compared.Bootstrap[k];
                runs[k] = runs[k] with { Test = runs[k].Test! with { Ci = own } };
                if (compared.Differences[k] is { } d) paired.Add(d);
            }
        }
        var rate = arms || !evaluateTest ? [] : RateAgainstFirst(runs, split.Test, obsTest, ev, seed);
        return new ExperimentRepeat(index, seed, split, runs, paired) { Observed = obsTest, RateVsFirst = rate };
    }

    /// <summary>The summaries over <paramref name="repeats"/>: per learner the test AUCC mean and sample sd (0 for one
    /// repeat), mean validation AUCC, value at each cost share and fit time; per learner other than the reference the
    /// paired test AUCC differences with their t-interval (<see cref="Stats"/>).</summary>
    public static ExperimentResult Summarise(IReadOnlyList<ExperimentRepeat> repeats, IReadOnlyList<ExperimentLearner> learners,
        ExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(repeats);
        Check(learners, options);
        var shares = options.Evaluation.CostShares;
        var summaries = new List<LearnerSummary>();
        foreach (var l in learners)
        {
            var runs = repeats.Select(r => r.Run(l.Name)).ToArray();
            double[] aucc = [.. runs.Select(x => x.Test?.Aucc ?? double.NaN)];
            var valueAt = shares.Select((s, i) =>
            {
                double m = Stats.Mean([.. runs.Select(x => x.Test?.ValueAt[i].Value ?? double.NaN)]);
                return new ValueAtCost(s, m, m / s);
            }).ToArray();
            summaries.Add(new LearnerSummary(l.Name, aucc, Stats.Mean(aucc), Stats.SampleSd(aucc, whenFewerThanTwo: 0),
                Stats.Mean([.. runs.Select(x => x.ValidAucc)]), valueAt, Stats.Mean([.. runs.Select(x => x.FitSeconds)])));
        }
        var paired = new List<PairedSummary>();
        if (options.Reference is { } reference)
        {
            var refAucc = summaries.First(s => s.Learner == reference).TestAucc;
            foreach (var s in summaries.Where(s => s.Learner != reference))
            {
                var per = new double[refAucc.Length];
                for (int k = 0; k < per.Length; k++) per[k] = s.TestAucc[k] - refAucc[k];
                var (lo, hi) = Stats.TInterval(per);
                paired.Add(new PairedSummary(s.Learner, reference, per, Stats.Mean(per), lo, hi));
            }
        }
        return new ExperimentResult(repeats, summaries, paired);
    }

    static void Check(IReadOnlyList<ExperimentLearner> learners, ExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(learners);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        UpliftOptionException.Check(learners.Count > 0, "learners", "name at least one learner.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var l in learners)
        {
            ArgumentNullException.ThrowIfNull(l);
            ArgumentNullException.ThrowIfNull(l.Learner);
            UpliftOptionException.Check(!string.IsNullOrWhiteSpace(l.Name), "learners", "every learner needs a name.");
            UpliftOptionException.Check(names.Add(l.Name), "learners", $"the learner name '{l.Name}' appears twice.");
        }
        UpliftOptionException.Check(options.Reference is null || names.Contains(options.Reference), "reference",
            $"no learner is named '{options.Reference}' (learners: {string.Join(", ", learners.Select(l => l.Name))}).");
    }
}

using System.Diagnostics;
using System.Globalization;
using Uplift.Data;
using Uplift.Models.MultiArm;

namespace Uplift.Models.Auto;

/// <summary>
/// A model chosen for the user. Fits every candidate of <see cref="AutoCandidates"/> (in their order, cheap first, until
/// <see cref="AutoOptions.TimeLimitSeconds"/> is spent: a candidate still running then is stopped through
/// <see cref="FitContext.Cancellation"/> and recorded as stopped) on the training users, each tuning on one half of the validation
/// users (<see cref="NestedValidation"/>), then the rank average of the best <see cref="AutoOptions.EnsembleSize"/> by their
/// AUCC on that half, and returns the candidate with the highest AUCC (METHOD.md section 6) on the other, judging half
/// (ties: the earlier candidate). Nothing is refitted: the chosen model is the candidate's fit. Without validation users
/// a stratified <see cref="AutoOptions.HoldoutFraction"/> of the training users is held out (seeded) and serves as them.
/// <para>Binary campaigns only: with several arms the fit stops with an error naming the learners to use instead (a
/// choice by the multi-arm AUCC of the budget path is not implemented).</para>
/// </summary>
public sealed class AutoLearner(AutoOptions? options = null) : IUpliftLearner, IArmHeadsLearner
{
    public AutoOptions Options { get; } = options ?? new AutoOptions();
    public string Kind => AutoRegistration.Name;

    public IUpliftModel Fit(Dataset train, Dataset? validation, FitContext context)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(context);
        Options.Validate();
        if (train.Arms > 1) throw SeveralArms(train.Arms);
        if (train.Rows == 0) throw new UpliftDataException("auto: the training data has no users.");
        var clock = Stopwatch.StartNew();
        var fitOn = train;
        if (validation is null)
        {
            var held = DataSplit.Stratified(train.T, 1 - Options.HoldoutFraction, Options.HoldoutFraction, context.Seed);
            fitOn = train.Subset(held.Train);
            validation = train.Subset(held.Valid);
        }
        var (tune, judge) = NestedValidation.Halves(validation, context.Seed);
        var candidates = AutoCandidates.For(Options);
        var results = new List<AutoCandidateResult>();
        var fitted = new List<(int Index, IUpliftModel Model)>();
        double limit = Options.TimeLimitSeconds;
        int steps = candidates.Count + (Options.Ensemble ? 1 : 0);
        for (int i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            if (i > 0 && limit > 0 && clock.Elapsed.TotalSeconds >= limit)
            {
                results.Add(new AutoCandidateResult(c.Name, c.Kind, c.Settings, null, null, null));
                continue;
            }
            context.Report("auto", i, steps, $"fitting {c.Name}");
            var watch = Stopwatch.StartNew();
            IUpliftModel model;
            // The first candidate always runs to its end; the others are stopped when the limit is reached.
            using (var stop = i > 0 && limit > 0 ? CancellationTokenSource.CreateLinkedTokenSource(context.Cancellation) : null)
            {
                stop?.CancelAfter(TimeSpan.FromSeconds(Math.Max(0, limit - clock.Elapsed.TotalSeconds)));
                try { model = c.Learner.Fit(fitOn, tune, stop is null ? context : context with { Cancellation = stop.Token }); }
                catch (OperationCanceledException) when (stop is not null && stop.IsCancellationRequested && !context.Cancellation.IsCancellationRequested)
                {
                    results.Add(new AutoCandidateResult(c.Name, c.Kind, c.Settings, null, null, watch.Elapsed.TotalSeconds, Stopped: true));
                    continue;
                }
            }
            double seconds = watch.Elapsed.TotalSeconds;
            results.Add(Judged(c.Name, c.Kind, c.Settings, model, tune, judge, context, seconds));
            fitted.Add((i, model));
        }
        var models = fitted.ToDictionary(f => results[f.Index].Name, f => f.Model);
        if (Options.Ensemble && fitted.Count >= 2)
        {
            var watch = Stopwatch.StartNew();
            var best = fitted.OrderByDescending(f => results[f.Index].TuneAucc!.Value).ThenBy(f => f.Index).Take(Options.EnsembleSize).ToList();
            var ensemble = RankAverageModel.Create([.. best.Select(f => f.Model)], tune, context.MaxThreads);
            string settings = "rank average of " + string.Join(", ", best.Select(f => results[f.Index].Name)) + " (best by tuning-half AUCC)";
            results.Add(Judged(AutoCandidates.EnsembleName, RankAverageModel.KindName, settings, ensemble, tune, judge, context, watch.Elapsed.TotalSeconds));
            models[AutoCandidates.EnsembleName] = ensemble;
        }
        var ran = results.Where(r => r.Ran).ToList();
        var chosen = ran[0];
        foreach (var r in ran) if (r.JudgeAucc!.Value > chosen.JudgeAucc!.Value) chosen = r;
        context.Report("auto", steps, steps, string.Create(CultureInfo.InvariantCulture,
            $"chose {chosen.Name}: judging-half AUCC {chosen.JudgeAucc:0.000}, {ran.Count} of {results.Count} candidates ran"));
        return AutoModel.Create(models[chosen.Name], chosen.Name, results, limit);
    }

    static AutoCandidateResult Judged(string name, string kind, string settings, IUpliftModel model, Dataset tune, Dataset judge, FitContext context, double seconds)
    {
        double a = LearnerCatalog.ValidationAucc(tune, model.Score(tune, context.MaxThreads));
        double b = LearnerCatalog.ValidationAucc(judge, model.Score(judge, context.MaxThreads));
        return new AutoCandidateResult(name, kind, settings, a, b, seconds);
    }

    /// <summary>Several arms: refused here, before the generic per-arm path would choose per arm.</summary>
    IReadOnlyList<IUpliftModel>? IArmHeadsLearner.FitHeads(Dataset train, Dataset? validation, FitContext context) => throw SeveralArms(train.Arms);

    static UpliftDataException SeveralArms(int arms) => new(
        $"auto: the data has {arms} treatment arms; the auto learner chooses among binary campaigns only (one treatment against control). " +
        $"Choose a learner instead ({string.Join(", ", LearnerCatalog.Names.Where(n => n != AutoRegistration.Name))}), or compare them with 'uplift compare'.");
}

using Uplift.Data;
using Uplift.Models;

namespace Uplift.Benchmarks;

/// <summary>
/// Restarts chosen by validation AUCC rather than by the validation objective: fits <paramref name="inner"/>
/// once per restart, each with its own derived seed, and keeps the model whose scores have the highest
/// AUCC (METHOD.md section 6) on the validation set. A candidate of the "best" search: with the plain
/// ratio objective, the restart with the highest validation ratio is sometimes a degenerate ranking.
/// Needs a validation set.
/// </summary>
/// <param name="inner">Creates the learner of one restart (it should do a single restart itself).</param>
/// <param name="restarts">Number of restarts, at least 1.</param>
public sealed class AuccRestartLearner(Func<IUpliftLearner> inner, int restarts) : IUpliftLearner
{
    public string Kind => inner().Kind;

    public IUpliftModel Fit(Dataset train, Dataset? validation, FitContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (validation is null) throw new UpliftException("choosing restarts by validation AUCC needs a validation set.");
        UpliftOptionException.Check(restarts >= 1, "restarts", $"must be at least 1, got {restarts}.");
        IUpliftModel? best = null;
        double bestAucc = double.NegativeInfinity;
        for (int r = 0; r < restarts; r++)
        {
            // Restart r: a seed derived from the context's seed and r (independent of the thread count).
            int seed = (int)(Rng.Derive(context.Seed, 0x41554343 + r).NextUInt64() & int.MaxValue);
            var model = inner().Fit(train, validation, context with { Seed = seed });
            double aucc = LearnerCatalog.ValidationAucc(validation, model.Score(validation));
            if (aucc > bestAucc || best is null) { bestAucc = aucc; best = model; }
        }
        return best!;
    }
}

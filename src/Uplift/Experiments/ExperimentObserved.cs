using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models.Propensity;

namespace Uplift.Experiments;

/// <summary>
/// Held-out users of observational data ready for evaluation (METHOD.md section 11): the users kept after trimming
/// (<see cref="Rows"/>, indices into the held-out set; all of them without trimming), their data, the adjustment
/// (propensity and, doubly robust, outcome models) and the overlap report of every held-out user before trimming.
/// </summary>
public sealed record ObservedUsers(int[] Rows, Dataset Data, Adjustment Adjustment, OverlapReport Overlap)
{
    /// <summary>The kept users' entries of <paramref name="all"/> (scores of every held-out user).</summary>
    public double[] Pick(double[] all) => Rows.Length == all.Length ? all : [.. Rows.Select(i => all[i])];
}

public static partial class Experiment
{
    /// <summary>
    /// The adjustment of held-out users <paramref name="data"/> under <paramref name="options"/>: the data's propensity column
    /// or a cross-fitted model (<see cref="CrossFitted"/>, seed <paramref name="seed"/>), the overlap report, then trimming.
    /// </summary>
    public static ObservedUsers Observe(Dataset data, ObservationalOptions options, long seed, int? maxThreads = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (data.Arms != 1)
            throw new UpliftOptionException("propensity", "observational evaluation (a propensity) is available for two arms (treated and control) only.");
        var cross = new CrossFitOptions { Kind = options.Model ?? PropensityModelKind.Logistic, Folds = options.Folds, Outcomes = options.DoublyRobust };
        Adjustment adj;
        if (options.Model is null)
        {
            if (data.Propensity is null)
                throw new UpliftOptionException("propensity", "observational evaluation needs a propensity column (--propensity COL) or a propensity model.");
            var e = (double[])data.Propensity.Clone();
            for (int i = 0; i < e.Length; i++)
                if (!(e[i] > 0 && e[i] < 1))
                    throw new UpliftDataException($"the propensity is {e[i]}; it must be in (0, 1).", row: i + 1, column: "propensity");
            adj = options.DoublyRobust
                ? CrossFitted.WithOutcomes(data, e, cross with { Kind = PropensityModelKind.Logistic }, seed, maxThreads) with { Source = "column" }
                : new Adjustment { Propensity = e, Source = "column" };
        }
        else adj = CrossFitted.Fit(data, cross, seed, maxThreads);
        var overlap = Overlap.Report(data.T, adj.Propensity);
        if (options.Trim is not { } trim)
            return new ObservedUsers(AllRows(data.Rows), data, adj, overlap);
        var kept = Overlap.Kept(adj.Propensity, trim);
        if (kept.Length == data.Rows) return new ObservedUsers(kept, data, adj, overlap);
        return new ObservedUsers(kept, data.Subset(kept), adj.Pick(kept) with { Source = adj.Source + $", trimmed to [{trim}, {1 - trim}]" }, overlap);
    }

    static int[] AllRows(int n)
    {
        var r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }
}

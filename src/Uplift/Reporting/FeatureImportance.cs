using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models;

namespace Uplift.Reporting;

/// <summary>Options of <see cref="FeatureImportance.Permutation"/>.</summary>
public sealed record PermutationOptions
{
    /// <summary>Shuffles per feature (or group); the drop is averaged over them. Default 3, range 1 to 1000.</summary>
    public int Repeats { get; init; } = 3;
    /// <summary>Seed of the shuffles. Default 1. The group whose first column is j uses <c>Rng.Derive(Seed, RngStream.FeatureImportance, j)</c>.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>
    /// Shuffle the one-hot columns of one source column together: columns whose names share the text before
    /// the first '=' ("country=FR", "country=DE" → "country") form one group. Default true.
    /// </summary>
    public bool GroupOneHot { get; init; } = true;
    /// <summary>Cap on worker threads (null = all cores). Results never depend on it. Each worker holds one copy of X.</summary>
    public int? MaxThreads { get; init; }
    /// <summary>Cost curve options of every AUCC. Default <see cref="CostCurveOptions.Default"/>.</summary>
    public CostCurveOptions Curve { get; init; } = CostCurveOptions.Default;

    public static PermutationOptions Default { get; } = new();

    internal void Validate()
    {
        UpliftOptionException.Check(Repeats is >= 1 and <= 1000, "repeats", $"must be between 1 and 1000, got {Repeats}.");
        UpliftOptionException.Check(MaxThreads is null or >= 1, "threads", $"must be at least 1, got {MaxThreads}.");
        ArgumentNullException.ThrowIfNull(Curve);
        Curve.Validate();
    }
}

/// <summary>
/// Importance of one feature (or one group of one-hot columns): the AUCC lost when its column(s) are shuffled.
/// </summary>
/// <param name="Feature">The feature name, or the group name (text before '=') for a group.</param>
/// <param name="Columns">The column indices into <see cref="Dataset.FeatureNames"/> shuffled together.</param>
/// <param name="MeanDrop">Mean over the repeats of baseline AUCC − shuffled AUCC (negative = shuffling helped, i.e. noise).</param>
/// <param name="StdDev">Sample standard deviation of the drops (0 with one repeat).</param>
/// <param name="Drops">The drop of each repeat, in repeat order.</param>
public sealed record FeatureImportanceRow(string Feature, int[] Columns, double MeanDrop, double StdDev, double[] Drops);

/// <summary>Result of <see cref="FeatureImportance.Permutation"/>: the baseline AUCC and one row per feature or group, largest drop first.</summary>
public sealed record FeatureImportanceResult(double BaselineAucc, int Repeats, IReadOnlyList<FeatureImportanceRow> Rows);

/// <summary>Permutation feature importance on the cost curve's AUCC (METHOD.md section 6).</summary>
public static class FeatureImportance
{
    /// <summary>
    /// For each input feature (or one-hot group), the drop in AUCC of <paramref name="model"/> on
    /// <paramref name="data"/> when that feature's column(s) are shuffled across users, repeated
    /// <see cref="PermutationOptions.Repeats"/> times. Rows are sorted by mean drop, largest first (ties: by first column).
    /// <paramref name="data"/> is never modified: every worker shuffles its own copy of X. The model's
    /// <see cref="IUpliftModel.Score(Dataset, Span{double}, int?)"/> is called from several threads at once (fitted models
    /// are immutable), each call single-threaded: the workers are the parallelism.
    /// </summary>
    public static FeatureImportanceResult Permutation(IUpliftModel model, Dataset data, PermutationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        options ??= PermutationOptions.Default;
        options.Validate();
        if (!data.HasOutcomes)
            throw new UpliftDataException("permutation importance needs an evaluation set with T, V and C.");
        if (model.Features != data.Features)
            throw new UpliftDataException($"the model expects {model.Features} features but the data has {data.Features}.");

        int n = data.Rows, d = data.Features;
        var baseScores = new double[n];
        model.Score(data, baseScores, options.MaxThreads);
        CostCurve.ValidateInputs(baseScores, data.T, data.V, data.C);
        double baseline = CostCurve.Compute(baseScores, data.T, data.V, data.C, options.Curve).Aucc;

        var groups = Groups(data.FeatureNames, options.GroupOneHot);
        int reps = options.Repeats;
        var drops = new double[groups.Count][];
        var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads ?? Environment.ProcessorCount };
        var source = data.X;

        // A fixed number of workers, each with one copy of X, pulling groups from a shared counter; the result of
        // group g depends only on g (its own generator), so the thread count changes nothing but the speed.
        int workers = Math.Min(groups.Count, options.MaxThreads ?? Environment.ProcessorCount);
        int next = -1;
        try
        {
            Parallel.For(0, workers, po, _ =>
            {
                var w = new Worker(source, n, d, data);
                int g;
                while ((g = Interlocked.Increment(ref next)) < groups.Count)
                {
                    var cols = groups[g].Columns;
                    var rng = Rng.Derive(options.Seed, RngStream.FeatureImportance, cols[0]);
                    var row = new double[reps];
                    for (int r = 0; r < reps; r++)
                    {
                        for (int i = 0; i < n; i++) w.Perm[i] = i;
                        rng.Shuffle<int>(w.Perm);
                        foreach (int j in cols)
                            for (int i = 0; i < n; i++) w.X[(long)i * d + j] = source[(long)w.Perm[i] * d + j];
                        model.Score(w.Data, w.Scores, maxThreads: 1);
                        CostCurve.ValidateInputs(w.Scores, data.T, data.V, data.C);
                        row[r] = baseline - CostCurve.Core(w.Scores, data.T, data.V, data.C, options.Curve, w.Work).Aucc;
                    }
                    // restore the worker's copy for its next group
                    foreach (int j in cols)
                        for (int i = 0; i < n; i++) w.X[(long)i * d + j] = source[(long)i * d + j];
                    drops[g] = row;
                }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }

        var rows = new FeatureImportanceRow[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            var x = drops[g];
            double mean = Stats.Mean(x), sd = Stats.SampleSd(x, whenFewerThanTwo: 0);
            rows[g] = new FeatureImportanceRow(groups[g].Name, groups[g].Columns, mean, sd, x);
        }
        var sorted = rows.OrderByDescending(r => r.MeanDrop).ThenBy(r => r.Columns[0]).ToArray();
        return new FeatureImportanceResult(baseline, reps, sorted);
    }

    /// <summary>
    /// The groups of columns shuffled together, in order of their first column. With <paramref name="groupOneHot"/>,
    /// names with an '=' are grouped by the text before the first '='; names without one stay alone.
    /// </summary>
    public static IReadOnlyList<(string Name, int[] Columns)> Groups(IReadOnlyList<string> featureNames, bool groupOneHot = true)
    {
        ArgumentNullException.ThrowIfNull(featureNames);
        var result = new List<(string Name, List<int> Cols)>();
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < featureNames.Count; j++)
        {
            string name = featureNames[j];
            int eq = groupOneHot ? name.IndexOf('=') : -1;
            if (eq < 0) { result.Add((name, [j])); continue; }
            string key = name[..eq];
            if (byName.TryGetValue(key, out int g)) result[g].Cols.Add(j);
            else { byName[key] = result.Count; result.Add((key, [j])); }
        }
        return result.Select(r => (r.Name, r.Cols.ToArray())).ToArray();
    }

    sealed class Worker
    {
        public readonly float[] X;
        public readonly int[] Perm;
        public readonly double[] Scores;
        public readonly Dataset Data;
        public readonly CostCurve.Workspace Work;

        public Worker(float[] source, int n, int d, Dataset data)
        {
            X = (float[])source.Clone();
            Perm = new int[n];
            Scores = new double[n];
            Data = new Dataset(X, n, d, data.FeatureNames, data.T, data.V, data.C, data.Propensity, data.Weight, data.Ids);
            Work = new CostCurve.Workspace(n);
        }
    }
}

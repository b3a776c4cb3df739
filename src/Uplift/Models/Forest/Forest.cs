namespace Uplift.Models.Forest;

/// <summary>
/// A fitted generic forest: trees with their leaf rows, the training observations the leaves average, and the
/// prediction strategy. Predictions average per-leaf statistics over the trees whose leaf is not empty, which is
/// the forest-weighted estimate with alpha_i(x) = mean over trees of 1{i in leaf_b(x)} / |leaf_b(x)| (see
/// <see cref="Weights"/>). Immutable.
/// </summary>
internal sealed class Forest
{
    /// <summary>Rows per prediction chunk (fixed, so the result does not depend on the thread count).</summary>
    const int Chunk = 256;

    public Tree[] Trees { get; }
    public Observations Obs { get; }
    public IPredictionStrategy Strategy { get; }
    public int Features { get; }
    /// <summary>Per tree, a bitset of the training rows it drew (both honesty halves); null after loading from a file.</summary>
    public ulong[][]? InBag { get; }
    /// <summary>Estimate when no tree gives one: the strategy applied with equal weights on all training rows.</summary>
    public double Fallback { get; }

    readonly double[][] _leafStats;

    public Forest(Tree[] trees, Observations obs, IPredictionStrategy strategy, int features, ulong[][]? inBag, ParallelOptions po)
    {
        Trees = trees; Obs = obs; Strategy = strategy; Features = features; InBag = inBag;
        int k = strategy.StatCount;
        _leafStats = new double[trees.Length][];
        Parallel.For(0, trees.Length, po, b =>
        {
            var t = trees[b];
            var stats = new double[t.Leaves * k];
            for (int leaf = 0; leaf < t.Leaves; leaf++)
            {
                var rows = t.LeafSamples(leaf);
                if (rows.Length > 0) strategy.LeafStats(rows, obs, stats.AsSpan(leaf * k, k));
            }
            _leafStats[b] = stats;
        });
        var all = new int[obs.Rows];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        Span<double> g = stackalloc double[k];
        strategy.LeafStats(all, obs, g);
        double fb = strategy.Predict(g);
        Fallback = double.IsFinite(fb) ? fb : 0.0;
    }

    public int TrainingRows => Obs.Rows;

    /// <summary>Predictions for the rows of row-major <paramref name="x"/>.</summary>
    public double[] Predict(float[] x, int rows, ParallelOptions po) => PredictCore(x, rows, oob: false, po);

    /// <summary>Out-of-bag predictions for the training rows: row i only uses trees whose subsample excluded it.</summary>
    public double[] PredictOob(float[] trainingX, ParallelOptions po)
    {
        if (InBag is null) throw new InvalidOperationException("out-of-bag predictions need the fitted forest (a loaded forest has no subsample record)");
        return PredictCore(trainingX, Obs.Rows, oob: true, po);
    }

    /// <summary>Rows per chunk of <see cref="PredictCore"/>: a tree is walked for all of a chunk's rows before the next,
    /// so it stays in the core's cache; 2,048 rows of X, their sums and one tree fit a 512 kB L2 (fixed, so the result does
    /// not depend on the thread count; each row's sum runs over the trees in order whatever the chunk).</summary>
    const int PredictChunk = 2048;

    double[] PredictCore(float[] x, int rows, bool oob, ParallelOptions po)
    {
        if ((long)rows * Features != x.Length) throw new ArgumentException($"X has {x.Length} values, expected {rows} x {Features}.");
        var result = new double[rows];
        int k = Strategy.StatCount;
        int chunks = (rows + PredictChunk - 1) / PredictChunk;
        Parallel.For(0, chunks, po, () => (new double[PredictChunk * k], new int[PredictChunk]), (c, _, buffers) =>
        {
            var (accArray, pick) = buffers;
            int r0 = c * PredictChunk, r1 = Math.Min(rows, r0 + PredictChunk), m = r1 - r0;
            var acc = accArray.AsSpan(0, m * k);
            acc.Clear();
            for (int b = 0; b < Trees.Length; b++)
            {
                var t = Trees[b];
                var stats = _leafStats[b];
                // The chunk's rows this tree predicts (out of bag: those it did not draw), descended four at a time.
                int np = 0;
                if (oob)
                {
                    var bag = InBag![b];
                    for (int row = r0; row < r1; row++)
                        if ((bag[row >> 6] & (1UL << row)) == 0) pick[np++] = row - r0;
                }
                else for (int i = 0; i < m; i++) pick[np++] = i;
                int q = 0;
                for (; q + 4 <= np; q += 4)
                {
                    int i0 = pick[q], i1 = pick[q + 1], i2 = pick[q + 2], i3 = pick[q + 3];
                    t.FindLeaves4(Row(x, r0 + i0), Row(x, r0 + i1), Row(x, r0 + i2), Row(x, r0 + i3),
                        out int l0, out int l1, out int l2, out int l3);
                    Add(t, stats, l0, acc.Slice(i0 * k, k));
                    Add(t, stats, l1, acc.Slice(i1 * k, k));
                    Add(t, stats, l2, acc.Slice(i2 * k, k));
                    Add(t, stats, l3, acc.Slice(i3 * k, k));
                }
                for (; q < np; q++)
                {
                    int i = pick[q];
                    Add(t, stats, t.FindLeaf(Row(x, r0 + i)), acc.Slice(i * k, k));
                }
            }
            for (int i = 0; i < m; i++)
            {
                double p = Strategy.Predict(acc.Slice(i * k, k));
                result[r0 + i] = double.IsFinite(p) ? p : Fallback;
            }
            return buffers;
        }, _ => { });
        return result;
    }

    ReadOnlySpan<float> Row(float[] x, int row) => new(x, row * Features, Features);

    /// <summary>
    /// Little-bag variance of the estimate (Athey, Tibshirani and Wager 2019, section 4) for the rows of <paramref name="x"/>,
    /// for a forest grown in groups of <paramref name="groupSize"/> trees on one half-sample each (trees b = g * size .. g * size + size - 1).
    /// With T(x) the mean of the non-empty trees' leaf statistics and psi_b(x) the linearised estimate of tree b around T
    /// (<see cref="IPredictionStrategy.Influence"/>), over the G groups whose trees all have a non-empty leaf for x:
    /// between = mean over groups of (mean of psi in the group)^2 estimates the half-sample variance plus the Monte-Carlo noise
    /// of a group mean, noise = (mean of psi^2 - between) / (size - 1) estimates that noise, and the variance is
    /// between - noise made non-negative by <see cref="DebiasedVariance"/>. NaN when no group qualifies.
    /// </summary>
    public double[] PredictVariance(float[] x, int rows, int groupSize, ParallelOptions po)
    {
        if (groupSize < 2) throw new InvalidOperationException("a variance needs a forest grown in groups of at least 2 trees (ci group size)");
        if ((long)rows * Features != x.Length) throw new ArgumentException($"X has {x.Length} values, expected {rows} x {Features}.");
        var result = new double[rows];
        int k = Strategy.StatCount;
        int groups = Trees.Length / groupSize;
        int chunks = (rows + Chunk - 1) / Chunk;
        Parallel.For(0, chunks, po, c =>
        {
            int r0 = c * Chunk, r1 = Math.Min(rows, r0 + Chunk), m = r1 - r0;
            var mean = new double[m * k];
            var used = new int[m];
            var leaves = new int[m];
            for (int b = 0; b < Trees.Length; b++)
            {
                var t = Trees[b];
                for (int i = 0; i < m; i++)
                {
                    int leaf = t.FindLeaf(new ReadOnlySpan<float>(x, (r0 + i) * Features, Features));
                    if (t.LeafOffsets[leaf + 1] == t.LeafOffsets[leaf]) continue;
                    used[i]++;
                    var s = new ReadOnlySpan<double>(_leafStats[b], leaf * k, k);
                    for (int j = 0; j < k; j++) mean[i * k + j] += s[j];
                }
            }
            for (int i = 0; i < m; i++)
                if (used[i] > 0) for (int j = 0; j < k; j++) mean[i * k + j] /= used[i];
            var between = new double[m];
            var total = new double[m];
            var good = new int[m];
            var groupPsi = new double[m];
            var groupSq = new double[m];
            var groupOk = new bool[m];
            for (int g = 0; g < groups; g++)
            {
                Array.Clear(groupPsi); Array.Clear(groupSq); Array.Fill(groupOk, true);
                for (int b = g * groupSize; b < (g + 1) * groupSize; b++)
                {
                    var t = Trees[b];
                    for (int i = 0; i < m; i++)
                    {
                        if (!groupOk[i]) continue;
                        int leaf = t.FindLeaf(new ReadOnlySpan<float>(x, (r0 + i) * Features, Features));
                        if (t.LeafOffsets[leaf + 1] == t.LeafOffsets[leaf]) { groupOk[i] = false; continue; }
                        double psi = Strategy.Influence(new ReadOnlySpan<double>(mean, i * k, k), new ReadOnlySpan<double>(_leafStats[b], leaf * k, k));
                        if (!double.IsFinite(psi)) { groupOk[i] = false; continue; }
                        groupPsi[i] += psi; groupSq[i] += psi * psi;
                    }
                }
                for (int i = 0; i < m; i++)
                {
                    if (!groupOk[i]) continue;
                    double gm = groupPsi[i] / groupSize;
                    between[i] += gm * gm; total[i] += groupSq[i] / groupSize; good[i]++;
                }
            }
            for (int i = 0; i < m; i++)
            {
                if (good[i] == 0) { result[r0 + i] = double.NaN; continue; }
                double bw = between[i] / good[i], tot = total[i] / good[i];
                double noise = (tot - bw) / (groupSize - 1);
                result[r0 + i] = DebiasedVariance(bw, noise, good[i]);
            }
        });
        return result;
    }

    /// <summary>
    /// The between-group variance less the Monte-Carlo noise of a group mean, kept non-negative as grf does: the
    /// difference d = between - noise is read as a normal measurement of the true variance V >= 0 with standard error
    /// se = max(between, noise) * sqrt(2 / groups), and the result is the mean of V given d under a flat prior on
    /// V >= 0, d + se * phi(d / se) / Phi(d / se) (the mean of a normal truncated at 0).
    /// </summary>
    internal static double DebiasedVariance(double between, double noise, int groups)
    {
        double d = between - noise;
        double se = Math.Max(between, noise) * Math.Sqrt(2.0 / groups);
        if (!(se > 0)) return Math.Max(d, 0);
        double z = d / se;
        if (z > 9) return d;
        double ratio = z < -3 ? Normal.TailRatio(z) : Normal.Pdf(z) / Normal.Cdf(z);
        return Math.Max(0, d + se * ratio);
    }

    /// <summary>Adds a leaf's statistics to a row's sums (trees whose leaf is empty give no estimate).</summary>
    static void Add(Tree t, double[] stats, int leaf, Span<double> acc)
    {
        if (t.LeafOffsets[leaf + 1] == t.LeafOffsets[leaf]) return;
        var s = new ReadOnlySpan<double>(stats, leaf * acc.Length, acc.Length);
        for (int j = 0; j < acc.Length; j++) acc[j] += s[j];
    }

    /// <summary>
    /// The forest weights alpha_i(x) over the training rows (sum 1 when some tree has a non-empty leaf for x),
    /// optionally out-of-bag for training row <paramref name="oobRow"/>.
    /// </summary>
    public double[] Weights(ReadOnlySpan<float> x, int oobRow = -1)
    {
        if (oobRow >= 0 && InBag is null) throw new InvalidOperationException("out-of-bag weights need the fitted forest");
        var alpha = new double[Obs.Rows];
        int used = 0;
        for (int b = 0; b < Trees.Length; b++)
        {
            if (oobRow >= 0 && (InBag![b][oobRow >> 6] & (1UL << oobRow)) != 0) continue;
            var rows = Trees[b].LeafSamples(Trees[b].FindLeaf(x));
            if (rows.Length == 0) continue;
            used++;
            foreach (int i in rows) alpha[i] += 1.0 / rows.Length;
        }
        if (used > 0) for (int i = 0; i < alpha.Length; i++) alpha[i] /= used;
        return alpha;
    }
}

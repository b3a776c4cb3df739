using System.Runtime.Intrinsics;

namespace Uplift.Models.Trees;

/// <summary>
/// Histogram gradient-boosted regression trees for weighted squared loss (gradient w (pred - y), hessian w),
/// in the style of LightGBM: features quantised once to byte bins (column-major), trees grown leaf-wise
/// (always split the leaf with the largest gain, up to <see cref="GradientBoostingOptions.NumLeaves"/>),
/// gradient/hessian histograms built for the smaller child only and the larger one obtained by subtraction.
/// Deterministic for any thread count: work is parallel over features (one task owns one feature's histogram
/// and split search), the best split is reduced in feature order, and random draws come from per-tree
/// generators derived from the seed.
/// </summary>
public sealed class GradientBoostingRegressor(GradientBoostingOptions? options = null) : IRegressor
{
    public GradientBoostingOptions Options { get; } = options ?? new GradientBoostingOptions();

    public IRegressionModel Fit(RegressionSet train, RegressionSet? validation, long seed, ParallelOptions parallel) =>
        FitBoosted(train, validation, seed, parallel);

    public GradientBoostedModel FitBoosted(RegressionSet train, RegressionSet? validation, long seed, ParallelOptions parallel)
    {
        Options.Validate();
        Check(train, validation);
        var bins = FeatureBins.Compute(train, Options.MaxBins, Options.BinSampleRows, seed, parallel);
        // Only the training rows are binned here (a compact matrix), with the same edges as the shared path.
        var binned = BinnedMatrix.FromColumns(bins, train.X, train.Features, train.Rows, bins.BinColumns(train, parallel));
        return new Booster(Options, train, binned, compact: true, parallel).Run(validation, seed);
    }

    /// <summary>
    /// Bins every row of <paramref name="x"/> once for several fits (<see cref="FitBinned"/>), with edges from
    /// <paramref name="edgeRows"/> placed exactly as <see cref="FitBoosted"/> would place them for a fit on those rows
    /// with the same <paramref name="seed"/>.
    /// </summary>
    internal BinnedMatrix Bin(float[] x, int features, int[] edgeRows, long seed, ParallelOptions parallel)
    {
        Options.Validate();
        return BinnedMatrix.Build(x, features, edgeRows, Options.MaxBins, Options.BinSampleRows, seed, parallel);
    }

    /// <summary>
    /// Fits on rows of a matrix binned once by <see cref="Bin"/> (<paramref name="train"/>.X must be that matrix).
    /// Same model as <see cref="FitBoosted"/> whenever the bin edges are the same (edges from the training rows and seed).
    /// </summary>
    internal GradientBoostedModel FitBinned(BinnedMatrix binned, RegressionSet train, RegressionSet? validation, long seed, ParallelOptions parallel)
    {
        Options.Validate();
        Check(train, validation);
        if (!ReferenceEquals(binned.X, train.X) || binned.Features != train.Features)
            throw new ArgumentException("the binned matrix was built on another feature matrix.");
        return new Booster(Options, train, binned, compact: false, parallel).Run(validation, seed);
    }

    static void Check(RegressionSet train, RegressionSet? validation)
    {
        if (train.Count == 0) throw new UpliftException("boosted trees: no training rows.");
        if (validation is not null && validation.Features != train.Features)
            throw new UpliftException("boosted trees: validation has a different number of features.");
    }
}

/// <summary>
/// A <see cref="GradientBoostingRegressor"/> bound to one matrix binned once: fits on that matrix reuse the bins,
/// fits on any other matrix bin as usual. Lets the meta-learners share binning without knowing the base learner.
/// </summary>
internal sealed class SharedBinsRegressor(GradientBoostingRegressor inner, BinnedMatrix binned) : IRegressor
{
    public IRegressionModel Fit(RegressionSet train, RegressionSet? validation, long seed, ParallelOptions parallel) =>
        ReferenceEquals(train.X, binned.X) ? inner.FitBinned(binned, train, validation, seed, parallel) : inner.Fit(train, validation, seed, parallel);

    /// <summary><paramref name="reg"/> with the features of <paramref name="x"/> binned once (edges from all rows) when it is boosted; else <paramref name="reg"/>.</summary>
    public static IRegressor Share(IRegressor reg, float[] x, int features, long seed, ParallelOptions parallel) =>
        reg is GradientBoostingRegressor gb
            ? new SharedBinsRegressor(gb, gb.Bin(x, features, RegressionSet.AllRows(x.Length / features), seed, parallel))
            : reg;
}

/// <summary>
/// The state of one boosting run. Rows are addressed by their index in the binned matrix ("ids": the rows of X
/// for a shared matrix, 0..n-1 for a compact one); per-row arrays are indexed by id.
/// </summary>
internal sealed class Booster
{
    const int Stride = 256; // histogram slots per feature

    readonly GradientBoostingOptions _o;
    readonly ParallelOptions _parallel;
    readonly FeatureBins _binsInfo;
    readonly int _n, _d, _N;       // training rows, features, rows of the binned matrix
    readonly int[] _ids;           // id of the k-th training row
    readonly byte[] _bins;         // column-major: _bins[f * _N + id]
    readonly int[] _binCount;
    readonly double[] _y, _w;      // by id
    readonly double[] _pred, _g, _h;
    readonly int[] _order, _tmp, _oob;
    int _oobCount;
    /// <summary>Unit weights: the hessian is 1 for every row, so a bin holds (sum g, rows) and rows = sum h (2 lanes);
    /// otherwise (sum g, sum h, rows, 0) (4 lanes). Both give the same sums.</summary>
    readonly int _lanes;
    readonly double[] _ogh; // per position in _order: the row's (g, 1) or (g, h, 1, 0), gathered for one histogram build
    readonly Stack<Hist> _pool = new();
    readonly Split[] _featureBest;

    /// <summary>Per feature and bin, <c>_lanes</c> doubles: Bins[(f * Stride + b) * lanes + lane].</summary>
    sealed class Hist
    {
        public readonly double[] Bins;
        public Hist(int d, int lanes) { Bins = new double[d * Stride * lanes]; }
    }

    struct Split
    {
        public int Feature, Bin;
        public double Gain, GL, HL;
        public int NL;
        public static readonly Split None = new() { Feature = -1, Gain = double.NegativeInfinity };
    }

    sealed class Leaf
    {
        public int Start, Count, Depth, Parent;
        public bool IsLeft;
        public double G, H;
        public Hist? Hist;
        public Split Best = Split.None;
    }

    public Booster(GradientBoostingOptions o, RegressionSet train, BinnedMatrix binned, bool compact, ParallelOptions parallel)
    {
        _o = o; _parallel = parallel; _binsInfo = binned.Bins;
        _n = train.Count; _d = train.Features; _N = binned.Rows;
        _ids = compact ? RegressionSet.AllRows(_n) : train.Rows;
        _bins = binned.Columns;
        _binCount = new int[_d];
        for (int f = 0; f < _d; f++) _binCount[f] = _binsInfo.BinCount(f);
        _y = new double[_N]; _w = new double[_N];
        bool unit = true;
        for (int k = 0; k < _n; k++)
        {
            int id = _ids[k];
            if ((uint)id >= (uint)_N) throw new ArgumentException("a training row is outside the binned matrix.");
            _y[id] = train.Y[k]; _w[id] = train.Weight(k);
            unit &= _w[id] == 1.0;
        }
        _lanes = unit ? 2 : 4;
        _pred = new double[_N]; _g = new double[_N]; _h = new double[_N];
        _order = new int[_n]; _tmp = new int[_n]; _oob = new int[_n];
        _ogh = new double[(long)_n * _lanes];
        _featureBest = new Split[_d];
    }

    public GradientBoostedModel Run(RegressionSet? validation, long seed)
    {
        // Base score: the weighted mean of y (the best constant under squared loss).
        double sw = 0, swy = 0;
        foreach (int id in _ids) { sw += _w[id]; swy += _w[id] * _y[id]; }
        double baseScore = sw > 0 ? swy / sw : 0;
        foreach (int id in _ids) _pred[id] = baseScore;

        byte[]? vBins = null;
        double[]? vPred = null;
        int vn = 0;
        bool early = validation is not null && validation.Count > 0 && _o.EarlyStoppingRounds > 0;
        if (early)
        {
            vn = validation!.Count;
            vBins = _binsInfo.BinColumns(validation, _parallel);
            vPred = new double[vn];
            Array.Fill(vPred, baseScore);
        }
        double bestLoss = double.PositiveInfinity;
        int bestTrees = 0;

        var trees = new List<RegressionTree>(_o.NumTrees);
        for (int t = 0; t < _o.NumTrees; t++)
        {
            _parallel.CancellationToken.ThrowIfCancellationRequested();
            foreach (int id in _ids) { _g[id] = _w[id] * (_pred[id] - _y[id]); _h[id] = _w[id]; }
            // GrowTree adds the new leaf values to the in-bag rows; the out-of-bag rows walk the tree.
            var (tree, splitBins) = GrowTree(Rng.Derive(seed, RngStream.BoostingRows, t), Rng.Derive(seed, RngStream.BoostingFeatures, t));
            trees.Add(tree);
            if (_oobCount > 0) AddTree(tree, splitBins, _bins, _N, _pred, _oob, _oobCount);
            if (early)
            {
                AddTree(tree, splitBins, vBins!, vn, vPred!, null, vn);
                double loss = 0, wsum = 0;
                for (int k = 0; k < vn; k++)
                {
                    double r = vPred![k] - validation!.Y[k], wk = validation.Weight(k);
                    loss += wk * r * r; wsum += wk;
                }
                loss = wsum > 0 ? loss / wsum : 0;
                if (loss < bestLoss) { bestLoss = loss; bestTrees = t + 1; }
                else if (t + 1 - bestTrees >= _o.EarlyStoppingRounds) break;
            }
        }
        if (early && bestTrees < trees.Count) trees.RemoveRange(bestTrees, trees.Count - bestTrees);
        return new GradientBoostedModel(_d, baseScore, trees.ToArray());
    }

    /// <summary>Adds the tree's leaf outputs to <paramref name="pred"/> by walking the bins (same routing as the float thresholds).</summary>
    void AddTree(RegressionTree tree, int[] splitBins, byte[] bins, int n, double[] pred, int[]? rows, int count)
    {
        Chunks.For(count, _parallel, (start, end) =>
        {
            for (int q = start; q < end; q++)
            {
                int k = rows is null ? q : rows[q];
                int node = tree.Feature.Length == 0 ? ~0 : 0;
                while (node >= 0)
                    node = bins[(long)tree.Feature[node] * n + k] <= splitBins[node] ? tree.Left[node] : tree.Right[node];
                pred[k] += tree.Leaf[~node];
            }
        });
    }

    (RegressionTree, int[]) GrowTree(Rng bagRng, Rng featureRng)
    {
        // Row bagging (Bernoulli per row, in row order, so the partition starts sorted).
        int m = 0;
        _oobCount = 0;
        if (_o.RowSubsample >= 1) { for (int k = 0; k < _n; k++) _order[m++] = _ids[k]; }
        else for (int k = 0; k < _n; k++) if (bagRng.NextDouble() < _o.RowSubsample) _order[m++] = _ids[k]; else _oob[_oobCount++] = _ids[k];
        if (m == 0) { _order[m++] = _oob[0]; Array.Copy(_oob, 1, _oob, 0, --_oobCount); }

        // Feature subsample, ascending.
        int[] active;
        if (_o.FeatureSubsample >= 1) active = RegressionSet.AllRows(_d);
        else
        {
            int take = Math.Max(1, (int)Math.Round(_o.FeatureSubsample * _d));
            var all = RegressionSet.AllRows(_d);
            for (int i = 0; i < take; i++) { int j = i + featureRng.NextInt(_d - i); (all[i], all[j]) = (all[j], all[i]); }
            active = all[..take];
            Array.Sort(active);
        }

        var feature = new List<int>(); var bin = new List<int>(); var thr = new List<float>();
        var left = new List<int>(); var right = new List<int>();
        var leaves = new List<Leaf>(_o.NumLeaves);
        var root = new Leaf { Start = 0, Count = m, Depth = 0, Parent = -1 };
        BuildHistogram(root, active, fresh: true, parent: null);
        leaves.Add(root);

        while (leaves.Count < _o.NumLeaves)
        {
            int best = -1;
            for (int l = 0; l < leaves.Count; l++)
                if (leaves[l].Best.Feature >= 0 && leaves[l].Best.Gain > _o.MinSplitGain
                    && (best < 0 || leaves[l].Best.Gain > leaves[best].Best.Gain)) best = l;
            if (best < 0) break;
            var p = leaves[best];
            var s = p.Best;
            int nl = Partition(p.Start, p.Count, s.Feature, s.Bin);
            int node = feature.Count;
            feature.Add(s.Feature); bin.Add(s.Bin); thr.Add(_binsInfo.Upper[s.Feature][s.Bin]);
            left.Add(~best); right.Add(~leaves.Count);
            if (p.Parent >= 0) { if (p.IsLeft) left[p.Parent] = node; else right[p.Parent] = node; }
            var lc = new Leaf { Start = p.Start, Count = nl, Depth = p.Depth + 1, Parent = node, IsLeft = true, G = s.GL, H = s.HL };
            var rc = new Leaf { Start = p.Start + nl, Count = p.Count - nl, Depth = p.Depth + 1, Parent = node, IsLeft = false, G = p.G - s.GL, H = p.H - s.HL };
            // Histogram of the smaller child from its rows; the larger child's = parent's minus it.
            var (small, large) = lc.Count <= rc.Count ? (lc, rc) : (rc, lc);
            BuildHistogram(small, active, fresh: true, parent: null);
            BuildHistogram(large, active, fresh: false, parent: (p.Hist!, small.Hist!));
            p.Hist = null;
            leaves[best] = lc;
            leaves.Add(rc);
        }
        foreach (var l in leaves) if (l.Hist is not null) { _pool.Push(l.Hist); l.Hist = null; }

        var leafValues = new double[leaves.Count];
        for (int l = 0; l < leaves.Count; l++)
        {
            double den = leaves[l].H + _o.L2;
            leafValues[l] = den > 0 ? -leaves[l].G / den * _o.LearningRate : 0.0;
            double value = leafValues[l];
            for (int q = leaves[l].Start; q < leaves[l].Start + leaves[l].Count; q++) _pred[_order[q]] += value;
        }
        return (new RegressionTree(feature.ToArray(), thr.ToArray(), left.ToArray(), right.ToArray(), leafValues), bin.ToArray());
    }

    /// <summary>Stable partition of _order[start..start+count) into bin &lt;= splitBin (first) and the rest; returns the left count.</summary>
    int Partition(int start, int count, int f, int splitBin)
    {
        long off = (long)f * _N;
        int nl = 0, nr = 0;
        for (int q = start; q < start + count; q++)
        {
            int k = _order[q];
            if (_bins[off + k] <= splitBin) _order[start + nl++] = k; else _tmp[nr++] = k;
        }
        Array.Copy(_tmp, 0, _order, start + nl, nr);
        return nl;
    }

    bool CanSplit(Leaf leaf) =>
        leaf.Count >= 2 * _o.MinDataInLeaf && (_o.MaxDepth == 0 || leaf.Depth < _o.MaxDepth);

    /// <summary>
    /// Fills the leaf's histogram (from its rows when <paramref name="fresh"/>, else parent minus sibling, reusing
    /// the parent's buffer) and its best split, parallel over features.
    /// </summary>
    void BuildHistogram(Leaf leaf, int[] active, bool fresh, (Hist Parent, Hist Sibling)? parent)
    {
        bool split = CanSplit(leaf);
        if (fresh)
        {
            leaf.Hist = _pool.Count > 0 ? _pool.Pop() : new Hist(_d, _lanes);
            double g = 0, h = 0;
            var ogh = _ogh;
            for (int q = leaf.Start; q < leaf.Start + leaf.Count; q++)
            {
                int k = _order[q];
                if (_lanes == 2) { ogh[2 * q] = _g[k]; ogh[2 * q + 1] = 1.0; }
                else { ogh[4 * q] = _g[k]; ogh[4 * q + 1] = _h[k]; ogh[4 * q + 2] = 1.0; ogh[4 * q + 3] = 0.0; }
                g += _g[k]; h += _h[k];
            }
            if (leaf.Parent < 0) { leaf.G = g; leaf.H = h; }
        }
        else leaf.Hist = parent!.Value.Parent;
        // A fresh histogram is needed even for a leaf that cannot split when its sibling is derived from it.
        var hist = leaf.Hist;
        void Feature(int i)
        {
            int f = active[i];
            if (fresh) { if (_lanes == 2) Fill2(hist, f, leaf.Start, leaf.Count); else Fill4(hist, f, leaf.Start, leaf.Count); }
            else Subtract(hist, parent!.Value.Sibling, f, _binCount[f] * _lanes, _lanes);
            _featureBest[f] = split ? BestSplit(hist, f, leaf) : Split.None;
        }
        if ((long)leaf.Count * active.Length < 50_000) for (int i = 0; i < active.Length; i++) Feature(i);
        else Parallel.For(0, active.Length, _parallel, Feature);
        var best = Split.None;
        foreach (int f in active)
            if (_featureBest[f].Feature >= 0 && _featureBest[f].Gain > best.Gain) best = _featureBest[f];
        leaf.Best = best;
    }

    // The hot loop (METHOD-independent): one vector add per (row, feature). Four rows per step; the adds stay in
    // row order, so the sums are the same as the plain loop's.
    unsafe void Fill2(Hist hist, int f, int start, int count)
    {
        int nb = _binCount[f];
        var h = hist.Bins.AsSpan(f * Stride * 2, Stride * 2);
        h[..(nb * 2)].Clear();
        fixed (byte* col = &_bins[(long)f * _N])
        fixed (int* order = &_order[start])
        fixed (double* pg = &_ogh[2L * start], ph0 = h)
        {
            var ogh = (Vector128<double>*)pg;
            var ph = (Vector128<double>*)ph0;
            int q = 0;
            for (; q + 4 <= count; q += 4)
            {
                int b0 = col[order[q]], b1 = col[order[q + 1]], b2 = col[order[q + 2]], b3 = col[order[q + 3]];
                ph[b0] += ogh[q]; ph[b1] += ogh[q + 1]; ph[b2] += ogh[q + 2]; ph[b3] += ogh[q + 3];
            }
            for (; q < count; q++) ph[col[order[q]]] += ogh[q];
        }
    }

    unsafe void Fill4(Hist hist, int f, int start, int count)
    {
        int nb = _binCount[f];
        var h = hist.Bins.AsSpan(f * Stride * 4, Stride * 4);
        h[..(nb * 4)].Clear();
        fixed (byte* col = &_bins[(long)f * _N])
        fixed (int* order = &_order[start])
        fixed (double* pg = &_ogh[4L * start], ph0 = h)
        {
            var ogh = (Vector256<double>*)pg;
            var ph = (Vector256<double>*)ph0;
            int q = 0;
            for (; q + 4 <= count; q += 4)
            {
                int b0 = col[order[q]], b1 = col[order[q + 1]], b2 = col[order[q + 2]], b3 = col[order[q + 3]];
                ph[b0] += ogh[q]; ph[b1] += ogh[q + 1]; ph[b2] += ogh[q + 2]; ph[b3] += ogh[q + 3];
            }
            for (; q < count; q++) ph[col[order[q]]] += ogh[q];
        }
    }

    static void Subtract(Hist parent, Hist sibling, int f, int length, int lanes)
    {
        var a = parent.Bins.AsSpan(f * Stride * lanes, length);
        var b = sibling.Bins.AsSpan(f * Stride * lanes, length);
        System.Numerics.Tensors.TensorPrimitives.Subtract(a, b, a);
    }

    /// <summary>Best threshold of feature f: gain = GL^2/(HL+l2) + GR^2/(HR+l2) - G^2/(H+l2).</summary>
    unsafe Split BestSplit(Hist hist, int f, Leaf leaf)
    {
        int nb = _binCount[f];
        if (nb < 2) return Split.None;
        double l2 = _o.L2, G = leaf.G, H = leaf.H, minHess = _o.MinSumHessian;
        int minData = _o.MinDataInLeaf, lanes = _lanes, countLane = lanes == 2 ? 1 : 2;
        double parentScore = G * G / (H + l2 > 0 ? H + l2 : 1);
        var best = Split.None;
        double gl = 0, hl = 0, nl = 0;
        fixed (double* pv = &hist.Bins[f * Stride * lanes])
        {
            double* e = pv; // per bin: g, h, rows (4 lanes) or g, h = rows (2 lanes)
            for (int b = 0; b < nb - 1; b++, e += lanes)
            {
                gl += e[0]; hl += e[1]; nl += e[countLane];
                if (nl < minData) continue;
                if (leaf.Count - nl < minData) break;
                double hr = H - hl;
                if (hl < minHess || hr < minHess) continue;
                double dl = hl + l2, dr = hr + l2;
                if (!(dl > 0 && dr > 0)) continue;
                double gr = G - gl;
                double gain = gl * gl / dl + gr * gr / dr - parentScore;
                if (gain > best.Gain) best = new Split { Feature = f, Bin = b, Gain = gain, GL = gl, HL = hl, NL = (int)nl };
            }
        }
        return best;
    }
}

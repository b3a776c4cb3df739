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

    public IRegressionModel Fit(RegressionSet train, RegressionSet? validation, int seed, ParallelOptions parallel) =>
        FitBoosted(train, validation, seed, parallel);

    public GradientBoostedModel FitBoosted(RegressionSet train, RegressionSet? validation, int seed, ParallelOptions parallel)
    {
        Options.Validate();
        if (train.Count == 0) throw new UpliftException("boosted trees: no training rows.");
        if (validation is not null && validation.Features != train.Features)
            throw new UpliftException("boosted trees: validation has a different number of features.");
        var bins = FeatureBins.Compute(train, Options.MaxBins, Options.BinSampleRows, seed, parallel);
        return new Booster(Options, train, bins, parallel).Run(validation, seed);
    }
}

/// <summary>The state of one boosting run.</summary>
internal sealed class Booster
{
    const int Stride = 256; // histogram slots per feature

    readonly GradientBoostingOptions _o;
    readonly ParallelOptions _parallel;
    readonly FeatureBins _binsInfo;
    readonly int _n, _d;
    readonly byte[] _bins;         // column-major: _bins[f * _n + k]
    readonly int[] _binCount;
    readonly double[] _y, _w;
    readonly double[] _pred, _g, _h;
    readonly int[] _order, _tmp, _oob;
    int _oobCount;
    readonly Vector256<double>[] _ogh; // (g, h, 1, 0) gathered in _order order for one histogram build
    readonly Stack<Hist> _pool = new();
    readonly Split[] _featureBest;

    /// <summary>Per feature and bin: (sum g, sum h, rows, 0), one 32-byte vector, so an update is one vector add.</summary>
    sealed class Hist
    {
        public readonly Vector256<double>[] Bins; // [f * Stride + b]
        public Hist(int d) { Bins = new Vector256<double>[d * Stride]; }
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

    public Booster(GradientBoostingOptions o, RegressionSet train, FeatureBins bins, ParallelOptions parallel)
    {
        _o = o; _parallel = parallel; _binsInfo = bins;
        _n = train.Count; _d = train.Features;
        _bins = bins.BinColumns(train, parallel);
        _binCount = new int[_d];
        for (int f = 0; f < _d; f++) _binCount[f] = bins.BinCount(f);
        _y = train.Y;
        _w = new double[_n];
        for (int k = 0; k < _n; k++) _w[k] = train.Weight(k);
        _pred = new double[_n]; _g = new double[_n]; _h = new double[_n];
        _order = new int[_n]; _tmp = new int[_n]; _oob = new int[_n];
        _ogh = new Vector256<double>[_n];
        _featureBest = new Split[_d];
    }

    public GradientBoostedModel Run(RegressionSet? validation, int seed)
    {
        // Base score: the weighted mean of y (the best constant under squared loss).
        double sw = 0, swy = 0;
        for (int k = 0; k < _n; k++) { sw += _w[k]; swy += _w[k] * _y[k]; }
        double baseScore = sw > 0 ? swy / sw : 0;
        Array.Fill(_pred, baseScore);

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
            for (int k = 0; k < _n; k++) { _g[k] = _w[k] * (_pred[k] - _y[k]); _h[k] = _w[k]; }
            // GrowTree adds the new leaf values to the in-bag rows; the out-of-bag rows walk the tree.
            var (tree, splitBins) = GrowTree(Rng.Derive(seed, 2L * t + 1), Rng.Derive(seed, 2L * t + 2));
            trees.Add(tree);
            if (_oobCount > 0) AddTree(tree, splitBins, _bins, _n, _pred, _oob, _oobCount);
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
        if (_o.RowSubsample >= 1) { for (int k = 0; k < _n; k++) _order[m++] = k; }
        else for (int k = 0; k < _n; k++) if (bagRng.NextDouble() < _o.RowSubsample) _order[m++] = k; else _oob[_oobCount++] = k;
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
        long off = (long)f * _n;
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
            leaf.Hist = _pool.Count > 0 ? _pool.Pop() : new Hist(_d);
            double g = 0, h = 0;
            for (int q = leaf.Start; q < leaf.Start + leaf.Count; q++)
            {
                int k = _order[q];
                _ogh[q] = Vector256.Create(_g[k], _h[k], 1.0, 0.0);
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
            if (fresh) FillFeature(hist, f, leaf.Start, leaf.Count);
            else Subtract(hist, parent!.Value.Sibling, f, _binCount[f]);
            _featureBest[f] = split ? BestSplit(hist, f, leaf) : Split.None;
        }
        if ((long)leaf.Count * active.Length < 50_000) for (int i = 0; i < active.Length; i++) Feature(i);
        else Parallel.For(0, active.Length, _parallel, Feature);
        var best = Split.None;
        foreach (int f in active)
            if (_featureBest[f].Feature >= 0 && _featureBest[f].Gain > best.Gain) best = _featureBest[f];
        leaf.Best = best;
    }

    unsafe void FillFeature(Hist hist, int f, int start, int count)
    {
        int nb = _binCount[f];
        var h = hist.Bins.AsSpan(f * Stride, Stride);
        h[..nb].Clear();
        fixed (byte* col = &_bins[(long)f * _n])
        fixed (int* order = &_order[start])
        fixed (Vector256<double>* ogh = &_ogh[start], ph = h)
        {
            for (int q = 0; q < count; q++)
                ph[col[order[q]]] += ogh[q];
        }
    }

    static void Subtract(Hist parent, Hist sibling, int f, int nb)
    {
        var a = parent.Bins.AsSpan(f * Stride, nb);
        var b = sibling.Bins.AsSpan(f * Stride, nb);
        for (int i = 0; i < a.Length; i++) a[i] -= b[i];
    }

    /// <summary>Best threshold of feature f: gain = GL^2/(HL+l2) + GR^2/(HR+l2) - G^2/(H+l2).</summary>
    unsafe Split BestSplit(Hist hist, int f, Leaf leaf)
    {
        int nb = _binCount[f];
        if (nb < 2) return Split.None;
        double l2 = _o.L2, G = leaf.G, H = leaf.H, minHess = _o.MinSumHessian;
        int minData = _o.MinDataInLeaf;
        double parentScore = G * G / (H + l2 > 0 ? H + l2 : 1);
        var best = Split.None;
        double gl = 0, hl = 0, nl = 0;
        fixed (Vector256<double>* pv = &hist.Bins[f * Stride])
        {
            double* e = (double*)pv; // per bin: g, h, rows, 0
            for (int b = 0; b < nb - 1; b++, e += 4)
            {
                gl += e[0]; hl += e[1]; nl += e[2];
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

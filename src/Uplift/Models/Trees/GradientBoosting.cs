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
    readonly int[] _order, _tmp;
    readonly double[] _og, _oh;    // gradients/hessians gathered in _order order for one histogram build
    readonly Stack<Hist> _pool = new();
    readonly Split[] _featureBest;

    sealed class Hist
    {
        public readonly double[] GH; // [f * 2 * Stride + 2 b] = sum g, +1 = sum h
        public readonly int[] N;     // [f * Stride + b] = rows
        public Hist(int d) { GH = new double[d * 2 * Stride]; N = new int[d * Stride]; }
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
        _order = new int[_n]; _tmp = new int[_n];
        _og = new double[_n]; _oh = new double[_n];
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
            var (tree, splitBins) = GrowTree(Rng.Derive(seed, 2L * t + 1), Rng.Derive(seed, 2L * t + 2));
            trees.Add(tree);
            AddTree(tree, splitBins, _bins, _n, _pred);
            if (early)
            {
                AddTree(tree, splitBins, vBins!, vn, vPred!);
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
    void AddTree(RegressionTree tree, int[] splitBins, byte[] bins, int n, double[] pred)
    {
        Chunks.For(n, _parallel, (start, end) =>
        {
            for (int k = start; k < end; k++)
            {
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
        if (_o.RowSubsample >= 1) { for (int k = 0; k < _n; k++) _order[m++] = k; }
        else for (int k = 0; k < _n; k++) if (bagRng.NextDouble() < _o.RowSubsample) _order[m++] = k;
        if (m == 0) _order[m++] = bagRng.NextInt(_n);

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
                _og[q] = _g[k]; _oh[q] = _h[k];
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
            else Subtract(hist, parent!.Value.Sibling, f);
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
        var gh = hist.GH.AsSpan(f * 2 * Stride, 2 * Stride);
        var cnt = hist.N.AsSpan(f * Stride, Stride);
        gh[..(2 * nb)].Clear();
        cnt[..nb].Clear();
        fixed (byte* col0 = &_bins[(long)f * _n])
        fixed (int* order = &_order[start])
        fixed (double* og = &_og[start], oh = &_oh[start], pgh = gh)
        fixed (int* pn = cnt)
        {
            for (int q = 0; q < count; q++)
            {
                int b = col0[order[q]];
                pgh[2 * b] += og[q];
                pgh[2 * b + 1] += oh[q];
                pn[b]++;
            }
        }
    }

    void Subtract(Hist parent, Hist sibling, int f)
    {
        int nb = _binCount[f];
        var a = parent.GH.AsSpan(f * 2 * Stride, 2 * nb);
        var b = sibling.GH.AsSpan(f * 2 * Stride, 2 * nb);
        for (int i = 0; i < a.Length; i++) a[i] -= b[i];
        var an = parent.N.AsSpan(f * Stride, nb);
        var bn = sibling.N.AsSpan(f * Stride, nb);
        for (int i = 0; i < an.Length; i++) an[i] -= bn[i];
    }

    /// <summary>Best threshold of feature f: gain = GL^2/(HL+l2) + GR^2/(HR+l2) - G^2/(H+l2).</summary>
    Split BestSplit(Hist hist, int f, Leaf leaf)
    {
        int nb = _binCount[f];
        if (nb < 2) return Split.None;
        var gh = hist.GH.AsSpan(f * 2 * Stride, 2 * nb);
        var cnt = hist.N.AsSpan(f * Stride, nb);
        double l2 = _o.L2, G = leaf.G, H = leaf.H;
        double parentScore = G * G / (H + l2 > 0 ? H + l2 : 1);
        var best = Split.None;
        double gl = 0, hl = 0;
        int nl = 0;
        for (int b = 0; b < nb - 1; b++)
        {
            gl += gh[2 * b]; hl += gh[2 * b + 1]; nl += cnt[b];
            int nr = leaf.Count - nl;
            if (nl < _o.MinDataInLeaf) continue;
            if (nr < _o.MinDataInLeaf) break;
            double hr = H - hl, gr = G - gl;
            if (hl < _o.MinSumHessian || hr < _o.MinSumHessian) continue;
            double dl = hl + l2, dr = hr + l2;
            if (!(dl > 0 && dr > 0)) continue;
            double gain = gl * gl / dl + gr * gr / dr - parentScore;
            if (gain > best.Gain) best = new Split { Feature = f, Bin = b, Gain = gain, GL = gl, HL = hl, NL = nl };
        }
        return best;
    }
}

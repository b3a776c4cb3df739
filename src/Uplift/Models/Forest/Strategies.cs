namespace Uplift.Models.Forest;

// The three small strategies that turn the one generic honest trainer (ForestTrainer) into a regression
// forest or a causal forest, as in grf (Athey, Tibshirani, Wager 2019).

/// <summary>Turns the outcomes of a node's rows into the pseudo-outcomes rho a split should separate.</summary>
internal interface IRelabelingStrategy
{
    /// <summary>Writes <c>ws.Rho[l]</c> for the node's local ids; false = the node must not be split.</summary>
    bool Relabel(TreeWorkspace ws, int start, int end);
}

/// <summary>Chooses the best split of a node among candidate features, given the pseudo-outcomes.</summary>
internal interface ISplittingRule
{
    /// <summary>False when no admissible split improves the criterion. On success the left child holds the
    /// first <paramref name="nLeft"/> rows of the node in the order of <paramref name="feature"/>.</summary>
    bool FindBestSplit(TreeWorkspace ws, int start, int end, ReadOnlySpan<int> features, in TreeOptions o,
        out int feature, out int nLeft);
}

/// <summary>Turns forest weights into an estimate, through per-leaf sufficient statistics (grf's
/// "optimized" prediction): a leaf stores the means over its rows of a few products; the forest averages them
/// over trees, which equals weighting every training row by alpha_i(x) = mean over trees of 1{i in leaf}/|leaf|.</summary>
internal interface IPredictionStrategy
{
    int StatCount { get; }
    /// <summary>Writes the leaf's statistics: sums over its rows divided by the number of rows.</summary>
    void LeafStats(ReadOnlySpan<int> rows, Observations obs, Span<double> stats);
    /// <summary>The estimate from the tree-summed statistics (NaN when undefined).</summary>
    double Predict(ReadOnlySpan<double> stats);
    /// <summary>The first-order change of the estimate at the tree-averaged statistics <paramref name="mean"/> when they
    /// move to one tree's <paramref name="leaf"/> statistics (the tree's influence term of the little-bag variance).</summary>
    double Influence(ReadOnlySpan<double> mean, ReadOnlySpan<double> leaf);
}

/// <summary>Regression: the pseudo-outcome is the outcome itself.</summary>
internal sealed class NoopRelabeling : IRelabelingStrategy
{
    public static readonly NoopRelabeling Instance = new();
    public bool Relabel(TreeWorkspace ws, int start, int end)
    {
        foreach (var e in ws.NodeSamples(start, end)) ws.Rho[e.Local] = ws.LY[e.Local];
        return true;
    }
}

/// <summary>
/// Causal relabeling (grf's InstrumentalRelabelingStrategy with the treatment as its own instrument), on the
/// parent node P with weighted means W̄_P, Ȳ_P of the centred W and Y:
/// tau_P = sum (W - W̄)(Y - Ȳ) / sum (W - W̄)^2 and rho_i = (W_i - W̄)(Y_i - Ȳ - (W_i - W̄) tau_P) / Var_P(W).
/// The 1/Var_P(W) factor (the paper's A_P^-1) is constant within a node, so it does not change the chosen split
/// when the imbalance penalty is 0; grf leaves it out.
/// </summary>
internal sealed class CausalRelabeling : IRelabelingStrategy
{
    public static readonly CausalRelabeling Instance = new();
    public bool Relabel(TreeWorkspace ws, int start, int end)
    {
        var rows = ws.NodeSamples(start, end);
        double[] y = ws.LY, w = ws.LW, s = ws.LS;
        double sw = 0, sy = 0, sz = 0;
        foreach (var en in rows) { int l = en.Local; sw += s[l]; sy += s[l] * y[l]; sz += s[l] * w[l]; }
        if (sw <= 0) return false;
        double yBar = sy / sw, wBar = sz / sw;
        double num = 0, den = 0;
        foreach (var en in rows)
        {
            int l = en.Local;
            double dw = w[l] - wBar;
            num += s[l] * dw * (y[l] - yBar);
            den += s[l] * dw * dw;
        }
        if (Math.Abs(den) <= 1e-10) return false; // no treatment variation: do not split (as grf)
        double tauP = num / den;
        double invVar = sw / den;
        foreach (var en in rows)
        {
            int l = en.Local;
            double dw = w[l] - wBar;
            ws.Rho[l] = dw * (y[l] - yBar - dw * tauP) * invVar;
        }
        return true;
    }
}

/// <summary>
/// grf's regression splitting rule: maximise sum over children of (sum s rho)^2 / (sum s) - penalty *
/// (1/n_left + 1/n_right), each child holding at least max(ceil(alpha * n), 1) rows. Exact: every boundary
/// between distinct values of the candidate feature is tried.
/// </summary>
internal sealed class RegressionSplittingRule : ISplittingRule
{
    public static readonly RegressionSplittingRule Instance = new();

    public bool FindBestSplit(TreeWorkspace ws, int start, int end, ReadOnlySpan<int> features, in TreeOptions o,
        out int feature, out int nLeft)
    {
        int n = end - start;
        RegressionStat[] st = ws.RegStat; // 16 bytes a row: the sweep's random reads stay in the core's cache
        double sumW = 0, sumR = 0;
        foreach (var en in ws.NodeSamples(start, end))
        {
            int l = en.Local;
            ref var q = ref st[l];
            q.S = ws.LS[l]; q.SRho = ws.LS[l] * ws.Rho[l];
            sumW += q.S; sumR += q.SRho;
        }
        int minChild = Math.Max((int)Math.Ceiling(n * o.Alpha), 1);
        double penalty = o.ImbalancePenalty;
        double best = 0;
        feature = -1; nLeft = 0;
        foreach (int f in features)
        {
            ReadOnlySpan<SortedEntry> ent = ws.Sorted(f, start, end);
            if (ent[0].Value == ent[n - 1].Value) continue;
            double wl = 0, sl = 0;
            for (int p = 0; p < n - 1; p++)
            {
                ref readonly var q = ref st[ent[p].Local];
                wl += q.S; sl += q.SRho;
                if (ent[p].Value == ent[p + 1].Value) continue;
                int nl = p + 1;
                if (nl < minChild) continue;
                int nr = n - nl;
                if (nr < minChild) break;
                double wr = sumW - wl;
                if (wl <= 0 || wr <= 0) continue;
                double sr = sumR - sl;
                double penaltyTerm = penalty > 0 ? penalty * (1.0 / nl + 1.0 / nr) : 0;
                if (SplitCriterion.Improves(sl, wl, sr, wr, penaltyTerm, ref best)) { feature = f; nLeft = nl; }
            }
        }
        return feature >= 0;
    }
}

/// <summary>The split criterion both splitting rules maximise (grf): sl²/wl + sr²/wr − penalty term.</summary>
internal static class SplitCriterion
{
    /// <summary>
    /// Whether sl²/wl + sr²/wr − <paramref name="penaltyTerm"/> exceeds <paramref name="best"/> (wl, wr &gt; 0); if so,
    /// <paramref name="best"/> takes the new value. Without a penalty the test needs no division: the sweep's hot path.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool Improves(double sl, double wl, double sr, double wr, double penaltyTerm, ref double best)
    {
        if (penaltyTerm != 0)
        {
            double decrease = sl * sl / wl + sr * sr / wr - penaltyTerm;
            if (!(decrease > best)) return false;
            best = decrease;
            return true;
        }
        double num = sl * sl * wr + sr * sr * wl, den = wl * wr;
        if (!(num > best * den)) return false;
        best = num / den;
        return true;
    }
}

/// <summary>
/// grf's causal ("instrumental") splitting rule on the pseudo-outcomes rho: the regression criterion
/// sum over children (sum s rho)^2 / (sum s) - penalty * (1/size_left + 1/size_right), where a child's size is
/// its weighted sum of squared deviations of the centred treatment W around the child's mean. Balance
/// constraints (grf): each child holds at least MinNodeSize rows with W below the parent's mean and
/// MinNodeSize rows at or above it (treated and control rows when ê is constant), and its size is at least
/// alpha times the parent's.
/// </summary>
internal sealed class CausalSplittingRule : ISplittingRule
{
    public static readonly CausalSplittingRule Instance = new();

    public bool FindBestSplit(TreeWorkspace ws, int start, int end, ReadOnlySpan<int> features, in TreeOptions o,
        out int feature, out int nLeft)
    {
        int n = end - start;
        SplitStat[] st = ws.Stat;
        var rows = ws.NodeSamples(start, end);
        double sumW = 0, sumR = 0, sumZ = 0, sumZZ = 0;
        foreach (var en in rows)
        {
            int l = en.Local;
            double s = ws.LS[l], z = ws.LW[l];
            ref var q = ref st[l];
            q.S = s; q.SRho = s * ws.Rho[l]; q.SZ = s * z; q.SZZ = s * z * z;
            sumW += q.S; sumR += q.SRho; sumZ += q.SZ; sumZZ += q.SZZ;
        }
        feature = -1; nLeft = 0;
        if (sumW <= 0) return false;
        double meanZ = sumZ / sumW;
        int smallNode = 0;
        foreach (var en in rows) { int l = en.Local; int f = ws.LW[l] < meanZ ? 1 : 0; st[l].Small = f; smallNode += f; }
        int minNode = o.MinNodeSize;
        // Both children need minNode small and minNode large rows: a node without twice that many of each has no
        // admissible split (the sweep below would find none), so it is not swept (bit-identical, and most of the
        // bottom level's nodes are such).
        if (smallNode < 2 * minNode || n - smallNode < 2 * minNode) return false;
        double sizeNode = sumZZ - sumZ * sumZ / sumW;
        double minChildSize = sizeNode * o.Alpha;
        double penalty = o.ImbalancePenalty;
        double best = 0;
        foreach (int f in features)
        {
            ReadOnlySpan<SortedEntry> ent = ws.Sorted(f, start, end);
            if (ent[0].Value == ent[n - 1].Value) continue;
            double wl = 0, sl = 0, zl = 0, zzl = 0;
            int smallL = 0;
            for (int p = 0; p < n - 1; p++)
            {
                ref readonly var q = ref st[ent[p].Local];
                wl += q.S; sl += q.SRho; zl += q.SZ; zzl += q.SZZ; smallL += q.Small;
                if (ent[p].Value == ent[p + 1].Value) continue;
                int nl = p + 1;
                if (smallL < minNode || nl - smallL < minNode) continue;
                int nr = n - nl, smallR = smallNode - smallL;
                if (smallR < minNode || nr - smallR < minNode) break;
                double wr = sumW - wl;
                if (wl <= 0 || wr <= 0) continue;
                // Child sizes times the child weights (size = zz - z^2 / w), so the hot path needs no division.
                double zr = sumZ - zl;
                double sizeLw = zzl * wl - zl * zl, sizeRw = (sumZZ - zzl) * wr - zr * zr;
                if (sizeLw < minChildSize * wl || sizeRw < minChildSize * wr) continue;
                double sr = sumR - sl;
                double penaltyTerm = 0;
                if (penalty > 0)
                {
                    double sizeL = sizeLw / wl, sizeR = sizeRw / wr;
                    if (sizeL == 0 || sizeR == 0) continue;
                    penaltyTerm = penalty * (1.0 / sizeL + 1.0 / sizeR);
                }
                if (SplitCriterion.Improves(sl, wl, sr, wr, penaltyTerm, ref best)) { feature = f; nLeft = nl; }
            }
        }
        return feature >= 0;
    }
}

/// <summary>Regression prediction: the alpha-weighted mean of Y, sum alpha s Y / sum alpha s.</summary>
internal sealed class RegressionPrediction : IPredictionStrategy
{
    public static readonly RegressionPrediction Instance = new();
    public int StatCount => 2;

    public void LeafStats(ReadOnlySpan<int> rows, Observations obs, Span<double> stats)
    {
        double s = 0, sy = 0;
        foreach (int i in rows) { s += obs.S[i]; sy += obs.S[i] * obs.Y[i]; }
        double inv = 1.0 / rows.Length;
        stats[0] = s * inv; stats[1] = sy * inv;
    }

    public double Predict(ReadOnlySpan<double> t) => t[0] > 0 ? t[1] / t[0] : double.NaN;

    /// <summary>mu = sY / s: d mu = (d sY - mu d s) / s.</summary>
    public double Influence(ReadOnlySpan<double> t, ReadOnlySpan<double> leaf)
    {
        if (!(t[0] > 0)) return double.NaN;
        double mu = t[1] / t[0];
        return ((leaf[1] - t[1]) - mu * (leaf[0] - t[0])) / t[0];
    }
}

/// <summary>
/// Causal prediction (grf's InstrumentalPredictionStrategy with W as instrument): the forest-weighted
/// residual-on-residual regression tau(x) = sum alpha (W - W̄)(Y - Ȳ) / sum alpha (W - W̄)^2 with W̄, Ȳ the
/// alpha-weighted means, computed from the weighted sums of s, sY, sW, sWY, sWW.
/// </summary>
internal sealed class CausalPrediction : IPredictionStrategy
{
    public static readonly CausalPrediction Instance = new();
    public int StatCount => 5;

    public void LeafStats(ReadOnlySpan<int> rows, Observations obs, Span<double> stats)
    {
        double[] y = obs.Y, w = obs.W!, sw = obs.S;
        double s = 0, sy = 0, sz = 0, szy = 0, szz = 0;
        foreach (int i in rows)
        {
            double si = sw[i], zi = w[i];
            s += si; sy += si * y[i]; sz += si * zi; szy += si * zi * y[i]; szz += si * zi * zi;
        }
        double inv = 1.0 / rows.Length;
        stats[0] = s * inv; stats[1] = sy * inv; stats[2] = sz * inv; stats[3] = szy * inv; stats[4] = szz * inv;
    }

    public double Predict(ReadOnlySpan<double> t)
    {
        double s = t[0];
        if (!(s > 0)) return double.NaN;
        // Homogeneous form of Cov_alpha(W, Y) / Var_alpha(W).
        double num = s * t[3] - t[2] * t[1];
        double den = s * t[4] - t[2] * t[2];
        return den > 1e-12 * s * s ? num / den : double.NaN;
    }

    /// <summary>tau = N / D with N = s sWY - sW sY and D = s sWW - sW^2: d tau = (dN - tau dD) / D, with
    /// dN = ds sWY + s dsWY - dsW sY - sW dsY and dD = ds sWW + s dsWW - 2 sW dsW, d = leaf - mean.</summary>
    public double Influence(ReadOnlySpan<double> t, ReadOnlySpan<double> leaf)
    {
        double s = t[0];
        if (!(s > 0)) return double.NaN;
        double den = s * t[4] - t[2] * t[2];
        if (!(den > 1e-12 * s * s)) return double.NaN;
        double tau = (s * t[3] - t[2] * t[1]) / den;
        double d0 = leaf[0] - t[0], d1 = leaf[1] - t[1], d2 = leaf[2] - t[2], d3 = leaf[3] - t[3], d4 = leaf[4] - t[4];
        double dN = d0 * t[3] + s * d3 - d2 * t[1] - t[2] * d1;
        double dD = d0 * t[4] + s * d4 - 2 * t[2] * d2;
        return (dN - tau * dD) / den;
    }
}

/// <summary>The standard normal distribution: density, distribution function and quantile (for forest intervals).</summary>
internal static class Normal
{
    public static double Pdf(double z) => Math.Exp(-0.5 * z * z) / Math.Sqrt(2 * Math.PI);

    /// <summary>Phi(z): for z &gt;= -3 the everywhere-convergent series 1/2 + phi(z) (z + z^3/3 + z^5/(3*5) + ...); below,
    /// phi(z) / <see cref="TailRatio"/>(z).</summary>
    public static double Cdf(double z)
    {
        if (z < -3) return Pdf(z) / TailRatio(z);
        if (z > 9) return 1;
        double term = z, sum = z, z2 = z * z;
        for (int n = 1; n < 500 && Math.Abs(term) > 1e-17 * Math.Abs(sum); n++)
        {
            term *= z2 / (2 * n + 1);
            sum += term;
        }
        return 0.5 + Pdf(z) * sum;
    }

    /// <summary>phi(z) / Phi(z) for z &lt; 0 by Laplace's continued fraction of the Mills ratio,
    /// |z| + 1 / (|z| + 2 / (|z| + 3 / ...)), evaluated from 80 terms backwards (accurate for z &lt;= -3).</summary>
    public static double TailRatio(double z)
    {
        double a = Math.Abs(z), f = a;
        for (int k = 80; k >= 1; k--) f = a + k / f;
        return f;
    }

    /// <summary>The p-quantile, 0 &lt; p &lt; 1: bisection on <see cref="Cdf"/> (called once per scoring run, so speed does not matter).</summary>
    public static double Quantile(double p)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "must be in (0, 1)");
        double lo = -40, hi = 40;
        for (int i = 0; i < 200 && hi - lo > 1e-12; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Cdf(mid) < p) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }
}

namespace Uplift.Evaluation;

/// <summary>
/// Users sorted by score (descending) with the running per-arm sums of one outcome: weight, weight·y,
/// weight·y² and weight² of the treated and of the control users of every prefix. Ties follow the cost curve's default
/// (<see cref="CostCurveTies.Fractional"/>, METHOD.md section 6 step 2): a prefix that ends inside a block of equal
/// scores takes the same share of each of the block's sums as of its users, so no metric depends on the file order.
/// The weights are 1 on randomized data and the inverse propensities under IPW (METHOD.md section 11).
/// </summary>
internal sealed class RankedPrefix
{
    /// <summary>Per-arm sums of a prefix or a group of users (fractional inside a tie block).</summary>
    internal readonly record struct Sums(double W1, double S1, double Q1, double R1, double W0, double S0, double Q0, double R0)
    {
        public static Sums operator -(Sums a, Sums b) =>
            new(a.W1 - b.W1, a.S1 - b.S1, a.Q1 - b.Q1, a.R1 - b.R1, a.W0 - b.W0, a.S0 - b.S0, a.Q0 - b.Q0, a.R0 - b.R0);
        /// <summary>a + f·(b − a), the fractional sums inside a tie block.</summary>
        public static Sums Lerp(Sums a, Sums b, double f) =>
            new(a.W1 + f * (b.W1 - a.W1), a.S1 + f * (b.S1 - a.S1), a.Q1 + f * (b.Q1 - a.Q1), a.R1 + f * (b.R1 - a.R1),
                a.W0 + f * (b.W0 - a.W0), a.S0 + f * (b.S0 - a.S0), a.Q0 + f * (b.Q0 - a.Q0), a.R0 + f * (b.R0 - a.R0));
        /// <summary>Weighted mean of y over the treated (NaN when there are none).</summary>
        public double Mean1 => W1 > 1e-12 ? S1 / W1 : double.NaN;
        /// <summary>Weighted mean of y over the control users (NaN when there are none).</summary>
        public double Mean0 => W0 > 1e-12 ? S0 / W0 : double.NaN;
        /// <summary>Treated mean minus control mean (NaN when an arm has no users).</summary>
        public double Effect => Mean1 - Mean0;
        /// <summary>
        /// Standard error of <see cref="Effect"/>: sqrt(s1²/n1 + s0²/n0) (Welch), with n the effective size W²/Σw² (Kish;
        /// the count of users when the weights are 1) and s² the weighted variance with Bessel's correction n/(n − 1).
        /// NaN when an arm has fewer than two effective users.
        /// </summary>
        public double EffectSe => Math.Sqrt(Var(W1, S1, Q1, R1) + Var(W0, S0, Q0, R0));

        static double Var(double w, double s, double q, double r)
        {
            if (w <= 1e-12 || r <= 0) return double.NaN;
            double n = w * w / r;
            if (n <= 1 + 1e-9) return double.NaN;
            double m = s / w, v = Math.Max(q / w - m * m, 0) * n / (n - 1);
            return v / n;
        }
    }

    /// <summary>Number of users.</summary>
    public int N { get; }
    // Block b covers sorted positions [Start[b], Start[b + 1]); Cum[b] are the sums of every block before b.
    readonly int[] _start;
    readonly Sums[] _cum;

    RankedPrefix(int n, int[] start, Sums[] cum) { N = n; _start = start; _cum = cum; }

    /// <summary>The ranking of <paramref name="score"/> with the sums of <paramref name="y"/> (weights
    /// <paramref name="w"/>, null = 1). Inputs are validated by the caller.</summary>
    public static RankedPrefix Build(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> y, ReadOnlySpan<double> w = default)
    {
        int n = score.Length;
        var keys = new double[n];
        var order = new int[n];
        for (int i = 0; i < n; i++) { keys[i] = -score[i]; order[i] = i; }
        keys.AsSpan().Sort(order.AsSpan());
        var start = new List<int>(n + 1);
        var cum = new List<Sums>(n + 1);
        double w1 = 0, s1 = 0, q1 = 0, r1 = 0, w0 = 0, s0 = 0, q0 = 0, r0 = 0;
        int p = 0;
        while (p < n)
        {
            start.Add(p); cum.Add(new Sums(w1, s1, q1, r1, w0, s0, q0, r0));
            int end = p + 1;
            while (end < n && keys[end] == keys[p]) end++;
            for (int j = p; j < end; j++)
            {
                int i = order[j];
                double wi = w.IsEmpty ? 1.0 : w[i], yi = y[i];
                if (t[i] == 1) { w1 += wi; s1 += wi * yi; q1 += wi * yi * yi; r1 += wi * wi; }
                else { w0 += wi; s0 += wi * yi; q0 += wi * yi * yi; r0 += wi * wi; }
            }
            p = end;
        }
        start.Add(n); cum.Add(new Sums(w1, s1, q1, r1, w0, s0, q0, r0));
        return new RankedPrefix(n, [.. start], [.. cum]);
    }

    /// <summary>The sums of the top <paramref name="k"/> users (0 &lt;= k &lt;= N; fractional inside a tie block).</summary>
    public Sums Top(double k)
    {
        if (k <= 0) return _cum[0];
        if (k >= N) return _cum[^1];
        // the block containing position k: largest b with start[b] <= k
        int lo = 0, hi = _start.Length - 1;
        while (hi - lo > 1) { int mid = (lo + hi) >> 1; if (_start[mid] <= k) lo = mid; else hi = mid; }
        var a = _cum[lo]; var b = _cum[lo + 1];
        double f = (k - _start[lo]) / (_start[lo + 1] - _start[lo]);
        return f == 0 ? a : Sums.Lerp(a, b, f);
    }

    /// <summary>The sums of every user.</summary>
    public Sums All => _cum[^1];

    /// <summary>The grid of prefix sizes of the cost curve (METHOD.md section 6 step 3, ending at N): k = step, 2·step, ..., N
    /// with step = floor(N / min(S, N)).</summary>
    public static int[] Grid(int n, int segments)
    {
        int s = Math.Min(segments, n), step = n / s;
        var g = new List<int>(s + 1);
        for (int k = step; k < n; k += step) g.Add(k);
        g.Add(n);
        return [.. g];
    }
}

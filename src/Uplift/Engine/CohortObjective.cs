using System.Numerics.Tensors;

namespace Uplift.Engine;

/// <summary>Per-arm sums of one chunk of users, or of the whole cohort (METHOD.md section 2).</summary>
internal struct ArmTotals
{
    /// <summary>Σ e_i with e_i = w_i·exp(ŝ_i − 1): the softmax normaliser (up to the constant shift).</summary>
    public double Z;
    /// <summary>Σ e_i Ṽ_i (Ṽ: the rescaled, inverse-propensity-weighted value).</summary>
    public double SV;
    /// <summary>Σ e_i C̃_i.</summary>
    public double SC;

    public void Add(in ArmTotals o) { Z += o.Z; SV += o.SV; SC += o.SC; }
}

/// <summary>Totals of both arms.</summary>
internal struct CohortTotals
{
    public ArmTotals Treated, Control;
    public void Add(in CohortTotals o) { Treated.Add(o.Treated); Control.Add(o.Control); }
}

/// <summary>
/// The per-row coefficients of the exact gradient, computed once per step from the cohort totals:
/// dLoss/dŝ_i = K_a · e_i · (g_v Ṽ_i + g_c C̃_i − O_a) for user i in arm a.
/// </summary>
internal readonly record struct RowCoefficients(
    double TauV, double TauC, double G, double GV, double GC,
    double KTreated, double OTreated, double KControl, double OControl);

/// <summary>
/// The cohort objective of METHOD.md sections 2-4, in one place: the per-arm softmax, the cohort effects
/// τv and τc, the aggregated functions g and their derivatives, the gradient per user, and the CRM's mask.
/// <para>
/// Forward next to backward, each callable on any range of rows: <see cref="Totals"/> (per-arm softmax sums of a
/// range, merged over ranges with <see cref="CohortTotals.Add"/>), then <see cref="Coefficients"/> (once per step,
/// from the merged totals), then <see cref="RowGradients"/> (dLoss/df per row of a range); for the CRM,
/// <see cref="Pooled"/> gives ŝ and dŝ/ds of a range. <see cref="CohortEngine"/> only schedules the ranges (fixed
/// chunks) and reduces their partial sums in chunk order.
/// </para>
/// <para>
/// Softmax inside each arm (section 2): p_i = w_i exp(ŝ_i) / Σ_{j in arm} w_j exp(ŝ_j). Every score fed to
/// it lies in [−1, 1] (ŝ = tanh(f) for the DRM, ŝ = tanh(f)·σ(·) for the CRM), so the shift by the maximum
/// is replaced by the shift by the known bound 1: e_i = w_i exp(ŝ_i − 1) ∈ [w_i e^-2, w_i], which can
/// neither overflow nor underflow, and keeps pass 1 a single sweep.
/// </para>
/// τ = Σ_{T=1} p_i Ỹ_i − Σ_{T=0} p_i Ỹ_i, where Ỹ already carries the outcome rescaling and, with a known
/// propensity, the inverse-propensity factor ê/e_i (treated) or (1−ê)/(1−e_i) (control).
/// <para>
/// Gradient (section 3): with A_a(Y) = Σ_{i in a} p_i Y_i, dA_a/dŝ_i = p_i (Y_i − A_a). So
/// dLoss/dŝ_i = −sgn_a p_i [g_v (Ṽ_i − A_a(Ṽ)) + g_c (C̃_i − A_a(C̃))], sgn_1 = +1, sgn_0 = −1,
/// which needs only user i and the six totals.
/// </para>
/// </summary>
internal static class CohortObjective
{
    /// <summary>β of the smooth absolute value (METHOD.md section 3).</summary>
    public const double SmoothAbsBeta = 40.0;
    /// <summary>The plain ratio's denominator is kept at least this far from zero (its sign is kept, 0 counts as +).</summary>
    public const double RatioEpsilon = 1e-6;
    /// <summary>The softmax shift (the upper bound of the scores).</summary>
    public const float Shift = 1f;

    /// <summary>
    /// Forward over a range of rows: the softmax terms e_r = w_r exp(ŝ_r − 1) into <paramref name="e"/> and the
    /// range's per-arm totals (Σ e, Σ e Ṽ, Σ e C̃, in double, summed in row order). <paramref name="weight"/> empty =
    /// unweighted. The totals of a cohort are the totals of its ranges merged with <see cref="CohortTotals.Add"/>;
    /// merging in a fixed range order makes them independent of who computed each range.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static CohortTotals Totals(ReadOnlySpan<float> sHat, ReadOnlySpan<byte> arm, ReadOnlySpan<float> v,
        ReadOnlySpan<float> c, ReadOnlySpan<float> weight, Span<float> e)
    {
        int rows = sHat.Length;
        if (arm.Length != rows || v.Length != rows || c.Length != rows || e.Length != rows
            || (!weight.IsEmpty && weight.Length != rows)) throw new ArgumentException("row spans must have one length");
        TensorPrimitives.Add(sHat, -Shift, e);
        Activations.ExpNonPositive(e, e);                                 // e_r = exp(ŝ_r − 1)
        if (!weight.IsEmpty) TensorPrimitives.Multiply(e, weight, e);     // ... · w_r
        double z1 = 0, v1 = 0, c1 = 0, z0 = 0, v0 = 0, c0 = 0;
        for (int r = 0; r < rows; r++)
        {
            double er = e[r], t = arm[r], et = er * t, ec = er - et;
            z1 += et; v1 += et * v[r]; c1 += et * c[r];
            z0 += ec; v0 += ec * v[r]; c0 += ec * c[r];
        }
        return new CohortTotals
        {
            Treated = new ArmTotals { Z = z1, SV = v1, SC = c1 },
            Control = new ArmTotals { Z = z0, SV = v0, SC = c0 },
        };
    }

    /// <summary>Cohort effects τv, τc from the totals (section 2).</summary>
    public static (double TauV, double TauC) Effects(in CohortTotals t) =>
        (t.Treated.SV / t.Treated.Z - t.Control.SV / t.Control.Z,
         t.Treated.SC / t.Treated.Z - t.Control.SC / t.Control.Z);

    /// <summary>g(τv, τc) and its partial derivatives g_v = ∂g/∂τv, g_c = ∂g/∂τc (section 3).</summary>
    public static double G(Objective kind, double tauV, double tauC, double lambda, out double gV, out double gC)
    {
        switch (kind)
        {
            case Objective.Ratio:
            {
                if (Math.Abs(tauC) >= RatioEpsilon) { gV = 1 / tauC; gC = -tauV / (tauC * tauC); return tauV / tauC; }
                double den = tauC < 0 ? -RatioEpsilon : RatioEpsilon; // flat in τc inside the guard band
                gV = 1 / den; gC = 0; return tauV / den;
            }
            case Objective.SoftplusRatio:
            {
                double num = Softplus(tauV), den = Softplus(tauC);
                gV = Sigmoid(tauV) / den; gC = -num * Sigmoid(tauC) / (den * den);
                return num / den;
            }
            case Objective.SmoothAbsRatio:
            {
                double b = SmoothAbsBeta;
                double den = (Softplus(b * tauC) + Softplus(-b * tauC)) / b;   // |τc|_β
                double dDen = Math.Tanh(b * tauC / 2);                          // d|x|_β/dx = σ(βx) − σ(−βx)
                gV = 1 / den; gC = -tauV * dDen / (den * den);
                return tauV / den;
            }
            case Objective.Lagrangian:
                gV = 1; gC = -lambda;
                return tauV - lambda * tauC;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>The step's coefficients of the per-row gradient (see <see cref="RowCoefficients"/>), with Loss = −g.</summary>
    public static RowCoefficients Coefficients(in CohortTotals t, Objective kind, double lambda)
    {
        var (tauV, tauC) = Effects(t);
        double g = G(kind, tauV, tauC, lambda, out double gV, out double gC);
        double a1v = t.Treated.SV / t.Treated.Z, a1c = t.Treated.SC / t.Treated.Z;
        double a0v = t.Control.SV / t.Control.Z, a0c = t.Control.SC / t.Control.Z;
        // dLoss/dŝ_i = −sgn_a (e_i / Z_a) [g_v Ṽ_i + g_c C̃_i − (g_v A_a(Ṽ) + g_c A_a(C̃))]
        return new RowCoefficients(tauV, tauC, g, gV, gC,
            KTreated: -1.0 / t.Treated.Z, OTreated: gV * a1v + gC * a1c,
            KControl: +1.0 / t.Control.Z, OControl: gV * a0v + gC * a0c);
    }

    /// <summary>
    /// Backward over a range of rows (the pair of <see cref="Totals"/>): <paramref name="df"/>[r] = dLoss/df_r from the
    /// step's coefficients, where ŝ = s (DRM) or ŝ = s σ(t (s − d)) (CRM) and s = tanh(f):
    /// dLoss/dŝ_r = K_a e_r (g_v Ṽ_r + g_c C̃_r − O_a) for arm a, times dŝ/ds (<paramref name="dPooled"/>, CRM; empty
    /// for the DRM), times 1 − s_r². With <paramref name="s"/> all zero and no <paramref name="dPooled"/>, df = dLoss/dŝ.
    /// Rows are independent: any split of a cohort into ranges gives the same values.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void RowGradients(in RowCoefficients k, ReadOnlySpan<byte> arm, ReadOnlySpan<float> e,
        ReadOnlySpan<float> v, ReadOnlySpan<float> c, ReadOnlySpan<float> dPooled, ReadOnlySpan<float> s, Span<float> df)
    {
        int rows = df.Length;
        if (arm.Length != rows || e.Length != rows || v.Length != rows || c.Length != rows || s.Length != rows
            || (!dPooled.IsEmpty && dPooled.Length != rows)) throw new ArgumentException("row spans must have one length");
        bool crm = !dPooled.IsEmpty;
        Span<double> kk = stackalloc double[2], oo = stackalloc double[2];
        kk[0] = k.KControl; kk[1] = k.KTreated; oo[0] = k.OControl; oo[1] = k.OTreated;
        double gv = k.GV, gc = k.GC;
        for (int r = 0; r < rows; r++)
        {
            int a = arm[r];
            float dsHat = (float)(kk[a] * e[r] * (gv * v[r] + gc * c[r] - oo[a]));   // dLoss/dŝ_r
            float ds = crm ? dsHat * dPooled[r] : dsHat;                             // CRM: dŝ/ds, d held constant
            float sr = s[r];
            df[r] = ds * (1 - sr * sr);                                              // d tanh(f)/df = 1 − s²
        }
    }

    /// <summary>The weight penalty Λ(θ) = L1 Σ|w| + L2 Σ w² over the weights (biases not penalised).</summary>
    public static double Penalty(ReadOnlySpan<float> p, ReadOnlySpan<bool> isWeight, in ObjectiveSpec spec)
    {
        double penalty = 0;
        if (spec.L1 != 0 || spec.L2 != 0)
            for (int j = 0; j < p.Length; j++)
                if (isWeight[j]) penalty += spec.L1 * Math.Abs(p[j]) + spec.L2 * (double)p[j] * p[j];
        return penalty;
    }

    /// <summary>grad += dΛ/dθ (see <see cref="Penalty"/>).</summary>
    public static void AddPenaltyGradient(ReadOnlySpan<float> p, Span<float> grad, ReadOnlySpan<bool> isWeight, in ObjectiveSpec spec)
    {
        if (spec.L1 != 0 || spec.L2 != 0)
            for (int j = 0; j < p.Length; j++)
                if (isWeight[j]) grad[j] += (float)(spec.L1 * Math.Sign(p[j]) + 2 * spec.L2 * p[j]);
    }

    // ---------------------------------------------------------------------------------------------
    // CRM (METHOD.md section 4).

    /// <summary>Temperature at a step: t = t0 + Δt · floor(step / K).</summary>
    public static double Temperature(double t0, double dt, int k, int step) => t0 + dt * (step / k);

    /// <summary>
    /// CRM forward for a range of users (arm 1 uses offset d1, arm 0 d0): pooled score ŝ = s · v with the soft mask
    /// v = σ(t (s − d)) = (1 + tanh(t (s − d) / 2)) / 2, and <paramref name="dPooled"/> = dŝ/ds with d held constant
    /// (stop-gradient): v + s · t · v (1 − v). The sigmoid's tanh is vectorised; <paramref name="sHat"/> is used as
    /// scratch for the mask first.
    /// </summary>
    public static void Pooled(ReadOnlySpan<float> s, ReadOnlySpan<byte> arm, float t, float d1, float d0,
        Span<float> sHat, Span<float> dPooled)
    {
        int n = s.Length;
        for (int i = 0; i < n; i++) sHat[i] = 0.5f * t * (s[i] - (arm[i] != 0 ? d1 : d0));
        Activations.Tanh(sHat[..n]);
        for (int i = 0; i < n; i++)
        {
            float v = 0.5f + 0.5f * sHat[i];
            dPooled[i] = v + s[i] * t * v * (1 - v);
            sHat[i] = s[i] * v;
        }
    }

    /// <summary>Index into the descending sort of an arm of n users of the q-quantile from the top: ceil(n q) − 1, at least 0.</summary>
    public static int OffsetIndex(int n, double q) => Math.Clamp((int)Math.Ceiling(n * q - 1e-9) - 1, 0, n - 1);

    /// <summary>
    /// The CRM offset d of one arm: the score at index ceil(n q) − 1 of the descending sort, found by selection
    /// (expected O(n)). <paramref name="scores"/> is reordered.
    /// </summary>
    public static float Offset(Span<float> scores, double q)
    {
        if (scores.IsEmpty) throw new ArgumentException("empty arm");
        int k = OffsetIndex(scores.Length, q);
        return SelectDescending(scores, k);
    }

    /// <summary>The k-th largest value (0-based) of <paramref name="a"/> (reorders it). Quickselect, median of three, deterministic.</summary>
    public static float SelectDescending(Span<float> a, int k)
    {
        int lo = 0, hi = a.Length - 1, budget = 64;
        while (hi > lo)
        {
            if (--budget == 0) { a[lo..(hi + 1)].Sort((x, y) => y.CompareTo(x)); return a[k]; }
            int mid = lo + (hi - lo) / 2;
            // median of three, descending order
            if (a[mid] > a[lo]) (a[mid], a[lo]) = (a[lo], a[mid]);
            if (a[hi] > a[lo]) (a[hi], a[lo]) = (a[lo], a[hi]);
            if (a[hi] > a[mid]) (a[hi], a[mid]) = (a[mid], a[hi]);
            float pivot = a[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] > pivot) i++;
                while (a[j] < pivot) j--;
                if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }
        return a[k];
    }

    public static double Softplus(double x) => Math.Max(x, 0) + Math.Log(1 + Math.Exp(-Math.Abs(x)));
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}

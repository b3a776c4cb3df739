namespace Uplift.Evaluation;

/// <summary>
/// Doubly robust (AIPW) scores of one outcome (METHOD.md section 11):
/// Γ_i = μ1(x_i) − μ0(x_i) + T_i (Y_i − μ1(x_i)) / e(x_i) − (1 − T_i)(Y_i − μ0(x_i)) / (1 − e(x_i)).
/// Their mean over a group estimates the group's average effect; the RATE (<see cref="Rate"/>), the calibration test
/// (<see cref="Calibration"/>) and the doubly robust cost curve (<see cref="CostCurve.ComputeAdjusted"/>) use them.
/// μ and e must be fitted out of fold (cross-fitting, <c>Models/Propensity</c>) for the estimate to be honest.
/// </summary>
public static class DrScores
{
    /// <summary>Γ of every user (the formula of section 11, the one place it lives). Propensities must be in (0, 1).</summary>
    public static double[] Compute(ReadOnlySpan<byte> t, ReadOnlySpan<double> y, ReadOnlySpan<double> e,
        ReadOnlySpan<double> mu1, ReadOnlySpan<double> mu0)
    {
        int n = t.Length;
        if (y.Length != n || e.Length != n || mu1.Length != n || mu0.Length != n)
            throw new UpliftDataException($"T, Y, e, mu1 and mu0 must have the same length (got {n}, {y.Length}, {e.Length}, {mu1.Length}, {mu0.Length}).");
        var g = new double[n];
        for (int i = 0; i < n; i++)
        {
            double ei = e[i];
            if (!(ei > 0 && ei < 1)) throw new UpliftDataException($"the propensity is {ei}; it must be in (0, 1).", row: i + 1, column: "propensity");
            g[i] = mu1[i] - mu0[i] + (t[i] == 1 ? (y[i] - mu1[i]) / ei : -(y[i] - mu0[i]) / (1 - ei));
        }
        return g;
    }

    /// <summary>
    /// Γ for a randomized campaign without a model of the outcomes: e = the treated share and μ_a = the arm's mean, so
    /// the mean of Γ over all users is exactly the difference in means. Valid (unbiased for any group's average effect)
    /// only when T is independent of x.
    /// </summary>
    public static double[] Randomized(ReadOnlySpan<byte> t, ReadOnlySpan<double> y)
    {
        int n = t.Length;
        if (y.Length != n) throw new UpliftDataException($"{n} treatments for {y.Length} outcomes.");
        double n1 = 0, s1 = 0, s0 = 0;
        for (int i = 0; i < n; i++) { if (t[i] == 1) { n1++; s1 += y[i]; } else s0 += y[i]; }
        if (n1 == 0 || n1 == n) throw new UpliftDataException("the doubly robust scores need treated and control users.");
        double p = n1 / n, m1 = s1 / n1, m0 = s0 / (n - n1);
        var e = new double[n]; var mu1 = new double[n]; var mu0 = new double[n];
        Array.Fill(e, p); Array.Fill(mu1, m1); Array.Fill(mu0, m0);
        return Compute(t, y, e, mu1, mu0);
    }
}

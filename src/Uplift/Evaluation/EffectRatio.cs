namespace Uplift.Evaluation;

/// <summary>
/// The guarded effect ratio relu(tau_v) / (relu(tau_c) + eps) (METHOD.md section 5). It ranks users
/// whose treatment lowers cost (tau_c &lt;= 0) with tau_v &gt; 0 first and users with tau_v &lt;= 0 last,
/// where the plain ratio tau_v / tau_c would rank them last. The one place of this formula: the oracle,
/// the causal forest, the T-learner and the R-learner on both outcomes all use it.
/// </summary>
public static class EffectRatio
{
    /// <summary>Default guard of the denominator (the 2025 code's 1e-5).</summary>
    public const double DefaultEpsilon = 1e-5;

    /// <summary>relu(tau_v) / (relu(tau_c) + eps).</summary>
    public static double Guarded(double tauV, double tauC, double eps = DefaultEpsilon) =>
        Math.Max(tauV, 0.0) / (Math.Max(tauC, 0.0) + eps);

    /// <summary>Element-wise <see cref="Guarded(double, double, double)"/> into <paramref name="destination"/>.</summary>
    public static void Guarded(ReadOnlySpan<double> tauV, ReadOnlySpan<double> tauC, Span<double> destination, double eps = DefaultEpsilon)
    {
        if (tauV.Length != tauC.Length || destination.Length != tauV.Length)
            throw new ArgumentException("tauV, tauC and destination must have the same length.");
        if (!(eps > 0)) throw new UpliftOptionException("epsilon", $"must be positive, got {eps}.");
        for (int i = 0; i < tauV.Length; i++) destination[i] = Guarded(tauV[i], tauC[i], eps);
    }
}

/// <summary>The oracle ranking of synthetic data: the guarded ratio of the true effects (METHOD.md sections 5, 6).</summary>
public static class Oracle
{
    /// <summary>The oracle score of each user: <see cref="EffectRatio.Guarded(double, double, double)"/> of the true tau_v, tau_c.</summary>
    public static double[] OracleScore(ReadOnlySpan<double> tauV, ReadOnlySpan<double> tauC, double eps = EffectRatio.DefaultEpsilon)
    {
        var s = new double[tauV.Length];
        EffectRatio.Guarded(tauV, tauC, s, eps);
        return s;
    }
}

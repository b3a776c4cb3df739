namespace Uplift.Models;

/// <summary>
/// Ranking score from two effect estimates (METHOD.md section 5, "Ranking from two effect estimates").
/// The plain ratio tau_v / tau_c ranks users whose treatment lowers cost last; the guarded ratio
/// relu(tau_v) / (relu(tau_c) + eps) puts them first and users with tau_v &lt;= 0 last.
/// </summary>
public static class EffectRatio
{
    /// <summary>Default epsilon of the guarded ratio (the 2025 code's 1e-5).</summary>
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

    /// <summary>The Lagrangian score tau_v - lambda * tau_c.</summary>
    public static double Lagrangian(double tauV, double tauC, double lambda) => tauV - lambda * tauC;
}

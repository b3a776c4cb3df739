using Uplift.Models;

namespace Uplift.Synthetic;

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

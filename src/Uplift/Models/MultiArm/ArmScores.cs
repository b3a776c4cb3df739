using Uplift.Data;

namespace Uplift.Models.MultiArm;

/// <summary>The one score of a model of several arms (<see cref="PerArmModel"/>, <see cref="GatingModel"/>).</summary>
internal static class ArmScores
{
    /// <summary>The slope of each user's best upgrade: max over arms of the guarded ratio of (tau_v,k, tau_c,k)
    /// (METHOD.md sections 5 and 10), from <paramref name="model"/>'s effects.</summary>
    internal static void BestUpgradeSlope(IMultiArmModel model, Dataset data, Span<double> scores, int? maxThreads)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (scores.Length != data.Rows) throw new ArgumentException("one score per row");
        int n = data.Rows, k = model.Arms;
        var tv = new double[(long)n * k]; var tc = new double[(long)n * k];
        model.PredictArmEffects(data, tv, tc, maxThreads);
        for (int i = 0; i < n; i++)
        {
            double best = double.NegativeInfinity;
            for (int a = 0; a < k; a++) best = Math.Max(best, EffectRatio.Guarded(tv[i * k + a], tc[i * k + a]));
            scores[i] = best;
        }
    }
}

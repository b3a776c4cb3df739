using Uplift.Data;

namespace Uplift.Synthetic;

/// <summary>
/// The <c>confounded</c> scenario (<see cref="SyntheticScenario.Confounded"/>): an observational campaign with the truth,
/// where past targeting chose who got the offer by the very features that drive the effects (METHOD.md section 11).
/// Features and baselines as <see cref="SyntheticScenario"/>; with z = 0.6 x0 + 0.8 x2 (the effect index):
/// <code>
/// tau_v = 1 + 0.9 z,   tau_c = 1 + 0.2 x3
/// e(x)  = 0.1 + 0.8 · sigmoid(logit(share) + 1.5 z + 0.5 x3)      (in (0.1, 0.9); share = TreatedShare sets its centre)
/// </code>
/// Users with large effects were treated more often, and z also moves the value baseline mu_v (2 x0 − x2): the naive
/// cost curve of section 6 compares treated and control users that differ in more than the treatment, so it is
/// biased, while the inverse-propensity weighted and doubly robust curves with the true e(x) are not. The propensity is
/// in <see cref="SyntheticData.Propensity"/> and in <see cref="Dataset.Propensity"/>.
/// </summary>
public static class ConfoundedCampaign
{
    /// <summary>The propensity's floor and range: e in (Floor, Floor + Range).</summary>
    public const double Floor = 0.1, Range = 0.8;

    /// <summary>One user's tau_v, tau_c and e(x) from the effect index z, x3 and logit(share) (formulas above); the rest of
    /// the campaign (features, baselines, noise, its own chunk stream <c>RngStream.ConfoundedChunk</c>) is
    /// <see cref="SyntheticCampaign"/>'s binary generator.</summary>
    internal static (double TauV, double TauC, double E) Truth(double z, double x3, double logitShare) =>
        (1 + 0.9 * z, 1 + 0.2 * x3, Floor + Range / (1 + Math.Exp(-(logitShare + 1.5 * z + 0.5 * x3))));
}

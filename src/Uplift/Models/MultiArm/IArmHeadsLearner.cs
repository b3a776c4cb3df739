using Uplift.Data;

namespace Uplift.Models.MultiArm;

/// <summary>
/// A binary learner that fits the K heads of a multi-arm campaign itself, sharing work between the arms (the T-learner
/// fits its control models once), instead of <see cref="PerArmLearner"/>'s K independent fits of arm k against control.
/// Head k (index k - 1) must be the learner's binary model of arm k against control; the caller has checked that
/// <c>train.Arms</c> &gt; 1, that every arm and control have users, and the validation set's arms. Null: the learner's
/// options ask for independent per-arm fits after all (the caller fits them).
/// </summary>
internal interface IArmHeadsLearner
{
    IReadOnlyList<IUpliftModel>? FitHeads(Dataset train, Dataset? validation, FitContext context);
}

using Uplift.Data;

namespace Uplift.Models.Auto;

/// <summary>
/// Nested validation, the rule by which a model is chosen among candidates (the auto learner, and <c>bench paper</c>'s
/// "best" row): the validation users are cut in two halves (stratified by arm, seeded); each candidate tunes (keeps its
/// snapshots, restarts, lambda) on the first and is judged on the second, so the choice does not reward the candidate
/// that fitted the validation users hardest.
/// </summary>
public static class NestedValidation
{
    /// <summary>The tuning and judging halves of <paramref name="validation"/> (stratified by arm, <paramref name="seed"/>).</summary>
    public static (Dataset Tune, Dataset Judge) Halves(Dataset validation, long seed)
    {
        ArgumentNullException.ThrowIfNull(validation);
        var halves = DataSplit.Stratified(validation.T, 0.5, 0.5, seed);
        return (validation.Subset(halves.Train), validation.Subset(halves.Valid));
    }
}

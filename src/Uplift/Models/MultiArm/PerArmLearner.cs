using Uplift.Data;

namespace Uplift.Models.MultiArm;

/// <summary>
/// Any binary learner of the catalog made a learner of K arms (METHOD.md section 10, "Decision"): what every
/// <see cref="LearnerRegistration"/> creates. With one arm (<see cref="Dataset.Arms"/> = 1) <see cref="Fit"/> is the binary
/// learner's own fit, untouched (the same model, bit for bit). With K &gt; 1 it fits the binary learner once per arm k,
/// on arm k's users against the control users (T = k becomes 1, T = 0 stays 0, other arms are left out), one arm after
/// another, each with the caller's thread cap (so each head keeps its own parallelism and the numbers do not depend on
/// it) and the seed <c>Rng.SubSeed(seed, RngStream.ArmHead, k)</c>; the validation users are restricted the same way
/// (a head gets none when its restricted validation set lacks the arm or control). A head that estimates both effects
/// (<see cref="IEffectModel"/>: tlearner, rlearner on both outcomes, causal-forest) gives arm k's effects itself;
/// a head that only scores (drm, crm, rlearner on value, duality-rlearner) is calibrated to effects
/// (<see cref="ScoreCalibration"/>) on the arm's and control's validation users, or on its training users when no
/// validation set is given (in-sample, so optimistic: give a validation set). The result is a <see cref="PerArmModel"/>.
/// A binary learner that shares work between arms (<see cref="IArmHeadsLearner"/>: the T-learner's control models)
/// fits the K heads itself instead; a ranking learner asked for a learned gating (<see cref="IGatingLearner"/>,
/// <see cref="ArmModel.Gating"/>) fits a <see cref="GatingModel"/> instead of heads.
/// </summary>
public sealed class PerArmLearner : IUpliftLearner
{
    /// <summary>Wraps <paramref name="binary"/>, the learner of one arm.</summary>
    public PerArmLearner(IUpliftLearner binary)
    {
        ArgumentNullException.ThrowIfNull(binary);
        if (binary is PerArmLearner) throw new ArgumentException("the binary learner is already a per-arm learner.", nameof(binary));
        Binary = binary;
    }

    /// <summary>The learner of one arm against control (the binary learner of today).</summary>
    public IUpliftLearner Binary { get; }
    public string Kind => Binary.Kind;

    public IUpliftModel Fit(Dataset train, Dataset? validation, FitContext context)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.Arms == 1) return Binary.Fit(train, validation, context);
        ArgumentNullException.ThrowIfNull(context);
        int arms = train.Arms;
        Check(train, "training", arms);
        if (validation is not null) Check(validation, "validation", arms);
        var users = new int[arms + 1];
        foreach (var b in train.T) users[b]++;
        for (int k = 1; k <= arms; k++)
            if (users[k] == 0 || users[0] == 0)
                throw new UpliftDataException(
                    $"{Kind}: arm {k} of {arms} has {users[k]} users and control {users[0]} in the training data; every arm needs users and control users.");
        if (Binary is IGatingLearner gating && gating.FitGating(train, validation, context) is { } gated) return gated;
        IReadOnlyList<IUpliftModel>? shared = Binary is IArmHeadsLearner joint ? joint.FitHeads(train, validation, context) : null;
        var heads = new IUpliftModel[arms];
        var calibrations = new ScoreCalibration?[arms];
        for (int k = 1; k <= arms; k++)
        {
            var armValidation = validation is null ? null : ArmAgainstControl(validation, k);
            var head = shared?[k - 1] ?? FitHead(train, armValidation, context, k);
            heads[k - 1] = head;
            if (head is IEffectModel) continue;
            var set = armValidation ?? ArmAgainstControl(train, k);
            var scores = head.Score(set, context.MaxThreads);
            string where = armValidation is null ? "training data (no validation set)" : "validation data";
            calibrations[k - 1] = ScoreCalibration.Fit(scores, set.T, set.V, set.C, $"{Kind}: arm {k} of {arms}, {where}");
        }
        return new PerArmModel(heads, calibrations);
    }

    /// <summary>The binary learner fitted on arm <paramref name="arm"/> against control, with its own seed; the validation
    /// users restricted alike, or none when they lack the arm or control.</summary>
    IUpliftModel FitHead(Dataset train, Dataset? armValidation, FitContext context, int arm)
    {
        int vt = armValidation?.TreatedCount ?? 0;
        var headValidation = armValidation is not null && vt > 0 && vt < armValidation.Rows ? armValidation : null;
        return Binary.Fit(ArmAgainstControl(train, arm), headValidation, context with { Seed = Rng.SubSeed(context.Seed, RngStream.ArmHead, arm) });
    }

    void Check(Dataset data, string what, int arms)
    {
        if (!data.HasOutcomes) throw new UpliftDataException($"{Kind}: the {what} data has no treatment and outcome columns.");
        if (data.Arms != arms) throw new UpliftDataException($"{Kind}: the {what} data has {data.Arms} arms, the training data {arms}.");
        if (data.Propensity is not null)
            throw new UpliftDataException($"{Kind}: the {what} data has a propensity column, which is P(T = 1 | x) of a binary campaign; with {arms} arms it is not used: leave it out.");
    }

    /// <summary>The users of arm <paramref name="arm"/> (T = 1) and control (T = 0), in their order, as a binary campaign.</summary>
    internal static Dataset ArmAgainstControl(Dataset data, int arm)
    {
        var rows = new List<int>();
        for (int i = 0; i < data.Rows; i++) if (data.T[i] == 0 || data.T[i] == arm) rows.Add(i);
        var sub = data.Subset(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows));
        var t = new byte[sub.Rows];
        for (int i = 0; i < t.Length; i++) t[i] = sub.T[i] == 0 ? (byte)0 : (byte)1;
        return new Dataset(sub.X, sub.Rows, sub.Features, sub.FeatureNames, t, sub.V, sub.C, null, sub.Weight, sub.Ids, arms: 1);
    }
}

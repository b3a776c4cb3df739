namespace Uplift.Models.Meta;

/// <summary>The R-learner in the catalog (METHOD.md section 5): its name, options, flags and model loader.</summary>
public static class RLearnerRegistration
{
    public const string Name = "rlearner";

    /// <summary>The base learner, cross-fitting and propensity flags, shared with the duality R-learner.</summary>
    public static IReadOnlyList<LearnerFlag<RLearnerOptions>> NuisanceFlags { get; } =
    [
        Flag<RLearnerOptions>.Choice("--base",
            "rlearner, duality-rlearner, tlearner: ridge | boosted (defaults: ridge for R-learners, boosted for tlearner).",
            MetaNames.BaseLearner, (o, v) => o with { BaseLearner = v }),
        Flag<RLearnerOptions>.Int("--folds", "rlearner: cross-fitting folds (default 5).", (o, v) => o with { Folds = v }),
        Flag<RLearnerOptions>.Choice("--propensity-model",
            "rlearner: constant (default) | logistic; causal-forest: constant | forest (default forest).",
            MetaNames.Propensity, (o, v) => o with { Propensity = v }),
    ];

    public static LearnerRegistration<RLearnerOptions> Instance { get; } = new(Name, new RLearnerOptions(), o => new RLearner(o), RLearnerModel.Load,
    [
        Flag<RLearnerOptions>.Choice("--outcome", "rlearner: value (the paper's R-learner on value, default) | both (rank by tau_v/tau_c).",
            MetaNames.Outcome, (o, v) => o with { Outcome = v }),
        Flag<RLearnerOptions>.Choice("--arm-loss",
            "rlearner with several arms: joint (the multi-arm R-loss on all users, default) | per-arm (one R-learner per arm against control).",
            MetaNames.ArmLoss, (o, v) => o with { ArmLoss = v }),
        .. NuisanceFlags,
    ]);
}

using Uplift.Engine;
using Uplift.Models.MultiArm;

namespace Uplift.Models.Ranking;

/// <summary>The DRM in the catalog (METHOD.md section 3): its name, options, flags and model loader.</summary>
public static class DrmRegistration
{
    public const string Name = "drm";

    /// <summary>The network, objective and optimiser flags, shared with the CRM (<see cref="CrmRegistration"/>).</summary>
    public static IReadOnlyList<LearnerFlag<DrmOptions>> Flags { get; } =
    [
        Flag<DrmOptions>.Text("--hidden",
            "Scorer: auto (default: the linear scorer or an MLP of 64, whichever has the higher validation AUCC) | linear | MLP hidden sizes, e.g. 64 or 92 or 64,32.",
            (o, v) => v.Trim().ToLowerInvariant() switch
            {
                "auto" => o with { Scorer = ScorerKind.Auto },
                "linear" => o with { Scorer = ScorerKind.Linear },
                _ => o with { Scorer = ScorerKind.Mlp, HiddenSizes = FlagText.PositiveInts(v, "--hidden") },
            }),
        Flag<DrmOptions>.Int("--steps", "Adam steps per restart (default 1500).", (o, v) => o with { Steps = v }),
        Flag<DrmOptions>.Int("--restarts", "Random restarts (default 3); the best snapshot of all is kept (see --selection).",
            (o, v) => o with { Restarts = v }),
        Flag<DrmOptions>.Choice("--selection",
            "Which parameters a DRM/CRM keeps: aucc (highest validation AUCC, default) | objective (highest validation objective).",
            RankingNames.Selection, (o, v) => o with { Selection = v }),
        Flag<DrmOptions>.Choice("--objective", "ratio | softplus-ratio | smooth-abs-ratio | lagrangian (default smooth-abs-ratio).",
            EngineNames.Objective, (o, v) => o with { Objective = v }),
        Flag<DrmOptions>.Number("--learning-rate", "Adam learning rate (default 0.01).", (o, v) => o with { LearningRate = v }),
        Flag<DrmOptions>.Number("--l1", "L1 weight penalty (default 0).", (o, v) => o with { L1 = v }),
        Flag<DrmOptions>.Number("--l2", "L2 weight penalty (default 1e-3 for an MLP scorer, 0 for the linear one).", (o, v) => o with { L2 = v }),
        Flag<DrmOptions>.Number("--lambda", "Lambda of the Lagrangian objective / score (drm, crm, causal-forest).", (o, v) => o with { Lambda = v }),
        Flag<DrmOptions>.Choice("--arm-model",
            "With several arms: heads (one head per arm, calibrated; default) | gating (a learned softmax over the arms).",
            ArmModelNames.Table, (o, v) => o with { ArmModel = v }),
    ];

    public static LearnerRegistration<DrmOptions> Instance { get; } =
        new(Name, new DrmOptions(), o => new DrmLearner(o), RankingModel.Load, Flags);
}

using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.Ranking;

namespace Uplift.Models;

/// <summary>The options of every learner, one record each; a learner uses only its own.</summary>
public sealed record LearnerSettings
{
    public DrmOptions Drm { get; init; } = new();
    public CrmOptions Crm { get; init; } = new();
    public RLearnerOptions RLearner { get; init; } = new();
    public DualityRLearnerOptions DualityRLearner { get; init; } = new();
    public CausalForestOptions CausalForest { get; init; } = new();
    public TLearnerOptions TLearner { get; init; } = new();
}

/// <summary>Every learner by its command-line name: drm, crm, rlearner, duality-rlearner, causal-forest, tlearner.</summary>
public static class LearnerCatalog
{
    public static IReadOnlyList<string> Names { get; } = ["drm", "crm", "rlearner", "duality-rlearner", "causal-forest", "tlearner"];

    /// <summary>The validation metric learners use to choose hyper-parameters: the test AUCC of METHOD.md section 6.</summary>
    public static double ValidationAucc(Dataset data, double[] scores) => CostCurve.Aucc(scores, data.T, data.V, data.C);

    /// <summary>The learner named <paramref name="kind"/> (case-insensitive: "DRM" = "drm").</summary>
    public static IUpliftLearner Create(string kind, LearnerSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        settings ??= new LearnerSettings();
        return Names.FirstOrDefault(n => string.Equals(n, kind.Trim(), StringComparison.OrdinalIgnoreCase)) switch
        {
            "drm" => new DrmLearner(settings.Drm),
            "crm" => new CrmLearner(settings.Crm),
            "rlearner" => new RLearner(settings.RLearner),
            "duality-rlearner" => new DualityRLearner(ValidationAucc, settings.DualityRLearner),
            "causal-forest" => new CausalForestLearner(settings.CausalForest),
            "tlearner" => new TLearner(settings.TLearner),
            _ => throw new UpliftOptionException("--model", $"unknown model '{kind}'; choose one of {string.Join(", ", Names)}."),
        };
    }
}

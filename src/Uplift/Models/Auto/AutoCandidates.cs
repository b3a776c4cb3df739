using System.Globalization;
using Uplift.Engine;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.Ranking;

namespace Uplift.Models.Auto;

/// <summary>A candidate of the auto learner: a name, its learner's catalog name, a line describing its settings, the learner.</summary>
public sealed record AutoCandidate(string Name, string Kind, string Settings, IUpliftLearner Learner);

/// <summary>
/// The auto learner's candidates: catalog learners at their main settings, in a fixed order, cheap first (fit times on
/// 12,000 training users of the nonlinear scenario, 2 cores: T-learner 1 s, linear DRM 1.3 s, linear CRM 1.8 s,
/// R-learner 3.4 s, MLP DRM 4 s, MLP CRM 5 s, causal forest 19 s):
/// tlearner (boosted), drm linear, crm linear, rlearner (boosted, both outcomes: ranks by tau_v / tau_c),
/// drm MLP, crm MLP, causal-forest. Each starts from <see cref="AutoOptions.Base"/> (the catalog defaults when null).
/// </summary>
public static class AutoCandidates
{
    /// <summary>The candidate names, in the order they run.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["tlearner boosted", "drm linear", "crm linear", "rlearner boosted both", "drm mlp", "crm mlp", "causal-forest"];

    /// <summary>The name of the rank-average candidate.</summary>
    public const string EnsembleName = "rank average";

    /// <summary>The candidates of <paramref name="options"/>, in <see cref="Names"/> order.</summary>
    public static IReadOnlyList<AutoCandidate> For(AutoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var s = options.Base ?? new LearnerSettings();
        var t = s.Get<TLearnerOptions>() with { BaseLearner = BaseLearnerKind.Boosted };
        var drm = s.Get<DrmOptions>();
        var crm = s.Get<CrmOptions>();
        var r = s.Get<RLearnerOptions>() with { BaseLearner = BaseLearnerKind.Boosted, Outcome = RLearnerOutcome.Both };
        var cf = s.Get<CausalForestOptions>();
        int[] hidden = drm.Scorer == ScorerKind.Linear ? [64] : drm.HiddenSizes;
        var drmLinear = drm with { Scorer = ScorerKind.Linear };
        var drmMlp = drm with { Scorer = ScorerKind.Mlp, HiddenSizes = hidden };
        var crmLinear = crm with { Drm = crm.Drm with { Scorer = ScorerKind.Linear } };
        var crmMlp = crm with { Drm = crm.Drm with { Scorer = ScorerKind.Mlp, HiddenSizes = hidden } };
        return
        [
            new(Names[0], TLearnerRegistration.Name, "boosted outcome models", TLearnerRegistration.Instance.Create(t)),
            new(Names[1], DrmRegistration.Name, Ranking(drmLinear), DrmRegistration.Instance.Create(drmLinear)),
            new(Names[2], CrmRegistration.Name, Cohort(crmLinear), CrmRegistration.Instance.Create(crmLinear)),
            new(Names[3], RLearnerRegistration.Name, $"boosted nuisances and effects, {r.Folds}-fold cross-fitting, tau_v and tau_c",
                RLearnerRegistration.Instance.Create(r)),
            new(Names[4], DrmRegistration.Name, Ranking(drmMlp), DrmRegistration.Instance.Create(drmMlp)),
            new(Names[5], CrmRegistration.Name, Cohort(crmMlp), CrmRegistration.Instance.Create(crmMlp)),
            new(Names[6], CausalForestRegistration.Name, string.Create(CultureInfo.InvariantCulture,
                $"two honest forests of {cf.NumTrees} trees, min node {cf.MinNodeSize}, alpha {cf.Alpha}"), CausalForestRegistration.Instance.Create(cf)),
        ];
    }

    static string Ranking(DrmOptions d) => string.Create(CultureInfo.InvariantCulture,
        $"{(d.Scorer == ScorerKind.Linear ? "linear" : "MLP " + string.Join("-", d.HiddenSizes))} scorer, {EngineNames.Objective.Name(d.Objective)}, {d.Steps} steps x {d.Restarts} restarts");

    static string Cohort(CrmOptions c) => string.Create(CultureInfo.InvariantCulture, $"q = {c.TopFraction}, {Ranking(c.Drm)}");
}

using Uplift.Data;
using Uplift.Evaluation;
using Uplift.IO;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.Ranking;

namespace Uplift.Models;

/// <summary>
/// Every learner, by its registration: the one list from which the names, <see cref="Create"/>, the model-file
/// loaders and the command-line flags are derived. A new learner adds one line here and its registration in its folder.
/// </summary>
public static class LearnerCatalog
{
    public static IReadOnlyList<LearnerRegistration> All { get; } =
    [
        DrmRegistration.Instance,
        CrmRegistration.Instance,
        RLearnerRegistration.Instance,
        DualityRLearnerRegistration.Instance,
        CausalForestRegistration.Instance,
        TLearnerRegistration.Instance,
        Auto.AutoRegistration.Instance,
    ];

    /// <summary>drm, crm, rlearner, duality-rlearner, causal-forest, tlearner, auto.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(r => r.Name)];

    /// <summary>The validation metric learners use to choose hyper-parameters: the test AUCC of METHOD.md section 6.</summary>
    public static double ValidationAucc(Dataset data, double[] scores) => CostCurve.Aucc(scores, data.T, data.V, data.C);

    /// <summary>The registration named <paramref name="kind"/> (trimmed, any case: "DRM" = "drm"), or null.</summary>
    public static LearnerRegistration? Find(string kind) =>
        All.FirstOrDefault(r => string.Equals(r.Name, kind.Trim(), StringComparison.OrdinalIgnoreCase));

    /// <summary>The learner named <paramref name="kind"/> (case-insensitive: "DRM" = "drm").</summary>
    public static IUpliftLearner Create(string kind, LearnerSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var r = Find(kind) ?? throw new UpliftOptionException("--model", $"unknown model '{kind}'; choose one of {string.Join(", ", Names)}.");
        return r.Create(settings ?? new LearnerSettings());
    }

    /// <summary>Reads the "model" section of a model file of kind <paramref name="kind"/> (exact name); its own "kind" must agree.</summary>
    internal static IUpliftModel Load(string kind, ModelJson model)
    {
        var r = All.FirstOrDefault(x => x.Name == kind)
            ?? throw new UpliftException($"{model.Source}: unknown model kind '{ModelJson.Clip(kind, 60)}' (this library reads: {string.Join(", ", Names)}).");
        string inner = model.String("kind");
        if (inner != kind) throw model.Error("kind", $"is '{ModelJson.Clip(inner, 60)}' but the file's kind is '{kind}'");
        return r.Load(model);
    }

    /// <summary>Every flag name of every learner, once each, in the order of first declaration.</summary>
    public static IReadOnlyList<string> FlagNames { get; } = [.. All.SelectMany(r => r.Flags).Select(f => f.Name).Distinct()];

    /// <summary>The learners (names) that declare <paramref name="flag"/>, in catalog order.</summary>
    public static IReadOnlyList<string> LearnersTaking(string flag) =>
        [.. All.Where(r => r.Flags.Any(f => f.Name == flag)).Select(r => r.Name)];

    /// <summary>The declarations of <paramref name="flag"/>, one per learner that takes it.</summary>
    public static IReadOnlyList<LearnerFlag> Declarations(string flag) =>
        [.. All.SelectMany(r => r.Flags).Where(f => f.Name == flag)];

    /// <summary>
    /// The options of every learner from the flags given (flag name → text), after checking that each applies to at
    /// least one of <paramref name="models"/> (names), and that a choice some learners only take (e.g.
    /// --propensity-model logistic) is taken by one of them; a flag's value goes only to the learners that take it.
    /// </summary>
    public static LearnerSettings FromFlags(IReadOnlyDictionary<string, string> given, IReadOnlyList<string> models)
    {
        ArgumentNullException.ThrowIfNull(given);
        foreach (var flag in FlagNames)
        {
            if (!given.ContainsKey(flag)) continue;
            var applies = LearnersTaking(flag);
            if (models.Any(applies.Contains)) continue;
            throw new UpliftOptionException(flag,
                $"applies to {Words(applies)} only, not to {Words(models)}; leave it out or choose {(applies.Count > 1 ? "one of those models" : "that model")}.");
        }
        foreach (var flag in FlagNames)
        {
            if (!given.TryGetValue(flag, out var value) || Declarations(flag).All(f => f.Choices is null)) continue;
            var taking = All.Where(r => r.Flags.Any(f => f.Name == flag && f.Accepts(value))).Select(r => r.Name).ToList();
            if (taking.Count == 0) throw new UpliftOptionException(flag, $"'{value}': use {ChoiceList(flag)}.");
            if (!models.Any(taking.Contains))
                throw new UpliftOptionException(flag, $"{value.Trim().ToLowerInvariant()} applies to {Words(taking)} only, not to {Words(models)}.");
        }
        var settings = new LearnerSettings();
        foreach (var r in All) settings = settings.With(r.OptionsType, r.ApplyFlags(r.DefaultOptions, given));
        return settings;
    }

    /// <summary>The names a choice flag takes, each followed by its learners when not every declaring learner takes it:
    /// "constant, logistic (rlearner and duality-rlearner) or forest (causal-forest)".</summary>
    static string ChoiceList(string flag)
    {
        var declaring = All.Where(r => r.Flags.Any(f => f.Name == flag)).ToList();
        var names = Declarations(flag).SelectMany(f => f.Choices ?? []).Distinct(StringComparer.OrdinalIgnoreCase);
        return Wording.Or([.. names.Select(n =>
        {
            var taking = declaring.Where(r => r.Flags.Any(f => f.Name == flag && f.Accepts(n))).Select(r => r.Name).ToList();
            return taking.Count == declaring.Count ? n : $"{n} ({Words(taking)})";
        })]);
    }

    static string Words(IReadOnlyList<string> names) => Wording.And(names);
}

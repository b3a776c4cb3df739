namespace Uplift.Models.Meta;

/// <summary>The duality R-learner in the catalog (METHOD.md section 5): the R-learner's nuisance flags plus the lambda grid.</summary>
public static class DualityRLearnerRegistration
{
    public const string Name = "duality-rlearner";

    public static LearnerRegistration<DualityRLearnerOptions> Instance { get; } = new(Name, new DualityRLearnerOptions(),
        o => new DualityRLearner(LearnerCatalog.ValidationAucc, o), DualityRLearnerModel.Load,
    [
        .. RLearnerRegistration.NuisanceFlags.Select(f => f.Over<DualityRLearnerOptions>(o => o.RLearner, (o, r) => o with { RLearner = r })),
        Flag<DualityRLearnerOptions>.Text("--lambdas", "duality-rlearner: lambda grid (default 0.001,0.005,0.01,0.05).",
            (o, v) => o with { Lambdas = FlagText.Numbers(v, "--lambdas") }),
    ]);
}

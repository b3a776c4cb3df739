namespace Uplift.Models.Meta;

/// <summary>The T-learner in the catalog (METHOD.md section 5): its name, options, flag and model loader.</summary>
public static class TLearnerRegistration
{
    public const string Name = "tlearner";

    public static LearnerRegistration<TLearnerOptions> Instance { get; } = new(Name, new TLearnerOptions(), o => new TLearner(o), TLearnerModel.Load,
    [
        Flag<TLearnerOptions>.Choice("--base", null, MetaNames.BaseLearner, (o, v) => o with { BaseLearner = v }),
    ]);
}

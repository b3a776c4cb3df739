using System.Globalization;

namespace Uplift.Models.Auto;

/// <summary>The auto learner in the catalog: its name, options, the --time-limit flag and model loader.</summary>
public static class AutoRegistration
{
    public const string Name = "auto";

    public static LearnerRegistration<AutoOptions> Instance { get; } = new(Name, new AutoOptions(), o => new AutoLearner(o), AutoModel.Load,
    [
        Flag<AutoOptions>.Number("--time-limit", string.Create(CultureInfo.InvariantCulture,
            $"auto: seconds after which no candidate runs (default {AutoOptions.DefaultTimeLimitSeconds}; 0 = no limit; the first always finishes, a later one still running is stopped)."),
            (o, v) => o with { TimeLimitSeconds = v }),
    ]);
}

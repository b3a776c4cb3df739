namespace Uplift.Models.Forest;

/// <summary>The causal forest in the catalog (METHOD.md section 5): its name, options, flags and model loader.</summary>
public static class CausalForestRegistration
{
    public const string Name = "causal-forest";

    /// <summary>The flags, --preset first: it chooses the options the others then change.</summary>
    public static LearnerRegistration<CausalForestOptions> Instance { get; } = new(Name, new CausalForestOptions(),
        o => new CausalForestLearner(o), CausalForestModel.Load,
    [
        Flag<CausalForestOptions>.Choice("--preset", "causal-forest: grf (defaults of grf, 2000 trees) | paper (60 trees, alpha 0.2, min node 3).",
            ForestNames.Preset, (_, v) => CausalForestOptions.Preset(v)),
        Flag<CausalForestOptions>.Int("--trees", "causal-forest: trees per forest.", (o, v) => o with { NumTrees = v }),
        Flag<CausalForestOptions>.Int("--min-node-size", "causal-forest: minimum node size.", (o, v) => o with { MinNodeSize = v }),
        Flag<CausalForestOptions>.Number("--alpha", "causal-forest: balance parameter alpha.", (o, v) => o with { Alpha = v }),
        Flag<CausalForestOptions>.Number("--sample-fraction", "causal-forest: subsample fraction (default 0.5).", (o, v) => o with { SampleFraction = v }),
        Flag<CausalForestOptions>.Int("--mtry", "causal-forest: features tried per split (default min(ceil(sqrt(d)+20), d)).", (o, v) => o with { Mtry = v }),
        Flag<CausalForestOptions>.Choice("--propensity-model", null, ForestNames.Propensity, (o, v) => o with { Propensity = v }),
        Flag<CausalForestOptions>.Choice("--forest-score", "causal-forest: ratio (guarded, default) | lagrangian.",
            ForestNames.Score, (o, v) => o with { Score = v }),
        Flag<CausalForestOptions>.Number("--lambda", null, (o, v) => o with { Lambda = v }),
        Flag<CausalForestOptions>.Int("--ci-group-size", "causal-forest: trees per little bag (grf's ci_group_size; default 1 = no intervals, 2 for 'score --effects --level').",
            (o, v) => o with { CiGroupSize = v }),
    ]);
}

using Uplift.Evaluation;

namespace Uplift.Paper;

/// <summary>The two public benchmarks of the paper (METHOD.md section 7).</summary>
/// <summary>The spelling of each enum of the paper's constructions (results, JSON, the bench command's flags).</summary>
internal static class PaperNames
{
    public static NameTable<PaperDataset> Dataset { get; } = new((PaperDataset.Covertype, "covertype"), (PaperDataset.Census, "census"));
    public static NameTable<CovertypeCost> CovertypeCost { get; } = new(
        (Paper.CovertypeCost.Auto, "auto"), (Paper.CovertypeCost.LodgepolePine, "lodgepole"), (Paper.CovertypeCost.SpruceFir, "spruce-fir"));
    public static NameTable<CensusCost> CensusCost { get; } = new(
        (Paper.CensusCost.MinusChildren, "minus-children"), (Paper.CensusCost.AuthorsCode, "authors"));
}

internal enum PaperDataset
{
    /// <summary>UCI Covertype (covtype.data).</summary>
    Covertype,
    /// <summary>UCI US Census 1990 (USCensus1990.data.txt).</summary>
    Census,
}

/// <summary>
/// One method on one data set over every seed: test AUCC, validation AUCC, value captured at 20 % of the
/// incremental cost (on test) and fit seconds, one entry per seed in seed order.
/// </summary>
/// <param name="Dataset">"covertype" or "census".</param>
/// <param name="Method">The CLI name: random, rlearner, duality-rlearner, causal-forest, drm, crm, best.</param>
/// <param name="Seeds">The seeds, in order.</param>
/// <param name="TestAucc">Test AUCC per seed (METHOD.md section 6).</param>
/// <param name="ValidAucc">Validation AUCC per seed (for "best": on the judging half of the validation users).</param>
/// <param name="ValueAt20">Normalised incremental value captured at 20 % of the total incremental cost, on test, per seed.</param>
/// <param name="FitSeconds">Wall-clock seconds of the fit per seed (for "best": the whole search, every candidate refitted on half the validation users).</param>
/// <param name="Settings">What was trained, in words.</param>
/// <param name="Chosen">For "best": the candidate chosen on validation, per seed (one recipe per data set, so the same name in every seed); otherwise null.</param>
/// <param name="PaperAucc">The paper's test AUCC (METHOD.md section 8), null when the paper has none.</param>
internal sealed record PaperMethodResult(
    string Dataset,
    string Method,
    IReadOnlyList<long> Seeds,
    IReadOnlyList<double> TestAucc,
    IReadOnlyList<double> ValidAucc,
    IReadOnlyList<double> ValueAt20,
    IReadOnlyList<double> FitSeconds,
    string Settings,
    IReadOnlyList<string>? Chosen,
    double? PaperAucc)
{
    public double TestAuccMean => Stats.Mean(TestAucc);
    /// <summary>Sample standard deviation over seeds (n − 1); NaN with one seed.</summary>
    public double TestAuccSd => Stats.SampleSd(TestAucc);
    public double ValidAuccMean => Stats.Mean(ValidAucc);
    public double ValueAt20Mean => Stats.Mean(ValueAt20);
    public double FitSecondsMean => Stats.Mean(FitSeconds);
}

/// <summary>
/// The paired difference of test AUCC between the CRM and another method (CRM minus other), seed by seed
/// (same split and test users within a seed), with a t-interval over seeds and a paired bootstrap on the
/// first seed's test set (users resampled, both scores on the same resamples).
/// </summary>
/// <param name="Dataset">"covertype" or "census".</param>
/// <param name="Method">The method compared ("crm").</param>
/// <param name="Other">The method it is compared with.</param>
/// <param name="PerSeed">CRM − other, per seed.</param>
/// <param name="Mean">Mean over seeds.</param>
/// <param name="Lower">Lower end of the 95 % t-interval over seeds (NaN with one seed).</param>
/// <param name="Upper">Upper end of the 95 % t-interval over seeds (NaN with one seed).</param>
/// <param name="FirstSeedBootstrap">Paired bootstrap of the difference on the first seed's test set; null when off or undefined.</param>
internal sealed record PairedDifference(
    string Dataset,
    string Method,
    string Other,
    IReadOnlyList<double> PerSeed,
    double Mean,
    double Lower,
    double Upper,
    BootstrapSummary? FirstSeedBootstrap);

/// <summary>Everything measured on one data set.</summary>
/// <param name="Dataset">"covertype" or "census".</param>
/// <param name="Summary">The construction's summary (of the first seed's split for Covertype).</param>
/// <param name="Methods">One row per method, in the paper's order, "best" last.</param>
/// <param name="Differences">CRM minus each other method.</param>
/// <param name="Curves">Test cost curves of the first seed, one per method, for plotting.</param>
/// <param name="SeedNote">How the seeds vary the runs on this data set.</param>
/// <param name="BestCandidates">The candidates the "best" row chose from, with their AUCC on the judging half of the
/// validation users averaged over the seeds (the choice's criterion; empty without the search).</param>
/// <param name="Seconds">Wall-clock seconds of the whole data set (loading, every fit and evaluation).</param>
internal sealed record PaperDatasetResult(
    string Dataset,
    ConstructionSummary Summary,
    IReadOnlyList<PaperMethodResult> Methods,
    IReadOnlyList<PairedDifference> Differences,
    IReadOnlyList<(string Name, CostCurveResult Curve)> Curves,
    string SeedNote,
    IReadOnlyList<SearchedCandidate> BestCandidates,
    double Seconds);

/// <summary>A candidate of the "best" search and its mean AUCC on the judging half of the validation users.</summary>
internal sealed record SearchedCandidate(string Name, double JudgeAuccMean);

/// <summary>The result of <see cref="PaperBenchmark.Run"/>: one entry per data set run.</summary>
internal sealed record PaperBenchmarkResult(IReadOnlyList<PaperDatasetResult> Datasets)
{
    /// <summary>Every row of every data set, in order.</summary>
    public IEnumerable<PaperMethodResult> Rows => Datasets.SelectMany(d => d.Methods);
}

/// <summary>The paper's test AUCC (METHOD.md section 8, predecessor draft), by data set and CLI method name.</summary>
internal static class PaperReference
{
    static readonly Dictionary<(string, string), double> Table = new()
    {
        [("census", "random")] = 0.500, [("covertype", "random")] = 0.500,
        [("census", "rlearner")] = 0.533, [("covertype", "rlearner")] = 0.779,
        [("census", "duality-rlearner")] = 0.567, [("covertype", "duality-rlearner")] = 0.783,
        [("census", "causal-forest")] = 0.510, [("covertype", "causal-forest")] = 0.832,
        [("census", "drm")] = 0.583, [("covertype", "drm")] = 0.840,
        [("census", "crm")] = 0.687, [("covertype", "crm")] = 0.915,
    };

    /// <summary>The paper's number, or null (e.g. for "best", which the paper does not have).</summary>
    public static double? Aucc(string dataset, string method) =>
        Table.TryGetValue((dataset, method), out var x) ? x : null;
}

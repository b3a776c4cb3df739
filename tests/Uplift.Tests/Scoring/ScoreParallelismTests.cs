using System.Collections.Concurrent;
using Uplift.Cli;
using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.Ranking;
using Uplift.Models.Trees;
using Uplift.Persistence;
using Uplift.Scoring;
using Uplift.Synthetic;
using Xunit;

namespace Uplift.Tests.Scoring;

/// <summary>
/// Scoring takes its parallelism from the caller (<see cref="IUpliftModel.Score(Dataset, Span{double}, int?)"/>):
/// the scores of every learner kind are bit-identical for 1, 2 and all threads, and the streaming scorer (which
/// scores each chunk single-threaded and runs chunks in parallel) writes the same file for --threads 1 and 2.
/// </summary>
public sealed class ScoreParallelismTests
{
    public static TheoryData<string> Learners => [.. LearnerCatalog.Names];

    /// <summary>More rows than one chunk of the cohort engine (1024) and of the regressors (2048).</summary>
    const int Rows = 4500, Features = 5;

    static readonly LearnerSettings Settings = MakeSettings();

    static LearnerSettings MakeSettings()
    {
        var drm = new DrmOptions { Steps = 20, Restarts = 1, EvalEvery = 0, Scorer = ScorerKind.Mlp, HiddenSizes = [8] };
        var gbt = new GradientBoostingOptions { NumTrees = 5, NumLeaves = 4, MinDataInLeaf = 20 };
        return new LearnerSettings()
            .With(drm)
            .With(new CrmOptions { Drm = drm, TemperatureEvery = 10 })
            .With(new RLearnerOptions { Outcome = RLearnerOutcome.Both, Folds = 2, BaseLearner = BaseLearnerKind.Boosted, Boosting = gbt })
            .With(new DualityRLearnerOptions { Lambdas = [0.01, 0.05], RLearner = new RLearnerOptions { Folds = 2 } })
            .With(new CausalForestOptions { NumTrees = 8, NuisanceTrees = 4, MinNodeSize = 20 })
            .With(new TLearnerOptions { Boosting = gbt });
    }

    static readonly Lazy<(RawTable Table, Preprocessor Pre, Dataset Data)> Campaign = new(() =>
    {
        var d = SyntheticCampaign.Generate(new SyntheticOptions { Rows = Rows, Features = Features, Seed = 21, MaxThreads = 1 }).Data;
        var cols = new List<RawColumn>
        {
            RawColumn.Text("id", [.. Enumerable.Range(0, d.Rows).Select(i => (string?)$"u{i:D5}")]),
            RawColumn.Numeric("t", [.. d.T.Select(b => (double)b)]),
            RawColumn.Numeric("v", d.V),
            RawColumn.Numeric("c", d.C),
        };
        for (int j = 0; j < Features; j++)
        {
            var x = new double[d.Rows];
            for (int i = 0; i < d.Rows; i++) x[i] = d.X[(long)i * Features + j];
            cols.Add(RawColumn.Numeric($"x{j}", x));
        }
        var table = new RawTable("campaign", d.Rows, cols);
        var roles = new ColumnRoles("t", "v", "c") { Id = "id", Features = [.. Enumerable.Range(0, Features).Select(j => $"x{j}")] };
        var all = Enumerable.Range(0, d.Rows).ToArray();
        var pre = Preprocessor.Fit(table, roles, all);
        return (table, pre, pre.Transform(table, all));
    });

    static readonly ConcurrentDictionary<string, Lazy<IUpliftModel>> Fits = new();

    static IUpliftModel Fit(string name) => Fits.GetOrAdd(name, n => new Lazy<IUpliftModel>(() =>
        LearnerCatalog.Create(n, Settings).Fit(Campaign.Value.Data, null, new FitContext(5, 2)))).Value;

    static double[] ScoreWith(IUpliftModel model, Dataset data, int? threads)
    {
        var s = new double[data.Rows];
        model.Score(data, s, threads);
        return s;
    }

    static void AssertBitIdentical(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]),
                $"row {i}: {expected[i]:R} vs {actual[i]:R}");
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void Scores_AreBitIdentical_ForOneTwoAndAllThreads(string learner)
    {
        var model = Fit(learner);
        var data = Campaign.Value.Data;
        var one = ScoreWith(model, data, 1);
        Assert.All(one, s => Assert.True(double.IsFinite(s)));
        AssertBitIdentical(one, ScoreWith(model, data, 2));
        AssertBitIdentical(one, ScoreWith(model, data, null));
        AssertBitIdentical(one, model.Score(data));          // the two-argument overload: all cores
        AssertBitIdentical(one, model.Score(data, maxThreads: 2));
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void Effects_AreBitIdentical_ForOneAndTwoThreads(string learner)
    {
        if (Fit(learner) is not IEffectModel model) return;
        var data = Campaign.Value.Data;
        var (v1, c1, v2, c2) = (new double[data.Rows], new double[data.Rows], new double[data.Rows], new double[data.Rows]);
        model.PredictEffects(data, v1, c1, 1);
        model.PredictEffects(data, v2, c2, 2);
        AssertBitIdentical(v1, v2);
        AssertBitIdentical(c1, c2);
    }

    [Fact]
    public void Score_RejectsAThreadCapBelowOne()
    {
        var data = Campaign.Value.Data;
        Assert.Throws<ArgumentOutOfRangeException>(() => Fit("drm").Score(data, new double[data.Rows], 0));
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void StreamingScorer_WritesTheSameFile_ForOneAndTwoThreads(string learner)
    {
        var (table, pre, _) = Campaign.Value;
        var file = new ModelFile(Fit(learner), pre, 5);
        string dir = Path.Combine(Path.GetTempPath(), $"uplift-scorepar-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string input = Path.Combine(dir, "in.csv"), model = Path.Combine(dir, "model.json");
            TableWriter.Write(input, table);
            file.Save(model);
            string Run(int threads)
            {
                string output = Path.Combine(dir, $"scores-{threads}.csv");
                int code = UpliftCli.Run(["score", "--model", model, "--data", input, "--out", output, "--chunk-rows", "700",
                    "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                Assert.Equal(0, code);
                return output;
            }
            var one = File.ReadAllBytes(Run(1));
            Assert.Equal(one, File.ReadAllBytes(Run(2)));
            // and the library call on 2 threads agrees with the file scored on one
            string lib = Path.Combine(dir, "scores-lib.csv");
            StreamingScorer.Score(ModelFile.Load(model).Pipeline, input, lib, new StreamScoreOptions { ChunkRows = 1000, MaxThreads = 2 });
            Assert.Equal(one, File.ReadAllBytes(lib));
            // the whole-table score of the model file (all cores) is the streamed one
            var whole = file.Score(table, 2);
            AssertBitIdentical(whole, ModelFile.Load(model).Score(table, 1));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

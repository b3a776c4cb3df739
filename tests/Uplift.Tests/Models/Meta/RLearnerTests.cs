using System.Text.Json.Nodes;
using Uplift.Models;
using Uplift.Models.Meta;
using Uplift.Models.Trees;
using Xunit;
using static Uplift.Tests.Models.Meta.MetaTestData;
using static Uplift.Tests.Engine.TestData;

namespace Uplift.Tests.Models.Meta;

public class RLearnerTests
{
    static FitContext Ctx(int threads = 2, int seed = 1) => new(seed, threads);

    static readonly GradientBoostingOptions FastTrees = new() { NumTrees = 60, LearningRate = 0.15 };

    [Fact]
    public void Ridge_rlearner_is_nearly_exact_on_a_linear_effect()
    {
        var c = Make(5000, 5, 1, r => 1 + 2 * r[0] - r[1], r => 0.5, noise: 1.0);
        var model = new RLearner().Fit(c.Data, null, Ctx());
        Assert.IsNotAssignableFrom<IEffectModel>(model);
        var tau = ((RLearnerModel)model).PredictTauV(c.Data);
        Assert.True(Correlation(tau, c.TauV) > 0.99, $"corr {Correlation(tau, c.TauV)}");
        Assert.Equal(tau, model.Score(c.Data));
        var lin = (Uplift.Models.Linear.LinearModel)((RLearnerModel)model).TauV;
        Assert.Equal(1.0, lin.Intercept, 0.15);
        Assert.Equal(2.0, lin.Coefficients[0], 0.15);
        Assert.Equal(-1.0, lin.Coefficients[1], 0.15);
    }

    [Fact]
    public void Logistic_propensity_on_a_confounded_assignment_still_recovers_the_effect()
    {
        // Treatment share depends on x0 through a logistic model; the constant propensity would be wrong.
        int n = 5000, d = 4;
        var rng = new Rng(3);
        var x = new float[n * d]; var t = new byte[n]; var v = new double[n]; var cst = new double[n]; var truth = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++) x[i * d + j] = (float)rng.NextNormal();
            double e = 1 / (1 + Math.Exp(-x[i * d]));
            t[i] = (byte)(rng.NextDouble() < e ? 1 : 0);
            truth[i] = 1 + x[i * d + 1];
            v[i] = 2 * x[i * d] + t[i] * truth[i] + 0.5 * rng.NextNormal();
            cst[i] = t[i] + 0.1 * rng.NextNormal();
        }
        var data = new Uplift.Data.Dataset(x, n, d, ["a", "b", "c", "d"], t, v, cst);
        var model = (RLearnerModel)new RLearner(new RLearnerOptions { Propensity = PropensityKind.Logistic }).Fit(data, null, Ctx());
        var tau = model.PredictTauV(data);
        Assert.True(Correlation(tau, truth) > 0.98, $"corr {Correlation(tau, truth)}");
        double meanTau = tau.Average();
        Assert.Equal(1.0, meanTau, 0.15);
    }

    [Fact]
    public void Boosted_rlearner_recovers_a_nonlinear_effect()
    {
        var c = Make(10000, 5, 2, r => 1 + r[0] + (r[1] > 0 ? 0.5 : 0), r => 0.5, noise: 0.5,
            mV: r => Math.Sin(2 * r[0]) + r[2] * r[2]);
        var opt = new RLearnerOptions { BaseLearner = BaseLearnerKind.Boosted, Boosting = FastTrees };
        var model = (RLearnerModel)new RLearner(opt).Fit(c.Data, null, Ctx());
        var tau = model.PredictTauV(c.Data);
        Assert.True(Correlation(tau, c.TauV) > 0.9, $"corr {Correlation(tau, c.TauV)}");
    }

    [Fact]
    public void Both_outcomes_give_an_effect_model_scored_by_the_guarded_ratio()
    {
        var c = Make(4000, 4, 4, r => 1 + r[0], r => 1 + 0.5 * r[1], noise: 0.3);
        var model = new RLearner(new RLearnerOptions { Outcome = RLearnerOutcome.Both }).Fit(c.Data, null, Ctx());
        var effect = Assert.IsAssignableFrom<IEffectModel>(model);
        var tv = new double[c.Data.Rows]; var tc = new double[c.Data.Rows];
        effect.PredictEffects(c.Data, tv, tc);
        Assert.True(Correlation(tv, c.TauV) > 0.99);
        Assert.True(Correlation(tc, c.TauC) > 0.99);
        var s = model.Score(c.Data);
        for (int i = 0; i < s.Length; i++) Assert.Equal(EffectRatio.Guarded(tv[i], tc[i]), s[i]);
    }

    [Theory]
    [InlineData(BaseLearnerKind.Ridge, RLearnerOutcome.Value)]
    [InlineData(BaseLearnerKind.Ridge, RLearnerOutcome.Both)]
    [InlineData(BaseLearnerKind.Boosted, RLearnerOutcome.Both)]
    public void Save_and_load_give_identical_scores(BaseLearnerKind kind, RLearnerOutcome outcome)
    {
        var c = Make(2000, 3, 5, r => r[0], r => 1 + r[1]);
        var opt = new RLearnerOptions { BaseLearner = kind, Outcome = outcome, Boosting = FastTrees with { NumTrees = 20 } };
        var model = new RLearner(opt).Fit(c.Data, null, Ctx());
        var back = RLearnerModel.Load((JsonObject)JsonNode.Parse(model.Save().ToJsonString())!);
        Assert.Equal(model.GetType(), back.GetType());
        Assert.Equal("rlearner", back.Kind);
        Assert.Equal(model.Score(c.Data), back.Score(c.Data));
    }

    [Fact]
    public void Boosted_rlearner_is_the_same_for_one_and_two_threads()
    {
        var c = Make(3000, 4, 6, r => r[0], r => 1);
        var opt = new RLearnerOptions { BaseLearner = BaseLearnerKind.Boosted, Boosting = FastTrees with { NumTrees = 20 }, Propensity = PropensityKind.Logistic };
        var a = new RLearner(opt).Fit(c.Data, null, Ctx(1, 9));
        var b = new RLearner(opt).Fit(c.Data, null, Ctx(2, 9));
        Assert.Equal(a.Save().ToJsonString(), b.Save().ToJsonString());
    }

    /// <summary>Both outcomes: ten nuisance fits and two effect fits run side by side on shared bins; the model must not
    /// depend on how many run at once (1, 2 or 3 threads: full waves, and a remainder sharing the threads).</summary>
    [Fact]
    public void Boosted_rlearner_on_both_outcomes_is_the_same_for_any_thread_count()
    {
        var c = Make(2000, 3, 16, r => 1 + r[0], r => 1);
        var opt = new RLearnerOptions { BaseLearner = BaseLearnerKind.Boosted, Outcome = RLearnerOutcome.Both, Boosting = FastTrees with { NumTrees = 15 } };
        var a = new RLearner(opt).Fit(c.Data, null, Ctx(1, 4)).Save().ToJsonString();
        Assert.Equal(a, new RLearner(opt).Fit(c.Data, null, Ctx(2, 4)).Save().ToJsonString());
        Assert.Equal(a, new RLearner(opt).Fit(c.Data, null, Ctx(3, 4)).Save().ToJsonString());
    }

    [Fact]
    public void RunFits_runs_every_task_once_with_at_most_the_given_threads()
    {
        foreach (int threads in new[] { 1, 2, 3, 4 })
            foreach (int tasks in new[] { 1, 2, 5, 7 })
            {
                var hits = new int[tasks];
                var degree = new int[tasks];
                RLoss.RunFits(tasks, new ParallelOptions { MaxDegreeOfParallelism = threads }, (i, po) =>
                {
                    Interlocked.Increment(ref hits[i]);
                    degree[i] = po.MaxDegreeOfParallelism;
                });
                Assert.All(hits, h => Assert.Equal(1, h));
                Assert.All(degree, d => Assert.InRange(d, 1, threads));
            }
    }

    [Fact]
    public void Bad_options_and_bad_data_throw()
    {
        var c = Make(200, 2, 7, r => 1, r => 1);
        Assert.Throws<UpliftOptionException>(() => new RLearner(new RLearnerOptions { Folds = 1 }).Fit(c.Data, null, Ctx()));
        Assert.Throws<UpliftOptionException>(() => new RLearner(new RLearnerOptions { PropensityClip = 0.6 }).Fit(c.Data, null, Ctx()));
        Assert.Throws<UpliftOptionException>(() => new RLearner(new RLearnerOptions { Boosting = new() { NumLeaves = 0 } }).Fit(c.Data, null, Ctx()));
        Assert.Throws<UpliftOptionException>(() => new RLearner(new RLearnerOptions { Outcome = (RLearnerOutcome)7 }).Fit(c.Data, null, Ctx()));
        var allTreated = Make(200, 2, 7, r => 1, r => 1, treatedShare: 1.0);
        Assert.Throws<Uplift.UpliftDataException>(() => new RLearner().Fit(allTreated.Data, null, Ctx()));
    }
}

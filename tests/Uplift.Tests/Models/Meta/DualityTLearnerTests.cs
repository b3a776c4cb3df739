using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Meta;
using Uplift.Models.Trees;
using Xunit;
using static Uplift.Tests.Models.Meta.MetaTestData;
using static Uplift.Tests.Engine.TestData;

namespace Uplift.Tests.Models.Meta;

public class DualityRLearnerTests
{
    static FitContext Ctx() => new(1, 2);

    [Fact]
    public void Picks_the_lambda_with_the_best_validation_metric_and_records_all()
    {
        var train = Make(3000, 3, 1, r => 1 + r[0], r => 1 + r[1]);
        var valid = Make(1000, 3, 2, r => 1 + r[0], r => 1 + r[1]);
        var queue = new Queue<double>([0.1, 0.9, 0.3, 0.9]);
        var seen = new List<(Dataset D, double[] S)>();
        var learner = new DualityRLearner((d, s) => { seen.Add((d, s)); return queue.Dequeue(); });
        var model = (DualityRLearnerModel)learner.Fit(train.Data, valid.Data, Ctx());
        Assert.Equal(4, seen.Count);
        Assert.All(seen, p => { Assert.Same(valid.Data, p.D); Assert.Equal(valid.Data.Rows, p.S.Length); });
        Assert.Equal(0.005, model.Lambda); // ties keep the earlier lambda
        Assert.Equal([0.1, 0.9, 0.3, 0.9], model.Metrics);
        Assert.Equal(seen[1].S, model.Score(valid.Data)); // the kept model is the one that was evaluated
    }

    [Fact]
    public void A_real_metric_prefers_the_lambda_matching_the_truth()
    {
        // Score quality = correlation with the true tau_v - 1 * tau_c; lambda = 1 should win over 0.
        var train = Make(4000, 3, 3, r => 1 + r[0], r => 1 + 2 * r[1], noise: 0.2);
        var valid = Make(1000, 3, 4, r => 1 + r[0], r => 1 + 2 * r[1], noise: 0.2);
        var truth = valid.TauV.Zip(valid.TauC, (v, c) => v - c).ToArray();
        var learner = new DualityRLearner((d, s) => Correlation(s, truth), new DualityRLearnerOptions { Lambdas = [0, 1, 3] });
        var model = (DualityRLearnerModel)learner.Fit(train.Data, valid.Data, Ctx());
        Assert.Equal(1.0, model.Lambda);
        Assert.True(model.Metrics[1] > 0.99);
    }

    [Fact]
    public void Without_validation_a_seeded_holdout_of_train_is_used()
    {
        var train = Make(2000, 3, 5, r => r[0], r => 1);
        int rows = -1;
        var learner = new DualityRLearner((d, s) => { rows = d.Rows; return s.Average(); });
        var a = (DualityRLearnerModel)learner.Fit(train.Data, null, Ctx());
        Assert.Equal(400, rows);
        var b = (DualityRLearnerModel)learner.Fit(train.Data, null, Ctx());
        Assert.Equal(a.Score(train.Data), b.Score(train.Data));
        var back = DualityRLearnerModel.Load((JsonObject)JsonNode.Parse(a.Save().ToJsonString())!);
        Assert.Equal(a.Lambda, back.Lambda);
        Assert.Equal(a.Metrics, back.Metrics);
        Assert.Equal(a.Score(train.Data), back.Score(train.Data));
    }

    [Fact]
    public void Bad_options_throw()
    {
        var train = Make(500, 2, 6, r => 1, r => 1);
        Func<Dataset, double[], double> m = (d, s) => 0;
        Assert.Throws<UpliftOptionException>(() => new DualityRLearner(m, new() { Lambdas = [] }).Fit(train.Data, null, Ctx()));
        Assert.Throws<UpliftOptionException>(() => new DualityRLearner(m, new() { Lambdas = [-1] }).Fit(train.Data, null, Ctx()));
        Assert.Throws<UpliftOptionException>(() => new DualityRLearner(m, new() { HoldoutFraction = 0 }).Fit(train.Data, null, Ctx()));
        Assert.Throws<UpliftOptionException>(() => new DualityRLearner(m, new() { RLearner = new() { Outcome = RLearnerOutcome.Both } }).Fit(train.Data, null, Ctx()));
        Assert.Throws<UpliftException>(() => new DualityRLearner((d, s) => double.NaN).Fit(train.Data, null, Ctx()));
    }
}

public class TLearnerTests
{
    [Fact]
    public void Recovers_both_effects_and_scores_by_the_guarded_ratio()
    {
        var c = Make(5000, 4, 1, r => 1 + r[0], r => 0.5 + (r[1] > 0 ? 1 : 0), noise: 0.3);
        var learner = new TLearner(new TLearnerOptions { Boosting = new GradientBoostingOptions { NumTrees = 60, LearningRate = 0.15 } });
        var model = learner.Fit(c.Data, null, new FitContext(1, 2));
        var effect = Assert.IsAssignableFrom<IEffectModel>(model);
        var tv = new double[c.Data.Rows]; var tc = new double[c.Data.Rows];
        effect.PredictEffects(c.Data, tv, tc);
        Assert.True(Correlation(tv, c.TauV) > 0.9, $"tau_v corr {Correlation(tv, c.TauV)}");
        Assert.True(Correlation(tc, c.TauC) > 0.8, $"tau_c corr {Correlation(tc, c.TauC)}");
        var s = model.Score(c.Data);
        for (int i = 0; i < s.Length; i++) Assert.Equal(EffectRatio.Guarded(tv[i], tc[i]), s[i]);
        var back = TLearnerModel.Load((JsonObject)JsonNode.Parse(model.Save().ToJsonString())!);
        Assert.Equal(s, back.Score(c.Data));
    }

    /// <summary>The four arm models share one binning and run side by side: same model for 1, 2 or 3 threads.</summary>
    [Fact]
    public void TLearner_is_the_same_for_any_thread_count()
    {
        var c = Make(2000, 3, 7, r => 1 + r[0], r => 1);
        var opt = new TLearnerOptions { Boosting = new GradientBoostingOptions { NumTrees = 15 } };
        var a = new TLearner(opt).Fit(c.Data, null, new FitContext(3, 1)).Save().ToJsonString();
        Assert.Equal(a, new TLearner(opt).Fit(c.Data, null, new FitContext(3, 2)).Save().ToJsonString());
        Assert.Equal(a, new TLearner(opt).Fit(c.Data, null, new FitContext(3, 3)).Save().ToJsonString());
    }

    [Fact]
    public void Bad_options_throw()
    {
        var c = Make(200, 2, 2, r => 1, r => 1);
        Assert.Throws<UpliftOptionException>(() => new TLearner(new() { Boosting = new() { LearningRate = 2 } }).Fit(c.Data, null, new FitContext()));
        Assert.Throws<UpliftOptionException>(() => new TLearner(new() { BaseLearner = (BaseLearnerKind)9 }).Fit(c.Data, null, new FitContext()));
        var other = Make(100, 3, 3, r => 1, r => 1);
        Assert.Throws<Uplift.UpliftDataException>(() => new TLearner().Fit(c.Data, other.Data, new FitContext()));
    }

    [Fact]
    public void Validation_early_stops_the_arm_models()
    {
        var c = Make(3000, 3, 4, r => 0, r => 0, noise: 1.0, mV: r => 0, mC: r => 0); // pure noise
        var v = Make(1000, 3, 5, r => 0, r => 0, noise: 1.0, mV: r => 0, mC: r => 0);
        var opt = new TLearnerOptions { Boosting = new() { NumTrees = 300, EarlyStoppingRounds = 10 } };
        var model = (TLearnerModel)new TLearner(opt).Fit(c.Data, v.Data, new FitContext(1, 2));
        Assert.True(((GradientBoostedModel)model.MuV1).Trees.Count < 100);
        Assert.True(((GradientBoostedModel)model.MuC0).Trees.Count < 100);
    }
}

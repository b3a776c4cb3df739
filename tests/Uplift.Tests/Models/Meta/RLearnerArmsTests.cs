using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Meta;
using Uplift.Models.MultiArm;
using Uplift.Tests.Models.MultiArm;
using Xunit;

namespace Uplift.Tests.Models.Meta;

/// <summary>The multi-arm R-loss (<see cref="RLearnerArmLoss.Joint"/>) against its definition and the per-arm fit.</summary>
public class RLearnerArmsTests
{
    static readonly Dataset Train = MultiArmTestData.Generate(6000, 5, seed: 21);
    static readonly RLearnerOptions Both = new() { Outcome = RLearnerOutcome.Both };

    static PerArmModel Fit(RLearnerOptions o, int? threads = null) =>
        (PerArmModel)new PerArmLearner(new RLearner(o)).Fit(Train, null, new FitContext(7) { MaxThreads = threads });

    static (double[] V, double[] C) Effects(PerArmModel m, Dataset d)
    {
        var v = new double[d.Rows * m.Arms]; var c = new double[d.Rows * m.Arms];
        m.PredictArmEffects(d, v, c);
        return (v, c);
    }

    [Fact]
    public void Backfitting_LowersTheJointLoss_EverySweep_AndSettles()
    {
        var (_, loss) = new RLearner(Both).FitJoint(Train, new FitContext(7), sweeps: 8);
        foreach (var l in loss)
        {
            // Each block is an exact ridge fit; the loss here leaves the penalty out, so it may rise by a hair once settled.
            for (int s = 1; s < l.Length; s++) Assert.True(l[s] <= l[s - 1] * (1 + 1e-3), $"sweep {s}: {l[s]} above {l[s - 1]}: {string.Join(", ", l)}");
            Assert.True(l[0] > 1.1 * l[^1], $"the first sweep alone is far from the joint fit: {string.Join(", ", l)}");
            Assert.True(Math.Abs(l[RLearner.ArmSweeps - 1] - l[^1]) <= 2e-3 * (l[0] - l[^1]), $"not settled after {RLearner.ArmSweeps} sweeps: {string.Join(", ", l)}");
        }
    }

    [Fact]
    public void JointFit_RecoversEachArmsEffects_AndItsLossIsNoWorseThanPerArmHeads()
    {
        var joint = Fit(Both);
        var perArm = Fit(Both with { ArmLoss = RLearnerArmLoss.PerArm });
        var test = MultiArmTestData.Generate(4000, 5, seed: 22);
        var (v, c) = Effects(joint, test);
        for (int k = 1; k <= 3; k++)
        {
            var tv = Enumerable.Range(0, test.Rows).Select(i => MultiArmTestData.TauV(k, test.Row(i))).ToArray();
            var tc = Enumerable.Range(0, test.Rows).Select(i => MultiArmTestData.TauC(k, test.Row(i))).ToArray();
            Assert.True(Corr(tv, Arm(v, k)) > 0.9, $"arm {k}: corr(tau_v) {Corr(tv, Arm(v, k))}");
            Assert.True(Corr(tc, Arm(c, k)) > 0.8, $"arm {k}: corr(tau_c) {Corr(tc, Arm(c, k))}");
            Assert.InRange(Arm(v, k).Average() / tv.Average(), 0.9, 1.1);
            Assert.InRange(Arm(c, k).Average() / tc.Average(), 0.85, 1.15);
        }
        // The joint fit minimises the multi-arm R-loss, so its training loss (same m̂, ê) is at most the per-arm heads'
        // (up to the ridge penalty, which the loss leaves out).
        var (_, loss) = new RLearner(Both).FitJoint(Train, new FitContext(7), RLearner.ArmSweeps);
        var mv = RLoss.Nuisance.Fit(Train, Both, true, new FitContext(7), "rlearner").MV;
        var e = RLearner.ArmShares(Train, Both.PropensityClip);
        var (pv, _) = Effects(perArm, Train);
        double perArmLoss = RLearner.Loss(Train, Train.V, mv, e, [.. Enumerable.Range(1, 3).Select(k => Arm(pv, k))]);
        Assert.True(loss[0][^1] <= perArmLoss * (1 + 1e-3), $"joint {loss[0][^1]}, per-arm {perArmLoss}");
        Assert.NotEqual(Effects(joint, test).V, Effects(perArm, test).V);
    }

    [Fact]
    public void JointFit_IsBitIdenticalForOneAndTwoThreads_RoundTrips_AndPerArmOrLogisticFitsEachArmAlone()
    {
        foreach (var o in new[] { Both, Both with { BaseLearner = BaseLearnerKind.Boosted, Boosting = new() { NumTrees = 20 } } })
        {
            var a = Fit(o, threads: 1);
            var b = Fit(o, threads: 2);
            var test = MultiArmTestData.Generate(500, 5, seed: 23);
            Assert.Equal(Effects(a, test).V, Effects(b, test).V);
            Assert.Equal(Effects(a, test).C, Effects(b, test).C);
            var back = (PerArmModel)LearnerCatalog.Load("rlearner",
                Uplift.IO.ModelJson.FromNode(System.Text.Json.Nodes.JsonNode.Parse(a.Save().ToJsonString()), "model", "m.json"));
            Assert.Equal(Effects(a, test).V, Effects(back, test).V);
            Assert.Equal(Effects(a, test).C, Effects(back, test).C);
        }
        IArmHeadsLearner perArm = new RLearner(Both with { ArmLoss = RLearnerArmLoss.PerArm });
        Assert.Null(perArm.FitHeads(Train, null, new FitContext(7)));
        IArmHeadsLearner logistic = new RLearner(Both with { Propensity = PropensityKind.Logistic });
        Assert.Null(logistic.FitHeads(Train, null, new FitContext(7)));
        Assert.Equal(RLearnerArmLoss.PerArm, MetaNames.ArmLoss.Of("per-arm"));
    }

    static double[] Arm(double[] rowMajor, int k) => Enumerable.Range(0, rowMajor.Length / 3).Select(i => rowMajor[i * 3 + k - 1]).ToArray();

    static double Corr(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb); }
        return sab / Math.Sqrt(saa * sbb);
    }
}

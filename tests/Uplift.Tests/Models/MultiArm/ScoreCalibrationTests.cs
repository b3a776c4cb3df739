using Uplift.Models;
using Uplift.Models.MultiArm;
using Xunit;

namespace Uplift.Tests.Models.MultiArm;

/// <summary>The monotone score-to-effects calibration of a head that only scores (METHOD.md section 10).</summary>
public sealed class ScoreCalibrationTests
{
    /// <summary>Users with score i / n and treatment i % 2 (half arm, half control), outcomes from the given effects, no noise.</summary>
    static (double[] S, byte[] T, double[] V, double[] C) Exact(int n, Func<double, double> tauV, Func<double, double> tauC)
    {
        var s = new double[n]; var t = new byte[n]; var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            s[i] = (double)i / n; t[i] = (byte)(i % 2);
            v[i] = 1 + (t[i] == 1 ? tauV(s[i]) : 0);
            c[i] = 0.5 + (t[i] == 1 ? tauC(s[i]) : 0);
        }
        return (s, t, v, c);
    }

    [Fact]
    public void ConstantEffects_AreRecoveredEverywhere()
    {
        var (s, t, v, c) = Exact(1000, _ => 2.0, _ => 1.0);
        var cal = ScoreCalibration.Fit(s, t, v, c, "test");
        for (int b = 0; b < cal.Bins; b++) { Assert.Equal(2.0, cal.TauV[b], 12); Assert.Equal(1.0, cal.TauC[b], 12); }
        foreach (double x in new[] { -5, 0, 0.123, 0.5, 0.999, 7 })
        {
            var (tv, tc) = cal.Map(x);
            Assert.Equal(2.0, tv, 12); Assert.Equal(1.0, tc, 12);
        }
    }

    [Fact]
    public void StepEffects_AreRecoveredOnTheirBins()
    {
        // value effect 1 on the lower half of the scores, 3 on the upper half; cost effect 1: ratio increasing, no pooling.
        var (s, t, v, c) = Exact(1000, x => x < 0.5 ? 1.0 : 3.0, _ => 1.0);
        var cal = ScoreCalibration.Fit(s, t, v, c, "test");
        Assert.Equal(10, cal.Bins);
        for (int b = 0; b < 10; b++)
        {
            Assert.Equal(b < 5 ? 1.0 : 3.0, cal.TauV[b], 12);
            Assert.Equal(1.0, cal.TauC[b], 12);
            Assert.Equal(50, cal.Treated[b]); Assert.Equal(50, cal.Control[b]);
        }
        // between the centres of bins 4 and 5 the value effect is interpolated
        var (mid, _) = cal.Map((cal.Centres[4] + cal.Centres[5]) / 2);
        Assert.Equal(2.0, mid, 9);
    }

    [Fact]
    public void DecreasingRatio_IsPooled_IntoOneBin()
    {
        // the score ranks backwards: the ratio falls with the score, so every bin is pooled with the one below.
        var (s, t, v, c) = Exact(1000, x => 3 - 2 * x, _ => 1.0);
        var cal = ScoreCalibration.Fit(s, t, v, c, "test");
        Assert.Equal(1, cal.Bins);
        double mean = 0; int nt = 0;
        for (int i = 0; i < s.Length; i++) if (t[i] == 1) { mean += 3 - 2 * s[i]; nt++; }
        Assert.Equal(mean / nt, cal.TauV[0], 12);
    }

    [Fact]
    public void NoisyData_GivesAMonotoneRatio()
    {
        var rng = TestRng.Tagged(5, 77);
        int n = 4000;
        var s = new double[n]; var t = new byte[n]; var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            s[i] = rng.NextNormal(); t[i] = (byte)(rng.NextDouble() < 0.3 ? 1 : 0);
            double tv = 1 + 0.5 * Math.Tanh(s[i]), tc = 1 - 0.3 * Math.Tanh(s[i]);
            v[i] = rng.NextNormal() * 2 + (t[i] == 1 ? tv : 0);
            c[i] = rng.NextNormal() + (t[i] == 1 ? tc : 0);
        }
        var cal = ScoreCalibration.Fit(s, t, v, c, "test");
        for (int b = 1; b < cal.Bins; b++)
        {
            Assert.True(cal.Centres[b] > cal.Centres[b - 1]);
            Assert.True(EffectRatio.Guarded(cal.TauV[b], cal.TauC[b]) >= EffectRatio.Guarded(cal.TauV[b - 1], cal.TauC[b - 1]), $"bin {b}");
        }
        Assert.All(cal.TauC, x => Assert.True(x > 0)); // the cost effect keeps its sign: the map is monotone between centres too
        double previous = double.NegativeInfinity;
        for (double x = -4; x <= 4; x += 0.01)
        {
            var (tv, tc) = cal.Map(x);
            double r = EffectRatio.Guarded(tv, tc);
            Assert.True(r >= previous - 1e-12, $"ratio falls at score {x}");
            previous = r;
        }
    }

    [Fact]
    public void AnArmWithFewUsers_MergesBins_UntilEachHasEnough()
    {
        int n = 1045;
        var rng = TestRng.Tagged(9, 78);
        var s = new double[n]; var t = new byte[n]; var v = new double[n]; var c = new double[n];
        var treated = new HashSet<int>();
        while (treated.Count < 45) treated.Add(rng.NextInt(n));
        for (int i = 0; i < n; i++)
        {
            s[i] = rng.NextDouble(); t[i] = (byte)(treated.Contains(i) ? 1 : 0);
            v[i] = rng.NextNormal() + t[i]; c[i] = rng.NextNormal() + t[i];
        }
        var cal = ScoreCalibration.Fit(s, t, v, c, "test");
        Assert.InRange(cal.Bins, 1, 2);
        Assert.All(cal.Treated, x => Assert.True(x >= ScoreCalibration.MinPerGroup));
        Assert.All(cal.Control, x => Assert.True(x >= ScoreCalibration.MinPerGroup));
        Assert.Equal(45, cal.Treated.Sum());
        Assert.Equal(n - 45, cal.Control.Sum());
    }

    [Fact]
    public void TooFewUsersOfTheArm_IsAClearError()
    {
        var (s, t, v, c) = Exact(1000, _ => 1.0, _ => 1.0);
        int kept = 0;
        for (int i = 0; i < t.Length; i++) if (t[i] == 1 && ++kept > ScoreCalibration.MinPerGroup - 1) t[i] = 0;
        var ex = Assert.Throws<UpliftDataException>(() => ScoreCalibration.Fit(s, t, v, c, "drm: arm 2 of 3"));
        Assert.Contains("drm: arm 2 of 3", ex.Message);
        Assert.Contains("19 users of the arm", ex.Message);
        Assert.Contains("at least 20 of each", ex.Message);
    }

    [Fact]
    public void EqualScores_AreNeverSplit()
    {
        var (_, t, v, c) = Exact(1000, _ => 1.0, _ => 1.0);
        var s = new double[1000];
        for (int i = 0; i < s.Length; i++) s[i] = i < 700 ? 0.0 : 1.0;
        var cal = ScoreCalibration.Fit(s, t, v, c, "test");
        Assert.Equal(2, cal.Bins);
        Assert.Equal(350, cal.Treated[0]);
        Assert.Equal([0.0, 1.0], cal.Centres);
    }

    [Fact]
    public void NonFiniteScores_AreRefused()
    {
        var (s, t, v, c) = Exact(100, _ => 1.0, _ => 1.0);
        s[3] = double.NaN;
        Assert.Contains("finite", Assert.Throws<UpliftDataException>(() => ScoreCalibration.Fit(s, t, v, c, "test")).Message);
    }
}

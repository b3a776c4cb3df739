using FsCheck.Xunit;
using Uplift.Evaluation;

namespace Uplift.Tests.Evaluation;

/// <summary>
/// Laws of the AUCC. Exact invariance is broken only by the absolute 1e-7 floor of the increments
/// (METHOD.md section 6, step 4), hence the 1e-5 tolerance.
/// </summary>
public class CostCurvePropertyTests
{
    static double Scale(int a) => 0.1 + Math.Abs(a % 1000) / 10.0; // in [0.1, 100]

    [Property(MaxTest = 40)]
    public bool AuccIsInvariantToPositiveRescalingOfValueAndCost(int seed, int a, int b)
    {
        var (truth, t, v, c) = EvalData.Campaign(400, seed, noise: 1);
        var noise = EvalData.RandomScores(400, seed);
        var score = truth.Select((s, i) => s + 0.3 * noise[i]).ToArray();
        double baseAucc = CostCurve.Aucc(score, t, v, c);
        double sv = Scale(a), sc = Scale(b);
        double scaledV = CostCurve.Aucc(score, t, v.Select(x => x * sv).ToArray(), c);
        double scaledC = CostCurve.Aucc(score, t, v, c.Select(x => x * sc).ToArray());
        return Math.Abs(baseAucc - scaledV) < 1e-5 && Math.Abs(baseAucc - scaledC) < 1e-5;
    }

    [Property(MaxTest = 40)]
    public bool AuccIsInvariantToShiftingValueAndCost(int seed, int a)
    {
        var (truth, t, v, c) = EvalData.Campaign(300, seed, noise: 1);
        double shift = (a % 1000) / 7.0;
        double baseAucc = CostCurve.Aucc(truth, t, v, c);
        return Math.Abs(baseAucc - CostCurve.Aucc(truth, t, v.Select(x => x + shift).ToArray(), c.Select(x => x - shift).ToArray())) < 1e-7;
    }

    [Property(MaxTest = 40)]
    public bool AuccIsInvariantToMonotoneTransformsOfTheScore(int seed, int a)
    {
        var (_, t, v, c) = EvalData.Campaign(300, seed, noise: 1);
        // coarse scores with ties, so the tie policy is exercised too
        var score = EvalData.RandomScores(300, seed).Select(s => Math.Round(s * 20)).ToArray();
        double k = Scale(a);
        double baseAucc = CostCurve.Aucc(score, t, v, c);
        double affine = CostCurve.Aucc(score.Select(s => k * s - 3).ToArray(), t, v, c);
        double exp = CostCurve.Aucc(score.Select(s => Math.Exp(s / 10)).ToArray(), t, v, c);
        double cube = CostCurve.Aucc(score.Select(s => Math.Pow(s - 10, 3)).ToArray(), t, v, c);
        return baseAucc == affine && baseAucc == exp && baseAucc == cube;
    }

    [Property(MaxTest = 30)]
    public bool CurveIsWellFormedForAnyRanking(int seed, int segments)
    {
        var (_, t, v, c) = EvalData.Campaign(250, seed, noise: 3);
        var score = EvalData.RandomScores(250, seed + 1);
        var r = CostCurve.Compute(score, t, v, c, new CostCurveOptions { Segments = 1 + Math.Abs(segments % 300) });
        bool monotone = true;
        for (int j = 1; j < r.Iv.Length; j++) monotone &= r.Iv[j] >= r.Iv[j - 1];
        return monotone && r.X[0] == 0 && r.Y[0] == 0 && r.X[^1] == 1 && r.Y[^1] == 1
               && r.X.All(x => x >= 0 && x <= 1) && !double.IsNaN(r.Aucc);
    }
}

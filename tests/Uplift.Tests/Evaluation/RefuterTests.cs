using Uplift.Data;
using Uplift.Experiments;
using Uplift.Synthetic;
using Uplift.Tests.Cli;
using Xunit;

namespace Uplift.Tests.Evaluation;

/// <summary>The refuters of <see cref="Refuters"/> and <c>uplift check</c>.</summary>
[Collection("cli")]
public class RefuterTests
{
    /// <summary>A randomized campaign without effect heterogeneity: tau_v = 1, tau_c = 0.5 for everyone; the score is x0.</summary>
    static (double[] Score, Dataset Data) Flat(int n, long seed)
    {
        var rng = TestRng.Tagged(seed, 41);
        var x = new float[n * 2]; var t = new byte[n]; var v = new double[n]; var c = new double[n]; var s = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[2 * i] = (float)rng.NextNormal(); x[2 * i + 1] = (float)rng.NextNormal();
            t[i] = (byte)(rng.NextDouble() < 0.5 ? 1 : 0);
            v[i] = 2 + x[2 * i] + t[i] * 1.0 + rng.NextNormal();
            c[i] = 1 + 0.5 * x[2 * i + 1] + t[i] * 0.5 + 0.5 * rng.NextNormal();
            s[i] = x[2 * i];
        }
        return (s, new Dataset(x, n, 2, ["x0", "x1"], t, v, c));
    }

    [Fact]
    public void PlaceboCoversHalfInAtLeastNineOfTenSeedsWithoutHeterogeneity()
    {
        int covered = 0;
        for (long seed = 1; seed <= 10; seed++)
        {
            var (s, d) = Flat(2000, seed);
            if (Refuters.Placebo(s, d, new RefuterOptions { Seed = seed, Replicates = 100 }).Pass) covered++;
        }
        Assert.True(covered >= 9, $"the placebo interval covered 0.5 in {covered} of 10 seeds");
    }

    [Fact]
    public void AGoodRankingPassesAndItsSensitivityFallsWithLambda()
    {
        var s = SyntheticCampaign.Generate(new SyntheticOptions { Rows = 4000, Seed = 5 });
        var checks = Refuters.All(s.OracleScore, s.Data, new RefuterOptions { Replicates = 100, Subsets = 5 });
        Assert.Equal(["placebo", "random common cause", "data subset", "sensitivity"], checks.Select(c => c.Name));
        Assert.All(checks.Take(3), c => Assert.True(c.Pass, c.Verdict));
        var sens = checks[3].Numbers.Where(n => n.Name.StartsWith("aucc_at_lambda")).Select(n => n.Value).ToArray();
        for (int i = 1; i < sens.Length; i++) Assert.True(sens[i] <= sens[i - 1] + 1e-9, string.Join(", ", sens));
        Assert.True(checks[3].Numbers[0].Value > sens[^1]);
    }

    [Fact]
    public void TheCheckCommandPrintsAVerdictPerCheck()
    {
        var dir = CliRunner.TempDir();
        string train = Path.Combine(dir, "train.csv"), test = Path.Combine(dir, "test.csv"), model = Path.Combine(dir, "m.json");
        CliRunner.Ok("simulate", "--rows", "3000", "--out", train, "--seed", "2");
        CliRunner.Ok("simulate", "--rows", "2000", "--out", test, "--seed", "3");
        CliRunner.Ok("train", "--data", train, "--treatment", "treatment", "--value", "value", "--cost", "cost", "--id", "user_id",
            "--exclude", "tau_v,tau_c,propensity,oracle_score", "--model", "tlearner", "--out", model);
        var j = CliRunner.Json("check", "--model", model, "--data", test, "--replicates", "50");
        var names = j["checks"]!.AsArray().Select(c => (string)c!["check"]!).ToArray();
        Assert.Equal(["placebo", "random common cause", "data subset", "sensitivity"], names);
        Assert.True((bool)j["checks"]![0]!["pass"]!);
        Assert.Contains("placebo: pass", CliRunner.Ok("check", "--model", model, "--data", test, "--replicates", "50"));
    }
}

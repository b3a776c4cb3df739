using Xunit;

namespace Uplift.Tests.Cli;

/// <summary>The README's "Several offers" chain through the command line on small data: simulate, train, plan, assign,
/// simulate-outcomes, readout (tests/campaign/run-multiarm.sh runs it at full size with its checks).</summary>
[Collection("cli")]
public class MultiArmChainCliTests
{
    readonly string _dir = CliRunner.TempDir();

    string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public void The_several_offers_chain_runs_and_reads_out_per_arm()
    {
        CliRunner.Ok("simulate", "--scenario", "multiarm", "--rows", "12000", "--seed", "1", "--out", P("history.csv"));
        CliRunner.Ok("simulate", "--scenario", "multiarm", "--rows", "6000", "--seed", "2", "--out", P("eval.csv"));
        CliRunner.Ok("simulate", "--scenario", "multiarm", "--rows", "4000", "--seed", "3", "--out", P("candidates.csv"));
        CliRunner.Ok("train", "--model", "tlearner", "--data", P("history.csv"), "--treatment", "treatment", "--control", "none",
            "--value", "value", "--cost", "cost", "--id", "user_id", "--out", P("m.json"));
        var plan = CliRunner.Ok("plan", "--model", P("m.json"), "--data", P("candidates.csv"), "--eval", P("eval.csv"),
            "--budget", "900", "--out", P("plan.json"));
        foreach (var arm in new[] { "small", "medium", "large" }) Assert.Contains(arm, plan);
        Assert.Contains("best single arm", plan);
        string[] assign = ["assign", "--model", P("m.json"), "--data", P("candidates.csv"), "--id", "user_id", "--eval", P("eval.csv"),
            "--budget", "900", "--explore", "0.1", "--seed", "7", "--out"];
        CliRunner.Ok([.. assign, P("a1.csv")]);
        CliRunner.Ok([.. assign, P("a2.csv")]);
        Assert.Equal(File.ReadAllBytes(P("a1.csv")), File.ReadAllBytes(P("a2.csv"))); // same seed, same campaign

        var lines = File.ReadAllLines(P("a1.csv"));
        Assert.Equal(4001, lines.Length);
        var header = lines[0].Split(',');
        Assert.Equal(["user_id", "group", "arm", "score"], header[..4]);
        var arms = lines.Skip(1).Select(l => l.Split(',')[2]).ToHashSet();
        Assert.Subset(new HashSet<string> { "none", "small", "medium", "large" }, arms);
        Assert.Contains("none", arms);
        Assert.True(arms.Count >= 3, string.Join(",", arms)); // control and at least two offers given

        var truth = CliRunner.Json("simulate-outcomes", "--assignments", P("a1.csv"), "--truth", P("candidates.csv"), "--out", P("outcomes.csv"));
        Assert.True((double)truth["true_incremental_cost"]! > 0);
        var readout = CliRunner.Ok("readout", "--assignments", P("a1.csv"), "--outcomes", P("outcomes.csv"), "--plan", P("plan.json"));
        foreach (var arm in new[] { "arm small", "arm medium", "arm large" }) Assert.Contains(arm, readout);
        Assert.Contains("check:", readout);
    }
}

using Xunit;

namespace Uplift.Tests.Cli;

/// <summary>train and score on partition files in this process (docs/CLUSTER.md); the cluster itself is checked by
/// tests/cluster/run-cluster.sh.</summary>
[Collection("cli")]
public class PartitionedCliTests
{
    [Fact]
    public void SimulatePartitionsThenTrainAndScoreOnePerPartition()
    {
        string dir = CliRunner.TempDir();
        try
        {
            CliRunner.Ok("simulate", "--rows", "6000", "--seed", "2", "--out", Path.Combine(dir, "parts", "p.csv"), "--partitions", "3");
            Assert.Equal(["p-00.csv", "p-01.csv", "p-02.csv"], Directory.GetFiles(Path.Combine(dir, "parts")).Select(Path.GetFileName).Order());
            string model = Path.Combine(dir, "m.json");
            var train = CliRunner.Json("train", "--model", "crm", "--data", Path.Combine(dir, "parts", "p-*.csv"), "--treatment", "treatment",
                "--value", "value", "--cost", "cost", "--id", "user_id", "--exclude", "tau_v,tau_c,propensity,oracle_score",
                "--steps", "80", "--restarts", "1", "--out", model, "--json");
            var m = train["metrics"]!.AsObject();
            Assert.Equal(3, (int)m["partitions"]!);
            Assert.Equal(6000, (long)m["train_rows"]! + (long)m["valid_rows"]! + (long)m["test_rows"]!);
            Assert.True((double)m["valid_aucc"]! > 0.5);

            string outDir = Path.Combine(dir, "scored");
            CliRunner.Ok("score", "--model", model, "--data", Path.Combine(dir, "parts"), "--out", outDir);
            var lines = Directory.GetFiles(outDir).Order().Select(f => File.ReadAllLines(f).Length - 1).ToArray();
            Assert.Equal([2000, 2000, 2000], lines);

            var e = CliRunner.Run("train", "--model", "tlearner", "--data", Path.Combine(dir, "parts", "p-*.csv"), "--treatment", "treatment",
                "--value", "value", "--cost", "cost", "--out", model);
            Assert.NotEqual(0, e.ExitCode);
            Assert.Contains("only drm and crm", e.Err);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}

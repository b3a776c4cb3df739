using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Synthetic;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary><c>uplift simulate --scenario multiarm</c>: labelled treatment, the truth per arm, the options that apply.</summary>
[Collection("cli")]
public class SimulateMultiArmTests
{
    readonly string _dir = CliRunner.TempDir();

    [Fact]
    public void Multiarm_writes_labels_and_the_truth_per_arm_which_the_data_layer_reads_back()
    {
        string path = Path.Combine(_dir, "offers.csv");
        var j = CliRunner.Json("simulate", "--scenario", "multiarm", "--rows", "3000", "--seed", "4", "--out", path, "--json");
        Assert.Equal("none", (string)j["control"]!["label"]!);
        Assert.Equal(["small", "medium", "large"], j["arms"]!.AsArray().Select(a => (string)a!["label"]!));
        Assert.Equal([0.3, 0.2, 0.1], j["arms"]!.AsArray().Select(a => (double)a!["share"]!));
        var table = TableReader.Read(path);
        Assert.Equal(
            ["user_id", "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "treatment", "value", "cost",
             "tau_v_small", "tau_c_small", "tau_v_medium", "tau_c_medium", "tau_v_large", "tau_c_large", "propensity"],
            table.ColumnNames);
        var sim = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.MultiArm, Rows = 3000, Seed = 4 });
        Assert.Equal(sim.ArmTauC.Where((_, i) => i % 3 == 2), table["tau_c_large"].Numbers!);
        Assert.Equal(sim.Propensity, table["propensity"].Numbers!);
        // read as a campaign with --control none: K = 3 in the simulator's arm order
        var roles = new ColumnRoles("treatment", "value", "cost") { Control = "none", Id = "user_id", Features = [.. Enumerable.Range(0, 10).Select(k => "x" + k)] };
        var data = CampaignData.Load(path, roles);
        Assert.Equal(["large", "medium", "small"], data.Preprocessor.ArmLabels); // sorted labels: arm 1 is 'large' in the file's coding
        var all = data.All();
        string[] fileOrder = ["none", .. data.Preprocessor.ArmLabels];
        string[] simOrder = [sim.ControlLabel, .. sim.ArmLabels];
        Assert.All(Enumerable.Range(0, 3000), i => Assert.Equal(simOrder[sim.Data.T[i]], fileOrder[all.T[i]]));
        Assert.Equal(sim.Data.V, table["value"].Numbers!);
    }

    [Fact]
    public void Arms_sets_K_with_generic_labels_and_the_options_that_do_not_apply_are_refused()
    {
        string path = Path.Combine(_dir, "five.csv");
        var j = CliRunner.Json("simulate", "--scenario", "multiarm", "--arms", "5", "--rows", "500", "--out", path, "--json");
        Assert.Equal(5, j["arms"]!.AsArray().Count);
        var table = TableReader.Read(path);
        Assert.True(table.Contains("tau_v_offer5") && table.Contains("tau_c_offer1"));
        Assert.Equal(["none", "offer1", "offer2", "offer3", "offer4", "offer5"], table["treatment"].Strings!.Distinct().Order(StringComparer.Ordinal));
        var text = CliRunner.Ok("simulate", "--scenario", "multiarm", "--rows", "500", "--out", Path.Combine(_dir, "three.csv"));
        Assert.Contains("treated in small ", text);

        foreach (var (args, says) in new[]
                 {
                     (new[] { "--scenario", "linear", "--arms", "3" }, "--arms"),
                     (new[] { "--scenario", "multiarm", "--treated-share", "0.3" }, "--treated-share"),
                     (new[] { "--scenario", "multiarm", "--arms", "17" }, "arms"),
                 })
        {
            var r = CliRunner.Run(["simulate", .. args, "--rows", "50", "--out", Path.Combine(_dir, "bad.csv")]);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains(says, r.Err);
            Assert.False(File.Exists(Path.Combine(_dir, "bad.csv")));
        }
        // the binary scenarios write what they always wrote
        var lin = TableReader.Read(WriteLinear());
        Assert.Equal(["tau_v", "tau_c", "propensity", "oracle_score"], lin.ColumnNames.TakeLast(4));
        Assert.True(lin["treatment"].IsNumeric);
    }

    string WriteLinear()
    {
        string p = Path.Combine(_dir, "lin.csv");
        CliRunner.Ok("simulate", "--rows", "50", "--out", p);
        return p;
    }
}

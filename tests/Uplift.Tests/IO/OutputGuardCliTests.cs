using System.CommandLine;
using Uplift.Cli;
using Uplift.IO;
using Uplift.Tests.Cli;
using Xunit;

namespace Uplift.Tests.IO;

/// <summary>A small simulated campaign and a model trained on it, shared by the guard tests.</summary>
public sealed class GuardFixture : IDisposable
{
    public string Dir { get; } = CliRunner.TempDir();
    public string Data => Path.Combine(Dir, "campaign.csv");
    public string Model => Path.Combine(Dir, "model.json");
    public string Scores => Path.Combine(Dir, "scores.csv");

    public GuardFixture()
    {
        CliRunner.Ok("simulate", "--rows", "600", "--seed", "3", "--out", Data);
        CliRunner.Ok("train", "--data", Data, "--treatment", "treatment", "--value", "value", "--cost", "cost", "--id", "user_id",
            "--exclude", "tau_v,tau_c,propensity,oracle_score", "--model", "tlearner", "--base", "ridge", "--out", Model);
        CliRunner.Ok("score", "--model", Model, "--data", Data, "--out", Scores);
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>
/// An output that is an input of the same command is refused before any work, whatever the spelling of the path;
/// the inputs are unchanged (SHA-256) and nothing is left behind. Outputs that are devices are fine.
/// </summary>
[Collection("cli")]
public class OutputGuardCliTests(GuardFixture fx) : IClassFixture<GuardFixture>
{
    /// <summary>The command line of a case, with <paramref name="output"/> as its output.</summary>
    string[] Command(string name, string output) => name switch
    {
        "score-data" => ["score", "--model", fx.Model, "--data", fx.Data, "--out", output],
        "score-model" => ["score", "--model", fx.Model, "--data", fx.Data, "--out", output],
        "train-data" => ["train", "--data", fx.Data, "--treatment", "treatment", "--value", "value", "--cost", "cost", "--model", "tlearner", "--out", output],
        "report-data" => ["report", "--data", fx.Data, "--model", fx.Model, "--out", output],
        "report-model" => ["report", "--data", fx.Data, "--model", fx.Model, "--model", fx.Model, "--out", output],
        "evaluate-plot" => ["evaluate", "--data", fx.Data, "--treatment", "treatment", "--value", "value", "--cost", "cost", "--score", "oracle_score", "--plot", output],
        "compare-plot" => ["compare", "--data", fx.Data, "--treatment", "treatment", "--value", "value", "--cost", "cost", "--plot", output],
        "plan-model" => ["plan", "--model", fx.Model, "--data", fx.Data, "--budget", "10", "--out", output],
        "assign-data" => ["assign", "--model", fx.Model, "--data", fx.Data, "--budget", "10", "--cost-per-user", "1", "--out", output],
        "outcomes-truth" or "outcomes-assignments" => ["simulate-outcomes", "--assignments", fx.Scores, "--truth", fx.Data, "--out", output],
        _ => throw new ArgumentException(name),
    };

    string Victim(string name) => name switch
    {
        "score-model" or "report-model" or "plan-model" => fx.Model,
        "outcomes-assignments" => fx.Scores,
        _ => fx.Data,
    };

    /// <summary>Another spelling of <paramref name="file"/>: the path itself, ./, a/../, a symbolic link, a hard link.</summary>
    string Spell(string file, string spelling)
    {
        string dir = Path.GetDirectoryName(file)!, name = Path.GetFileName(file);
        string fresh = Path.Combine(dir, "alias-" + Guid.NewGuid().ToString("N")[..8] + Path.GetExtension(file));
        switch (spelling)
        {
            case "same": return file;
            case "dot": return Path.Combine(dir, ".", name);
            case "dotdot":
                Directory.CreateDirectory(Path.Combine(dir, "sub"));
                return Path.Combine(dir, "sub", "..", name);
            case "symlink": File.CreateSymbolicLink(fresh, name); return fresh;
            case "hardlink": IoTestUtil.CreateHardLink(file, fresh); return fresh;
            default: throw new ArgumentException(spelling);
        }
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        string[] commands = ["score-data", "score-model", "train-data", "report-data", "report-model", "evaluate-plot", "compare-plot", "plan-model", "assign-data", "outcomes-truth", "outcomes-assignments"];
        string[] spellings = ["same", "dot", "dotdot", "symlink", "hardlink"];
        for (int i = 0; i < commands.Length; i++)
        {
            // Every command with two spellings, every spelling with every command over the whole table.
            data.Add(commands[i], spellings[i % spellings.Length]);
            data.Add(commands[i], spellings[(i + 2) % spellings.Length]);
        }
        data.Add("score-data", "symlink");
        data.Add("score-model", "hardlink");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_output_that_is_an_input_is_refused_before_any_work(string command, string spelling)
    {
        string victim = Victim(command);
        string[] inputs = [fx.Data, fx.Model, fx.Scores];
        var before = inputs.Select(IoTestUtil.Sha256).ToArray();
        string output = Spell(victim, spelling);
        var r = CliRunner.Run(Command(command, output));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"is the same file as --", r.Err);
        Assert.Contains(output, r.Err);
        Assert.Contains("choose another output", r.Err);
        Assert.DoesNotContain("started", r.Err); // refused before any work (no learner progress)
        Assert.Equal("", r.Out);
        Assert.Equal(before, inputs.Select(IoTestUtil.Sha256).ToArray());
        Assert.Empty(IoTestUtil.Temps(fx.Dir));
        if (spelling == "symlink") Assert.True(PathIdentity.IsSymbolicLink(output));
    }

    [Fact]
    public void Dev_null_output_runs_and_stays_a_device()
    {
        var r = CliRunner.Run("score", "--model", fx.Model, "--data", fx.Data, "--out", "/dev/null");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Equal(PathKind.Special, PathIdentity.Kind("/dev/null"));
        Assert.Equal(0, new FileInfo("/dev/null").Length);
        // A device output is never "the same file" as a device input.
        var parse = UpliftCli.Create().Parse(["score", "--model", fx.Model, "--data", "/dev/stdin", "--out", "/dev/null"]);
        OutputGuard.Validate(parse);
    }

    [Fact]
    public void A_symlink_output_keeps_the_link_and_writes_its_target()
    {
        string target = Path.Combine(fx.Dir, "target-scores.csv");
        File.WriteAllText(target, "old\n");
        string link = Path.Combine(fx.Dir, "link-scores-" + Guid.NewGuid().ToString("N")[..6] + ".csv");
        File.CreateSymbolicLink(link, target);
        CliRunner.Ok("score", "--model", fx.Model, "--data", fx.Data, "--out", link);
        Assert.True(PathIdentity.IsSymbolicLink(link));
        Assert.Equal(601, File.ReadAllLines(target).Length);
    }

    [Fact]
    public void Every_writing_command_creates_missing_output_folders()
    {
        string root = Path.Combine(fx.Dir, "new-" + Guid.NewGuid().ToString("N")[..6]);
        string P(string leaf) => Path.Combine(root, leaf, "deeper", leaf);
        CliRunner.Ok("simulate", "--rows", "300", "--out", P("sim.csv"));
        CliRunner.Ok("train", "--data", fx.Data, "--treatment", "treatment", "--value", "value", "--cost", "cost", "--id", "user_id",
            "--exclude", "tau_v,tau_c,propensity,oracle_score", "--model", "tlearner", "--base", "ridge", "--out", P("m.json"));
        CliRunner.Ok("score", "--model", fx.Model, "--data", fx.Data, "--out", P("s.parquet"));
        CliRunner.Ok("evaluate", "--data", fx.Data, "--treatment", "treatment", "--value", "value", "--cost", "cost", "--score", "oracle_score", "--bootstrap", "0", "--plot", P("plot"));
        CliRunner.Ok("plan", "--model", fx.Model, "--data", fx.Data, "--budget", "400", "--bootstrap", "100", "--out", P("plan.json"));
        CliRunner.Ok("assign", "--model", fx.Model, "--data", fx.Data, "--budget", "400", "--cost-per-user", "1", "--out", P("a.csv"));
        CliRunner.Ok("report", "--data", fx.Data, "--model", fx.Model, "--bootstrap", "10", "--out", P("r.html"));
        foreach (var f in new[] { P("sim.csv"), P("m.json"), P("s.parquet"), P("plot") + ".svg", P("plot") + ".png", P("plan.json"), P("a.csv"), P("r.html") })
            Assert.True(File.Exists(f), f);
        Assert.Empty(IoTestUtil.Temps(root));
    }

    [Fact]
    public void Two_outputs_of_one_command_may_not_be_the_same_file()
    {
        var outOpt = new Option<string>("--out");
        var report = new Option<string>("--report");
        var cmd = new RootCommand { outOpt, report };
        string a = Path.Combine(fx.Dir, "two.csv");
        var e = Assert.Throws<UpliftException>(() => OutputGuard.Validate(cmd.Parse(["--out", a, "--report", Path.Combine(fx.Dir, ".", "two.csv")])));
        Assert.Contains("--report", e.Message);
        Assert.Contains("is the same file as --out", e.Message);
        OutputGuard.Validate(cmd.Parse(["--out", a, "--report", Path.Combine(fx.Dir, "other.csv")]));
        // A --plot without an extension writes two files, which are not the same.
        var plot = new RootCommand { new Option<string>("--plot") };
        OutputGuard.Validate(plot.Parse(["--plot", Path.Combine(fx.Dir, "p")]));
    }

    [Fact]
    public void Train_model_is_a_learner_name_not_a_file()
    {
        var parse = UpliftCli.Create().Parse(["train", "--data", fx.Data, "--treatment", "t", "--value", "v", "--cost", "c", "--model", fx.Model, "--out", fx.Model]);
        var (inputs, outputs) = OutputGuard.Files(parse);
        Assert.Equal(["--data"], inputs.Select(i => i.Option));
        Assert.Equal(["--out"], outputs.Select(i => i.Option));
    }

    /// <summary>Every option that names a file is known to the guard: a new one must be added to its lists.</summary>
    [Fact]
    public void Every_file_option_of_every_command_is_classified()
    {
        // --partitions is a count and --cluster names gateways (HOST:PORT), though their help speaks of files.
        string[] notPaths = ["--id", "--names", "--importance", "--models", "--scenario", "--explore", "--explore-treated", "--partitions", "--cluster"];
        var missing = new List<string>();
        foreach (var command in UpliftCli.Create().Subcommands)
            foreach (var option in command.Options)
            {
                // "(default: the model file's)" and "a file name" describe a column or a name, not a path.
                string d = (option.Description ?? "").Replace("model file's", "", StringComparison.Ordinal).Replace("file name", "", StringComparison.Ordinal);
                bool looksLikeFile = new[] { "file", "folder", "written by", "candidates", ".csv", ".json", ".svg", ".png", ".html", ".parquet", "gzip" }
                    .Any(w => d.Contains(w, StringComparison.OrdinalIgnoreCase));
                bool known = OutputGuard.InputNames.Contains(option.Name) || OutputGuard.OutputNames.Contains(option.Name);
                if (looksLikeFile && !known && !notPaths.Contains(option.Name)) missing.Add($"{command.Name} {option.Name}");
            }
        Assert.True(missing.Count == 0, string.Join("; ", missing));
    }
}

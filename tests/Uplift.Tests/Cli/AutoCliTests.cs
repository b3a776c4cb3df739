using System.Globalization;
using System.Text;
using Uplift.Models.Auto;
using Uplift.Persistence;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary><c>train --model auto</c> and <c>compare --models auto,...</c>: the choice printed and recorded, the time limit.</summary>
[Collection("cli")]
public sealed class AutoCliTests : IDisposable
{
    readonly string _dir = CliRunner.TempDir();
    public void Dispose() => Directory.Delete(_dir, recursive: true);
    string P(string name) => Path.Combine(_dir, name);

    string WriteCampaign(int n = 800)
    {
        var rng = new Rng(5);
        var sb = new StringBuilder("id,t,v,c,x1,x2\n");
        for (int i = 0; i < n; i++)
        {
            double x1 = rng.NextNormal(), x2 = rng.NextNormal();
            int t = rng.NextDouble() < 0.5 ? 1 : 0;
            double v = 1 + x1 + t * (1 + x2) + rng.NextNormal(), c = 1 + t * (1 + 0.5 * Math.Abs(x1)) + 0.2 * rng.NextNormal();
            sb.Append(CultureInfo.InvariantCulture, $"u{i},{t},{v:0.###},{c:0.###},{x1:0.###},{x2:0.###}\n");
        }
        File.WriteAllText(P("c.csv"), sb.ToString());
        return P("c.csv");
    }

    [Fact]
    public void Train_auto_prints_the_choice_and_the_runners_up_and_the_model_file_loads_as_the_chosen_model()
    {
        string data = WriteCampaign();
        // A limit every fit exceeds: only the first candidate runs, the others are listed as not started.
        var r = CliRunner.Run("train", "--data", data, "--treatment", "t", "--value", "v", "--cost", "c", "--id", "id",
            "--model", "auto", "--time-limit", "0.000001", "--out", P("auto.json"));
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains($"auto chose: {AutoCandidates.Names[0]} (tlearner)", r.Out);
        Assert.Contains("1 of 7 candidates ran", r.Out);
        Assert.Contains("not started: time limit spent", r.Out);
        var file = ModelFile.Load(P("auto.json"));
        var auto = Assert.IsAssignableFrom<AutoModel>(file.Model);
        Assert.Equal("tlearner", auto.Chosen.Kind);
        Assert.Equal(7, auto.Candidates.Count);
        Assert.Contains("\"auto\"", File.ReadAllText(P("auto.json")));
    }

    [Fact]
    public void Compare_takes_auto_next_to_other_models_and_prints_its_choice_per_repeat()
    {
        string data = WriteCampaign();
        var r = CliRunner.Run("compare", "--data", data, "--treatment", "t", "--value", "v", "--cost", "c", "--id", "id",
            "--models", "auto,drm", "--steps", "30", "--restarts", "1", "--time-limit", "0.000001", "--repeats", "2", "--reference", "auto");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("minus auto's, paired by repeat", r.Out);
        Assert.Contains($"auto chose, per repeat: 1: {AutoCandidates.Names[0]}", r.Out);
        Assert.Contains($"2: {AutoCandidates.Names[0]}", r.Out);
        var j = CliRunner.Json("compare", "--data", data, "--treatment", "t", "--value", "v", "--cost", "c",
            "--models", "auto,drm", "--steps", "30", "--restarts", "1", "--time-limit", "0.000001", "--repeats", "2", "--reference", "auto", "--json");
        var res = j["results"]!.AsArray();
        var (a, d) = (res[0]!["test_aucc"]!.AsArray(), res[1]!["test_aucc"]!.AsArray());
        var per = j["paired"]![0]!["per_repeat"]!.AsArray();
        for (int k = 0; k < 2; k++) Assert.Equal((double)d[k]! - (double)a[k]!, (double)per[k]!, 12);   // drm minus auto
        Assert.Equal(AutoCandidates.Names[0], (string)res[0]!["auto_per_repeat"]![0]!["chosen"]!);
        var notListed = CliRunner.Run("compare", "--data", data, "--treatment", "t", "--value", "v", "--cost", "c", "--models", "drm", "--reference", "auto");
        Assert.Equal(2, notListed.ExitCode);
        Assert.Contains("--reference", notListed.Err);
        var bad = CliRunner.Run("train", "--data", data, "--treatment", "t", "--value", "v", "--cost", "c",
            "--model", "auto", "--time-limit", "-1", "--out", P("x.json"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--time-limit", bad.Err);
    }
}

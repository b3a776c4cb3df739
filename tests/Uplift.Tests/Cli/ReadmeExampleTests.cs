using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models;
using Uplift.Models.Ranking;
using Uplift.Persistence;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary>README's C# example runs as written (the lines between the markers are the README's block).</summary>
[Collection("cli")] // changes the working directory
public class ReadmeExampleTests
{
    [Fact]
    public void The_library_example_runs_and_matches_the_readme()
    {
        string dir = CliRunner.TempDir();
        string cwd = Environment.CurrentDirectory;
        try
        {
            var sim = Uplift.Synthetic.SyntheticCampaign.Generate(new Uplift.Synthetic.SyntheticOptions { Rows = 20_000, Seed = 2 });
            var table = Uplift.Cli.Commands.SimulateCommand.ToTable("campaign.csv", sim);
            var renamed = new RawTable("campaign.csv", table.Rows, table.Columns.Select(c => c.Name switch
            {
                "user_id" => Rename(c, "customer"), "treatment" => Rename(c, "got_coupon"),
                "value" => Rename(c, "revenue"), "cost" => Rename(c, "spend"), _ => c,
            }).Where(c => c.Name is not ("tau_v" or "tau_c" or "propensity" or "oracle_score")));
            TableWriter.Write(Path.Combine(dir, "campaign.csv"), renamed);
            Directory.SetCurrentDirectory(dir);

            // README:begin
            var roles = new ColumnRoles(Treatment: "got_coupon", Value: "revenue", Cost: "spend") { Id = "customer" };
            var campaign = CampaignData.Load("campaign.csv", roles);  // seeded 60/20/20 split; preprocessing fitted on train rows
            var drm = new DrmLearner(new DrmOptions { Steps = 500 });
            var model = drm.Fit(campaign.Train, campaign.Valid, new FitContext(Seed: 1));
            double[] scores = model.Score(campaign.Test);              // one per user, higher = treat first
            double aucc = CostCurve.Aucc(scores, campaign.Test.T, campaign.Test.V, campaign.Test.C);
            new ModelFile(model, campaign.Preprocessor, seed: 1).Save("drm.json");
            // README:end

            Assert.InRange(aucc, 0.6, 1.0);
            var loaded = ModelFile.Load("drm.json");
            Assert.Equal(scores, loaded.Model.Score(campaign.Test));

            string readme = File.ReadAllText(FindUp("README.md"));
            string self = File.ReadAllText(FindUp(Path.Combine("tests", "Uplift.Tests", "Cli", "ReadmeExampleTests.cs")));
            int a = self.IndexOf("// README:begin", StringComparison.Ordinal), b = self.IndexOf("// README:end", StringComparison.Ordinal);
            foreach (var line in self[a..b].Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0))
                Assert.Contains(line, readme);
        }
        finally
        {
            Directory.SetCurrentDirectory(cwd);
            Directory.Delete(dir, recursive: true);
        }
    }

    static RawColumn Rename(RawColumn c, string name) =>
        c.IsNumeric ? RawColumn.Numeric(name, c.Numbers!) : RawColumn.Text(name, c.Strings!);

    static string FindUp(string relative)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string p = Path.Combine(d.FullName, relative);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException(relative);
    }
}

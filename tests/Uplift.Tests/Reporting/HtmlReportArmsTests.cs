using Uplift.Allocation;
using Uplift.Reporting;
using Uplift.Synthetic;
using Xunit;

namespace Uplift.Tests.Reporting;

/// <summary>The report of a campaign with three arms: each model by its budget path (METHOD.md section 10).</summary>
public class HtmlReportArmsTests
{
    static readonly SyntheticData Sim = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.MultiArm, Rows = 2000, Seed = 2 });

    static ReportInput Input(BudgetPath? path)
    {
        var d = Sim.Data;
        var truth = BudgetPath.Build(Sim.ArmTauV, Sim.ArmTauC, d.Rows, 3);
        return new ReportInput
        {
            Title = "three arms", Evaluation = d,
            Models = [new ReportModel("truth", Sim.OracleScore) { ArmPath = path }],
            OraclePath = truth, ArmLabels = Sim.ArmLabels, ControlLabel = Sim.ControlLabel,
            Options = new ReportOptions { BootstrapReplicates = 20, MaxThreads = 1 },
            GeneratedAt = DateTimeOffset.UnixEpoch,
        };
    }

    [Fact]
    public void Three_arms_show_the_multi_arm_curves_the_value_at_budgets_and_the_split_by_arm()
    {
        var path = BudgetPath.Build(Sim.ArmTauV, Sim.ArmTauC, Sim.Data.Rows, 3);
        var html = HtmlReport.Render(Input(path));
        Assert.Contains("Multi-arm cost curves", html);
        Assert.Contains("multi-arm AUCC", html);
        Assert.Contains("id=\"value-at-budget\"", html);
        Assert.Contains("truth: users per arm by budget", html);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "<polygon class=\"band\"")); // the model's band (none for the oracle)
        Assert.DoesNotContain("id=\"calibration\"", html); // calibration is a one-arm test
        foreach (var label in Sim.ArmLabels) Assert.Contains(label, html);
        System.Xml.Linq.XDocument.Parse(html.Replace("<!DOCTYPE html>", "")); // well-formed
        Assert.Equal(html, HtmlReport.Render(Input(path))); // same input, same page
    }

    [Fact]
    public void A_model_without_its_budget_path_is_refused_by_name()
    {
        var e = Assert.Throws<UpliftOptionException>(() => HtmlReport.Render(Input(null)));
        Assert.Contains("'truth'", e.Message);
    }
}

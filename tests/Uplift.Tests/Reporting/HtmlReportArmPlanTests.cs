using System.Globalization;
using Uplift.Allocation;
using Uplift.Campaign;
using Uplift.Reporting;
using Uplift.Synthetic;
using Xunit;

namespace Uplift.Tests.Reporting;

/// <summary>The report's multi-arm budget plan section (<see cref="ArmPlanSummary"/>): the plan's numbers per arm, the
/// references, well-formed markup, the same page for the same input.</summary>
public class HtmlReportArmPlanTests
{
    static readonly SyntheticData Sim = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.MultiArm, Rows = 2000, Seed = 4 });

    static ReportInput Input(ArmPlanSummary? plan)
    {
        var d = Sim.Data;
        var truth = BudgetPath.Build(Sim.ArmTauV, Sim.ArmTauC, d.Rows, 3);
        return new ReportInput
        {
            Title = "three arms", Evaluation = d,
            Models = [new ReportModel("truth", Sim.OracleScore) { ArmPath = truth }],
            ArmLabels = Sim.ArmLabels, ControlLabel = Sim.ControlLabel,
            Options = new ReportOptions { BootstrapReplicates = 20, MaxThreads = 1 },
            ArmPlan = plan, GeneratedAt = DateTimeOffset.UnixEpoch,
        };
    }

    [Fact]
    public void The_multi_arm_plan_shows_each_arm_with_intervals_and_the_references()
    {
        var d = Sim.Data;
        var plan = MultiArmPlan.Build(Sim.ArmTauV, Sim.ArmTauC, d.Rows, Sim.ArmLabels, Sim.ControlLabel,
            new MultiArmEvalData(Sim.ArmTauV, Sim.ArmTauC, d.T, d.V, d.C),
            new MultiArmPlanOptions { Budget = 200, BootstrapReplicates = 100, Seed = 2, MaxThreads = 1 });
        var html = HtmlReport.Render(Input(new ArmPlanSummary("truth <&>", plan)));
        Assert.Contains("Budget plan across arms", html);
        Assert.Contains("truth &lt;&amp;&gt;", html);
        foreach (var a in plan.Arms) Assert.Contains($"{a.Label}</td>", html);
        Assert.Contains(plan.Upgrades.ToString("#,##0", CultureInfo.InvariantCulture) + " upgrades", html);
        Assert.Contains("95% CI [", html);
        Assert.Contains($"Best single arm ({plan.BestSingleArm})", html);
        Assert.Contains("Random allocation, same arm mix", html);
        System.Xml.Linq.XDocument.Parse(html.Replace("<!DOCTYPE html>", "")); // well-formed
        Assert.Equal(html, HtmlReport.Render(Input(new ArmPlanSummary("truth <&>", plan)))); // same input, same page
        Assert.DoesNotContain("Budget plan across arms", HtmlReport.Render(Input(null)));
    }
}

using Uplift.Campaign;
using Uplift.Data;
using Xunit;

namespace Uplift.Tests.Campaign;

public class OutcomeSimulatorTests
{
    [Fact]
    public void Swaps_the_simulated_treatment_for_the_assigned_one()
    {
        var truth = new CampaignTruth(["a", "b", "c", "d"], [1, 0, 1, 0], [10, 20, 30, 40], [1, 2, 3, 4], [5, 6, 7, 8], [0.5, 0.6, 0.7, 0.8]);
        AssignedUser[] users =
        [
            new("d", 0.1, CampaignGroup.ExploitTreated),     // T 0 -> 1: + tau
            new("a", 0.9, CampaignGroup.ExploreControl),     // T 1 -> 0: - tau
            new("b", 0.5, CampaignGroup.Untreated),          // 0 -> 0: unchanged
            new("c", 0.3, CampaignGroup.ExploreTreatment),   // 1 -> 1: unchanged
        ];
        var r = OutcomeSimulator.Simulate(users, truth);
        Assert.Equal(new UserOutcome("d", 48, 4.8), r.Outcomes[0]);
        Assert.Equal(new UserOutcome("a", 5, 0.5), r.Outcomes[1]);
        Assert.Equal(new UserOutcome("b", 20, 2), r.Outcomes[2]);
        Assert.Equal(new UserOutcome("c", 30, 3), r.Outcomes[3]);
        Assert.Equal(15, r.TrueIncrementalValue, 12);
        Assert.Equal(1.5, r.TrueIncrementalCost, 12);
        Assert.Equal(7 / 0.7, r.TrueExploreSlope, 12);
        Assert.Equal(8 / 0.8, r.TrueExploitSlope, 12);
        Assert.Throws<UpliftDataException>(() => OutcomeSimulator.Simulate([new("zz", 0, CampaignGroup.Untreated)], truth));
    }

    [Fact]
    public void Campaign_files_round_trip_and_reject_unknown_groups()
    {
        AssignedUser[] users = [new("007", 1.5, CampaignGroup.ExploreTreatment), new("x", -2, CampaignGroup.Untreated)];
        var back = CampaignFiles.ReadAssignments(CampaignFiles.AssignmentTable("t", users));
        Assert.Equal(users, back);
        foreach (var g in Enum.GetValues<CampaignGroup>()) Assert.Equal(g, CampaignFiles.ParseGroup(CampaignFiles.GroupName(g)));
        var bad = new RawTable("t", 1, [RawColumn.Text("id", ["a"]), RawColumn.Text("group", ["treated"]), RawColumn.Numeric("score", [1.0])]);
        var e = Assert.Throws<UpliftDataException>(() => CampaignFiles.ReadAssignments(bad));
        Assert.Contains("unknown group", e.Message);
    }
}

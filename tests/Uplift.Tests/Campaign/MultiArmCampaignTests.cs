using Uplift.Allocation;
using Uplift.Campaign;
using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Meta;
using Uplift.Models.MultiArm;
using Uplift.Models.Trees;
using Uplift.Tests.Models.MultiArm;
using Xunit;

namespace Uplift.Tests.Campaign;

/// <summary>The multi-arm campaign chain on small data (METHOD.md sections 9-10): plan, assign, simulated outcomes, read-out.</summary>
public sealed class MultiArmCampaignTests
{
    static readonly LearnerSettings Settings = new LearnerSettings()
        .With(new TLearnerOptions { Boosting = new GradientBoostingOptions { NumTrees = 20, NumLeaves = 4, MinDataInLeaf = 20 } });

    [Fact]
    public void Chain_PlansAssignsSimulatesAndReadsOut_Deterministically()
    {
        var train = MultiArmTestData.Generate(4000, 4, 31);
        var eval = MultiArmTestData.Generate(4000, 4, 32);
        var cand = MultiArmTestData.Generate(4000, 4, 33);
        var model = (IMultiArmModel)LearnerCatalog.Create("tlearner", Settings).Fit(train, null, new FitContext(7, 1));
        int k = model.Arms;
        Assert.True(k > 1);
        double[] Eff(Dataset d, bool value) { var v = new double[d.Rows * k]; var c = new double[d.Rows * k]; model.PredictArmEffects(d, v, c, 1); return value ? v : c; }
        var (cv, cc) = (Eff(cand, true), Eff(cand, false));
        var labels = Enumerable.Range(1, k).Select(a => $"arm{a}").ToList();
        var path = BudgetPath.Build(cv, cc, cand.Rows, k);
        double budget = 0.3 * path.FullCost;
        var options = new MultiArmPlanOptions { Budget = budget, Seed = 3, BootstrapReplicates = 200, MaxThreads = 1 };
        var evalData = new MultiArmEvalData(Eff(eval, true), Eff(eval, false), eval.T.ToArray(), eval.V.Select(x => (double)x).ToArray(), eval.C.Select(x => (double)x).ToArray());
        var plan = MultiArmPlan.Build(cv, cc, cand.Rows, labels, "none", evalData, options);
        Assert.True(plan.Cost <= budget + 1e-9);
        Assert.Equal(k, plan.Arms.Count);
        Assert.NotNull(plan.CostCi);
        Assert.Equal(plan.ToJson().ToJsonString(), MultiArmPlan.Build(cv, cc, cand.Rows, labels, "none", evalData, options with { MaxThreads = 2 }).ToJson().ToJsonString());
        var held = MultiArmPlan.Build(cv, cc, cand.Rows, labels, "none", evalData, options with { SpendConfidence = 0.9 });
        Assert.True(held.Cost <= plan.Cost + 1e-9);
        var own = MultiArmPlan.Build(cv, cc, cand.Rows, labels, "none", null, options);
        Assert.True(own.Cost <= budget + 1e-9);
        Assert.Null(own.CostCi);

        var ids = Enumerable.Range(0, cand.Rows).Select(i => $"u{i}").ToList();
        var scores = new double[cand.Rows];
        var users = MultiArmCampaign.Assign(ids, scores, path, plan.Upgrades, labels, "none", 0.2, 5);
        Assert.Equal(users, MultiArmCampaign.Assign(ids, scores, path, plan.Upgrades, labels, "none", 0.2, 5));
        Assert.Contains(users, u => u.Group == CampaignGroup.ExploreTreatment);
        Assert.Contains(users, u => u.Group == CampaignGroup.ExploitTreated);
        var back = CampaignFiles.ReadAssignments(CampaignFiles.AssignmentTable("x", users, "user_id"));
        Assert.Equal(users, back);

        // Outcomes from a known truth: the model's own effects (additive, no noise beyond the simulated outcomes).
        var (outcomes, truth) = MultiArmCampaign.Simulate(users, [.. ids], cand.T.ToArray(), cand.V.Select(x => (double)x).ToArray(),
            cand.C.Select(x => (double)x).ToArray(), cv, cc, labels, "none");
        Assert.True(truth.ExploitSlope > truth.ExploreSlope);
        var readout = MultiArmReadout.Compute(users, outcomes, new ReadoutOptions { BootstrapReplicates = 200, MaxThreads = 1 });
        Assert.Equal(k, readout.Arms.Count);
        Assert.NotNull(readout.CostCi);
    }
}

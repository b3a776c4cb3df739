using Uplift.Data;
using Uplift.Synthetic;
using Xunit;

// Outside the Uplift namespaces on purpose: this file sees the library as a user's code does, with only the usings above.
namespace UpliftApiUser;

public class PublicApiTests
{
    [Fact]
    public void A_fitted_model_scores_a_dataset_without_a_using_of_Uplift_Models()
    {
        var data = SyntheticCampaign.Generate(new SyntheticOptions { Rows = 1200, Seed = 5 }).Data;
        var model = new Uplift.Models.Meta.TLearner().Fit(data, null, new Uplift.FitContext(Seed: 5, MaxThreads: 1));
        double[] scores = model.Score(data); // the interface's own member: compiles only without an extra using
        Assert.Equal(data.Rows, scores.Length);
        Assert.All(scores, s => Assert.True(double.IsFinite(s)));
    }

    [Fact]
    public void The_numeric_core_and_the_paper_constructions_are_not_public_API()
    {
        var exported = typeof(Dataset).Assembly.GetExportedTypes();
        var engine = exported.Where(t => t.Namespace == "Uplift.Engine").Select(t => t.Name).ToList();
        Assert.Equal(["Objective"], engine); // the one enum DrmOptions.Objective exposes
        Assert.DoesNotContain(exported, t => t.Namespace == "Uplift.Paper");
        Assert.DoesNotContain(exported, t => t.Name is "Rng" or "RngStream" or "Kernels" or "CohortEngine" or "Network");
    }
}

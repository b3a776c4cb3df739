using Uplift.Evaluation;
using Xunit;
using Uplift.Reporting;

namespace Uplift.Tests.Reporting;

public class FeatureImportanceTests
{
    [Fact]
    public void FindsTheOneInformativeFeature()
    {
        var data = ReportTestData.Campaign(3000, 5, seed: 1);
        var model = new FuncModel(5, r => r[0]);
        var res = FeatureImportance.Permutation(model, data, new PermutationOptions { Seed = 3 });

        Assert.Equal(5, res.Rows.Count);
        Assert.Equal("x0", res.Rows[0].Feature);
        Assert.Equal([0], res.Rows[0].Columns);
        Assert.True(res.Rows[0].MeanDrop > 0.05, $"drop of x0: {res.Rows[0].MeanDrop}");
        Assert.True(res.BaselineAucc > 0.6, $"baseline {res.BaselineAucc}");
        // the model ignores the others: their shuffles leave every score, hence the AUCC, unchanged
        foreach (var r in res.Rows.Skip(1))
        {
            Assert.Equal(0.0, r.MeanDrop);
            Assert.Equal(0.0, r.StdDev);
        }
        Assert.Equal(3, res.Repeats);
        Assert.All(res.Rows, r => Assert.Equal(3, r.Drops.Length));
        var d0 = res.Rows[0].Drops;
        Assert.Equal(d0.Average(), res.Rows[0].MeanDrop, 12);
        double sd = Math.Sqrt(d0.Sum(x => (x - d0.Average()) * (x - d0.Average())) / (d0.Length - 1));
        Assert.Equal(sd, res.Rows[0].StdDev, 12);
    }

    [Fact]
    public void LeavesTheDatasetUnchanged()
    {
        var data = ReportTestData.Campaign(1500, 4, seed: 2);
        var x = (float[])data.X.Clone(); var t = (byte[])data.T.Clone(); var v = (double[])data.V.Clone(); var c = (double[])data.C.Clone();
        var model = new FuncModel(4, r => r[0] + 0.3 * r[2]);
        FeatureImportance.Permutation(model, data, new PermutationOptions { Repeats = 2, MaxThreads = 3 });
        Assert.Equal(x, data.X);
        Assert.Equal(t, data.T);
        Assert.Equal(v, data.V);
        Assert.Equal(c, data.C);
    }

    [Fact]
    public void ResultsDoNotDependOnTheThreadCountAndFollowTheSeed()
    {
        var data = ReportTestData.Campaign(1500, 6, seed: 4);
        var model = new FuncModel(6, r => r[0] + 0.5 * r[1] - 0.2 * r[3]);
        var one = FeatureImportance.Permutation(model, data, new PermutationOptions { Seed = 9, MaxThreads = 1 });
        var four = FeatureImportance.Permutation(model, data, new PermutationOptions { Seed = 9, MaxThreads = 4 });
        var other = FeatureImportance.Permutation(model, data, new PermutationOptions { Seed = 10, MaxThreads = 4 });
        Assert.Equal(one.Rows.Select(r => r.Feature), four.Rows.Select(r => r.Feature));
        for (int i = 0; i < one.Rows.Count; i++) Assert.Equal(one.Rows[i].Drops, four.Rows[i].Drops);
        var x0a = one.Rows.Single(r => r.Feature == "x0").Drops;
        var x0b = other.Rows.Single(r => r.Feature == "x0").Drops;
        Assert.NotEqual(x0a, x0b);
    }

    [Fact]
    public void RowsAreSortedByDrop()
    {
        var data = ReportTestData.Campaign(2000, 4, seed: 5);
        var model = new FuncModel(4, r => r[0] + 0.4 * r[1] + 0.2 * r[2]);
        var res = FeatureImportance.Permutation(model, data);
        for (int i = 1; i < res.Rows.Count; i++) Assert.True(res.Rows[i - 1].MeanDrop >= res.Rows[i].MeanDrop);
    }

    [Fact]
    public void GroupsOneHotColumnsByTheTextBeforeTheEqualsSign()
    {
        string[] names = ["age", "country=FR", "country=DE", "plan=a", "income", "country=IT", "plan=b"];
        var g = FeatureImportance.Groups(names);
        Assert.Equal(["age", "country", "plan", "income"], g.Select(x => x.Name));
        Assert.Equal([1, 2, 5], g[1].Columns);
        Assert.Equal([3, 6], g[2].Columns);
        var ungrouped = FeatureImportance.Groups(names, groupOneHot: false);
        Assert.Equal(names, ungrouped.Select(x => x.Name));
    }

    [Fact]
    public void GroupedColumnsAreShuffledTogether()
    {
        // x0 informative; columns 1-3 a one-hot "region"; the model refuses rows that are not one-hot.
        int n = 1200;
        var baseData = ReportTestData.Campaign(n, 4, seed: 6);
        var x = (float[])baseData.X.Clone();
        for (int i = 0; i < n; i++)
        {
            int k = i % 3;
            for (int j = 0; j < 3; j++) x[i * 4 + 1 + j] = j == k ? 1 : 0;
        }
        var data = new Uplift.Data.Dataset(x, n, 4, ["x0", "region=n", "region=c", "region=s"], baseData.T, baseData.V, baseData.C);
        var model = new FuncModel(4, r =>
        {
            if (r[1] + r[2] + r[3] != 1) throw new UpliftException("not one-hot");
            return r[0] + 0.1 * r[2];
        });
        var res = FeatureImportance.Permutation(model, data, new PermutationOptions { Seed = 2 });
        Assert.Equal(2, res.Rows.Count);
        var region = res.Rows.Single(r => r.Feature == "region");
        Assert.Equal([1, 2, 3], region.Columns);
        Assert.Equal("x0", res.Rows[0].Feature);

        // shuffled one column at a time, rows stop being one-hot: the model's error comes through unwrapped
        var e = Assert.Throws<UpliftException>(() =>
            FeatureImportance.Permutation(model, data, new PermutationOptions { Seed = 2, GroupOneHot = false }));
        Assert.Equal("not one-hot", e.Message);
    }

    [Fact]
    public void AFeatureOutsideAnyGroupGetsTheSameShufflesWithOrWithoutGrouping()
    {
        string[] names = ["x0", "g=a", "g=b", "x3"];
        var data = ReportTestData.Campaign(1000, 4, seed: 7, names);
        var model = new FuncModel(4, r => r[0] + 0.3 * r[1] - 0.3 * r[2] + 0.2 * r[3]);
        var on = FeatureImportance.Permutation(model, data, new PermutationOptions { GroupOneHot = true });
        var off = FeatureImportance.Permutation(model, data, new PermutationOptions { GroupOneHot = false });
        Assert.Equal(on.Rows.Single(r => r.Feature == "x3").Drops, off.Rows.Single(r => r.Feature == "x3").Drops);
        Assert.Equal(on.Rows.Single(r => r.Feature == "x0").Drops, off.Rows.Single(r => r.Feature == "x0").Drops);
        Assert.Equal(3, on.Rows.Count);
        Assert.Equal(4, off.Rows.Count);
    }

    [Fact]
    public void RejectsBadOptionsAndMismatchedData()
    {
        var data = ReportTestData.Campaign(300, 3, seed: 8);
        var model = new FuncModel(3, r => r[0]);
        Assert.Throws<UpliftOptionException>(() => FeatureImportance.Permutation(model, data, new PermutationOptions { Repeats = 0 }));
        Assert.Throws<UpliftOptionException>(() => FeatureImportance.Permutation(model, data, new PermutationOptions { MaxThreads = 0 }));
        Assert.Throws<UpliftDataException>(() => FeatureImportance.Permutation(new FuncModel(4, r => r[0]), data));
        var noOutcomes = new Uplift.Data.Dataset(data.X, data.Rows, data.Features, data.FeatureNames);
        Assert.Throws<UpliftDataException>(() => FeatureImportance.Permutation(model, noOutcomes));
    }
}

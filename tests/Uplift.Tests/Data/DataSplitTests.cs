using FsCheck.Xunit;
using Uplift.Data;
using Xunit;
using static Uplift.Tests.Data.DataTestUtil;

namespace Uplift.Tests.Data;

public class DataSplitTests
{
    [Fact]
    public void Same_seed_same_split_other_seed_other_split()
    {
        var a = DataSplit.Random(1000, 0.6, 0.2, seed: 7);
        var b = DataSplit.Random(1000, 0.6, 0.2, seed: 7);
        var c = DataSplit.Random(1000, 0.6, 0.2, seed: 8);
        Assert.Equal(a.Train, b.Train); Assert.Equal(a.Valid, b.Valid); Assert.Equal(a.Test, b.Test);
        Assert.NotEqual(a.Train, c.Train);
    }

    [Fact]
    public void Default_proportions_are_60_20_20()
    {
        var s = DataSplit.Random(1000);
        Assert.Equal((600, 200, 200), (s.Train.Length, s.Valid.Length, s.Test.Length));
        Assert.True(s.Train.Order().SequenceEqual(s.Train)); // ascending file order inside a part
    }

    [Property(MaxTest = 200)]
    public bool Parts_partition_the_rows(byte n, bool stratify, int seed)
    {
        var t = Enumerable.Range(0, n).Select(i => (byte)((i * 7 + seed) % 3 == 0 ? 1 : 0)).ToArray();
        var s = DataSplit.Create(t, new SplitOptions { Stratify = stratify, Seed = seed, TrainFraction = 0.5, ValidFraction = 0.3 });
        var all = s.Train.Concat(s.Valid).Concat(s.Test).Order().ToArray();
        return all.SequenceEqual(Enumerable.Range(0, n));
    }

    [Fact]
    public void Stratified_keeps_the_treated_share()
    {
        // 30% treated
        var t = Enumerable.Range(0, 1000).Select(i => (byte)(i % 10 < 3 ? 1 : 0)).ToArray();
        var s = DataSplit.Stratified(t, 0.6, 0.2, seed: 3);
        foreach (var part in new[] { s.Train, s.Valid, s.Test })
            Assert.Equal(0.3, part.Average(i => (double)t[i]), 3);
        Assert.Equal((600, 200, 200), (s.Train.Length, s.Valid.Length, s.Test.Length));
    }

    [Fact]
    public void Fractions_are_range_checked()
    {
        Assert.Throws<UpliftOptionException>(() => DataSplit.Random(10, 0, 0.2, 1));
        Assert.Throws<UpliftOptionException>(() => DataSplit.Random(10, 0.9, 0.2, 1));
        Assert.Throws<UpliftOptionException>(() => new SplitOptions { ValidFraction = -0.1 }.Validate());
    }
}

public class CampaignDataTests
{
    [Fact]
    public void Load_splits_then_fits_on_train_only()
    {
        using var dir = new TempDir();
        var path = dir.File("camp.csv", CampaignCsv(200));
        var data = CampaignData.Load(path, Roles, new CampaignLoadOptions { Split = new SplitOptions { Seed = 5 } });
        Assert.Equal((120, 40, 40), (data.Train.Rows, data.Valid.Rows, data.Test.Rows));
        Assert.Equal(["age", "country=DE", "country=ES", "country=FR"], data.Train.FeatureNames);
        double trainMeanAge = data.Split.Train.Average(i => 20.0 + i);
        Assert.Equal(trainMeanAge, data.Preprocessor.Specs[0].Mean, 9);
        Assert.Equal(0.0, data.Train.X.Where((_, k) => k % 4 == 0).Average(x => (double)x), 5); // z-scored on train
        Assert.Equal(60, data.Train.TreatedCount); // stratified: 50% treated in every part
        Assert.Equal(20, data.Test.TreatedCount);
        Assert.Equal(200, data.All().Rows);
        // the test set is transformed with the train statistics
        int r = data.Split.Test[0];
        Assert.Equal((float)((20 + r - data.Preprocessor.Specs[0].Mean) / data.Preprocessor.Specs[0].Sd), data.Test.X[0]);
    }
}

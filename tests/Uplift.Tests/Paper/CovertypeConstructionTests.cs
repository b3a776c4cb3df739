using System.Globalization;
using Uplift.Paper;
using Uplift.Data;
using Xunit;

namespace Uplift.Tests.Paper;

public sealed class CovertypeConstructionTests : IDisposable
{
    readonly FixtureFiles _files = new();
    public void Dispose() => _files.Dispose();

    /// <summary>
    /// A hand-computable covtype.data fixture. 41 rows of Cover_Type 1/2 with Elevation 2000..2040
    /// (median 2020, so Elevation &gt; 2020 keeps the 20 rows 2021..2040, index k = Elevation - 2021), mixed with
    /// 10 rows of other cover types at Elevation 3000+ (must be dropped and must not move the median).
    /// Kept row k: Horizontal_Distance_To_Hydrology = 10 k (median 95: T = 1 for k &lt;= 9);
    /// Horizontal_Distance_To_Fire_Points = 3 ((7 k) mod 20) (median 28.5: V = 1 when (7 k) mod 20 &lt; 10);
    /// Lodgepole Pine (2) for 8 of the 10 treated and 2 of the 10 control rows (lodgepole incremental cost +0.6);
    /// <paramref name="flip"/> swaps the two cover types (then Spruce-Fir has incremental cost +0.6).
    /// Returns the lines and, per 1-based line number, k (or -1 for a dropped row).
    /// </summary>
    static (List<string> Lines, Dictionary<long, int> KByLine) Fixture(bool flip = false)
    {
        var lines = new List<string>();
        var kByLine = new Dictionary<long, int>();
        int other = 0;
        for (int j = 0; j < 41; j++)
        {
            int elevation = 2000 + (j * 17) % 41; // every value 2000..2040 once, not sorted
            var r = new int[55];
            r[0] = elevation;
            int k = elevation - 2021;
            if (k >= 0)
            {
                r[1] = 2 * k;          // Aspect: varies (z-score check)
                r[2] = 7;              // Slope: constant -> 0
                r[3] = 10 * k;
                r[4] = 999;            // vertical distance: dropped
                r[5] = 100 + k * k;
                r[9] = 3 * ((7 * k) % 20);
                r[10] = k % 2;
                bool lodgepole = k <= 9 ? k % 5 != 0 : k % 5 == 0;
                r[54] = lodgepole ^ flip ? 2 : 1;
            }
            else
            {
                r[3] = 5000; r[9] = 0; r[54] = j % 2 == 0 ? 1 : 2; // would move the medians if kept
            }
            lines.Add(string.Join(",", r));
            kByLine[lines.Count] = k >= 0 ? k : -1;
            if (j % 4 == 0 && other < 10)
            {
                var o = new int[55];
                o[0] = 3000 + other; o[3] = 0; o[9] = 10000; o[54] = 3 + other % 5;
                lines.Add(string.Join(",", o));
                kByLine[lines.Count] = -1;
                other++;
            }
        }
        Assert.Equal(10, other);
        return (lines, kByLine);
    }

    static IEnumerable<(Dataset D, int Row)> AllRows(PaperData d)
    {
        foreach (var ds in new[] { d.Train, d.Validation, d.Test })
            for (int i = 0; i < ds.Rows; i++) yield return (ds, i);
    }

    [Fact]
    public void Filters_medians_treatment_value_and_auto_cost_follow_the_definitions()
    {
        var (lines, kByLine) = Fixture();
        var path = _files.Write("covtype.data", lines);
        var d = CovertypeConstruction.Load(path, new CovertypeOptions());
        var s = d.Summary;

        Assert.Equal(51, s.RowsRead);
        Assert.Equal(41, s.Filters[0].RowsKept);
        Assert.Equal(20, s.Filters[1].RowsKept);
        Assert.Equal(20, s.RowsKept);
        Assert.Equal(2020.0, s.Medians[0].Value);
        Assert.Equal(95.0, s.Medians[1].Value);
        Assert.Equal(28.5, s.Medians[2].Value);
        Assert.Contains("Lodgepole", s.CostConvention);
        Assert.Equal(0.5, s.TreatedShare, 12);
        Assert.Equal(0.6, s.IncrementalCost, 12);

        var seen = new HashSet<int>();
        foreach (var (ds, i) in AllRows(d))
        {
            int k = kByLine[long.Parse(ds.Ids![i], CultureInfo.InvariantCulture)];
            Assert.InRange(k, 0, 19);
            Assert.True(seen.Add(k));
            Assert.Equal(k <= 9 ? 1 : 0, ds.T[i]);
            Assert.Equal((7 * k) % 20 < 10 ? 1.0 : 0.0, ds.V[i]);
            bool lodgepole = k <= 9 ? k % 5 != 0 : k % 5 == 0;
            Assert.Equal(lodgepole ? 1.0 : 0.0, ds.C[i]);
        }
        Assert.Equal(20, seen.Count);
    }

    [Fact]
    public void Auto_cost_picks_spruce_fir_when_that_is_the_positive_one_and_explicit_conventions_are_honoured()
    {
        var (lines, _) = Fixture(flip: true);
        var path = _files.Write("covtype.data", lines);
        var auto = CovertypeConstruction.Load(path);
        Assert.Contains("Spruce-Fir", auto.Summary.CostConvention);
        Assert.Equal(0.6, auto.Summary.IncrementalCost, 12);

        var paper = CovertypeConstruction.Load(path, new CovertypeOptions { Cost = CovertypeCost.LodgepolePine });
        Assert.Contains("Lodgepole", paper.Summary.CostConvention);
        Assert.Equal(-0.6, paper.Summary.IncrementalCost, 12);
        // Same rows and order, complementary cost indicator.
        for (int i = 0; i < auto.Train.Rows; i++)
            Assert.Equal(1.0, auto.Train.C[i] + paper.Train.C[i]);
    }

    [Fact]
    public void Features_are_the_51_named_columns_z_scored_over_all_kept_rows()
    {
        var (lines, kByLine) = Fixture();
        var d = CovertypeConstruction.Load(_files.Write("covtype.data", lines));
        var expected = new List<string> { "Elevation", "Aspect", "Slope", "Horizontal_Distance_To_Roadways",
            "Hillshade_9am", "Hillshade_Noon", "Hillshade_3pm" };
        for (int i = 1; i <= 4; i++) expected.Add($"Wilderness_Area{i}");
        for (int i = 1; i <= 40; i++) expected.Add($"Soil_Type{i}");
        Assert.Equal(51, d.Train.Features);
        Assert.Equal(expected, d.Train.FeatureNames);
        Assert.Equal(expected, d.Test.FeatureNames);

        // Aspect = 2k, k = 0..19: mean 19, population sd 2 * sqrt(399/12).
        double sd = 2 * Math.Sqrt(399.0 / 12.0);
        double sum = 0, sum2 = 0;
        foreach (var (ds, i) in AllRows(d))
        {
            int k = kByLine[long.Parse(ds.Ids![i], CultureInfo.InvariantCulture)];
            var row = ds.Row(i);
            Assert.Equal((2 * k - 19) / sd, row[1], 5);
            Assert.Equal(0f, row[2]);                       // constant Slope
            Assert.Equal(0f, row[^1]);                      // Soil_Type40 always 0
            sum += row[1]; sum2 += row[1] * row[1];
        }
        Assert.Equal(0, sum / 20, 5);
        Assert.Equal(1, sum2 / 20, 5);
    }

    [Fact]
    public void Split_is_60_20_20_seeded_and_deterministic()
    {
        var (lines, _) = Fixture();
        var path = _files.Write("covtype.data", lines);
        var a = CovertypeConstruction.Load(path, new CovertypeOptions { Seed = 7 });
        var b = CovertypeConstruction.Load(path, new CovertypeOptions { Seed = 7 });
        var c = CovertypeConstruction.Load(path, new CovertypeOptions { Seed = 8 });
        Assert.Equal((12, 4, 4), (a.Train.Rows, a.Validation.Rows, a.Test.Rows));
        Assert.Equal((12, 4, 4), (a.Summary.TrainRows, a.Summary.ValidationRows, a.Summary.TestRows));
        Assert.Equal(a.Train.Ids, b.Train.Ids);
        Assert.Equal(a.Test.Ids, b.Test.Ids);
        Assert.Equal(a.Train.X, b.Train.X);
        Assert.NotEqual(a.Train.Ids, c.Train.Ids);
        var union = a.Train.Ids!.Concat(a.Validation.Ids!).Concat(a.Test.Ids!).ToHashSet();
        Assert.Equal(20, union.Count);
    }

    [Fact]
    public void Gzip_is_detected_by_magic_bytes_not_by_extension()
    {
        var (lines, _) = Fixture();
        var plain = CovertypeConstruction.Load(_files.Write("covtype.data", lines));
        var gz = CovertypeConstruction.Load(_files.Write("covtype-compressed.data", lines, gzip: true));
        Assert.Equal(plain.Train.Ids, gz.Train.Ids);
        Assert.Equal(plain.Train.X, gz.Train.X);
        Assert.Equal(plain.Summary.IncrementalValue, gz.Summary.IncrementalValue);
    }

    [Fact]
    public void Windows_line_endings_and_blank_lines_are_accepted()
    {
        var (lines, _) = Fixture();
        var crlf = lines.Select(l => l + "\r").ToList();
        crlf.Insert(5, "");
        var a = CovertypeConstruction.Load(_files.Write("a.data", lines));
        var b = CovertypeConstruction.Load(_files.Write("b.data", crlf));
        Assert.Equal(a.Summary.RowsKept, b.Summary.RowsKept);
        Assert.Equal(a.Train.V, b.Train.V);
    }

    [Fact]
    public void Malformed_field_names_file_row_and_column()
    {
        var (lines, _) = Fixture();
        var cells = lines[6].Split(',');
        cells[9] = "12x";
        lines[6] = string.Join(",", cells);
        var path = _files.Write("bad.data", lines);
        var e = Assert.Throws<UpliftDataException>(() => CovertypeConstruction.Load(path));
        Assert.Equal(7, e.Row);
        Assert.Equal("Horizontal_Distance_To_Fire_Points", e.Column);
        Assert.Contains("bad.data", e.Message);
        Assert.Contains("line 7", e.Message);
    }

    [Theory]
    [InlineData(54)]
    [InlineData(56)]
    public void Wrong_column_count_is_an_error(int columns)
    {
        var (lines, _) = Fixture();
        lines[3] = string.Join(",", Enumerable.Repeat("1", columns));
        var path = _files.Write("count.data", lines);
        var e = Assert.Throws<UpliftDataException>(() => CovertypeConstruction.Load(path));
        Assert.Equal(4, e.Row);
        Assert.Contains("expected 55", e.Message);
    }

    [Fact]
    public void Cover_type_out_of_range_and_empty_file_are_errors()
    {
        var (lines, _) = Fixture();
        var cells = lines[0].Split(','); cells[54] = "9"; lines[0] = string.Join(",", cells);
        var e = Assert.Throws<UpliftDataException>(() => CovertypeConstruction.Load(_files.Write("c.data", lines)));
        Assert.Equal("Cover_Type", e.Column);
        Assert.Throws<UpliftDataException>(() => CovertypeConstruction.Load(_files.Write("empty.data", [])));
        Assert.Throws<UpliftDataException>(() => CovertypeConstruction.Load(Path.Combine(_files.Dir, "missing.data")));
    }

    [Fact]
    public void Truncated_gzip_is_a_data_error()
    {
        var (lines, _) = Fixture();
        var path = _files.Write("t.data.gz", lines, gzip: true);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Throws<UpliftDataException>(() => CovertypeConstruction.Load(path));
    }

    [Fact]
    public void Bad_options_are_rejected()
    {
        var (lines, _) = Fixture();
        var path = _files.Write("covtype.data", lines);
        Assert.Throws<UpliftOptionException>(() => CovertypeConstruction.Load(path, new CovertypeOptions { TrainFraction = 0.9, ValidationFraction = 0.2 }));
        Assert.Throws<UpliftOptionException>(() => CovertypeConstruction.Load(path, new CovertypeOptions { Cost = (CovertypeCost)42 }));
    }

    [Fact]
    public void Median_is_the_numpy_median()
    {
        Assert.Equal(2.0, PaperStats.Median([3, 1, 2]));
        Assert.Equal(2.5, PaperStats.Median([4, 1, 3, 2]));
        Assert.Equal(1.0, PaperStats.Median([1, 1, 1, 5]));
        Assert.Equal(-1.5, PaperStats.Median([-2, -1]));
    }

    [Fact]
    public void Summary_lines_report_counts_and_convention()
    {
        var (lines, _) = Fixture();
        var d = CovertypeConstruction.Load(_files.Write("covtype.data", lines));
        var text = d.Summary.ToString();
        Assert.Contains("Elevation > median: 20 rows", text);
        Assert.Contains("Lodgepole", text);
        Assert.Contains("+0.6", text);
    }
}

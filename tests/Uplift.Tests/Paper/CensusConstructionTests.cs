using System.Globalization;
using Uplift.Paper;
using Xunit;

namespace Uplift.Tests.Paper;

public sealed class CensusConstructionTests : IDisposable
{
    /// <summary>The header line of the UCI file USCensus1990.data.txt (caseid + 68 coded attributes).</summary>
    const string UciHeader =
        "caseid,dAge,dAncstry1,dAncstry2,iAvail,iCitizen,iClass,dDepart,iDisabl1,iDisabl2,iEnglish,iFeb55,iFertil," +
        "dHispanic,dHour89,dHours,iImmigr,dIncome1,dIncome2,dIncome3,dIncome4,dIncome5,dIncome6,dIncome7,dIncome8," +
        "dIndustry,iKorean,iLang1,iLooking,iMarital,iMay75880,iMeans,iMilitary,iMobility,iMobillim,dOccup,iOthrserv," +
        "iPerscare,dPOB,dPoverty,dPwgt1,iRagechld,dRearning,iRelat1,iRelat2,iRemplpar,iRiders,iRlabor,iRownchld," +
        "dRpincome,iRPOB,iRrelchld,iRspouse,iRvetserv,iSchool,iSept80,iSex,iSubfam1,iSubfam2,iTmpabsnt,dTravtime," +
        "iVietnam,dWeek89,iWork89,iWorklwk,iWWII,iYearsch,iYearwrk,dYrsserv";

    static readonly string[] Names = UciHeader.Split(',');

    readonly FixtureFiles _files = new();
    public void Dispose() => _files.Dispose();

    sealed record Kept(int CaseId, int Hour, int Income, int Fertil);

    /// <summary>
    /// 36 rows: 21 pass the filters (k = 0..20: iFertil = 2 + k mod 4, dAge = 3k mod 5, iCitizen = 0,
    /// dHour89 = k mod 5, dIncome1 = k mod 3 + 1, dPwgt1 = k, iSex = 1), and 15 fail one:
    /// 6 with iFertil in {0, 1}, 4 more with dAge in {5, 6, 7}, 5 more with iCitizen in {1..4}. The dropped rows have
    /// dHour89 = 0, which would move the median if they were kept. dHour89 over the kept rows:
    /// five 0s, four each of 1..4, so the median (11th of 21) is 2 and T = 1 for dHour89 in {3, 4}: 8 treated.
    /// </summary>
    static (List<string> Lines, List<Kept> Kept) Fixture(IReadOnlyList<string>? names = null)
    {
        names ??= Names;
        var lines = new List<string> { string.Join(",", names) };
        var kept = new List<Kept>();
        int caseId = 10000;
        string Row(Dictionary<string, int> set) =>
            string.Join(",", names.Select(n => set.TryGetValue(n, out var x) ? x : 0));
        int dropped = 0;
        for (int k = 0; k < 21; k++)
        {
            var set = new Dictionary<string, int>
            {
                ["caseid"] = ++caseId, ["iFertil"] = 2 + k % 4, ["dAge"] = (3 * k) % 5, ["iCitizen"] = 0,
                ["dHour89"] = k % 5, ["dIncome1"] = k % 3 + 1, ["dPwgt1"] = k, ["iSex"] = 1, ["iYearsch"] = k % 2,
            };
            lines.Add(Row(set));
            kept.Add(new Kept(caseId, k % 5, k % 3 + 1, 2 + k % 4));
            if (k % 3 == 1 && dropped < 15)
            {
                // Insert a dropped row: first 6 fail iFertil, next 4 fail dAge, last 5 fail iCitizen.
                var bad = new Dictionary<string, int> { ["caseid"] = ++caseId, ["iFertil"] = 3, ["dAge"] = 1, ["iCitizen"] = 0, ["dIncome1"] = 99 };
                if (dropped < 6) bad["iFertil"] = dropped % 2;
                else if (dropped < 10) bad["dAge"] = 5 + dropped % 3;
                else bad["iCitizen"] = 1 + dropped % 4;
                lines.Add(Row(bad));
                dropped++;
            }
        }
        while (dropped < 15)
        {
            var bad = new Dictionary<string, int> { ["caseid"] = ++caseId, ["iFertil"] = 2, ["dAge"] = 0, ["iCitizen"] = 1 + dropped % 4 };
            if (dropped < 6) bad["iFertil"] = dropped % 2;
            else if (dropped < 10) bad["dAge"] = 5 + dropped % 3;
            lines.Add(Row(bad));
            dropped++;
        }
        return (lines, kept);
    }

    [Fact]
    public void The_header_has_caseid_and_68_attributes()
    {
        Assert.Equal(69, Names.Length);
        Assert.All(CensusConstruction.FeatureNames, n => Assert.Contains(n, Names));
        Assert.All(CensusConstruction.RoleColumns, n => Assert.Contains(n, Names));
    }

    [Fact]
    public void Filters_treatment_value_and_cost_follow_the_definitions()
    {
        var (lines, kept) = Fixture();
        var d = CensusConstruction.Load(_files.Write("USCensus1990.data.txt", lines));
        var s = d.Summary;
        Assert.Equal(36, s.RowsRead);
        Assert.Equal(30, s.Filters[0].RowsKept);
        Assert.Equal(26, s.Filters[1].RowsKept);
        Assert.Equal(21, s.Filters[2].RowsKept);
        Assert.Equal(21, s.RowsKept);
        Assert.Equal(2.0, s.Medians.Single().Value);
        Assert.Equal(8.0 / 21.0, s.TreatedShare, 12);

        // File order, no shuffle: train = first 12 kept rows, validation the next 4, test the last 5.
        Assert.Equal((12, 4, 5), (d.Train.Rows, d.Validation.Rows, d.Test.Rows));
        var ids = d.Train.Ids!.Concat(d.Validation.Ids!).Concat(d.Test.Ids!).ToList();
        Assert.Equal(kept.Select(k => k.CaseId.ToString(CultureInfo.InvariantCulture)), ids);

        var t = new List<byte>(); var v = new List<double>(); var c = new List<double>();
        foreach (var ds in new[] { d.Train, d.Validation, d.Test }) { t.AddRange(ds.T); v.AddRange(ds.V); c.AddRange(ds.C); }
        for (int i = 0; i < kept.Count; i++)
        {
            Assert.Equal(kept[i].Hour > 2 ? 1 : 0, t[i]);
            Assert.Equal(kept[i].Income, v[i]);
            Assert.Equal(1 - kept[i].Fertil, c[i]);
        }
        double Mean(IEnumerable<double> x) => x.Average();
        double icExpected = Mean(kept.Where(k => k.Hour > 2).Select(k => 1.0 - k.Fertil)) - Mean(kept.Where(k => k.Hour <= 2).Select(k => 1.0 - k.Fertil));
        double ivExpected = Mean(kept.Where(k => k.Hour > 2).Select(k => (double)k.Income)) - Mean(kept.Where(k => k.Hour <= 2).Select(k => (double)k.Income));
        Assert.Equal(icExpected, s.IncrementalCost, 12);
        Assert.Equal(ivExpected, s.IncrementalValue, 12);
    }

    [Fact]
    public void Authors_cost_is_a_constant_shift_with_the_same_incremental_cost()
    {
        var (lines, _) = Fixture();
        var path = _files.Write("census.txt", lines);
        var a = CensusConstruction.Load(path);
        var b = CensusConstruction.Load(path, new CensusOptions { Cost = CensusCost.AuthorsCode });
        for (int i = 0; i < a.Train.Rows; i++) Assert.Equal(a.Train.C[i] + 1, b.Train.C[i]);
        Assert.Equal(a.Summary.IncrementalCost, b.Summary.IncrementalCost, 12);
        Assert.Contains("2 - iFertil", b.Summary.CostConvention);
    }

    [Fact]
    public void Features_are_the_46_listed_columns_z_scored()
    {
        var (lines, _) = Fixture();
        var d = CensusConstruction.Load(_files.Write("census.txt", lines, gzip: true));
        Assert.Equal(46, d.Train.Features);
        Assert.Equal(CensusConstruction.FeatureNames, d.Train.FeatureNames);
        Assert.DoesNotContain("dHour89", d.Train.FeatureNames);
        Assert.DoesNotContain("dIncome1", d.Train.FeatureNames);
        Assert.DoesNotContain("iFertil", d.Train.FeatureNames);
        int pw = CensusConstruction.FeatureNames.ToList().IndexOf("dPwgt1");
        int sex = CensusConstruction.FeatureNames.ToList().IndexOf("iSex");
        double sd = Math.Sqrt((21.0 * 21.0 - 1) / 12.0); // population sd of 0..20
        int k = 0;
        foreach (var ds in new[] { d.Train, d.Validation, d.Test })
            for (int i = 0; i < ds.Rows; i++, k++)
            {
                Assert.Equal((k - 10) / sd, ds.Row(i)[pw], 5);
                Assert.Equal(0f, ds.Row(i)[sex]);
            }
        Assert.Equal(21, k);
    }

    [Fact]
    public void Columns_are_found_by_header_name_whatever_their_order()
    {
        var (lines, _) = Fixture();
        var reversed = Names.Reverse().ToArray();
        var (rlines, _) = Fixture(reversed);
        var a = CensusConstruction.Load(_files.Write("a.txt", lines));
        var b = CensusConstruction.Load(_files.Write("b.txt", rlines));
        Assert.Equal(a.Train.X, b.Train.X);
        Assert.Equal(a.Test.V, b.Test.V);
        Assert.Equal(a.Test.T, b.Test.T);
    }

    [Fact]
    public void Missing_header_columns_are_named()
    {
        var names = Names.Where(n => n is not ("dHour89" or "iYearsch")).ToArray();
        var (lines, _) = Fixture(names);
        var e = Assert.Throws<UpliftDataException>(() => CensusConstruction.Load(_files.Write("m.txt", lines)));
        Assert.Contains("dHour89", e.Message);
        Assert.Contains("iYearsch", e.Message);
    }

    [Fact]
    public void Malformed_field_and_wrong_column_count_name_row_and_column()
    {
        var (lines, _) = Fixture();
        var cells = lines[3].Split(',');
        cells[Array.IndexOf(Names, "dIncome1")] = "abc";
        lines[3] = string.Join(",", cells);
        var e = Assert.Throws<UpliftDataException>(() => CensusConstruction.Load(_files.Write("bad.txt", lines)));
        Assert.Equal(3, e.Row);
        Assert.Equal("dIncome1", e.Column);
        Assert.Contains("line 4", e.Message);

        var (lines2, _) = Fixture();
        lines2[5] = string.Join(",", lines2[5].Split(',')[..68]);
        var e2 = Assert.Throws<UpliftDataException>(() => CensusConstruction.Load(_files.Write("short.txt", lines2)));
        Assert.Equal(5, e2.Row);
        Assert.Contains("expected 69", e2.Message);

        Assert.Throws<UpliftDataException>(() => CensusConstruction.Load(_files.Write("hdr.txt", [UciHeader])));
    }

    [Fact]
    public void Summary_mentions_the_file_order_split_and_the_convention()
    {
        var (lines, _) = Fixture();
        var text = CensusConstruction.Load(_files.Write("census.txt", lines)).Summary.ToString();
        Assert.Contains("and iCitizen = 0: 21 rows", text);
        Assert.Contains("file order", text);
        Assert.Contains("1 - iFertil", text);
    }
}

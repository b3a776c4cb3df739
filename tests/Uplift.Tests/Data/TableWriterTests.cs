using Uplift.Data;
using Xunit;

namespace Uplift.Tests.Data;

public class TableWriterTests
{
    static RawTable Sample() => new("mem", 5,
    [
        RawColumn.Numeric("score", [0.1, 1.0 / 3, -1e-300, double.NaN, 123456789012345]),
        RawColumn.Text("id", ["a,b", "say \"hi\"", null, "007", "x"]),
    ]);

    [Theory]
    [InlineData("out.csv")]
    [InlineData("out.csv.gz")]
    [InlineData("out.parquet")]
    public void Round_trips_exactly(string name)
    {
        using var dir = new TempDir();
        string path = dir.Name(name);
        var t = Sample();
        TableWriter.Write(path, t);
        var back = TableReader.Read(path, new TableReadOptions { TextColumns = ["id"] });
        Assert.Equal(5, back.Rows);
        Assert.Equal(["score", "id"], back.ColumnNames);
        Assert.Equal(t["score"].Numbers!, back["score"].Numbers!); // bit-exact, NaN stays missing
        DataTestUtil.SeqEqual(t["id"].Strings!, back["id"].Strings!);
        Assert.Single(Directory.GetFiles(dir.Path)); // no temporary file left behind
    }

    [Fact]
    public void Csv_uses_invariant_shortest_numbers()
    {
        using var dir = new TempDir();
        string path = dir.Name("s.csv");
        TableWriter.Write(path, new RawTable("mem", 2, [RawColumn.Numeric("x", [17, 0.25])]));
        Assert.Equal("x\n17\n0.25\n", File.ReadAllText(path).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Overwrites_an_existing_file()
    {
        using var dir = new TempDir();
        string path = dir.File("o.csv", "old,content\n1,2\n");
        TableWriter.Write(path, Sample());
        Assert.Equal(["score", "id"], TableReader.Read(path).ColumnNames);
    }

    [Fact]
    public void Creates_a_missing_folder_and_names_the_file_when_it_cannot()
    {
        using var dir = new TempDir();
        TableWriter.Write(dir.Name("new/sub/o.csv"), Sample());
        Assert.Equal(["score", "id"], TableReader.Read(dir.Name("new/sub/o.csv")).ColumnNames);
        string file = dir.File("file", "x");
        var e = Assert.Throws<UpliftException>(() => TableWriter.Write(System.IO.Path.Combine(file, "o.csv"), Sample()));
        Assert.Contains("o.csv", e.Message);
    }
}

using FsCheck.Xunit;
using Uplift.Data;
using Uplift.IO;
using Xunit;

namespace Uplift.Tests.IO;

/// <summary>Formula injection: what a spreadsheet would run is written as text, and the rule can be undone.</summary>
public class CsvTextTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")")]
    [InlineData("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1:A9)", "'@SUM(A1:A9)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "'\rx")]
    [InlineData("-", "'-")]
    [InlineData("'=x", "''=x")]
    [InlineData("-3", "-3")]
    [InlineData("+1.5e3", "+1.5e3")]
    [InlineData("-.5", "-.5")]
    [InlineData("u-1", "u-1")]
    [InlineData("'quoted", "'quoted")]
    [InlineData("", "")]
    [InlineData("a=b", "a=b")]
    public void Neutralise_examples(string cell, string written)
    {
        Assert.Equal(written, CsvText.Neutralise(cell));
        Assert.Equal(cell, CsvText.Restore(written));
    }

    [Property(MaxTest = 500)]
    public bool Restore_undoes_Neutralise(string? cell)
    {
        cell ??= "";
        return CsvText.Restore(CsvText.Neutralise(cell)) == cell;
    }

    [Property(MaxTest = 500)]
    public bool A_neutralised_cell_never_starts_a_formula(string? cell)
    {
        string w = CsvText.Neutralise(cell ?? "");
        return w.Length == 0 || !CsvText.IsTrigger(w[0]) || double.TryParse(w, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
    }

    [Fact]
    public void Csv_outputs_neutralise_text_cells_but_not_numbers_or_parquet()
    {
        using var dir = new IoTestUtil.Folder();
        var table = new RawTable("mem", 3,
        [
            RawColumn.Text("id", ["=1+1", "@me", "-7"]),
            RawColumn.Numeric("score", [-1.5, 2, -0.25]),
        ]);
        string csv = dir["s.csv"], parquet = dir["s.parquet"];
        TableWriter.Write(csv, table);
        TableWriter.Write(parquet, table);
        Assert.Equal(["id,score", "'=1+1,-1.5", "'@me,2", "-7,-0.25"], File.ReadAllLines(csv));
        Assert.Equal("=1+1|@me|-7", string.Join("|", TableReader.Read(parquet).Find("id")!.Strings!));
    }

    static string J(IEnumerable<string?> cells) => string.Join("|", cells.Select(c => c ?? "<null>"));

    [Fact]
    public void Uplift_reads_back_the_text_it_wrote()
    {
        using var dir = new IoTestUtil.Folder();
        string?[] ids = ["=1+1", "'=x", "''@y", "-7", "+cmd", "plain", "'quoted", "\tz", null];
        var table = new RawTable("mem", ids.Length, [RawColumn.Text("id", ids), RawColumn.Numeric("score", [.. Enumerable.Range(0, ids.Length).Select(i => -i * 0.5)])]);
        foreach (var name in new[] { "r.csv", "r.csv.gz" })
        {
            string path = dir[name];
            TableWriter.Write(path, table);
            Assert.Equal(J(ids), J(TableReader.Read(path).Find("id")!.Strings!));
            using var chunks = TableChunkReader.Open(path, [new ChunkColumn("id", false)], chunkRows: 4);
            var read = new List<string?>();
            while (chunks.Next() is { } c) read.AddRange(c.Table.Find("id")!.Strings!);
            Assert.Equal(J(ids), J(read));
        }
    }
}

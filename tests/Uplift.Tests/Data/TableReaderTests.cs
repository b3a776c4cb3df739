using System.IO.Compression;
using System.Text;
using Parquet;
using Parquet.Schema;
using Uplift.Data;
using Xunit;
using static Uplift.Tests.Data.DataTestUtil;

namespace Uplift.Tests.Data;

public class TableReaderTests
{
    [Fact]
    public void Infers_numeric_and_text_columns_with_missing_cells()
    {
        using var dir = new TempDir();
        var path = dir.File("data.csv", "id,x,name,y\n1,1.5,a,\n2,,b,NA\n3,-2e3,,7\n");
        var table = TableReader.Read(path);
        Assert.Equal(3, table.Rows);
        Assert.Equal(["id", "x", "name", "y"], table.ColumnNames);
        Assert.Equal(path, table.Source);
        Assert.True(table["x"].IsNumeric);
        Assert.Equal(1.5, table["x"].Numbers![0]);
        Assert.True(double.IsNaN(table["x"].Numbers![1]));
        Assert.Equal(-2000, table["x"].Numbers![2]);
        Assert.False(table["name"].IsNumeric);
        SeqEqual(["a", "b", null], table["name"].Strings!);
        Assert.True(table["y"].IsNumeric); // empty and NA are missing, 7 is a number
        Assert.True(table["y"].IsMissing(0) && table["y"].IsMissing(1));
        Assert.Equal(7, table["y"].Numbers![2]);
    }

    [Fact]
    public void Quoted_fields_keep_separators_and_quotes()
    {
        using var dir = new TempDir();
        var path = dir.File("q.csv", "name,v\n\"Smith, John\",1\n\"say \"\"hi\"\"\",2\n\"plain\",\"3.5\"\n");
        var table = TableReader.Read(path);
        SeqEqual(["Smith, John", "say \"hi\"", "plain"], table["name"].Strings!);
        Assert.Equal([1, 2, 3.5], table["v"].Numbers!);
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    public void Detects_the_separator(char sep)
    {
        using var dir = new TempDir();
        var path = dir.File("s.txt", $"a{sep}b\n1{sep}x\n2{sep}y\n");
        var table = TableReader.Read(path);
        Assert.Equal(["a", "b"], table.ColumnNames);
        Assert.Equal([1.0, 2.0], table["a"].Numbers!);
    }

    [Fact]
    public void Separator_option_overrides_detection()
    {
        using var dir = new TempDir();
        var path = dir.File("s.csv", "a;b,c\n1;2,3\n");
        var table = TableReader.Read(path, new TableReadOptions { Separator = ',' });
        Assert.Equal(["a;b", "c"], table.ColumnNames);
    }

    [Theory]
    [InlineData("data.csv.gz")]
    [InlineData("data.csv")] // gzip recognised by magic bytes, whatever the name
    public void Reads_gzipped_csv(string name)
    {
        using var dir = new TempDir();
        string path = dir.Name(name);
        using (var fs = File.Create(path))
        using (var gz = new GZipStream(fs, CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes(CampaignCsv(50)));
        var table = TableReader.Read(path);
        Assert.Equal(50, table.Rows);
        Assert.Equal(49 * 0.5, table["v"].Numbers![49]);
        Assert.Equal("DE", table["country"].Strings![1]);
    }

    [Fact]
    public void A_column_that_turns_out_text_keeps_the_original_text_of_earlier_numbers()
    {
        using var dir = new TempDir();
        // "007" and "1e2" appear before the first non-number: the text must be kept as written.
        var sb = new StringBuilder("code,x\n007,1\n1e2,2\n,3\n");
        for (int i = 0; i < 5000; i++) sb.Append(i).Append(",4\n"); // past the first growth of the buffers
        sb.Append("A12,5\n");
        var table = TableReader.Read(dir.File("z.csv", sb.ToString()));
        var code = table["code"];
        Assert.False(code.IsNumeric);
        Assert.Equal("007", code.Strings![0]);
        Assert.Equal("1e2", code.Strings![1]);
        Assert.Null(code.Strings![2]);
        Assert.Equal("4999", code.Strings![5002]);
        Assert.Equal("A12", code.Strings![^1]);
        Assert.True(table["x"].IsNumeric);
    }

    [Fact]
    public void Text_columns_option_reads_numbers_as_written()
    {
        using var dir = new TempDir();
        var path = dir.File("ids.csv", "uid,x\n007,1\n123,2\n");
        var table = TableReader.Read(path, new TableReadOptions { TextColumns = ["uid"] });
        SeqEqual(["007", "123"], table["uid"].Strings!);
    }

    [Fact]
    public void Numeric_text_is_shortest_round_trip()
    {
        var col = RawColumn.Numeric("id", [123, 0.1, double.NaN]);
        Assert.Equal("123", col.TextAt(0));
        Assert.Equal("0.1", col.TextAt(1));
        Assert.Null(col.TextAt(2));
    }

    [Fact]
    public void Utf8_bom_and_crlf_line_endings()
    {
        using var dir = new TempDir();
        string path = dir.Name("bom.csv");
        File.WriteAllText(path, "a,b\r\n1,x\r\n2,y\r\n", new UTF8Encoding(true));
        var table = TableReader.Read(path);
        Assert.Equal(["a", "b"], table.ColumnNames);
        Assert.Equal([1.0, 2.0], table["a"].Numbers!);
        SeqEqual(["x", "y"], table["b"].Strings!);
    }

    [Fact]
    public void Trailing_blank_lines_are_ignored()
    {
        using var dir = new TempDir();
        var table = TableReader.Read(dir.File("b.csv", "a,b\n1,2\n3,4\n\n\n"));
        Assert.Equal(2, table.Rows);
    }

    [Fact]
    public void Error_file_not_found() =>
        Throws(() => TableReader.Read("/nonexistent/dir/missing.csv"), "missing.csv", "not found");

    [Fact]
    public void Error_empty_file()
    {
        using var dir = new TempDir();
        Throws(() => TableReader.Read(dir.File("empty.csv", "")), "empty.csv", "empty");
    }

    [Fact]
    public void Error_header_but_no_rows()
    {
        using var dir = new TempDir();
        Throws(() => TableReader.Read(dir.File("head.csv", "a,b,c\n")), "head.csv", "no data rows");
    }

    [Fact]
    public void Error_duplicate_column_names()
    {
        using var dir = new TempDir();
        Throws(() => TableReader.Read(dir.File("dup.csv", "a,b,a\n1,2,3\n")), "dup.csv", "duplicate column name 'a'", "column 'a'");
    }

    [Fact]
    public void Error_ragged_row_names_the_row()
    {
        using var dir = new TempDir();
        var e = Throws(() => TableReader.Read(dir.File("ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n")),
            "ragged.csv", "row 2", "2 field(s), expected 3");
        Assert.Equal(2, e.Row);
    }

    [Fact]
    public void Error_blank_line_inside_the_data()
    {
        using var dir = new TempDir();
        Throws(() => TableReader.Read(dir.File("blank.csv", "a,b\n1,2\n\n3,4\n")), "blank.csv", "row 2", "blank line");
    }

    [Fact]
    public void Error_parquet_extension_without_parquet_content()
    {
        using var dir = new TempDir();
        Throws(() => TableReader.Read(dir.File("fake.parquet", "a,b\n1,2\n")), "fake.parquet", "not a Parquet file");
    }

    [Fact]
    public void Error_truncated_parquet_file()
    {
        using var dir = new TempDir();
        string path = dir.Name("bad.parquet");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("PAR1 not really parquet"));
        Throws(() => TableReader.Read(path), "bad.parquet", "cannot read the Parquet file");
    }

    [Fact]
    public async Task Reads_parquet_with_all_row_groups_nulls_and_types()
    {
        using var dir = new TempDir();
        string path = dir.Name("data.parquet");
        var fI = new DataField<int>("i");
        var fD = new DataField<double?>("d");
        var fS = new DataField<string>("s", nullable: true);
        var fB = new DataField<bool>("b");
        var fL = new DataField<long?>("l");
        await using (var fs = File.Create(path))
        await using (var w = await ParquetWriter.CreateAsync(new ParquetSchema(fI, fD, fS, fB, fL), fs))
        {
            for (int g = 0; g < 2; g++)
            {
                using var rg = w.CreateRowGroup();
                await rg.WriteAsync<int>(fI, new[] { 10 * g + 1, 10 * g + 2 }.AsMemory());
                await rg.WriteAsync<double>(fD, new double?[] { 0.5 + g, null }.AsMemory());
                await rg.WriteAsync(fS, new[] { g == 0 ? "FR" : null, "DE" });
                await rg.WriteAsync<bool>(fB, new[] { true, false }.AsMemory());
                await rg.WriteAsync<long>(fL, new long?[] { 1234567890123L, null }.AsMemory());
            }
        }
        var table = TableReader.Read(path);
        Assert.Equal(4, table.Rows);
        Assert.Equal(["i", "d", "s", "b", "l"], table.ColumnNames);
        Assert.Equal([1.0, 2, 11, 12], table["i"].Numbers!);
        var d = table["d"].Numbers!;
        Assert.Equal(0.5, d[0]); Assert.True(double.IsNaN(d[1])); Assert.Equal(1.5, d[2]);
        SeqEqual(["FR", "DE", null, "DE"], table["s"].Strings!);
        Assert.Equal([1.0, 0, 1, 0], table["b"].Numbers!);
        Assert.Equal(1234567890123.0, table["l"].Numbers![0]);
        Assert.True(table["l"].IsMissing(1));
        // the id-as-text option also works for Parquet numbers
        var asText = TableReader.Read(path, new TableReadOptions { TextColumns = ["l"] });
        Assert.Equal("1234567890123", asText["l"].Strings![0]);
    }
}

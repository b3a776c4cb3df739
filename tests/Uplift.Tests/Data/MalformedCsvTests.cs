using System.Text;
using Uplift.Data;
using Xunit;
using static Uplift.Tests.Data.MalformedInput;

namespace Uplift.Tests.Data;

/// <summary>Malformed CSV: over-long rows, quotes, numbers. Every case is a clear error naming file, row and column, or a
/// documented reading; through both CSV readers (whole table and chunks).</summary>
public class MalformedCsvTests
{
    static RawTable Read(string path, TableReadOptions? o = null) => TableReader.Read(path, o);

    /// <summary>Reads every chunk of the columns asked (numeric as numbers).</summary>
    static long ReadChunks(string path, params ChunkColumn[] columns)
    {
        using var r = TableChunkReader.Open(path, columns, chunkRows: 3);
        long rows = 0;
        while (r.Next() is { } c) rows += c.Table.Rows;
        return rows;
    }

    [Fact]
    public void A_field_longer_than_the_row_cap_names_its_row()
    {
        using var dir = new TempDir();
        var sb = new StringBuilder("a,b\n1,2\n3,");
        sb.Append('x', InputLimits.MaxRowChars + 10).Append("\n5,6\n");
        string path = dir.File("long.csv", sb.ToString());
        var e = Assert.IsType<UpliftDataException>(Refused(() => Read(path), "long.csv", "data row 2", "longer than 16,777,216 characters"));
        Assert.Equal(2, e.Row);
        Refused(() => ReadChunks(path, new ChunkColumn("a", true)), "long.csv", "data row 2", "longer than");
    }

    [Fact]
    public void One_unterminated_quote_in_a_big_file_names_the_row_where_it_opens()
    {
        using var dir = new TempDir();
        var sb = new StringBuilder("a,b\n");
        for (int i = 0; i < 4; i++) sb.Append(i).Append(",x\n");
        sb.Append("4,\"open\n");
        while (sb.Length < InputLimits.MaxRowChars + 1000) sb.Append("123456,abcdef\n");
        string path = dir.File("quote.csv", sb.ToString());
        var e = Assert.IsType<UpliftDataException>(Refused(() => Read(path), "quote.csv", "data row 5", "quote"));
        Assert.Equal(5, e.Row);
    }

    [Theory]
    [InlineData("a,b\n1,2\n3,\"x\n4,5\n", "unterminated quote", 2, "b")]
    [InlineData("a,b\n1,x\"y\n3,z\n", "stray quote", 1, "b")]
    [InlineData("a,b\n1,\"ab\"c\n3,z\n", "text after the closing quote", 1, "b")]
    [InlineData("a,b\n1,2\n3,4\n\"5,6\n", "unterminated quote", 3, "a")]
    [InlineData("a,b\n1,ab\"c,1\n2,x\n3,y\"z\n", "stray quote", 1, "b")]
    public void Quote_problems_are_named_with_row_and_column(string csv, string problem, int row, string column)
    {
        using var dir = new TempDir();
        string path = dir.File("q.csv", csv);
        var e = Assert.IsType<UpliftDataException>(Refused(() => Read(path), "q.csv", problem, $"row {row}", $"column '{column}'"));
        Assert.Equal(row, e.Row);
        Refused(() => ReadChunks(path, new ChunkColumn("a", false), new ChunkColumn("b", false)), "q.csv", problem, $"row {row}");
    }

    [Fact]
    public void A_stray_quote_in_the_header_is_named()
    {
        using var dir = new TempDir();
        string path = dir.File("h.csv", "a\"b,c\n1,2\n");
        Refused(() => Read(path), "h.csv", "in the header", "stray quote");
        Refused(() => ReadChunks(path, new ChunkColumn("c", true)), "h.csv", "in the header", "stray quote");
    }

    [Fact]
    public void Valid_quoting_still_reads()
    {
        using var dir = new TempDir();
        string path = dir.File("ok.csv", "name,n\n\"a, b\",1\n\"say \"\"hi\"\"\",2\n  \" x \"  ,\"3\"\n\"multi\nline\",4\n");
        var t = Read(path);
        DataTestUtil.SeqEqual(["a, b", "say \"hi\"", "x", "multi\nline"], t["name"].Strings!);
        Assert.Equal([1.0, 2, 3, 4], t["n"].Numbers!);
    }

    [Fact]
    public void A_huge_bad_cell_is_shown_cut_to_200_characters()
    {
        using var dir = new TempDir();
        string huge = "1," + new string('9', 100_000);
        string path = dir.File("big.csv", $"a;b\n1;2\n{huge};3\n");
        var e = Refused(() => Read(path), "big.csv", "row 2", "column 'a'", "…", "100,002 characters");
        Assert.DoesNotContain(new string('9', CellText.MaxShown + 1), e.Message);
        Refused(() => ReadChunks(path, new ChunkColumn("a", true)), "big.csv", "row 2", "…");
    }

    [Theory]
    [InlineData("1,5", "decimal comma")]
    [InlineData("\"1,234.5\"", "',' is not accepted")]
    [InlineData("1_000", "digit group separators")]
    [InlineData("0.5\0\0", "control character")]
    [InlineData("1e400", "not a finite number")]
    [InlineData("0x10", "hexadecimal")]
    [InlineData("∞", "infinite")]
    [InlineData("-Infinity", "infinite")]
    [InlineData("1.5.2", "more than one decimal point")]
    [InlineData("1 000", "digit group separators")]
    public void A_malformed_number_in_a_numeric_column_is_refused_with_row_and_column(string cell, string why)
    {
        using var dir = new TempDir();
        string path = dir.File("n.csv", $"id;x;y\nu1;1.5;2\nu2;{cell};3\nu3;-2e3;4\n");
        var e = Assert.IsType<UpliftDataException>(Refused(() => Read(path), "n.csv", "row 2", "column 'x'", why));
        Assert.Equal(2, e.Row);
        Assert.Equal("x", e.Column);
        Assert.DoesNotContain("\0", e.Message);
        Refused(() => ReadChunks(path, new ChunkColumn("x", true, "'x' is a numeric feature")), "n.csv", "row 2", "column 'x'", why);
    }

    [Fact]
    public void Numbers_read_by_the_documented_rule()
    {
        using var dir = new TempDir();
        string path = dir.File("ok.csv", "x,y\n 1 ,a\n-2e3,b\n.5,c\n5.,d\nNaN,e\n,f\n+7,g\n1e-400,h\n");
        var x = Read(path)["x"].Numbers!;
        Assert.Equal([1, -2000, 0.5, 5, double.NaN, double.NaN, 7, 0], x);
    }

    [Fact]
    public void A_column_of_decimal_comma_numbers_is_refused_with_a_hint_and_read_with_the_decimal_option()
    {
        using var dir = new TempDir();
        string path = dir.File("eu.csv", "id;price\nu1;1,5\nu2;2,25\nu3;10,0\n");
        Refused(() => Read(path), "eu.csv", "row 1", "column 'price'", "decimal comma", "re-export");
        var t = Read(path, new TableReadOptions { DecimalSeparator = ',' });
        Assert.Equal([1.5, 2.25, 10.0], t["price"].Numbers!);
        using (var r = TableChunkReader.Open(path, [new ChunkColumn("price", true)], options: new TableReadOptions { DecimalSeparator = ',' }))
            Assert.Equal([1.5, 2.25, 10.0], r.Next()!.Table["price"].Numbers!);
        // With the decimal comma, a '.' in a number is refused (it could be a thousands separator).
        string dots = dir.File("dots.csv", "id;price\nu1;1,5\nu2;1.234,5\n");
        Refused(() => Read(dots, new TableReadOptions { DecimalSeparator = ',' }), "dots.csv", "row 2", "column 'price'", "'.' is not accepted");
        Assert.Throws<UpliftOptionException>(() => new TableReadOptions { DecimalSeparator = ';' });
    }

    [Fact]
    public void Number_like_text_without_numbers_stays_text_and_words_make_a_text_column()
    {
        using var dir = new TempDir();
        string path = dir.File("t.csv", "day,code,n\n2024-01-05,FR,1\n2024-01-06,12,2\n2024-01-07,1-2,3\n");
        var t = Read(path);
        DataTestUtil.SeqEqual(["2024-01-05", "2024-01-06", "2024-01-07"], t["day"].Strings!);
        DataTestUtil.SeqEqual(["FR", "12", "1-2"], t["code"].Strings!); // a word: text, earlier text kept as written
        Assert.True(t["n"].IsNumeric);
    }

    [Fact]
    public void A_binary_file_with_a_csv_name_is_a_table_or_a_clear_error()
    {
        using var dir = new TempDir();
        var rng = new Random(7);
        for (int k = 0; k < 5; k++)
        {
            var bytes = new byte[4096];
            rng.NextBytes(bytes);
            string path = dir.Name($"r{k}.csv");
            File.WriteAllBytes(path, bytes);
            var e = Within(20, () => Read(path));
            if (e is not null) Assert.IsAssignableFrom<UpliftException>(e);
        }
    }
}

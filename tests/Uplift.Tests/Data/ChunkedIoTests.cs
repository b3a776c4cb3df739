using Uplift.Data;
using Xunit;

namespace Uplift.Tests.Data;

public sealed class ChunkedIoTests
{
    static readonly ChunkColumn[] Asked = [new("age", true), new("country", false), new("v", true)];

    static void AssertConcatEquals(RawTable whole, List<TableChunk> chunks)
    {
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Index));
        long first = 0;
        foreach (var c in chunks) { Assert.Equal(first, c.FirstRow); first += c.Table.Rows; }
        Assert.Equal(whole.Rows, first);
        Assert.Equal(whole["age"].Numbers!, chunks.SelectMany(c => c.Table["age"].Numbers!));
        Assert.Equal(whole["v"].Numbers!, chunks.SelectMany(c => c.Table["v"].Numbers!));
        Assert.Equal(whole["country"].Strings!, chunks.SelectMany(c => c.Table["country"].Strings!));
        Assert.All(chunks, c => Assert.Equal(["age", "country", "v"], c.Table.ColumnNames));
    }

    static List<TableChunk> ReadAll(TableChunkReader r, int threads)
    {
        var got = new System.Collections.Concurrent.ConcurrentBag<TableChunk>();
        Parallel.For(0, threads, _ => { while (r.Next() is { } c) got.Add(c); });
        return got.OrderBy(c => c.Index).ToList();
    }

    [Fact]
    public void Csv_chunks_concatenate_to_the_whole_table_with_their_file_offsets()
    {
        using var dir = new TempDir();
        string p = dir.File("a.csv", DataTestUtil.CampaignCsv(1003) + "\n\n");
        using var r = TableChunkReader.Open(p, Asked, chunkRows: 100);
        Assert.False(r.ParallelRead);
        Assert.Equal(["t", "v", "c", "age", "country"], r.FileColumns);
        var chunks = ReadAll(r, 3);
        Assert.Equal(11, chunks.Count);
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(100, c.Table.Rows));
        AssertConcatEquals(TableReader.Read(p), chunks);
        Assert.Null(r.Next());
    }

    [Fact]
    public void Parquet_chunks_are_row_groups_read_in_parallel()
    {
        using var dir = new TempDir();
        var whole = TableReader.Read(dir.File("a.csv", DataTestUtil.CampaignCsv(1000)));
        string p = dir.Name("a.parquet");
        using (var w = ChunkWriter.Create(p, whole.Columns.Select(c => new ChunkColumn(c.Name, c.IsNumeric)).ToArray()))
        {
            for (int s = 0; s < 1000; s += 300)
            {
                int len = Math.Min(300, 1000 - s);
                w.Write(new RawTable("x", len, whole.Columns.Select(c => c.IsNumeric
                    ? RawColumn.Numeric(c.Name, c.Numbers!.AsSpan(s, len).ToArray())
                    : RawColumn.Text(c.Name, c.Strings!.AsSpan(s, len).ToArray()))));
            }
            Assert.Equal(1000, w.Rows);
            w.Commit();
        }
        using var r = TableChunkReader.Open(p, Asked);
        Assert.True(r.ParallelRead);
        var chunks = ReadAll(r, 3);
        Assert.Equal([300, 300, 300, 100], chunks.Select(c => c.Table.Rows));
        AssertConcatEquals(whole, chunks);
        AssertConcatEquals(TableReader.Read(p), chunks); // the written file reads back whole, too
    }

    [Fact]
    public void A_non_number_in_a_numeric_csv_column_names_the_file_row()
    {
        using var dir = new TempDir();
        string p = dir.File("a.csv", DataTestUtil.CampaignCsv(500, i => i == 345 ? "abc" : "1", "z"));
        using var r = TableChunkReader.Open(p, [new ChunkColumn("z", true, "z must be numeric")], chunkRows: 100);
        for (int k = 0; k < 3; k++) Assert.NotNull(r.Next());
        var e = DataTestUtil.Throws(() => r.Next(), "'abc' is not a number (z must be numeric)");
        Assert.Equal(346, e.Row);
        Assert.Equal("z", e.Column);
    }

    [Fact]
    public void Text_columns_keep_the_cells_as_written_and_missing_tokens_are_missing()
    {
        using var dir = new TempDir();
        string p = dir.File("a.csv", "id,x\n007,1\nNA,\n\"a,b\",NaN\n");
        using var r = TableChunkReader.Open(p, [new ChunkColumn("id", false), new ChunkColumn("x", true)]);
        var t = r.Next()!.Table;
        DataTestUtil.SeqEqual(["007", null, "a,b"], t["id"].Strings!);
        Assert.Equal(1.0, t["x"].Numbers![0]);
        Assert.True(double.IsNaN(t["x"].Numbers![1]) && double.IsNaN(t["x"].Numbers![2]));
        Assert.Null(r.Next());
    }

    [Fact]
    public void Opening_checks_the_file_and_the_columns()
    {
        using var dir = new TempDir();
        DataTestUtil.Throws(() => TableChunkReader.Open(dir.Name("none.csv"), Asked), "file not found");
        DataTestUtil.Throws(() => TableChunkReader.Open(dir.File("e.csv", "a,b\n"), [new ChunkColumn("a", true)]).Next(), "header but no data rows");
        DataTestUtil.Throws(() => TableChunkReader.Open(dir.File("h.csv", "a,b\n1,2\n"), [new ChunkColumn("q", true)]), "missing column(s) 'q'", "available columns: a, b");
        DataTestUtil.Throws(() => TableChunkReader.Open(dir.File("r.csv", "a,b\n1,2\n3\n"), [new ChunkColumn("a", true)]).Next(), "row 2", "expected 2");
        Assert.Throws<UpliftOptionException>(() => TableChunkReader.Open(dir.File("ok.csv", "a\n1\n"), [new ChunkColumn("a", true)], chunkRows: 0));
    }

    [Fact]
    public void An_uncommitted_writer_leaves_no_file_and_a_committed_one_replaces_the_target()
    {
        using var dir = new TempDir();
        string p = dir.File("out.csv", "old\n");
        var cols = new ChunkColumn[] { new("id", false), new("score", true) };
        using (var w = ChunkWriter.Create(p, cols))
            w.Write(new RawTable("x", 1, [RawColumn.Text("id", ["a"]), RawColumn.Numeric("score", [0.5])]));
        Assert.Equal("old\n", File.ReadAllText(p));
        Assert.Single(Directory.GetFiles(dir.Path));
        using (var w = ChunkWriter.Create(p, cols))
        {
            w.Write(new RawTable("x", 2, [RawColumn.Numeric("score", [0.1, double.NaN]), RawColumn.Numeric("id", [7, 8])]));
            w.Write(new RawTable("x", 1, [RawColumn.Text("id", ["x,y"]), RawColumn.Numeric("score", [-2])]));
            w.Commit();
        }
        Assert.Equal("id,score\n7,0.1\n8,\n\"x,y\",-2\n", File.ReadAllText(p).ReplaceLineEndings("\n"));
        string e = dir.Name("empty.parquet");
        using (var w = ChunkWriter.Create(e, cols)) w.Commit();
        Assert.True(File.Exists(e));
        DataTestUtil.Throws(() => TableReader.Read(e), "no data rows"); // a valid Parquet file with the schema and no rows
    }
}

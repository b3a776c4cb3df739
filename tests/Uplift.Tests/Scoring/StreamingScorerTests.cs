using System.Globalization;
using System.Text;
using Uplift.Cli;
using Uplift.Data;
using Uplift.Models.Ranking;
using Uplift.Persistence;
using Uplift.Scoring;
using Uplift.Tests.Data;
using Xunit;

namespace Uplift.Tests.Scoring;

/// <summary>Data and models shared by the streaming scorer tests (built once: training takes a moment).</summary>
public sealed class ScoringFixture
{
    public const int N = 5000;
    public static readonly string[] Numeric = ["x1", "x2", "x3", "x4"];

    public RawTable Table { get; }
    public ModelFile Linear { get; }
    public ModelFile Mlp { get; }
    public ModelFile NoId { get; }
    public ModelFile Strict { get; }

    public ScoringFixture()
    {
        Table = Make(N, seed: 3);
        var roles = new ColumnRoles("t", "v", "c") { Id = "id", Features = [.. Numeric, "country"] };
        var all = DataTestUtil.Range(2000);
        var pre = Preprocessor.Fit(Table, roles, all);
        var train = pre.Transform(Table, all);
        var o = new DrmOptions { Steps = 30, Restarts = 1, EvalEvery = 0 };
        var ctx = new FitContext(Seed: 1, MaxThreads: 1);
        Linear = new ModelFile(new DrmLearner(o).FitRanking(train, null, ctx), pre, 1);
        Mlp = new ModelFile(new DrmLearner(o with { Scorer = ScorerKind.Mlp, HiddenSizes = [16] }).FitRanking(train, null, ctx), pre, 1);
        var preNoId = Preprocessor.Fit(Table, roles with { Id = null }, all);
        NoId = new ModelFile(Linear.Model, preNoId, 1);
        var preStrict = Preprocessor.Fit(Table, roles, all, new PreprocessOptions { MissingNumeric = MissingNumericPolicy.Error });
        Strict = new ModelFile(Linear.Model, preStrict, 1);
    }

    /// <summary>id (text "u..."), t, v, c, x1..x4 numeric, country (text; "IT" never seen in training rows 0..1999).</summary>
    public static RawTable Make(int n, int seed)
    {
        var rng = new Random(seed);
        double[] Col(Func<int, double> f) => Enumerable.Range(0, n).Select(f).ToArray();
        string[] countries = ["FR", "DE", "ES"];
        var cols = new List<RawColumn>
        {
            RawColumn.Text("id", Enumerable.Range(0, n).Select(i => (string?)$"u{i:D6}").ToArray()),
            RawColumn.Numeric("t", Col(i => i % 2)),
            RawColumn.Numeric("v", Col(_ => rng.NextDouble() * 10)),
            RawColumn.Numeric("c", Col(_ => rng.NextDouble() + 0.5)),
        };
        foreach (var x in Numeric) cols.Add(RawColumn.Numeric(x, Col(_ => Math.Round(rng.NextDouble() * 100 - 50, 3))));
        cols.Add(RawColumn.Text("country", Enumerable.Range(0, n).Select(i => (string?)(i >= 2000 && i % 97 == 0 ? "IT" : countries[i % 3])).ToArray()));
        return new RawTable("campaign", n, cols);
    }

    /// <summary>Writes <paramref name="table"/> as Parquet with one row group per <paramref name="groupRows"/> rows.</summary>
    public static void WriteParquet(string path, RawTable table, int groupRows)
    {
        using var w = ChunkWriter.Create(path, table.Columns.Select(c => new ChunkColumn(c.Name, c.IsNumeric)).ToArray());
        for (int s = 0; s < table.Rows; s += groupRows)
        {
            int len = Math.Min(groupRows, table.Rows - s);
            w.Write(new RawTable(path, len, table.Columns.Select(c => c.IsNumeric
                ? RawColumn.Numeric(c.Name, c.Numbers!.AsSpan(s, len).ToArray())
                : RawColumn.Text(c.Name, c.Strings!.AsSpan(s, len).ToArray()))));
        }
        w.Commit();
    }
}

public sealed class StreamingScorerTests(ScoringFixture fx) : IClassFixture<ScoringFixture>
{
    static void AssertSameScores(ModelFile model, string input, string output, bool ids = true)
    {
        var expected = model.Score(TableReader.Read(input));
        var got = TableReader.Read(output, new TableReadOptions { TextColumns = ["id"] });
        Assert.Equal(expected.Length, got.Rows);
        Assert.Equal(ids ? new[] { "id", "score" } : ["score"], got.ColumnNames);
        Assert.Equal(expected, got["score"].Numbers!); // exact: same per-row arithmetic, round-trip text
        if (ids)
            Assert.Equal(Enumerable.Range(0, expected.Length).Select(i => $"u{i:D6}"), got["id"].Strings!);
    }

    [Fact]
    public void Csv_input_in_many_chunks_gives_the_in_memory_scores_in_input_order()
    {
        using var dir = new TempDir();
        string input = dir.Name("in.csv"), output = dir.Name("out.csv");
        TableWriter.Write(input, fx.Table);
        var r = StreamingScorer.Score(fx.Linear.Pipeline, input, output, new StreamScoreOptions { ChunkRows = 700, MaxThreads = 2 });
        Assert.Equal(ScoringFixture.N, r.Rows);
        Assert.Equal((ScoringFixture.N + 699) / 700, r.Chunks);
        AssertSameScores(fx.Linear, input, output);
    }

    [Fact]
    public void Parquet_input_with_row_groups_gives_the_in_memory_scores_for_linear_and_mlp()
    {
        using var dir = new TempDir();
        string input = dir.Name("in.parquet");
        ScoringFixture.WriteParquet(input, fx.Table, groupRows: 900);
        foreach (var (model, name) in new[] { (fx.Linear, "lin"), (fx.Mlp, "mlp") })
        {
            string output = dir.Name($"out-{name}.parquet");
            var r = StreamingScorer.Score(model.Pipeline, input, output, new StreamScoreOptions { ChunkRows = 256, MaxThreads = 3 });
            Assert.Equal((ScoringFixture.N + 899) / 900, r.Chunks); // one chunk per row group
            AssertSameScores(model, input, output);
        }
    }

    [Fact]
    public void Without_an_id_role_only_the_score_column_is_written()
    {
        using var dir = new TempDir();
        string input = dir.Name("in.csv"), output = dir.Name("out.csv.gz");
        TableWriter.Write(input, fx.Table);
        StreamingScorer.Score(fx.NoId.Pipeline, input, output, new StreamScoreOptions { ChunkRows = 1000 });
        AssertSameScores(fx.NoId, input, output, ids: false);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Chunks_alive_at_once_never_exceed_the_bound(int bound)
    {
        using var dir = new TempDir();
        string input = dir.Name("in.csv");
        TableWriter.Write(input, fx.Table);
        using var reader = TableChunkReader.Open(input, StreamingScorer.InputColumns(fx.Linear.Preprocessor), 300);
        var sizes = new List<int>();
        var (rows, chunks, peak) = StreamingScorer.Run(fx.Linear.Pipeline, reader, t => sizes.Add(t.Rows),
            new StreamScoreOptions { ChunkRows = 300, MaxThreads = 4, MaxChunksInFlight = bound });
        Assert.Equal(ScoringFixture.N, rows);
        Assert.Equal(17, chunks);
        Assert.InRange(peak, 1, bound);
        Assert.All(sizes.Take(16), s => Assert.Equal(300, s));
        Assert.Equal(ScoringFixture.N - 16 * 300, sizes[^1]);
    }

    [Fact]
    public void A_bad_csv_cell_in_chunk_3_names_its_file_row()
    {
        using var dir = new TempDir();
        var text = new StringBuilder();
        var lines = File.ReadAllLines(Write(dir, fx.Table, "in.csv"));
        int bad = 2 * 700 + 123; // data row index (0-based) inside the third chunk
        var cells = lines[bad + 1].Split(',');
        int x2 = Array.IndexOf(lines[0].Split(','), "x2");
        cells[x2] = "oops";
        lines[bad + 1] = string.Join(',', cells);
        string input = dir.Name("bad.csv");
        File.WriteAllLines(input, lines);
        var e = Assert.Throws<UpliftDataException>(() =>
            StreamingScorer.Score(fx.Linear.Pipeline, input, dir.Name("out.csv"), new StreamScoreOptions { ChunkRows = 700, MaxThreads = 2 }));
        Assert.Equal(bad + 1, e.Row);
        Assert.Equal("x2", e.Column);
        Assert.Contains("'oops' is not a number", e.Message);
        Assert.False(File.Exists(dir.Name("out.csv"))); // atomic: nothing written
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public void A_missing_value_in_parquet_chunk_3_names_its_file_row_through_the_preprocessor()
    {
        using var dir = new TempDir();
        int bad = 2 * 900 + 57;
        var cols = fx.Table.Columns.Select(c => c.Name == "x3" ? RawColumn.Numeric("x3", c.Numbers!.Select((v, i) => i == bad ? double.NaN : v).ToArray()) : c);
        string input = dir.Name("bad.parquet");
        ScoringFixture.WriteParquet(input, new RawTable("bad", ScoringFixture.N, cols), 900);
        var e = Assert.Throws<UpliftDataException>(() =>
            StreamingScorer.Score(fx.Strict.Pipeline, input, dir.Name("out.parquet"), new StreamScoreOptions { ChunkRows = 100, MaxThreads = 2 }));
        Assert.Equal(bad + 1, e.Row);
        Assert.Equal("x3", e.Column);
        // The in-memory path names the same row.
        var e2 = Assert.Throws<UpliftDataException>(() => fx.Strict.Score(TableReader.Read(input)));
        Assert.Equal(e2.Row, e.Row);
    }

    [Fact]
    public void A_missing_feature_column_is_reported_before_any_work()
    {
        using var dir = new TempDir();
        var t = new RawTable("x", fx.Table.Rows, fx.Table.Columns.Where(c => c.Name != "x4"));
        string input = Write(dir, t, "in.csv");
        DataTestUtil.Throws(() => StreamingScorer.Score(fx.Linear.Pipeline, input, dir.Name("o.csv")), "missing column(s) 'x4'", "available columns: id, t, v, c, x1");
    }

    [Fact]
    public void A_missing_id_names_its_row()
    {
        using var dir = new TempDir();
        var ids = fx.Table["id"].Strings!.ToArray();
        ids[4321] = null;
        var t = new RawTable("x", fx.Table.Rows, fx.Table.Columns.Select(c => c.Name == "id" ? RawColumn.Text("id", ids) : c));
        string input = Write(dir, t, "in.csv");
        var e = DataTestUtil.Throws(() => StreamingScorer.Score(fx.Linear.Pipeline, input, dir.Name("o.csv"), new StreamScoreOptions { ChunkRows = 1000 }), "missing id");
        Assert.Equal(4322, e.Row);
    }

    [Theory]
    [InlineData(true, "id,score")]
    [InlineData(false, "score")]
    public void Cli_score_writes_the_contract_header(bool withId, string header)
    {
        using var dir = new TempDir();
        string input = Write(dir, fx.Table, "in.csv"), model = dir.Name("m.json"), output = dir.Name("s.csv");
        (withId ? fx.Linear : fx.NoId).Save(model);
        int code = UpliftCli.Run(["score", "--model", model, "--data", input, "--out", output, "--chunk-rows", "999", "--threads", "2"]);
        Assert.Equal(0, code);
        var lines = File.ReadAllLines(output);
        Assert.Equal(header, lines[0]);
        Assert.Equal(ScoringFixture.N + 1, lines.Length);
        if (withId) Assert.StartsWith("u000000,", lines[1]);
        var expected = (withId ? fx.Linear : fx.NoId).Score(TableReader.Read(input));
        Assert.Equal(expected[^1].ToString("R", CultureInfo.InvariantCulture), lines[^1].Split(',')[^1]);
    }

    [Fact]
    public void Options_out_of_range_are_rejected()
    {
        Assert.Throws<UpliftOptionException>(() => new StreamScoreOptions { ChunkRows = 0 }.Validate());
        Assert.Throws<UpliftOptionException>(() => new StreamScoreOptions { MaxThreads = 0 }.Validate());
        Assert.Throws<UpliftOptionException>(() => new StreamScoreOptions { MaxChunksInFlight = 0 }.Validate());
    }

    static string Write(TempDir dir, RawTable t, string name)
    {
        string p = dir.Name(name);
        TableWriter.Write(p, t);
        return p;
    }
}

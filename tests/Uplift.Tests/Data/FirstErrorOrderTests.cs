using Uplift.Data;
using Uplift.Scoring;
using Uplift.Tests.Cli;
using Uplift.Tests.Scoring;
using Xunit;
using static Uplift.Tests.Data.MalformedInput;

namespace Uplift.Tests.Data;

/// <summary>The streaming scorer reports the first bad row in file order whatever the thread count, and the CLI turns
/// every malformed-input class into exit 2 with a short message (never 70, never a stack trace).</summary>
[Collection("cli")]
public sealed class FirstErrorOrderTests(ScoringFixture fx) : IClassFixture<ScoringFixture>
{
    const int Chunk = 400;

    /// <summary>A CSV of the fixture with a missing id in chunk 2 (found when scoring) and a bad number in chunk 3
    /// (found when reading): with two threads the reading error can come first in time, but not in the file.</summary>
    string TwoErrors(TempDir dir, out int firstBad)
    {
        string input = dir.Name("in.csv");
        TableWriter.Write(input, fx.Table);
        var lines = File.ReadAllLines(input);
        var header = lines[0].Split(',');
        int idAt = Array.IndexOf(header, "id"), x2 = Array.IndexOf(header, "x2");
        firstBad = Chunk + 17; // 0-based data row in chunk index 1
        int laterBad = 2 * Chunk + 3; // chunk index 2
        var a = lines[firstBad + 1].Split(','); a[idAt] = ""; lines[firstBad + 1] = string.Join(',', a);
        for (int row = laterBad; row < ScoringFixture.N; row += 50)
        {
            var b = lines[row + 1].Split(','); b[x2] = "1,5"; lines[row + 1] = string.Join(',', b).Replace("1,5", "\"1,5\"");
        }
        string bad = dir.Name("bad.csv");
        File.WriteAllLines(bad, lines);
        return bad;
    }

    [Fact]
    public void The_first_bad_row_in_file_order_is_reported_with_one_or_two_threads()
    {
        using var dir = new TempDir();
        string bad = TwoErrors(dir, out int firstBad);
        foreach (int threads in new[] { 1, 2, 2, 2, 4 })
        {
            var e = Assert.IsType<UpliftDataException>(Refused(() =>
                StreamingScorer.Score(fx.Linear.Pipeline, bad, dir.Name("out.csv"), new StreamScoreOptions { ChunkRows = Chunk, MaxThreads = threads }),
                "bad.csv", "missing id"));
            Assert.Equal(firstBad + 1, e.Row);
        }
    }

    [Fact]
    public void The_first_bad_row_group_in_file_order_is_reported_for_parquet()
    {
        using var dir = new TempDir();
        int first = 900 + 11, later = 3 * 900 + 5;
        var cols = fx.Table.Columns.Select(c => c.Name == "x3" ? RawColumn.Numeric("x3", c.Numbers!.Select((v, i) => i == first || i >= later ? double.NaN : v).ToArray()) : c);
        string input = dir.Name("bad.parquet");
        ScoringFixture.WriteParquet(input, new RawTable("bad", ScoringFixture.N, cols), 900);
        foreach (int threads in new[] { 1, 2, 2, 4 })
        {
            var e = Assert.IsType<UpliftDataException>(Refused(() =>
                StreamingScorer.Score(fx.Strict.Pipeline, input, dir.Name("out.csv"), new StreamScoreOptions { ChunkRows = 100, MaxThreads = threads })));
            Assert.Equal(first + 1, e.Row);
        }
    }

    [Fact]
    public void The_cli_score_command_names_the_same_first_row_with_threads_1_and_2()
    {
        using var dir = new TempDir();
        string bad = TwoErrors(dir, out int firstBad);
        string model = dir.Name("m.json");
        fx.Linear.Save(model);
        foreach (var threads in new[] { "1", "2" })
        {
            var r = CliRunner.Run("score", "--model", model, "--data", bad, "--out", dir.Name("s.csv"), "--threads", threads, "--chunk-rows", Chunk.ToString());
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"row {firstBad + 1}", r.Err);
            Assert.DoesNotContain("   at ", r.Err);
        }
    }

    /// <summary>One CLI run per malformed-input class: exit 2 with the problem named, quickly, input unchanged.</summary>
    [Fact]
    public async Task Every_malformed_input_class_exits_2_through_the_cli()
    {
        using var dir = new TempDir();
        string model = dir.Name("m.json");
        fx.Linear.Save(model);
        string good = dir.Name("good.csv");
        TableWriter.Write(good, fx.Table);
        var lines = File.ReadAllLines(good);
        string With(string name, Func<string[], string[]> edit) { string p = dir.Name(name); File.WriteAllLines(p, edit((string[])lines.Clone())); return p; }
        var typed = File.ReadAllBytes(await MalformedParquetTests.WriteTyped(dir.Name("typed.parquet")));
        string truncated = dir.Name("truncated.parquet");
        File.WriteAllBytes(truncated, typed[..(typed.Length / 2)]);
        string junk = dir.Name("junk.parquet");
        File.WriteAllBytes(junk, Enumerable.Range(0, 3000).Select(i => (byte)(i * 7919 % 251)).ToArray());
        var cases = new List<(string Data, string Expect)>
        {
            (With("stray.csv", l => { l[5] = l[5].Replace(",FR", ",F\"R").Replace(",DE", ",D\"E").Replace(",ES", ",E\"S"); return l; }), "stray quote"),
            (With("open.csv", l => { l[9] = "\"" + l[9]; return l; }), "quote"),
            (With("comma.csv", l => { l[3] = string.Join(',', l[3].Split(',').Select((c, j) => j == 5 ? "\"1,5\"" : c)); return l; }), "decimal comma"),
            (With("nul.csv", l => { l[4] = string.Join(',', l[4].Split(',').Select((c, j) => j == 5 ? "0.5\0\0" : c)); return l; }), "control character"),
            (truncated, "cannot read the Parquet file"),
            (junk, "no PAR1 magic"),
        };
        if (!OperatingSystem.IsWindows()) cases.Add(("/dev/zero", "is a device"));
        foreach (var (data, expect) in cases)
        {
            byte[]? before = data.StartsWith("/dev/", StringComparison.Ordinal) ? null : File.ReadAllBytes(data);
            CliRunner.Result? r = null;
            Assert.Null(Within(30, () => r = CliRunner.Run("score", "--model", model, "--data", data, "--out", dir.Name("o.csv"))));
            Assert.True(r!.ExitCode == 2, $"{data}: exit {r.ExitCode}: {r.Err}");
            Assert.Contains(expect, r.Err);
            Assert.DoesNotContain("   at ", r.Err);
            Assert.True(r.Err.Length < 1000, r.Err);
            if (before is not null) Assert.Equal(before, File.ReadAllBytes(data));
        }
        // score reads a FIFO with a writer
        if (!OperatingSystem.IsWindows())
        {
            string fifo = InputStreamTests.Fifo(dir, "pipe.csv");
            var feed = InputStreamTests.Feed(fifo, File.ReadAllBytes(good));
            var ok = CliRunner.Run("score", "--model", model, "--data", fifo, "--out", dir.Name("piped.csv"));
            await feed;
            Assert.True(ok.ExitCode == 0, ok.Err);
            Assert.Equal(ScoringFixture.N + 1, File.ReadAllLines(dir.Name("piped.csv")).Length);
        }
    }
}

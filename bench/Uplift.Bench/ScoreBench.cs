using System.Diagnostics;
using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;
using Uplift.Data;
using Uplift.Models.Ranking;
using Uplift.Persistence;
using Uplift.Scoring;

namespace Uplift.Bench;

/// <summary>
/// Streaming scoring at scale (issue item 4): rows per second and peak memory of <c>uplift score</c> on
/// <c>rows</c> x <c>features</c> generated users, Parquet and CSV input, linear and MLP(64) DRM scorers.
/// <para>The input files go to a temporary folder (deleted afterwards): Parquet with an int64 <c>id</c> and
/// <c>features</c> non-nullable double columns, uncompressed (Parquet.Net 6.1 decodes Snappy at roughly 90 ns per
/// double here, which alone caps a 50-feature file near 0.2 million rows/s per core; uncompressed pages decode at about
/// 1 ns per value), row groups of
/// <see cref="ParquetGroupRows"/> rows; CSV with the same columns, numbers with 4 decimals.
/// The models are DRMs trained briefly on a 50,000-row sample (their quality is irrelevant here; their shape is what
/// costs), saved with a preprocessor fitted on the sample.</para>
/// <para>Measurement: each scoring runs end to end (read + transform + score + write the id and score, Parquet output
/// for Parquet input, CSV for CSV) in a child process <c>/usr/bin/time -f %M dotnet Uplift.Cli.dll score ...</c>
/// when the CLI build is found, so the peak is the child's maximum resident set size (whole process: runtime,
/// JIT, GC heap, Parquet buffers). Without the CLI it runs in this process and reports this process's VmHWM after
/// resetting it (Linux /proc/self/clear_refs), which also counts what the process held before.
/// Wall times on a shared machine are rough.</para>
/// </summary>
public static class ScoreBench
{
    /// <param name="CpuSeconds">User + system CPU time of the scoring process (child runs only; NaN otherwise): on a
    /// shared machine Rows / (CpuSeconds / Threads) estimates the rate with the cores to itself.</param>
    public sealed record Row(string Input, string Scorer, long Rows, int Features, int Threads, double Seconds,
        double RowsPerSecond, double PeakMiB, double CpuSeconds, string Measured);

    /// <summary>Rows per row group of the generated Parquet file by default (about 100 MB of doubles at 50 features).</summary>
    public const int ParquetGroupRows = 262_144;

    /// <summary>The Parquet inputs of issue 13: uncompressed, Snappy and zstd (what Spark and pandas write), each with
    /// row groups of 100,000 and 1,000,000 rows.</summary>
    public static readonly IReadOnlyList<(CompressionMethod Compression, int GroupRows)> Issue13Parquet =
        [.. new[] { CompressionMethod.None, CompressionMethod.Snappy, CompressionMethod.Zstd }.SelectMany(c => new[] { (c, 100_000), (c, 1_000_000) })];

    /// <summary>"parquet-none-100k": the input label of a Parquet variant.</summary>
    public static string Label(CompressionMethod compression, int groupRows) =>
        $"parquet-{compression.ToString().ToLowerInvariant()}-{(groupRows % 1_000_000 == 0 ? $"{groupRows / 1_000_000}M" : groupRows % 1000 == 0 ? $"{groupRows / 1000}k" : groupRows.ToString(CultureInfo.InvariantCulture))}";

    /// <param name="rows">Users to score (default 10 million).</param>
    /// <param name="features">Numeric features (default 50).</param>
    /// <param name="threads">Worker threads of the scorer (default null = all cores).</param>
    /// <param name="csvRows">Rows of the CSV input (default = <paramref name="rows"/>; 0 = skip CSV).</param>
    /// <param name="folder">Where the temporary files go (default: the system temp folder).</param>
    /// <param name="cliDll">Uplift.Cli.dll to run as a child process (default: the Release build next to the repository, if present).</param>
    /// <param name="log">Progress lines (default: none).</param>
    /// <param name="parquet">Parquet inputs to write and score, one file each (default: uncompressed, row groups of
    /// <see cref="ParquetGroupRows"/>); empty = skip Parquet.</param>
    /// <param name="scorers">Scorers to run ("linear", "mlp64"; default both).</param>
    public static IReadOnlyList<Row> Run(long rows = 10_000_000, int features = 50, int? threads = null, long? csvRows = null,
        string? folder = null, string? cliDll = null, Action<string>? log = null,
        IReadOnlyList<(CompressionMethod Compression, int GroupRows)>? parquet = null, IReadOnlyCollection<string>? scorers = null)
    {
        parquet ??= [(CompressionMethod.None, ParquetGroupRows)];
        log ??= _ => { };
        cliDll ??= FindCli();
        string dir = Path.Combine(folder ?? Path.GetTempPath(), "uplift-score-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var result = new List<Row>();
        try
        {
            var sw = Stopwatch.StartNew();
            var models = TrainModels(features, dir).Where(m => scorers is null || scorers.Contains(m.Name)).ToList();
            log($"trained linear and mlp(64) on a 50,000-row sample in {sw.Elapsed.TotalSeconds:0.0} s");

            // Writes the input in one format, scores it with each model, deletes it.
            void Measure(string format, string label, long n, Action<string, long, int> write)
            {
                sw.Restart();
                string input = Path.Combine(dir, "users." + format);
                write(input, n, features);
                log($"wrote {input}: {n:N0} x {features}, {new FileInfo(input).Length / 1048576.0:N0} MiB in {sw.Elapsed.TotalSeconds:0.0} s");
                foreach (var (name, model) in models)
                {
                    result.Add(Score(label, name, model, input, Path.Combine(dir, $"scores-{name}.{format}"), n, features, threads, cliDll));
                    log(Describe(result[^1]));
                }
                File.Delete(input);
            }

            foreach (var (compression, groupRows) in parquet)
                Measure("parquet", Label(compression, groupRows), rows, (path, n, d) => WriteParquet(path, n, d, compression, groupRows));
            long nCsv = csvRows ?? rows;
            if (nCsv > 0) Measure("csv", "csv", nCsv, WriteCsv);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
        return result;
    }

    public static string Describe(Row r) =>
        $"{r.Input,-8} {r.Scorer,-7} {r.Rows,12:N0} rows x {r.Features}  {r.Seconds,7:0.00} s  {r.RowsPerSecond,12:N0} rows/s  peak {r.PeakMiB,7:N0} MiB  cpu {r.CpuSeconds:0.0} s  ({r.Measured})";

    static Row Score(string input, string scorer, string model, string data, string output, long rows, int features, int? threads, string? cliDll)
    {
        if (cliDll is not null && File.Exists("/usr/bin/time"))
        {
            var psi = new ProcessStartInfo("/usr/bin/time")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var a in new[] { "-f", "cpu_s=%U+%S maxrss_kb=%M", "dotnet", cliDll, "score", "--model", model, "--data", data, "--out", output, "--json" })
                psi.ArgumentList.Add(a);
            if (threads is int t) { psi.ArgumentList.Add("--threads"); psi.ArgumentList.Add(t.ToString(CultureInfo.InvariantCulture)); }
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            string stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            double wall = sw.Elapsed.TotalSeconds;
            if (p.ExitCode != 0) throw new InvalidOperationException($"uplift score failed ({p.ExitCode}): {stderr}");
            var json = System.Text.Json.Nodes.JsonNode.Parse(stdout.Result)!;
            double seconds = (double)json["seconds"]!;
            long kb = long.Parse(stderr.Split("maxrss_kb=")[^1].Trim(), CultureInfo.InvariantCulture);
            double cpu = stderr.Split("cpu_s=")[^1].Split(' ')[0].Split('+').Sum(x => double.Parse(x, CultureInfo.InvariantCulture));
            return new Row(input, scorer, rows, features, threads ?? Environment.ProcessorCount, seconds, rows / seconds, kb / 1024.0, cpu,
                $"child 'uplift score': time inside the command {seconds:0.00} s (process wall incl. start-up {wall:0.00} s), peak = child max RSS");
        }
        else
        {
            GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            bool reset = TryResetPeak();
            var sw = Stopwatch.StartNew();
            var r = StreamingScorer.Score(ModelFile.Load(model).Pipeline, data, output, new StreamScoreOptions { MaxThreads = threads });
            double seconds = sw.Elapsed.TotalSeconds;
            return new Row(input, scorer, r.Rows, features, threads ?? Environment.ProcessorCount, seconds, r.Rows / seconds, PeakRss() / 1048576.0, double.NaN,
                reset ? "in-process; peak = VmHWM after reset" : "in-process; peak = process VmHWM since start");
        }
    }

    public static List<(string Name, string Path)> TrainModels(int features, string dir)
    {
        const int n = 50_000;
        var rng = new Random(7);
        var x = new double[features][];
        for (int j = 0; j < features; j++) { x[j] = new double[n]; for (int i = 0; i < n; i++) x[j][i] = Feature(rng, j); }
        var t = new double[n]; var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            t[i] = rng.Next(2);
            double tauV = 1 + 0.5 * x[0][i] - 0.3 * x[1 % features][i];
            double tauC = 1 + 0.2 * Math.Abs(x[2 % features][i]);
            v[i] = x[3 % features][i] + t[i] * tauV + rng.NextDouble();
            c[i] = 0.5 + t[i] * tauC + 0.1 * rng.NextDouble();
        }
        var cols = new List<RawColumn> { RawColumn.Numeric("id", Enumerable.Range(0, n).Select(i => (double)i).ToArray()),
            RawColumn.Numeric("t", t), RawColumn.Numeric("v", v), RawColumn.Numeric("c", c) };
        for (int j = 0; j < features; j++) cols.Add(RawColumn.Numeric(Name(j), x[j]));
        var table = new RawTable("sample", n, cols);
        var roles = new ColumnRoles("t", "v", "c") { Id = "id", Features = Enumerable.Range(0, features).Select(Name).ToArray() };
        var all = Enumerable.Range(0, n).ToArray();
        var pre = Preprocessor.Fit(table, roles, all);
        var data = pre.Transform(table, all);
        var ctx = new FitContext(Seed: 1);
        var o = new DrmOptions { Steps = 60, Restarts = 1, EvalEvery = 0 };
        var list = new List<(string, string)>();
        foreach (var (name, opt) in new[] { ("linear", o), ("mlp64", o with { Scorer = ScorerKind.Mlp, HiddenSizes = [64] }) })
        {
            string path = Path.Combine(dir, $"{name}.json");
            new ModelFile(new DrmLearner(opt).FitRanking(data, null, ctx), pre, 1).Save(path);
            list.Add((name, path));
        }
        return list;
    }

    static string Name(int j) => $"f{j:D2}";

    /// <summary>Feature j of a user: a mix of scales and offsets, like real columns.</summary>
    static double Feature(Random rng, int j) => (j % 5) switch
    {
        0 => rng.NextDouble() * 2 - 1,
        1 => Math.Round(rng.NextDouble() * 100, 1),
        2 => rng.Next(0, 20),
        3 => Math.Exp(rng.NextDouble() * 3),
        _ => rng.NextDouble(),
    };

    public static void WriteParquet(string path, long rows, int features, CompressionMethod compression = CompressionMethod.None, int groupRows = ParquetGroupRows)
    {
        var fields = new List<DataField> { new DataField<long>("id") };
        for (int j = 0; j < features; j++) fields.Add(new DataField<double>(Name(j)));
        var schema = new ParquetSchema(fields);
        using var fs = File.Create(path);
        var writer = ParquetWriter.CreateAsync(schema, fs, new ParquetOptions { CompressionMethod = compression }).GetAwaiter().GetResult();
        try { WriteGroups(writer, fields, rows, features, groupRows); }
        finally { writer.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
    }

    static void WriteGroups(ParquetWriter writer, List<DataField> fields, long rows, int features, int groupRows)
    {
        var rng = new Random(11);
        var ids = new long[groupRows];
        var col = new double[groupRows];
        for (long start = 0; start < rows; start += groupRows)
        {
            int len = (int)Math.Min(groupRows, rows - start);
            using var rg = writer.CreateRowGroup();
            for (int i = 0; i < len; i++) ids[i] = start + i;
            rg.WriteAsync<long>(fields[0], ids.AsMemory(0, len)).GetAwaiter().GetResult();
            for (int j = 0; j < features; j++)
            {
                for (int i = 0; i < len; i++) col[i] = Feature(rng, j);
                rg.WriteAsync<double>(fields[j + 1], col.AsMemory(0, len)).GetAwaiter().GetResult();
            }
        }
    }

    public static void WriteCsv(string path, long rows, int features)
    {
        var rng = new Random(13);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        var sb = new StringBuilder("id");
        for (int j = 0; j < features; j++) sb.Append(',').Append(Name(j));
        w.WriteLine(sb);
        Span<char> buf = stackalloc char[32];
        for (long i = 0; i < rows; i++)
        {
            i.TryFormat(buf, out int len, default, CultureInfo.InvariantCulture);
            w.Write(buf[..len]);
            for (int j = 0; j < features; j++)
            {
                w.Write(',');
                Feature(rng, j).TryFormat(buf, out len, "0.####", CultureInfo.InvariantCulture);
                w.Write(buf[..len]);
            }
            w.Write('\n');
        }
    }

    /// <summary>Uplift.Cli.dll of a Release build, found by walking up from this program to the repository root.</summary>
    static string? FindCli()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (!File.Exists(Path.Combine(d.FullName, "Uplift.slnx"))) continue;
            string dll = Path.Combine(d.FullName, "src", "Uplift.Cli", "bin", "Release", "net10.0", "Uplift.Cli.dll");
            return File.Exists(dll) ? dll : null;
        }
        return null;
    }

    static bool TryResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    static long PeakRss()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return Process.GetCurrentProcess().PeakWorkingSet64;
    }
}

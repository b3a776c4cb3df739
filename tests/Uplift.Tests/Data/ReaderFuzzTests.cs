using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Uplift.Data;
using Xunit;

namespace Uplift.Tests.Data;

/// <summary>
/// Fuzzing of the CSV, CSV.gz and Parquet readers: random byte mutations (bit flips, byte sets, inserts of random or
/// CSV/Parquet-significant bytes, deletes, duplicated ranges, truncation) of small valid files. Each mutated file is read
/// by <see cref="TableReader"/> and by <see cref="TableChunkReader"/>; each must return a table or throw an
/// <see cref="UpliftException"/> — any other exception, or no answer within <see cref="CaseSeconds"/>, is a failure.
/// The FsCheck properties are a fixed-seed slice for the suite; <c>tests/fuzz/run-reader-fuzz.sh</c> runs
/// <see cref="Fuzz_for_the_time_in_UPLIFT_FUZZ_SECONDS"/> for longer.
/// </summary>
public class ReaderFuzzTests
{
    const double CaseSeconds = 10;

    public enum Format { Csv, CsvGz, Parquet }

    static readonly Lazy<Dictionary<Format, byte[]>> Seeds = new(MakeSeeds);

    static Dictionary<Format, byte[]> MakeSeeds()
    {
        var sb = new StringBuilder("id,t,v,c,age,country,note\n");
        for (int i = 0; i < 40; i++)
            sb.Append(CultureInfo.InvariantCulture, $"u{i:D3},{i % 2},{i * 0.25},{(i % 5 == 0 ? "" : "1.5")},{20 + i},{(i % 7 == 0 ? "NA" : "FR")},\"a, \"\"b\"\" {i}\"\n");
        var csv = Encoding.UTF8.GetBytes(sb.ToString());
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true)) z.Write(csv);
        using var dir = new TempDir();
        var parquet = File.ReadAllBytes(MalformedParquetTests.WriteTyped(dir.Name("seed.parquet")).GetAwaiter().GetResult());
        return new() { [Format.Csv] = csv, [Format.CsvGz] = gz.ToArray(), [Format.Parquet] = parquet };
    }

    static readonly byte[][] Interesting =
    [
        "\""u8.ToArray(), ","u8.ToArray(), "\n"u8.ToArray(), "\r\n"u8.ToArray(), [0], [0xff], [0xef, 0xbb, 0xbf], ";"u8.ToArray(),
        "PAR1"u8.ToArray(), [0xff, 0xff, 0xff, 0x7f], [0x00, 0x00, 0x00, 0x80], "1e400"u8.ToArray(), "1,5"u8.ToArray(), "\"\""u8.ToArray(),
    ];

    /// <summary>1 to 6 random mutations of <paramref name="input"/> (the result stays under 1 MiB).</summary>
    public static byte[] Mutate(byte[] input, Random rng)
    {
        var b = new List<byte>(input);
        int ops = 1 + rng.Next(6);
        for (int k = 0; k < ops; k++)
        {
            int at = b.Count == 0 ? 0 : rng.Next(b.Count);
            switch (rng.Next(8))
            {
                case 0 when b.Count > 0: b[at] ^= (byte)(1 << rng.Next(8)); break;
                case 1 when b.Count > 0: b[at] = (byte)rng.Next(256); break;
                case 2: { var r = new byte[1 + rng.Next(16)]; rng.NextBytes(r); b.InsertRange(at, r); break; }
                case 3: b.InsertRange(at, Interesting[rng.Next(Interesting.Length)]); break;
                case 4 when b.Count > 0: b.RemoveRange(at, Math.Min(b.Count - at, 1 + rng.Next(64))); break;
                case 5 when b.Count > 0:
                {
                    int len = Math.Min(b.Count - at, 1 + rng.Next(256));
                    var range = b.GetRange(at, len);
                    int times = 1 + rng.Next(rng.Next(4) == 0 ? 64 : 3);
                    for (int t = 0; t < times && b.Count + len < 1 << 20; t++) b.InsertRange(rng.Next(b.Count + 1), range);
                    break;
                }
                case 6 when b.Count > 0: b.RemoveRange(at, b.Count - at); break; // truncate
                default: if (b.Count > 4) { int i = 4 + rng.Next(b.Count - 4); b[i] = (byte)(b[i] + 1); } break;
            }
        }
        return b.ToArray();
    }

    static string Ext(Format f) => f switch { Format.Csv => ".csv", Format.CsvGz => ".csv.gz", _ => ".parquet" };

    /// <summary>Null when the readers behaved (a table or an UpliftException); otherwise what went wrong.</summary>
    public static string? Check(byte[] bytes, Format format, string dir, int seed)
    {
        string path = Path.Combine(dir, $"case-{seed}{Ext(format)}");
        File.WriteAllBytes(path, bytes);
        try
        {
            foreach (var (name, read) in new (string, Action)[]
            {
                ("TableReader", () => TableReader.Read(path)),
                ("TableChunkReader", () =>
                {
                    using var r = TableChunkReader.Open(path, [new ChunkColumn("age", true), new ChunkColumn("id", false), new ChunkColumn("i32", true), new ChunkColumn("s", false)], chunkRows: 7);
                    while (r.Next() is not null) { }
                }),
            })
            {
                var task = Task.Run(() =>
                {
                    try { read(); return null; }
                    catch (Exception e) { return e; }
                });
                if (!task.Wait(TimeSpan.FromSeconds(CaseSeconds))) return $"{format} seed {seed}: {name} gave no answer within {CaseSeconds} s";
                if (task.Result is { } e && e is not UpliftException)
                    return $"{format} seed {seed}: {name} threw {e.GetType().FullName}: {e.Message}\n{e.StackTrace}";
                if (task.Result is UpliftException u && (u.Message.Length > 2000 || u.Message.Contains("   at ", StringComparison.Ordinal)))
                    return $"{format} seed {seed}: {name} message too long or with a stack trace ({u.Message.Length} characters)";
            }
            return null;
        }
        finally { File.Delete(path); }
    }

    static bool Case(Format format, int seed)
    {
        using var dir = new TempDir();
        var bytes = Mutate(Seeds.Value[format], new Random(seed));
        string? failure = Check(bytes, format, dir.Path, seed);
        Assert.True(failure is null, failure);
        return true;
    }

    // The suite's slice: fixed FsCheck seeds, so the same cases run every time.
    [Property(MaxTest = 120, Replay = "(12345,67891)")]
    public bool Csv_mutations_are_read_or_refused(int seed) => Case(Format.Csv, seed);

    [Property(MaxTest = 60, Replay = "(23456,78911)")]
    public bool Gzip_csv_mutations_are_read_or_refused(int seed) => Case(Format.CsvGz, seed);

    [Property(MaxTest = 120, Replay = "(34567,89111)")]
    public bool Parquet_mutations_are_read_or_refused(int seed) => Case(Format.Parquet, seed);

    /// <summary>Cases the bounded runs found (fixed since): a Parquet footer with an unknown Thrift type made Parquet.Net loop
    /// forever (135923240), so did a column chunk reaching past the end of the file (64790261); damaged schemas threw
    /// ArgumentException / InvalidOperationException from the chunk reader; a binary header was echoed whole in the
    /// "available columns" list (201503877). (A footer that is well-formed Thrift but made Parquet.Net loop, 547909238,
    /// is now stopped by a time limit on decoding the footer; not here, as it takes that limit, 5 s, to fail.)</summary>
    [Theory]
    [InlineData(Format.Parquet, 135923240)]
    [InlineData(Format.Parquet, 3287909)]
    [InlineData(Format.Parquet, 4119404)]
    [InlineData(Format.Parquet, 11484074)]
    [InlineData(Format.Parquet, 64790261)]
    [InlineData(Format.CsvGz, 201503877)]
    public void Cases_found_by_the_fuzz_run_stay_fixed(Format format, int seed) => Case(format, seed);

    /// <summary>
    /// The bounded fuzz run: with UPLIFT_FUZZ_SECONDS set, random seeds (from UPLIFT_FUZZ_SEED, default the clock) for that
    /// long, round-robin over the formats; failing inputs are saved to UPLIFT_FUZZ_OUT (when set) and a summary line is
    /// written to UPLIFT_FUZZ_REPORT (when set). Without the variable: 30 fixed seeds per format.
    /// </summary>
    [Fact]
    public void Fuzz_for_the_time_in_UPLIFT_FUZZ_SECONDS()
    {
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("UPLIFT_FUZZ_SECONDS"), CultureInfo.InvariantCulture, out double s) ? s : 0;
        int baseSeed = int.TryParse(Environment.GetEnvironmentVariable("UPLIFT_FUZZ_SEED"), CultureInfo.InvariantCulture, out int b) ? b
            : seconds > 0 ? Environment.TickCount : 1;
        string? outDir = Environment.GetEnvironmentVariable("UPLIFT_FUZZ_OUT");
        string? report = Environment.GetEnvironmentVariable("UPLIFT_FUZZ_REPORT");
        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var perFormat = new Dictionary<Format, int>();
        using var dir = new TempDir();
        long i = 0;
        for (; seconds > 0 ? clock.Elapsed.TotalSeconds < seconds : i < 90; i++)
        {
            var format = (Format)(i % 3);
            int seed = unchecked(baseSeed + (int)i * 7919);
            var bytes = Mutate(Seeds.Value[format], new Random(seed));
            perFormat[format] = perFormat.GetValueOrDefault(format) + 1;
            if (Check(bytes, format, dir.Path, seed) is { } failure)
            {
                failures.Add(failure);
                if (outDir is not null)
                {
                    Directory.CreateDirectory(outDir);
                    File.WriteAllBytes(Path.Combine(outDir, $"fail-{seed}{Ext(format)}"), bytes);
                }
            }
        }
        string summary = $"reader fuzz: {i} iterations in {clock.Elapsed.TotalSeconds:0.0} s (csv {perFormat.GetValueOrDefault(Format.Csv)}, csv.gz {perFormat.GetValueOrDefault(Format.CsvGz)}, parquet {perFormat.GetValueOrDefault(Format.Parquet)}), base seed {baseSeed}, failures {failures.Count}";
        if (report is not null)
            File.AppendAllText(report, summary + "\n" + string.Join("\n", failures.Take(20)) + (failures.Count > 0 ? "\n" : ""));
        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures.Take(5)));
    }
}

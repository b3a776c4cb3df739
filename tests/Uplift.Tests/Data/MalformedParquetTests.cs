using Parquet;
using Parquet.Schema;
using Uplift.Data;
using Xunit;
using static Uplift.Tests.Data.MalformedInput;

namespace Uplift.Tests.Data;

/// <summary>Damaged Parquet files are clear errors (never OutOfMemoryException); every column type is read or refused by name.</summary>
public class MalformedParquetTests
{
    /// <summary>A valid file: int32, int64?, bool, string?, float, double?, date, timestamp; two row groups of 3 rows.</summary>
    internal static async Task<string> WriteTyped(string path)
    {
        var fI = new DataField<int>("i32");
        var fL = new DataField<long?>("i64");
        var fB = new DataField<bool>("flag");
        var fS = new DataField<string>("s", nullable: true);
        var fF = new DataField<float>("f");
        var fD = new DataField<double?>("d");
        var fDate = new DataField<DateOnly>("day");
        var fTs = new DataField<DateTime>("ts");
        await using var fs = File.Create(path);
        await using var w = await ParquetWriter.CreateAsync(new ParquetSchema(fI, fL, fB, fS, fF, fD, fDate, fTs), fs);
        for (int g = 0; g < 2; g++)
        {
            using var rg = w.CreateRowGroup();
            await rg.WriteAsync<int>(fI, new[] { g * 10 + 1, g * 10 + 2, g * 10 + 3 }.AsMemory());
            await rg.WriteAsync<long>(fL, new long?[] { 1L << 40, null, -5 }.AsMemory());
            await rg.WriteAsync<bool>(fB, new[] { true, false, true }.AsMemory());
            await rg.WriteAsync(fS, new[] { "FR", null, "D\"E" });
            await rg.WriteAsync<float>(fF, new[] { 0.5f, 1.25f, -2f }.AsMemory());
            await rg.WriteAsync<double>(fD, new double?[] { null, 3.5, 1e-9 }.AsMemory());
            await rg.WriteAsync<DateOnly>(fDate, new[] { new DateOnly(2024, 1, 5), new DateOnly(2024, 2, 29), new DateOnly(1999, 12, 31) }.AsMemory());
            await rg.WriteAsync<DateTime>(fTs, new[] { new DateTime(2024, 1, 5, 13, 30, 0, DateTimeKind.Utc), new DateTime(2024, 1, 6, 0, 0, 0, DateTimeKind.Utc), new DateTime(2024, 1, 7, 1, 2, 3, DateTimeKind.Utc) }.AsMemory());
        }
        return path;
    }

    [Fact]
    public async Task Every_supported_type_is_read_numbers_bools_strings_and_dates()
    {
        using var dir = new TempDir();
        string path = await WriteTyped(dir.Name("typed.parquet"));
        var t = TableReader.Read(path);
        Assert.Equal(6, t.Rows);
        Assert.Equal([1.0, 2, 3, 11, 12, 13], t["i32"].Numbers!);
        Assert.Equal(1L << 40, t["i64"].Numbers![0]);
        Assert.True(t["i64"].IsMissing(1));
        Assert.Equal([1.0, 0, 1, 1, 0, 1], t["flag"].Numbers!);
        DataTestUtil.SeqEqual(["FR", null, "D\"E", "FR", null, "D\"E"], t["s"].Strings!);
        Assert.Equal([0.5, 1.25, -2, 0.5, 1.25, -2], t["f"].Numbers!);
        Assert.True(t["d"].IsMissing(0));
        Assert.Equal("2024-02-29", t["day"].Strings![1]);
        Assert.Equal("2024-01-05T13:30:00", t["ts"].Strings![0]);
        Assert.Equal("2024-01-06", t["ts"].Strings![1]);
        // the chunk reader reads the same
        using var r = TableChunkReader.Open(path, [new ChunkColumn("i64", true), new ChunkColumn("day", false), new ChunkColumn("flag", true)]);
        var c = r.Next()!;
        Assert.Equal([1.0, 0, 1], c.Table["flag"].Numbers!);
        Assert.Equal("2024-01-05", c.Table["day"].Strings![0]);
    }

    [Fact]
    public async Task A_binary_column_is_refused_by_name_and_type()
    {
        using var dir = new TempDir();
        string path = dir.Name("bin.parquet");
        var fI = new DataField<int>("i");
        var fBin = new DataField<byte[]>("blob");
        await using (var fs = File.Create(path))
        await using (var w = await ParquetWriter.CreateAsync(new ParquetSchema(fI, fBin), fs))
        {
            using var rg = w.CreateRowGroup();
            await rg.WriteAsync<int>(fI, new[] { 1, 2 }.AsMemory());
            await rg.WriteAsync(fBin, new[] { new byte[] { 1, 2 }, new byte[] { 3 } });
        }
        var e = Assert.IsType<UpliftDataException>(Refused(() => TableReader.Read(path), "bin.parquet", "column 'blob'", "binary"));
        Assert.Equal("blob", e.Column);
        Refused(() => TableChunkReader.Open(path, [new ChunkColumn("blob", false)]), "column 'blob'", "binary");
        // a chunk reader that does not ask for the column reads the others
        using var r = TableChunkReader.Open(path, [new ChunkColumn("i", true)]);
        Assert.Equal([1.0, 2], r.Next()!.Table["i"].Numbers!);
    }

    public static TheoryData<string, string> Damages => new()
    {
        { "zero-length", "empty" },
        { "truncated-half", "cannot read the Parquet file" },
        { "truncated-tail", "cannot read the Parquet file" },
        { "wrong-head-magic", "no PAR1 magic" },
        { "wrong-tail-magic", "does not end with the PAR1" },
        { "footer-length-huge", "footer is damaged" },
        { "footer-length-negative", "footer is damaged" },
        { "footer-zeroed", "cannot read the Parquet file" },
        { "footer-random", "cannot read the Parquet file" },
        { "random-bytes", "no PAR1 magic" },
        { "par1-random-par1", "cannot read the Parquet file" },
        { "tiny", "cannot read the Parquet file" },
    };

    static byte[] Damage(byte[] good, string how)
    {
        var rng = new Random(how.Length * 31 + how[0]);
        var b = (byte[])good.Clone();
        int footer = BitConverter.ToInt32(good, good.Length - 8);
        switch (how)
        {
            case "zero-length": return [];
            case "truncated-half": return b[..(b.Length / 2)];
            case "truncated-tail": return b[..^3];
            case "wrong-head-magic": b[0] = (byte)'X'; return b;
            case "wrong-tail-magic": b[^1] = (byte)'X'; return b;
            case "footer-length-huge": BitConverter.GetBytes(int.MaxValue - 5).CopyTo(b, b.Length - 8); return b;
            case "footer-length-negative": BitConverter.GetBytes(-40).CopyTo(b, b.Length - 8); return b;
            case "footer-zeroed": Array.Clear(b, b.Length - 8 - footer, footer); return b;
            case "footer-random": rng.NextBytes(b.AsSpan(b.Length - 8 - footer, footer)); return b;
            case "random-bytes": rng.NextBytes(b); return b;
            case "par1-random-par1": rng.NextBytes(b.AsSpan(4, b.Length - 12)); return b;
            case "tiny": return "PAR1PAR1"u8.ToArray();
            default: throw new ArgumentException(how);
        }
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task A_damaged_file_is_a_clear_error_naming_it(string how, string expected)
    {
        using var dir = new TempDir();
        var good = File.ReadAllBytes(await WriteTyped(dir.Name("good.parquet")));
        string path = dir.Name($"{how}.parquet");
        File.WriteAllBytes(path, Damage(good, how));
        Refused(() => TableReader.Read(path), $"{how}.parquet", expected);
        Refused(() =>
        {
            using var r = TableChunkReader.Open(path, [new ChunkColumn("i32", true), new ChunkColumn("s", false)]);
            while (r.Next() is not null) { }
        }, $"{how}.parquet", expected);
    }

    [Fact]
    public async Task Random_damage_to_the_middle_is_read_or_refused_never_a_crash()
    {
        using var dir = new TempDir();
        var good = File.ReadAllBytes(await WriteTyped(dir.Name("good.parquet")));
        var rng = new Random(11);
        for (int k = 0; k < 40; k++)
        {
            var b = (byte[])good.Clone();
            for (int m = 0; m < 1 + k % 4; m++) b[4 + rng.Next(b.Length - 12)] = (byte)rng.Next(256);
            string path = dir.Name($"m{k}.parquet");
            File.WriteAllBytes(path, b);
            var e = Within(20, () => TableReader.Read(path));
            if (e is not null) Assert.True(e is UpliftException, $"case {k}: {e.GetType().Name}: {e.Message}");
        }
    }
}

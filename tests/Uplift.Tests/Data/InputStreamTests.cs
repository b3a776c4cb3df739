using System.IO.Compression;
using System.Text;
using Uplift.Data;
using Xunit;
using static Uplift.Tests.Data.MalformedInput;

namespace Uplift.Tests.Data;

/// <summary>Input that is not a plain file: FIFOs (with and without a writer), devices, sizes above the caps, gzip bombs.</summary>
public class InputStreamTests
{
    internal static string Fifo(TempDir dir, string name)
    {
        string path = dir.Name(name);
        Uplift.Tests.IO.IoTestUtil.CreateFifo(path);
        return path;
    }

    /// <summary>Writes <paramref name="bytes"/> into the FIFO from a worker (the open blocks until a reader comes).</summary>
    internal static Task Feed(string fifo, byte[] bytes) => Task.Run(() =>
    {
        try
        {
            using var w = new FileStream(fifo, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
            w.Write(bytes);
        }
        catch (IOException) { } // the reader may stop early (a cap): a broken pipe
    });

    static readonly bool Unix = !OperatingSystem.IsWindows();

    [Fact]
    public void A_fifo_with_no_writer_is_refused_after_the_timeout_never_hangs()
    {
        if (!Unix) return;
        using var dir = new TempDir();
        string fifo = Fifo(dir, "nobody.csv");
        var o = new TableReadOptions { StreamOpenTimeout = TimeSpan.FromMilliseconds(300) };
        RefusedWithin(10, () => TableReader.Read(fifo, o), "nobody.csv", "no writer");
        string fifo2 = Fifo(dir, "nobody2.csv"); // (the first FIFO's blocked open is released by a writer of our own)
        RefusedWithin(10, () => TableChunkReader.Open(fifo2, [new ChunkColumn("a", true)], options: o), "nobody2.csv", "no writer");
    }

    [Fact]
    public async Task A_fifo_with_a_writer_is_read_once_csv_and_parquet()
    {
        if (!Unix) return;
        using var dir = new TempDir();
        string fifo = Fifo(dir, "pipe.csv");
        var feed = Feed(fifo, Encoding.UTF8.GetBytes(DataTestUtil.CampaignCsv(50)));
        RawTable? t = null;
        Assert.Null(Within(20, () => t = TableReader.Read(fifo)));
        await feed;
        Assert.Equal(50, t!.Rows);
        Assert.Equal(20.0 + 49, t["age"].Numbers![49]);

        // Parquet through a pipe: read into memory, then read as a file; chunk reader too.
        var parquet = File.ReadAllBytes(await MalformedParquetTests.WriteTyped(dir.Name("typed.parquet")));
        string pfifo = Fifo(dir, "pipe.parquet");
        feed = Feed(pfifo, parquet);
        Assert.Null(Within(20, () => t = TableReader.Read(pfifo)));
        await feed;
        Assert.Equal(6, t!.Rows);
        feed = Feed(pfifo, parquet);
        long rows = 0;
        Assert.Null(Within(20, () =>
        {
            using var r = TableChunkReader.Open(pfifo, [new ChunkColumn("i32", true)]);
            while (r.Next() is { } c) rows += c.Table.Rows;
        }));
        await feed;
        Assert.Equal(6, rows);
    }

    [Fact]
    public async Task A_pipe_above_the_stream_cap_is_refused()
    {
        if (!Unix) return;
        using var dir = new TempDir();
        string fifo = Fifo(dir, "big.csv");
        var feed = Feed(fifo, Encoding.UTF8.GetBytes(DataTestUtil.CampaignCsv(2000)));
        RefusedWithin(20, () => TableReader.Read(fifo, new TableReadOptions { MaxStreamBytes = 10_000 }), "big.csv", "pipe gave more than 10,000 bytes");
        await feed;
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/null")]
    public void A_device_is_refused_before_reading(string device)
    {
        if (!Unix || !File.Exists(device)) return;
        RefusedWithin(5, () => TableReader.Read(device), device, "is a device");
        RefusedWithin(5, () => TableChunkReader.Open(device, [new ChunkColumn("a", true)]), device, "is a device");
    }

    [Fact]
    public void Directories_missing_files_and_files_above_the_input_cap_are_refused()
    {
        using var dir = new TempDir();
        Refused(() => TableReader.Read(dir.Path), "is a directory");
        Refused(() => TableReader.Read(dir.Name("nope.csv")), "nope.csv", "file not found");
        string path = dir.File("data.csv", DataTestUtil.CampaignCsv(100));
        Refused(() => TableReader.Read(path, new TableReadOptions { MaxInputBytes = 500 }), "data.csv", "more than the input cap of 500 bytes");
        string empty = dir.File("empty.csv", "");
        Refused(() => TableReader.Read(empty), "empty.csv", "empty");
    }

    [Fact]
    public void A_run_of_more_blank_lines_than_the_cap_is_refused_by_both_readers()
    {
        using var dir = new TempDir();
        string ok = dir.Name("trailing.csv"), bad = dir.Name("blank.csv");
        File.WriteAllText(ok, "a,b\n1,2\n" + new string('\n', 1000));
        Assert.Equal(1, TableReader.Read(ok).Rows); // a few trailing blank lines are fine
        File.WriteAllText(bad, "a,b\n1,2\n" + new string('\n', (int)InputLimits.MaxBlankLines + 2));
        Refused(() => TableReader.Read(bad), "blank.csv", "row 2", "blank lines in a row");
        Refused(() =>
        {
            using var r = TableChunkReader.Open(bad, [new ChunkColumn("a", true)]);
            while (r.Next() is not null) { }
        }, "blank.csv", "row 2", "blank lines in a row");
    }

    [Fact]
    public void A_gzip_file_that_grows_more_than_the_ratio_cap_is_refused_early()
    {
        using var dir = new TempDir();
        string path = dir.Name("blank.csv.gz");
        // 100 gzip members of 1 MiB of padded rows each (a reader reads concatenated members as one stream):
        // 100 MiB of content in a file of well under a MiB, made without compressing 300 MiB.
        var member = new MemoryStream();
        using (var gz = new GZipStream(member, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            // 5 rows of 200 KB: "1,2" padded with spaces (trimmed when read), so the rows are data, not blank lines
            var row = Encoding.ASCII.GetBytes("1,2" + new string(' ', 209_712) + "\n");
            for (int k = 0; k < 5; k++) gz.Write(row);
        }
        using (var f = File.Create(path))
        {
            using (var head = new GZipStream(f, CompressionLevel.SmallestSize, leaveOpen: true)) head.Write("a,b\n"u8);
            for (int k = 0; k < 100; k++) f.Write(member.GetBuffer(), 0, (int)member.Length);
        }
        Assert.True(new FileInfo(path).Length * (InputLimits.MaxGzipRatio + 100) < 100L << 20); // grows more than the cap
        Refused(() => TableReader.Read(path), "blank.csv.gz", "times its", "gzip bomb");
    }

    [Fact]
    public void A_gzip_bomb_is_stopped_at_the_decompressed_cap_and_damaged_gzip_is_named()
    {
        using var dir = new TempDir();
        string path = dir.Name("bomb.csv.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.SmallestSize))
        {
            gz.Write("a,b\n"u8);
            var rows = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("1,2\n", 1 << 16)));
            for (int k = 0; k < 4; k++) gz.Write(rows); // 1 MiB of rows, a few KiB compressed
        }
        Assert.True(new FileInfo(path).Length < 100_000);
        var o = new TableReadOptions { MaxInputBytes = 1 << 18 };
        Refused(() => TableReader.Read(path, o), "bomb.csv.gz", "decompresses to more than 262,144 bytes");
        Refused(() =>
        {
            using var r = TableChunkReader.Open(path, [new ChunkColumn("a", true)], options: o);
            while (r.Next() is not null) { }
        }, "bomb.csv.gz", "decompresses to more than");
        Assert.Equal(1 << 18, TableReader.Read(path).Rows); // under the default cap it reads

        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x5a;
        bytes[bytes.Length / 2 + 1] ^= 0x5a;
        string broken = dir.Name("broken.csv.gz");
        File.WriteAllBytes(broken, bytes);
        var e = Within(20, () => TableReader.Read(broken));
        Assert.NotNull(e);
        Assert.IsAssignableFrom<UpliftException>(e);
        Assert.Contains("broken.csv.gz", e.Message);
    }
}

/// <summary>The benchmark integer reader shares the input checks and caps a line's length.</summary>
public class IntTableReaderInputTests
{
    [Fact]
    public void A_device_and_an_endless_line_are_refused()
    {
        if (!OperatingSystem.IsWindows() && File.Exists("/dev/zero"))
            Refused(() => Uplift.Paper.IntTableReader.Open("/dev/zero"), "/dev/zero", "is a device");
        using var dir = new TempDir();
        string path = dir.Name("long.data");
        File.WriteAllBytes(path, Enumerable.Repeat((byte)'1', Uplift.Paper.IntTableReader.MaxLineBytes + 10).ToArray());
        Refused(() =>
        {
            using var r = Uplift.Paper.IntTableReader.Open(path);
            r.ReadRow(new int[3]);
        }, "long.data", "longer than");
    }
}

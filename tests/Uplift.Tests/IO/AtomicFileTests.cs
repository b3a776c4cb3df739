using System.Globalization;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.IO;
using Xunit;

namespace Uplift.Tests.IO;

/// <summary>The one atomic writer: what it replaces, what it writes through, what it leaves behind.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class AtomicFileTests
{
    static RawTable Table(int n = 5) => new("mem", n,
    [
        RawColumn.Text("id", [.. Enumerable.Range(0, n).Select(i => "u" + i.ToString(CultureInfo.InvariantCulture))]),
        RawColumn.Numeric("score", [.. Enumerable.Range(0, n).Select(i => i * 0.5)]),
    ]);

    static readonly ChunkColumn[] Columns = [new("id", false), new("score", true)];

    [Fact]
    public void Replaces_a_regular_file_atomically_and_keeps_its_mode()
    {
        using var dir = new IoTestUtil.Folder();
        string path = dir["out.csv"];
        File.WriteAllText(path, "old\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        TableWriter.Write(path, Table());
        Assert.Equal(6, File.ReadAllLines(path).Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Dev_null_is_written_through_and_stays_a_device()
    {
        using var dir = new IoTestUtil.Folder();
        Assert.Equal(PathKind.Special, PathIdentity.Kind("/dev/null"));
        TableWriter.Write("/dev/null", Table());
        AtomicFile.WriteAllText("/dev/null", "hello");
        // A link to the device (here with a .parquet name, so the Parquet writer runs) is written through too.
        string link = dir["null.parquet"];
        File.CreateSymbolicLink(link, "/dev/null");
        using (var w = ChunkWriter.Create(link, Columns)) { w.Write(Table()); w.Commit(); }
        Assert.Equal(PathKind.Special, PathIdentity.Kind("/dev/null"));
        Assert.Equal(0, new FileInfo("/dev/null").Length);
        Assert.False(PathIdentity.IsSymbolicLink("/dev/null"));
        Assert.True(PathIdentity.IsSymbolicLink(link));
        Assert.Equal([link], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Full_disk_is_a_clear_error_naming_the_path()
    {
        var e = Assert.Throws<UpliftException>(() => TableWriter.Write("/dev/full", Table(2000)));
        Assert.Contains("disk full writing /dev/full", e.Message);
        Assert.Equal(PathKind.Special, PathIdentity.Kind("/dev/full"));
    }

    [Theory]
    [InlineData("out.csv")]
    [InlineData("out.csv.gz")]
    [InlineData("out.parquet")]
    public async Task A_fifo_is_written_through_and_read_by_another_thread(string name)
    {
        using var dir = new IoTestUtil.Folder();
        string fifo = dir[name];
        IoTestUtil.CreateFifo(fifo);
        var reader = Task.Run(() =>
        {
            using var fs = new FileStream(fifo, FileMode.Open, FileAccess.Read);
            using var ms = new MemoryStream();
            fs.CopyTo(ms);
            return ms.ToArray();
        });
        TableWriter.Write(fifo, Table(100));
        byte[] bytes = await reader.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(PathKind.Special, PathIdentity.Kind(fifo));
        // What came through the FIFO is the whole table: write it to a file and read it back.
        string copy = dir["copy" + (name.EndsWith(".gz", StringComparison.Ordinal) ? ".csv.gz" : Path.GetExtension(name))];
        File.WriteAllBytes(copy, bytes);
        var back = TableReader.Read(copy);
        Assert.Equal(100, back.Rows);
        Assert.Equal("u99", back.Find("id")!.Strings![99]);
        Assert.Empty(IoTestUtil.Temps(dir.Path));
    }

    [Fact]
    public void A_symlink_is_written_through_to_its_target_and_stays_a_link()
    {
        using var dir = new IoTestUtil.Folder();
        Directory.CreateDirectory(dir["real"]);
        string target = dir["real/target.csv"];
        File.WriteAllText(target, "old\n");
        string link = dir["link.csv"];
        File.CreateSymbolicLink(link, "real/target.csv");
        string chain = dir["chain.csv"];
        File.CreateSymbolicLink(chain, link);

        TableWriter.Write(link, Table(3));
        Assert.True(PathIdentity.IsSymbolicLink(link));
        Assert.Equal("real/target.csv", new FileInfo(link).LinkTarget);
        Assert.Equal(4, File.ReadAllLines(target).Length);

        AtomicFile.WriteAllText(chain, "a,b\n1,2\n");
        Assert.True(PathIdentity.IsSymbolicLink(chain));
        Assert.True(PathIdentity.IsSymbolicLink(link));
        Assert.Equal("a,b\n1,2\n", File.ReadAllText(target));
        Assert.Empty(IoTestUtil.Temps(dir.Path));
    }

    [Fact]
    public void A_dangling_symlink_creates_its_target()
    {
        using var dir = new IoTestUtil.Folder();
        string link = dir["link.json"];
        File.CreateSymbolicLink(link, dir["sub/model.json"]);
        AtomicFile.WriteAllText(link, "{}");
        Assert.True(PathIdentity.IsSymbolicLink(link));
        Assert.Equal("{}", File.ReadAllText(dir["sub/model.json"]));
    }

    [Fact]
    public void Long_file_names_work()
    {
        using var dir = new IoTestUtil.Folder();
        string stem = new('n', 226);
        foreach (var ext in new[] { ".csv", ".svg" })
        {
            string path = dir[stem + ext];
            Assert.Equal(230, Path.GetFileName(path).Length);
            if (ext == ".csv") TableWriter.Write(path, Table());
            else CostCurvePlot.WriteSvg(path, [("m", Curve())], "t");
            Assert.True(new FileInfo(path).Length > 10);
        }
        string parquet = dir[new string('p', 222) + ".parquet"];
        using (var w = ChunkWriter.Create(parquet, Columns)) { w.Write(Table()); w.Commit(); }
        Assert.Equal(5, TableReader.Read(parquet).Rows);
        string longest = dir[new string('x', 255)];
        AtomicFile.WriteAllText(longest, "ok");
        Assert.Equal("ok", File.ReadAllText(longest));
        Assert.Empty(IoTestUtil.Temps(dir.Path));
    }

    static CostCurveResult Curve()
    {
        int n = 40;
        var s = new double[n]; var t = new byte[n]; var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++) { s[i] = i; t[i] = (byte)(i % 2); v[i] = t[i] * (1 + i * 0.1); c[i] = t[i] * 1.0; }
        return CostCurve.Compute(s, t, v, c);
    }

    [Fact]
    public void A_failed_write_leaves_the_target_and_no_temp()
    {
        using var dir = new IoTestUtil.Folder();
        string path = dir["model.json"];
        File.WriteAllText(path, "old");
        var e = Assert.Throws<UpliftException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            throw new IOException("simulated device error");
        }));
        Assert.Contains("cannot write " + path, e.Message);
        Assert.Contains("simulated device error", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Empty(IoTestUtil.Temps(dir.Path));

        // A bug in the caller's writer propagates as it is, and still leaves nothing behind.
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new InvalidOperationException("bug"); }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Empty(IoTestUtil.Temps(dir.Path));

        // A chunk writer abandoned half way (an exception between chunks) leaves the old file.
        try
        {
            using var w = ChunkWriter.Create(path.Replace(".json", ".csv"), Columns);
            w.Write(Table());
            Assert.Single(IoTestUtil.Temps(dir.Path));
            throw new TimeoutException();
        }
        catch (TimeoutException) { }
        Assert.Empty(IoTestUtil.Temps(dir.Path));
        Assert.False(File.Exists(path.Replace(".json", ".csv")));
    }

    [Fact]
    public void Stale_temps_are_removed_by_the_next_write_into_the_folder()
    {
        using var dir = new IoTestUtil.Folder();
        int dead = 4_194_305; // above Linux's largest pid_max: never a live process
        string deadTemp = dir[$".uplift-{dead}-0badf00d.tmp"];
        string ownLeftover = dir[$".uplift-{Environment.ProcessId}-12345678.tmp"];
        string liveRecent = dir[".uplift-1-abcdef01.tmp"]; // pid 1 is alive
        string liveOld = dir[".uplift-1-abcdef02.tmp"];
        string other = dir[".uplift-notes.tmp"], mine = dir["keep.tmp"];
        foreach (var f in new[] { deadTemp, ownLeftover, liveRecent, liveOld, other, mine }) File.WriteAllText(f, "x");
        File.SetLastWriteTimeUtc(liveOld, DateTime.UtcNow - AtomicFile.StaleAfter - TimeSpan.FromMinutes(1));

        TableWriter.Write(dir["out.csv"], Table());

        Assert.False(File.Exists(deadTemp));
        Assert.False(File.Exists(ownLeftover));
        Assert.False(File.Exists(liveOld));
        Assert.True(File.Exists(liveRecent));
        Assert.True(File.Exists(other));
        Assert.True(File.Exists(mine));
        Assert.True(File.Exists(dir["out.csv"]));
    }

    [Fact]
    public void A_temp_being_written_is_not_removed_by_a_second_write_into_the_folder()
    {
        using var dir = new IoTestUtil.Folder();
        using var first = ChunkWriter.Create(dir["a.csv"], Columns);
        first.Write(Table());
        TableWriter.Write(dir["b.csv"], Table());
        first.Write(Table());
        first.Commit();
        Assert.Equal(11, File.ReadAllLines(dir["a.csv"]).Length);
        Assert.Empty(IoTestUtil.Temps(dir.Path));
    }

    [Fact]
    public void Temp_names_are_short_and_recognised()
    {
        using var dir = new IoTestUtil.Folder();
        using var w = AtomicFile.Begin(dir[new string('y', 250) + ".csv"]);
        string name = Path.GetFileName(w.TempPath!);
        Assert.True(name.Length <= 30, name);
        Assert.True(AtomicFile.IsTempName(name, out int pid));
        Assert.Equal(Environment.ProcessId, pid);
        Assert.False(AtomicFile.IsTempName(".uplift-12-xyz.tmp", out _));
        Assert.False(AtomicFile.IsTempName("uplift-12-12345678.tmp", out _));
    }

    [Fact]
    public void Missing_folders_are_created_by_every_library_writer()
    {
        using var dir = new IoTestUtil.Folder();
        TableWriter.Write(dir["a/b/t.csv"], Table());
        using (var w = ChunkWriter.Create(dir["c/d/t.parquet"], Columns)) { w.Write(Table()); w.Commit(); }
        CostCurvePlot.WriteSvg(dir["e/f/p.svg"], [("m", Curve())], "t");
        CostCurvePlot.WritePng(dir["g/h/p.png"], [("m", Curve())], "t", new CostCurvePlotOptions { PngScale = 1 });
        AtomicFile.WriteAllText(dir["i/j/x.json"], "{}");
        Assert.True(File.Exists(dir["a/b/t.csv"]));
        Assert.Equal(5, TableReader.Read(dir["c/d/t.parquet"]).Rows);
        Assert.True(File.Exists(dir["e/f/p.svg"]));
        Assert.True(File.Exists(dir["g/h/p.png"]));
        Assert.True(File.Exists(dir["i/j/x.json"]));
    }

    [Fact]
    public void A_folder_or_a_file_in_the_way_is_a_clear_error()
    {
        using var dir = new IoTestUtil.Folder();
        var e = Assert.Throws<UpliftException>(() => TableWriter.Write(dir.Path, Table()));
        Assert.Contains("is a folder", e.Message);
        File.WriteAllText(dir["file"], "x");
        e = Assert.Throws<UpliftException>(() => TableWriter.Write(dir["file/sub/o.csv"], Table()));
        Assert.Contains("cannot create the folder", e.Message);
        Assert.Contains("o.csv", e.Message);
        Assert.Equal("x", File.ReadAllText(dir["file"]));
    }

    [Fact]
    public void Dev_stdout_is_written_through()
    {
        // /dev/stdout names a process descriptor: it is opened, never renamed over (here it is the test host's stdout).
        Assert.True(AtomicFile.IsDescriptorPath("/dev/stdout"));
        Assert.True(AtomicFile.IsDescriptorPath("/proc/self/fd/1"));
        Assert.False(AtomicFile.IsDescriptorPath("/dev/shm/x.csv"));
        using var w = AtomicFile.Begin("/dev/stdout");
        Assert.True(w.Direct);
        Assert.Null(w.TempPath);
        w.Commit();
        Assert.True(PathIdentity.IsSymbolicLink("/dev/stdout"));
    }
}

using Uplift.IO;
using Xunit;

namespace Uplift.Tests.IO;

/// <summary>"Is A the same file as B" through every spelling the file system allows.</summary>
public class PathIdentityTests
{
    [Fact]
    public void Every_spelling_of_one_file_is_the_same_file()
    {
        using var dir = new IoTestUtil.Folder();
        Directory.CreateDirectory(dir["a"]);
        string x = dir["x.csv"];
        File.WriteAllText(x, "1");
        File.CreateSymbolicLink(dir["link.csv"], "x.csv");
        Directory.CreateSymbolicLink(dir["dirlink"], dir.Path);
        IoTestUtil.CreateHardLink(x, dir["hard.csv"]);
        string[] spellings =
        [
            x, Path.Combine(dir.Path, ".", "x.csv"), Path.Combine(dir.Path, "a", "..", "x.csv"), dir["link.csv"],
            dir["hard.csv"], Path.Combine(dir.Path, "dirlink", "x.csv"), Path.Combine(dir.Path, "a", "..", "dirlink", "link.csv"),
        ];
        foreach (var s in spellings)
        {
            Assert.True(PathIdentity.SameFile(x, s), s);
            Assert.True(PathIdentity.SameFile(s, x), s);
            Assert.Equal(PathKind.Regular, PathIdentity.Kind(s));
        }
        string cwd = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = dir["a"];
            Assert.True(PathIdentity.SameFile("../x.csv", x));
            Assert.True(PathIdentity.SameFile("./../dirlink/hard.csv", x));
        }
        finally { Environment.CurrentDirectory = cwd; }
    }

    [Fact]
    public void Different_files_are_different()
    {
        using var dir = new IoTestUtil.Folder();
        File.WriteAllText(dir["x.csv"], "1");
        File.WriteAllText(dir["y.csv"], "1"); // same content, other file
        File.WriteAllText(dir["X.csv"], "1"); // another file on a case-sensitive file system
        Assert.False(PathIdentity.SameFile(dir["x.csv"], dir["y.csv"]));
        Assert.False(PathIdentity.SameFile(dir["x.csv"], dir["X.csv"]));
        Assert.False(PathIdentity.SameFile(dir["x.csv"], dir["missing.csv"]));
        Assert.False(PathIdentity.SameFile(dir["missing.csv"], dir["x.csv"]));
    }

    [Fact]
    public void Files_that_do_not_exist_yet_compare_by_their_canonical_path()
    {
        using var dir = new IoTestUtil.Folder();
        Directory.CreateDirectory(dir["a"]);
        Directory.CreateSymbolicLink(dir["dirlink"], dir["a"]);
        Assert.True(PathIdentity.SameFile(dir["a/new.csv"], dir["dirlink/new.csv"]));
        Assert.True(PathIdentity.SameFile(dir["a/new.csv"], Path.Combine(dir.Path, "b", "..", "a", "new.csv")));
        Assert.True(PathIdentity.SameFile(dir["no/such/new.csv"], dir["no/such/./new.csv"]));
        Assert.False(PathIdentity.SameFile(dir["a/new.csv"], dir["a/new.svg"]));
        Assert.Equal(Path.Combine(PathIdentity.Canonical(dir["a"]), "new.csv"), PathIdentity.Canonical(dir["dirlink/new.csv"]));
    }

    [Fact]
    public void Kinds_follow_links()
    {
        using var dir = new IoTestUtil.Folder();
        Assert.Equal(PathKind.Special, PathIdentity.Kind("/dev/null"));
        Assert.Equal(PathKind.Directory, PathIdentity.Kind(dir.Path));
        Assert.Equal(PathKind.Missing, PathIdentity.Kind(dir["nothing"]));
        File.CreateSymbolicLink(dir["dangling"], dir["nothing"]);
        Assert.Equal(PathKind.Missing, PathIdentity.Kind(dir["dangling"]));
        Assert.True(PathIdentity.IsSymbolicLink(dir["dangling"]));
        IoTestUtil.CreateFifo(dir["fifo"]);
        Assert.Equal(PathKind.Special, PathIdentity.Kind(dir["fifo"]));
        Assert.False(PathIdentity.IsSymbolicLink(dir["fifo"]));
    }

    [Fact]
    public void Invalid_names_are_answered_not_thrown()
    {
        Assert.Equal(PathKind.Missing, PathIdentity.Kind("a\0b"));
        Assert.False(PathIdentity.SameFile("a\0b", "/dev/null"));
        Assert.True(PathIdentity.SameFile("a\0b", "a\0b"));
        var e = Assert.Throws<UpliftException>(() => AtomicFile.WriteAllText("a\0b", "x"));
        Assert.Contains("not a valid file name", e.Message);
    }
}

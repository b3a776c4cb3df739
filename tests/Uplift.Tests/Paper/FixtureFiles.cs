using System.IO.Compression;
using System.Text;

namespace Uplift.Tests.Paper;

/// <summary>A temporary folder for fixture files written by a test; deleted on dispose.</summary>
public sealed class FixtureFiles : IDisposable
{
    public string Dir { get; } = Path.Combine(Path.GetTempPath(), "uplift-bench-tests-" + Guid.NewGuid().ToString("N"));

    public FixtureFiles() => Directory.CreateDirectory(Dir);

    public string Write(string name, IEnumerable<string> lines, bool gzip = false)
    {
        string path = Path.Combine(Dir, name);
        var text = string.Join("\n", lines) + "\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        if (!gzip) { File.WriteAllBytes(path, bytes); return path; }
        using var fs = File.Create(path);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        gz.Write(bytes);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

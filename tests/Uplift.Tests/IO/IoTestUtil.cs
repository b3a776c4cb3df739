using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Uplift.IO;

namespace Uplift.Tests.IO;

/// <summary>File-system fixtures the IO tests need: FIFOs and hard links (libc), hashes, temp-file listings.</summary>
static class IoTestUtil
{
    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    static extern int MkFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string created);

    public static void CreateFifo(string path)
    {
        if (MkFifo(path, 0x1B6 /* 0666 */) != 0) throw new IOException($"mkfifo {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    public static void CreateHardLink(string existing, string created)
    {
        if (Link(existing, created) != 0) throw new IOException($"link {created}: errno {Marshal.GetLastPInvokeError()}");
    }

    public static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>Every temporary file of <see cref="AtomicFile"/> (or of the old writers) under <paramref name="dir"/>.</summary>
    public static string[] Temps(string dir) =>
        Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories);

    /// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
    public sealed class Folder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "uplift-io-" + Guid.NewGuid().ToString("N"));
        public Folder() => Directory.CreateDirectory(Path);
        public string this[string name] => System.IO.Path.Combine(Path, name);
        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}

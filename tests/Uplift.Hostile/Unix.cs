using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Uplift.Hostile;

/// <summary>The few POSIX calls the cases need: FIFOs, hard links, device nodes.</summary>
public static class Unix
{
    [DllImport("libc", SetLastError = true, EntryPoint = "mkfifo")]
    static extern int MkFifo(string path, uint mode);

    [DllImport("libc", SetLastError = true, EntryPoint = "link")]
    static extern int Link(string existing, string newPath);

    public static void Fifo(string path)
    {
        if (MkFifo(path, 0x1B6) != 0) throw new IOException($"mkfifo {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    public static void HardLink(string existing, string path)
    {
        if (Link(existing, path) != 0) throw new IOException($"link {path}: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>A character device node equal to /dev/null inside the case folder, so that a program that renames
    /// over its output replaces only this copy, never the machine's /dev/null. False when not allowed (not root).</summary>
    public static bool NullDevice(string path) => Device(path, 1, 3);

    /// <summary>A character device node (1,3 = null, 1,7 = full) inside the case folder.</summary>
    public static bool Device(string path, int major, int minor)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("mknod", ["-m", "666", path, "c", major.ToString(), minor.ToString()])
            { RedirectStandardError = true, UseShellExecute = false })!;
            p.WaitForExit();
            return p.ExitCode == 0 && IsCharDevice(path);
        }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    public static bool IsCharDevice(string path)
    {
        return Stat(path) == 'c';
    }

    public static bool IsFifo(string path) => Stat(path) == 'p';

    public static bool IsSymlink(string path) => new FileInfo(path).LinkTarget is not null;

    /// <summary>The file type letter of 'stat -c %A' ('-' file, 'c' char device, 'p' FIFO, 'l' link), or '?' if absent.</summary>
    public static char Stat(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%A", path])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var s = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 && s.Length > 0 ? s[0] : '?';
    }

    /// <summary>A background 'cat' that keeps reading a FIFO (so a writer does not block), or writes a file into it.</summary>
    public static IDisposable Cat(string from, string to)
    {
        var psi = new ProcessStartInfo("sh", ["-c", "cat \"$1\" > \"$2\"", "sh", from, to]) { UseShellExecute = false };
        return new Killer(Process.Start(psi)!);
    }

    sealed class Killer(Process p) : IDisposable
    {
        public void Dispose()
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); p.WaitForExit(2000); }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
    }
}

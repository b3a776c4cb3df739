using System.Runtime.InteropServices;

namespace Uplift.IO;

/// <summary>What a path names, after following symbolic links.</summary>
public enum PathKind
{
    /// <summary>Nothing (or a dangling symbolic link).</summary>
    Missing,
    /// <summary>A regular file: atomic writes replace it by renaming a temporary file over it.</summary>
    Regular,
    /// <summary>A folder.</summary>
    Directory,
    /// <summary>Anything else: a character or block device (/dev/null), a FIFO, a socket. Writes go straight to it.</summary>
    Special,
}

/// <summary>
/// Answers "do paths A and B name the same file?" as the file system sees it: after symbolic links, <c>./</c> and
/// <c>..</c> (taken by the text, as <see cref="Path.GetFullPath(string)"/> and so every writer does), and, when both exist, by (device, inode), so hard links and case-insensitive file systems count as
/// the same file. On Linux the answers come from <c>statx</c> and <c>realpath</c> (libc); elsewhere from the full
/// path with links resolved (case-insensitive on Windows and macOS).
/// </summary>
public static class PathIdentity
{
    /// <summary>The identity of an existing file: device and inode (Linux), or null where unknown.</summary>
    public readonly record struct FileId(ulong Device, ulong Inode);

    /// <summary>What <paramref name="path"/> names, following symbolic links.</summary>
    public static PathKind Kind(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        path = Full(path);
        if (Native.Stat(path, followLinks: true) is { } st) return KindOf(st.Mode);
        if (Native.Available) return PathKind.Missing;
        if (Directory.Exists(path)) return PathKind.Directory;
        if (!File.Exists(path)) return PathKind.Missing;
        // Without stat, the device folder is the one place where non-regular files are common.
        string full = Path.GetFullPath(path);
        return full.StartsWith("/dev/", StringComparison.Ordinal) && !full.StartsWith("/dev/shm/", StringComparison.Ordinal)
            ? PathKind.Special : PathKind.Regular;
    }

    /// <summary>True when <paramref name="path"/> itself is a symbolic link (whether or not its target exists).</summary>
    public static bool IsSymbolicLink(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        path = Full(path);
        if (Native.Stat(path, followLinks: false) is { } st) return (st.Mode & Native.S_IFMT) == Native.S_IFLNK;
        try { return new FileInfo(path).LinkTarget is not null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>(device, inode) of the file <paramref name="path"/> names (links followed), or null when it does not
    /// exist or the platform does not tell.</summary>
    public static FileId? Id(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Native.Stat(Full(path), followLinks: true) is { } st ? new FileId(st.Device, st.Inode) : null;
    }

    /// <summary>
    /// The absolute path with every symbolic link, <c>.</c> and <c>..</c> resolved as far as the path exists; the
    /// part that does not exist yet is appended as written.
    /// </summary>
    public static string Canonical(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Full(path);
        var tail = new Stack<string>();
        string? current = full;
        while (current is not null)
        {
            if (Resolve(current) is { } real)
            {
                foreach (var part in tail) real = Path.Combine(real, part);
                return real;
            }
            string? parent = Path.GetDirectoryName(current);
            if (parent is null) break;
            tail.Push(Path.GetFileName(current));
            current = parent;
        }
        return full;
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> name the same file (see the class summary).
    /// Two paths that do not exist yet are the same when their canonical paths are equal.</summary>
    public static bool SameFile(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (ia, ib) = (Id(a), Id(b));
        if (ia is not null && ib is not null) return ia == ib;
        if (ia is not null || ib is not null) return false; // one exists, the other does not
        return string.Equals(Canonical(a), Canonical(b), PathComparison);
    }

    /// <summary>The absolute path with <c>.</c> and <c>..</c> removed as the writers see it (by the text, as
    /// <see cref="Path.GetFullPath(string)"/> does), so the guard and the writer agree on which file is meant.</summary>
    static string Full(string path)
    {
        try { return Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return path; }
    }

    static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    static PathKind KindOf(uint mode) => (mode & Native.S_IFMT) switch
    {
        Native.S_IFREG => PathKind.Regular,
        Native.S_IFDIR => PathKind.Directory,
        _ => PathKind.Special,
    };

    /// <summary>The real path of an existing path, or null when it does not exist.</summary>
    static string? Resolve(string path)
    {
        if (Native.RealPath(path) is { } real) return real;
        if (Native.Available) return null;
        if (!File.Exists(path) && !Directory.Exists(path)) return null;
        try
        {
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            return target is null ? Path.GetFullPath(path) : Path.GetFullPath(target.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Path.GetFullPath(path); }
    }
}

/// <summary>The few libc calls the IO helpers need (Linux; <see cref="Available"/> is false elsewhere).</summary>
static class Native
{
    public const uint S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000, S_IFLNK = 0xA000;
    const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100;
    const uint StatxBasicStats = 0x7FF;

    public readonly record struct StatInfo(uint Mode, ulong Inode, ulong Device);

    /// <summary>struct statx: the same layout on every Linux architecture (256 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    struct StatxBuffer
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }

    [DllImport("libc", EntryPoint = "statx", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    static extern int StatxCall(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    static extern IntPtr RealPathCall([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    static extern void Free(IntPtr p);

    static bool _available = OperatingSystem.IsLinux();

    /// <summary>True when the libc calls work here (Linux with glibc 2.28+ or musl 1.2.5+).</summary>
    public static bool Available => _available;

    /// <summary>stat of <paramref name="path"/>, or null when it does not exist (or the call is not available).</summary>
    public static StatInfo? Stat(string path, bool followLinks)
    {
        if (!_available || path.Length == 0 || path.Contains('\0')) return null;
        try
        {
            if (StatxCall(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, out var b) != 0) return null;
            return new StatInfo(b.Mode, b.Inode, ((ulong)b.DevMajor << 32) | b.DevMinor);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _available = false;
            return null;
        }
    }

    /// <summary>realpath(3) of an existing path, or null.</summary>
    public static string? RealPath(string path)
    {
        if (!_available || path.Length == 0 || path.Contains('\0')) return null;
        try
        {
            IntPtr p = RealPathCall(path, IntPtr.Zero);
            if (p == IntPtr.Zero) return null;
            try { return Marshal.PtrToStringUTF8(p); }
            finally { Free(p); }
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _available = false;
            return null;
        }
    }
}

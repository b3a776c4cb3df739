using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Uplift.IO;

/// <summary>
/// The one way the project writes a file (tables, models, plots, reports, plans). The rules:
/// <list type="bullet">
/// <item>A regular file (or a path that does not exist yet) is written atomically: the bytes go to a temporary file
/// <c>.uplift-&lt;pid&gt;-&lt;8 hex&gt;.tmp</c> in the target's folder (a short name, so any valid target name works),
/// which is flushed to disk and renamed over the target only at <see cref="AtomicWrite.Commit"/>. Readers see the
/// old file or the complete new one, never a part. An existing target keeps its permission bits.</item>
/// <item>A symbolic link is written through: the file at the link's final target is replaced atomically (in the
/// target's folder) and the link stays a link.</item>
/// <item>An existing target that is not a regular file (<c>/dev/null</c>, <c>/dev/stdout</c>, a FIFO, a device) or
/// a path naming a process file descriptor (<c>/dev/stdout</c>, <c>/dev/fd/N</c>, <c>/proc/self/fd/N</c>) is written
/// straight to, never renamed over (a descriptor that is a regular file is appended to, as after <c>&gt;&gt;</c>).</item>
/// <item>Missing folders of the target are created.</item>
/// <item>Before each write, temporary files of this naming in the target's folder whose process is gone (or that are
/// older than <see cref="StaleAfter"/>) are removed, so a killed write leaves nothing behind after the next one.</item>
/// <item>Any failure (a full disk, no permission, an exception of the caller's writer) deletes the temporary file,
/// leaves the target as it was, and IO failures become an <see cref="UpliftException"/> naming the path
/// ("disk full writing X").</item>
/// </list>
/// </summary>
public static class AtomicFile
{
    /// <summary>Start of every temporary file name.</summary>
    public const string TempPrefix = ".uplift-";
    /// <summary>End of every temporary file name.</summary>
    public const string TempSuffix = ".tmp";
    /// <summary>A temporary file this old is removed even when its process id is alive (the id may be reused).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromHours(6);

    /// <summary>Starts writing <paramref name="path"/>; write to <see cref="AtomicWrite.Stream"/>, then
    /// <see cref="AtomicWrite.Commit"/>. Disposing without committing discards the new content.</summary>
    public static AtomicWrite Begin(string path, int bufferSize = 1 << 16)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new AtomicWrite(path, bufferSize);
    }

    /// <summary>Writes the bytes <paramref name="write"/> produces to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var w = Begin(path);
        w.Run(() => write(w.Stream));
        w.Commit();
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, s => s.Write(bytes));
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, new UTF8Encoding(false).GetBytes(text));
    }

    /// <summary>True when <paramref name="fileName"/> has the shape of one of our temporary files; gives its process id.</summary>
    public static bool IsTempName(string fileName, out int pid)
    {
        pid = 0;
        if (!fileName.StartsWith(TempPrefix, StringComparison.Ordinal) || !fileName.EndsWith(TempSuffix, StringComparison.Ordinal)) return false;
        var middle = fileName.AsSpan(TempPrefix.Length, fileName.Length - TempPrefix.Length - TempSuffix.Length);
        int dash = middle.IndexOf('-');
        return dash > 0 && middle.Length - dash - 1 == 8
            && int.TryParse(middle[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out pid);
    }

    /// <summary>Removes the stale temporary files of <paramref name="folder"/> (see the class summary); returns how many.
    /// Files it cannot remove are left alone.</summary>
    public static int RemoveStaleTemps(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        int removed = 0;
        IEnumerable<string> files;
        try { files = Directory.EnumerateFiles(folder, TempPrefix + "*" + TempSuffix); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        try
        {
            foreach (var f in files)
            {
                if (!IsTempName(Path.GetFileName(f), out int pid)) continue;
                try
                {
                    bool stale = pid == Environment.ProcessId
                        ? !AtomicWrite.IsOpen(f) // this process: every temp not being written is left over
                        : DateTime.UtcNow - File.GetLastWriteTimeUtc(f) > StaleAfter || !ProcessAlive(pid);
                    if (!stale) continue;
                    File.Delete(f);
                    removed++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return removed;
    }

    static bool ProcessAlive(int pid)
    {
        if (OperatingSystem.IsLinux()) return Directory.Exists("/proc/" + pid.ToString(CultureInfo.InvariantCulture));
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return false; }
    }

    /// <summary>True for a path that names a process file descriptor (always written through).</summary>
    internal static bool IsDescriptorPath(string full) =>
        full is "/dev/stdin" or "/dev/stdout" or "/dev/stderr"
        || full.StartsWith("/dev/fd/", StringComparison.Ordinal)
        || (full.StartsWith("/proc/", StringComparison.Ordinal) && full.Contains("/fd/", StringComparison.Ordinal));

    /// <summary>The user-facing error for a failed write of <paramref name="path"/>.</summary>
    internal static UpliftException Failure(string path, Exception e)
    {
        if (IsDiskFull(e)) return new UpliftException($"disk full writing {path}; free some space or choose another folder.", e);
        if (e is UnauthorizedAccessException) return new UpliftException($"cannot write {path}: permission denied.", e);
        return new UpliftException($"cannot write {path}: {e.Message}", e);
    }

    static bool IsDiskFull(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is not IOException) continue;
            int h = x.HResult;
            // Unix: HResult is errno (ENOSPC 28, EDQUOT 122 on Linux); Windows: ERROR_HANDLE_DISK_FULL / ERROR_DISK_FULL.
            if (OperatingSystem.IsWindows() ? h is unchecked((int)0x80070027) or unchecked((int)0x80070070) : h is 28 or 122) return true;
            if (x.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}

/// <summary>One write in progress (see <see cref="AtomicFile"/>). Not thread-safe.</summary>
public sealed class AtomicWrite : IDisposable
{
    static readonly HashSet<string> OpenTemps = [];

    readonly string _path;
    readonly string? _temp;
    readonly FileStream _file;
    bool _committed, _disposed;

    /// <summary>The path as the caller gave it (used in messages).</summary>
    public string Path => _path;
    /// <summary>The file that is replaced (the final target of a symbolic link) or written through.</summary>
    public string Target { get; }
    /// <summary>True when the target is written straight to (not a regular file), without a temporary file.</summary>
    public bool Direct => _temp is null;
    /// <summary>The temporary file, or null when <see cref="Direct"/>.</summary>
    public string? TempPath => _temp;
    /// <summary>Where the content goes.</summary>
    public Stream Stream => _file;

    internal AtomicWrite(string path, int bufferSize)
    {
        _path = path;
        string full;
        try { full = System.IO.Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UpliftException($"cannot write {path}: not a valid file name.");
        }
        var kind = PathIdentity.Kind(full);
        if (kind == PathKind.Directory) throw new UpliftException($"cannot write {path}: it is a folder; give a file name.");
        if (kind == PathKind.Special || AtomicFile.IsDescriptorPath(full))
        {
            Target = full;
            try
            {
                // A device or FIFO is opened as it is; a descriptor that is a regular file (stdout redirected with
                // > or >>) is appended to, as the shell would.
                _file = new FileStream(full, kind == PathKind.Special ? FileMode.Open : FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw AtomicFile.Failure(path, e); }
            return;
        }

        Target = PathIdentity.IsSymbolicLink(full) ? LinkTarget(full) : full;
        string dir = System.IO.Path.GetDirectoryName(Target) ?? throw new UpliftException($"cannot write {path}: not a file name.");
        try { Directory.CreateDirectory(dir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UpliftException($"cannot write {path}: cannot create the folder {dir} ({e.Message})", e);
        }
        AtomicFile.RemoveStaleTemps(dir);
        for (int attempt = 0; ; attempt++)
        {
            string temp = System.IO.Path.Combine(dir,
                $"{AtomicFile.TempPrefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Random.Shared.Next():x8}{AtomicFile.TempSuffix}");
            lock (OpenTemps) OpenTemps.Add(temp); // before it exists, so no cleanup of this process removes it
            try
            {
                _file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize);
                _temp = temp;
                break;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                lock (OpenTemps) OpenTemps.Remove(temp);
                if (e is IOException && attempt < 8 && File.Exists(temp)) continue; // a name collision: draw another
                throw AtomicFile.Failure(path, e);
            }
        }
    }

    internal static bool IsOpen(string temp)
    {
        lock (OpenTemps) return OpenTemps.Contains(temp);
    }

    static string LinkTarget(string link)
    {
        if (Native.RealPath(link) is { } real) return real; // the link chain ends at an existing file
        try
        {
            var target = new FileInfo(link).ResolveLinkTarget(returnFinalTarget: true);
            return target is null ? link : System.IO.Path.GetFullPath(target.FullName);
        }
        catch (IOException) { return link; } // a loop of links: opening it fails with a clear error later
    }

    /// <summary>Runs a step of the caller's writer, turning its IO failures into the <see cref="AtomicFile"/> error.</summary>
    public void Run(Action step)
    {
        ArgumentNullException.ThrowIfNull(step);
        try { step(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw AtomicFile.Failure(_path, e); }
    }

    /// <summary>Flushes the content to disk and, for a regular file, renames the temporary file over the target.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed) return;
        try
        {
            if (_temp is null)
            {
                _file.Flush();
                _file.Dispose();
            }
            else
            {
                _file.Flush(flushToDisk: true);
                _file.Dispose();
                KeepMode(Target, _temp);
                File.Move(_temp, Target, overwrite: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Discard();
            throw AtomicFile.Failure(_path, e);
        }
        _committed = true;
        Forget();
    }

    static void KeepMode(string target, string temp)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(target)) return;
        try { File.SetUnixFileMode(temp, File.GetUnixFileMode(target)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    void Discard()
    {
        try { _file.Dispose(); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        if (_temp is not null)
            try { File.Delete(_temp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    void Forget()
    {
        if (_temp is not null) lock (OpenTemps) OpenTemps.Remove(_temp);
    }

    /// <summary>Without <see cref="Commit"/>: deletes the temporary file (the target stays as it was).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_committed)
        {
            Discard();
            Forget();
        }
    }
}

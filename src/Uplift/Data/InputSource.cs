using System.IO.Compression;

namespace Uplift.Data;

/// <summary>
/// The limits every data file read by <see cref="TableReader"/>, <see cref="TableChunkReader"/> and the benchmark
/// readers is held to. Each is a default of <see cref="TableReadOptions"/>.
/// </summary>
public static class InputLimits
{
    /// <summary>Most bytes of input a reader accepts (64 GiB): a regular file's length (checked before reading), the
    /// bytes read from a pipe, and the decompressed bytes of a gzip file (counted while reading).</summary>
    public const long DefaultMaxInputBytes = 64L << 30;

    /// <summary>Most bytes read from a pipe, FIFO or process substitution (1 GiB): such input is read once, into memory.</summary>
    public const long DefaultMaxStreamBytes = 1L << 30;

    /// <summary>How long opening a FIFO waits for a writer (5 s) before it is refused.</summary>
    public static readonly TimeSpan DefaultStreamOpenTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Most times a gzip file may grow when decompressed (500), checked once it has given more than
    /// <see cref="GzipRatioFrom"/> bytes: real CSV compresses 5-50 times, a gzip bomb of blank lines or NUL bytes
    /// about 1,000 times (deflate's limit), so such a file is refused in seconds instead of read to the input cap.</summary>
    public const long MaxGzipRatio = 500;

    /// <summary>Decompressed bytes after which <see cref="MaxGzipRatio"/> is checked (64 MiB).</summary>
    public const long GzipRatioFrom = 64L << 20;

    /// <summary>Most consecutive blank lines a CSV file may end with (1,000,000): a longer run is not data (a gzip bomb of
    /// blank lines compresses only about 100 times at a low level, below <see cref="MaxGzipRatio"/>).</summary>
    public const long MaxBlankLines = 1_000_000;

    /// <summary>Most characters in one CSV row, quoted line breaks included (16,777,216: the buffer of the CSV parser).</summary>
    public const int MaxRowChars = 1 << 24;

    /// <summary>Most characters in a column name (1,024).</summary>
    public const int MaxColumnNameChars = 1024;
}

/// <summary>
/// A data file opened for reading, the same way for every reader: the path is checked with stat() before it is opened,
/// so a directory, a device (<c>/dev/zero</c>, a terminal) or a socket is refused without reading, and a FIFO
/// (a pipe, <c>/dev/stdin</c>, <c>&lt;(cat x.csv)</c>) is read once, sequentially, into memory (at most
/// <see cref="TableReadOptions.MaxStreamBytes"/>) after waiting at most <see cref="TableReadOptions.StreamOpenTimeout"/>
/// for a writer. A regular file longer than <see cref="TableReadOptions.MaxInputBytes"/> is refused before reading.
/// <see cref="Open"/> may be called any number of times (each call reads from the start).
/// </summary>
public sealed class InputSource
{
    readonly byte[]? _spooled;
    readonly long _maxInput;

    /// <summary>The path as given (used in messages).</summary>
    public string Path { get; }
    /// <summary>Bytes of the file (or of what was read from the pipe).</summary>
    public long Length { get; }
    /// <summary>True when the content starts with the Parquet magic bytes PAR1.</summary>
    public bool IsParquet { get; }
    /// <summary>True when the content starts with the gzip magic bytes 0x1f 0x8b.</summary>
    public bool IsGzip { get; }
    /// <summary>True when the input was a pipe / FIFO read into memory.</summary>
    public bool IsStream => _spooled is not null;

    InputSource(string path, byte[]? spooled, long length, long maxInput, ReadOnlySpan<byte> head)
    {
        Path = path; _spooled = spooled; Length = length; _maxInput = maxInput;
        IsParquet = head.Length >= 4 && head[0] == 'P' && head[1] == 'A' && head[2] == 'R' && head[3] == '1';
        IsGzip = head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    /// <summary>Checks and opens <paramref name="path"/>; throws <see cref="UpliftDataException"/> naming the file when it cannot be a data file.</summary>
    public static InputSource Of(string path, TableReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new TableReadOptions();
        if (path.Length == 0) throw new UpliftDataException("the data path is empty", path);
        var kind = FileKinds.Of(path);
        switch (kind)
        {
            case FileKind.Missing: throw new UpliftDataException("file not found", path);
            case FileKind.Directory: throw new UpliftDataException("is a directory, not a data file", path);
            case FileKind.Device: throw new UpliftDataException("is a device, not a data file (save the data to a file, or pipe it in)", path);
            case FileKind.Socket: throw new UpliftDataException("is a socket, not a data file", path);
        }
        byte[]? spooled = null;
        long length;
        if (kind == FileKind.Fifo)
        {
            spooled = Spool(path, options);
            length = spooled.Length;
        }
        else
        {
            try { length = new FileInfo(path).Length; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UpliftDataException($"cannot read the file: {e.Message}", path); }
            if (length > options.MaxInputBytes)
                throw new UpliftDataException($"is {CellText.Count(length)} bytes, more than the input cap of {CellText.Count(options.MaxInputBytes)} bytes", path);
        }
        if (length == 0) throw new UpliftDataException("the file is empty (no header row)", path);
        Span<byte> head = stackalloc byte[4];
        int got;
        if (spooled is not null)
        {
            got = Math.Min(4, spooled.Length);
            spooled.AsSpan(0, got).CopyTo(head);
        }
        else
        {
            try
            {
                using var fs = File.OpenRead(path);
                got = fs.ReadAtLeast(head, 4, throwOnEndOfStream: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UpliftDataException($"cannot read the file: {e.Message}", path); }
        }
        var source = new InputSource(path, spooled, length, options.MaxInputBytes, head[..got]);
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) && !source.IsParquet)
            throw new UpliftDataException("is not a Parquet file (no PAR1 magic bytes)", path);
        return source;
    }

    /// <summary>A new seekable stream of the raw bytes, from the start.</summary>
    public Stream Open()
    {
        if (_spooled is not null) return new MemoryStream(_spooled, writable: false);
        try { return new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new UpliftDataException($"cannot read the file: {e.Message}", Path); }
    }

    /// <summary>A new stream of the content: the raw bytes, or the decompressed bytes of a gzip file, counted against the input cap.</summary>
    public Stream OpenContent()
    {
        var raw = Open();
        return IsGzip ? new CappedStream(new GZipStream(raw, CompressionMode.Decompress), _maxInput, Path, raw.Length) : raw;
    }

    static byte[] Spool(string path, TableReadOptions options)
    {
        var stream = OpenFifo(path, options.StreamOpenTimeout);
        try
        {
            var ms = new MemoryStream();
            var buf = new byte[1 << 16];
            long cap = Math.Min(options.MaxStreamBytes, Math.Min(options.MaxInputBytes, Array.MaxLength));
            int r;
            while ((r = stream.Read(buf, 0, buf.Length)) > 0)
            {
                if (ms.Length + r > cap)
                    throw new UpliftDataException($"the pipe gave more than {CellText.Count(cap)} bytes, the cap for input that is not a regular file; save it to a file", path);
                ms.Write(buf, 0, r);
            }
            return ms.ToArray();
        }
        catch (IOException e) { throw new UpliftDataException($"cannot read the pipe: {e.Message}", path); }
        finally { stream.Dispose(); }
    }

    /// <summary>Opens a FIFO for reading; open() blocks until a writer comes, so it is done on a worker and given up after the timeout.</summary>
    static Stream OpenFifo(string path, TimeSpan timeout)
    {
        var opened = new TaskCompletionSource<Stream>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try { opened.SetResult(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None)); }
            catch (Exception e) { opened.SetException(e); }
        }) { IsBackground = true, Name = "uplift-fifo-open" }.Start();
        var open = opened.Task;
        try
        {
            if (open.Wait(timeout)) return open.Result;
        }
        catch (AggregateException e) when (e.InnerException is IOException or UnauthorizedAccessException)
        {
            throw new UpliftDataException($"cannot open the pipe: {e.InnerException.Message}", path);
        }
        // Nobody writes: release the blocked open() by opening the write end ourselves (a reader is waiting, so this
        // does not block), then drop both.
        _ = Task.Run(() =>
        {
            try { using var w = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None); }
            catch (Exception) { /* best effort */ }
            try { open.Result.Dispose(); } catch (Exception) { /* best effort */ }
        });
        throw new UpliftDataException($"is a pipe (FIFO) with no writer: waited {timeout.TotalSeconds:0.#} s for data", path);
    }
}

enum FileKind { Missing, Regular, Directory, Fifo, Device, Socket }

/// <summary>What a path is, from stat() (following symlinks), without opening it.</summary>
static class FileKinds
{
    public static FileKind Of(string path)
    {
        if (Directory.Exists(path)) return FileKind.Directory;
        if (!File.Exists(path)) return FileKind.Missing;
        if (OperatingSystem.IsWindows()) return FileKind.Regular;
        uint? mode = Uplift.IO.Native.Stat(path, followLinks: true)?.Mode; // the IO helpers' one stat (statx)
        return (mode & 0xF000) switch
        {
            null => FileKind.Regular,
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0x1000 => FileKind.Fifo,
            0x2000 or 0x6000 => FileKind.Device,
            0xC000 => FileKind.Socket,
            _ => FileKind.Regular,
        };
    }
}

/// <summary>A read-only stream that throws <see cref="UpliftDataException"/> once more than a cap of bytes came through (gzip bombs).</summary>
sealed class CappedStream(Stream inner, long cap, string path, long compressedBytes) : Stream
{
    long _read;

    public override int Read(byte[] buffer, int offset, int count) => Count(Guard(() => inner.Read(buffer, offset, count)));
    public override int Read(Span<byte> buffer)
    {
        try { return Count(inner.Read(buffer)); }
        catch (InvalidDataException e) { throw Damaged(e); }
    }

    int Guard(Func<int> read)
    {
        try { return read(); }
        catch (InvalidDataException e) { throw Damaged(e); }
    }

    UpliftDataException Damaged(InvalidDataException e) => new($"the gzip data is damaged: {e.Message}", path);

    int Count(int n)
    {
        _read += n;
        if (_read > cap)
            throw new UpliftDataException($"decompresses to more than {CellText.Count(cap)} bytes, the input cap (a gzip bomb?)", path);
        if (_read > InputLimits.GzipRatioFrom && _read > InputLimits.MaxGzipRatio * Math.Max(compressedBytes, 1))
            throw new UpliftDataException($"decompresses to more than {InputLimits.MaxGzipRatio} times its {CellText.Count(compressedBytes)} bytes " +
                "(real CSV compresses 5-50 times): refused as a gzip bomb", path);
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// A seekable read-only view that throws <see cref="EndOfStreamException"/> when asked for bytes at the end of the data,
/// instead of returning 0: Parquet.Net loops forever on such a read when a damaged page or chunk size points past the
/// end of the file (found by the reader fuzz). Valid files are never read past their end.
/// </summary>
sealed class NoReadPastEndStream(Stream inner) : Stream
{
    public override int Read(byte[] buffer, int offset, int count) => Check(inner.Read(buffer, offset, count), count);
    public override int Read(Span<byte> buffer) => Check(inner.Read(buffer), buffer.Length);
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offset, count));

    static int Check(int got, int asked) =>
        got == 0 && asked > 0 ? throw new EndOfStreamException("a size in the file points past its end") : got;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}

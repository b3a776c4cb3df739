using System.Globalization;
using System.IO.Compression;
using nietras.SeparatedValues;
using Parquet;
using Parquet.Schema;
using Uplift.IO;

namespace Uplift.Data;

/// <summary>
/// Writes a table chunk by chunk (<see cref="Write"/>, in output order), in the same formats as
/// <see cref="TableWriter"/>: <c>.parquet</c> = Parquet (one row group per chunk; numeric columns optional double,
/// text columns optional string), <c>.csv.gz</c> / <c>.gz</c> = gzipped CSV, anything else = CSV (header, ',',
/// shortest round-trip numbers, empty cell = missing, quotes where needed).
/// Text cells of a CSV are neutralised against formula injection (<see cref="CsvText.Neutralise"/>).
/// Written through <see cref="AtomicFile"/>: rows go to a temporary file next to the target, which replaces the
/// target only at <see cref="Commit"/> (a device or FIFO is written straight to; missing folders are created);
/// disposing without committing deletes the temporary file. Not thread-safe.
/// </summary>
public abstract class ChunkWriter : IDisposable
{
    readonly AtomicWrite _write;
    bool _committed, _disposed;

    /// <summary>The output columns, in order: name and whether the column is numeric (else text).</summary>
    public IReadOnlyList<ChunkColumn> Columns { get; }
    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    private protected Stream Stream => _write.Stream;

    private protected ChunkWriter(string path, IReadOnlyList<ChunkColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (columns.Count == 0) throw new ArgumentException("at least one column", nameof(columns));
        Columns = columns.ToArray();
        _write = AtomicFile.Begin(path, 1 << 20);
    }

    /// <summary>Creates a writer for <paramref name="path"/>, format from the extension (as <see cref="TableWriter.Write"/>).</summary>
    public static ChunkWriter Create(string path, IReadOnlyList<ChunkColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)) return new ParquetChunkWriter(path, columns);
        return new CsvChunkWriter(path, columns, gzip: path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Appends the rows of <paramref name="chunk"/>, which must have the <see cref="Columns"/> (by name, any order).
    /// A numeric column written as text uses the shortest round-trip text of each number (as <see cref="RawColumn.TextAt"/>).
    /// </summary>
    public void Write(RawTable chunk)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed) throw new InvalidOperationException("the output is already committed");
        var cols = Columns.Select(c => chunk.Find(c.Name) ?? throw new ArgumentException($"the chunk lacks the column '{c.Name}'")).ToArray();
        _write.Run(() => WriteChunk(cols, chunk.Rows));
        Rows += chunk.Rows;
    }

    private protected abstract void WriteChunk(RawColumn[] cols, int rows);
    private protected abstract void Finish();

    /// <summary>Finishes the file and moves it over the target path (see <see cref="AtomicFile"/>).</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed) return;
        _write.Run(Finish);
        _write.Commit();
        _committed = true;
    }

    /// <summary>Releases the file; without <see cref="Commit"/> the temporary file is deleted and the target left as it was.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_committed)
        {
            try { DisposeFormat(); } catch (Exception) { /* the file is discarded anyway (or the format never started) */ }
        }
        _write.Dispose();
        GC.SuppressFinalize(this);
    }

    private protected virtual void DisposeFormat() { }
}

sealed class CsvChunkWriter : ChunkWriter
{
    readonly Stream _target;
    readonly SepWriter _writer;
    readonly bool _gzip;

    public CsvChunkWriter(string path, IReadOnlyList<ChunkColumn> columns, bool gzip) : base(path, columns)
    {
        _gzip = gzip;
        _target = gzip ? new GZipStream(Stream, CompressionLevel.Fastest, leaveOpen: true) : Stream;
        _writer = new Sep(',').Writer(o => o with { Escape = true, CultureInfo = CultureInfo.InvariantCulture }).To(_target, leaveOpen: true);
        _writer.Header.Add(columns.Select(c => c.Name).ToArray());
    }

    private protected override void WriteChunk(RawColumn[] cols, int rows)
    {
        Span<char> buf = stackalloc char[32];
        for (int i = 0; i < rows; i++)
        {
            using var row = _writer.NewRow();
            for (int j = 0; j < cols.Length; j++)
            {
                var c = cols[j];
                if (c.Numbers is { } nums)
                {
                    double v = nums[i];
                    if (double.IsNaN(v)) row[j].Set("");
                    else
                    {
                        v.TryFormat(buf, out int len, "R", CultureInfo.InvariantCulture);
                        row[j].Set(buf[..len]);
                    }
                }
                else row[j].Set(CsvText.Neutralise(c.Strings![i] ?? ""));
            }
        }
    }

    private protected override void Finish()
    {
        if (Rows == 0) _writer.Header.Write();
        _writer.Dispose();
        if (_gzip) _target.Dispose();
    }

    private protected override void DisposeFormat()
    {
        _writer.Dispose();
        if (_gzip) _target.Dispose();
    }
}

sealed class ParquetChunkWriter : ChunkWriter
{
    readonly DataField[] _fields;
    readonly ParquetWriter _writer;

    public ParquetChunkWriter(string path, IReadOnlyList<ChunkColumn> columns) : base(path, columns)
    {
        _fields = columns.Select(c => c.Numeric ? (DataField)new DataField<double?>(c.Name) : new DataField<string>(c.Name, nullable: true)).ToArray();
        try { _writer = ParquetWriter.CreateAsync(new ParquetSchema(_fields), Stream, ParquetChunkReader.Options).GetAwaiter().GetResult(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Dispose(); // no writer is handed out: discard the temporary file now
            throw AtomicFile.Failure(path, e);
        }
    }

    private protected override void WriteChunk(RawColumn[] cols, int rows)
    {
        if (rows == 0) return;
        using var rg = _writer.CreateRowGroup();
        for (int j = 0; j < cols.Length; j++)
        {
            var c = cols[j];
            if (Columns[j].Numeric)
            {
                var nums = c.Numbers ?? throw new ArgumentException($"column '{c.Name}' must be numeric");
                var buf = new double?[rows];
                for (int i = 0; i < rows; i++) { double v = nums[i]; buf[i] = double.IsNaN(v) ? null : v; }
                rg.WriteAsync<double>(_fields[j], buf.AsMemory()).GetAwaiter().GetResult();
            }
            else
            {
                string?[] text;
                if (c.Strings is { } s && s.Length == rows) text = s;
                else
                {
                    text = new string?[rows];
                    for (int i = 0; i < rows; i++) text[i] = c.TextAt(i);
                }
                rg.WriteAsync(_fields[j], text!).GetAwaiter().GetResult();
            }
        }
    }

    private protected override void Finish()
    {
        if (Rows == 0)
        {
            // An empty table still has its schema (and one empty row group, as TableWriter writes).
            using var rg = _writer.CreateRowGroup();
            for (int j = 0; j < _fields.Length; j++)
            {
                if (Columns[j].Numeric) rg.WriteAsync<double>(_fields[j], Array.Empty<double?>().AsMemory()).GetAwaiter().GetResult();
                else rg.WriteAsync(_fields[j], Array.Empty<string>()).GetAwaiter().GetResult();
            }
        }
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private protected override void DisposeFormat() => _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
}

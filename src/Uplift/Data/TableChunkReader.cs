using nietras.SeparatedValues;
using Parquet;
using Parquet.Schema;
using Uplift.IO;

namespace Uplift.Data;

/// <summary>
/// A column to read chunk by chunk: by name, as numbers (<paramref name="Numeric"/>) or as text.
/// </summary>
/// <param name="Name">The column name in the file's header / schema.</param>
/// <param name="Numeric">True: every non-missing cell must be a number (a CSV cell that is not one is an error naming its
/// row); false: the cell's text. A Parquet column of another type than asked is read as it is (text stays text; the
/// consumer checks it, e.g. <see cref="Preprocessor.Transform(RawTable, ReadOnlySpan{int}, bool, long)"/>).</param>
/// <param name="Why">Said in the error for a CSV cell that is not a number, e.g. "'age' is a numeric feature of the model".</param>
public sealed record ChunkColumn(string Name, bool Numeric, string? Why = null);

/// <summary>A piece of a file: the table of its rows, its position among the chunks and the rows before it.</summary>
/// <param name="Index">0-based chunk number, in file order.</param>
/// <param name="FirstRow">Data rows of the file before this chunk, so the chunk's row k is data row FirstRow + k + 1.</param>
/// <param name="Table">The chunk's rows, with only the asked columns.</param>
public sealed record TableChunk(int Index, long FirstRow, RawTable Table);

/// <summary>
/// Reads a CSV or Parquet file in chunks of rows, so a file of any length is processed in bounded memory.
/// Only the asked columns are kept. <see cref="Next"/> is thread-safe and hands out the chunks in file order
/// (increasing <see cref="TableChunk.Index"/>); several threads may call it to read in parallel where the format
/// allows (<see cref="ParallelRead"/>).
/// <para>CSV: the same rules as <see cref="TableReader"/> (header, quoting, trimming, missing tokens, gzip), but the
/// type of each column is the asked one rather than inferred, so text cells are kept as written (an id "007" stays
/// "007"). Chunks hold at most <c>chunkRows</c> rows and are parsed one at a time.</para>
/// <para>Parquet: a chunk is one row group (Parquet.Net decodes a column of a row group whole), so memory per chunk
/// follows the writer's row group size (e.g. 262,144 rows x 50 double columns = 100 MB); row groups are decoded in
/// parallel, each thread with its own file handle.</para>
/// </summary>
public abstract class TableChunkReader : IDisposable
{
    /// <summary>The file path as given (used in error messages).</summary>
    public string Source { get; }

    /// <summary>All column names of the file, in file order.</summary>
    public abstract IReadOnlyList<string> FileColumns { get; }

    /// <summary>True when concurrent <see cref="Next"/> calls decode chunks in parallel (Parquet); false when they take turns (CSV).</summary>
    public abstract bool ParallelRead { get; }

    private protected TableChunkReader(string source) => Source = source;

    /// <summary>
    /// Opens <paramref name="path"/> (format from the magic bytes, then the extension, as <see cref="TableReader.Read"/>)
    /// to read <paramref name="columns"/> in chunks of at most <paramref name="chunkRows"/> rows (CSV; Parquet: one row
    /// group per chunk). A column absent from the file is an <see cref="UpliftDataException"/> listing the file's columns.
    /// </summary>
    public static TableChunkReader Open(string path, IReadOnlyList<ChunkColumn> columns, int chunkRows = 65536, TableReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(columns);
        if (chunkRows < 1) throw new UpliftOptionException("chunk-rows", $"must be at least 1, got {chunkRows}");
        options ??= new TableReadOptions();
        var source = InputSource.Of(path, options);
        TableChunkReader reader = source.IsParquet ? new ParquetChunkReader(source, columns) : new CsvChunkReader(source, columns, chunkRows, options);
        try
        {
            var have = new HashSet<string>(reader.FileColumns, StringComparer.Ordinal);
            var absent = columns.Where(c => !have.Contains(c.Name)).Select(c => c.Name).ToList();
            if (absent.Count > 0)
            {
                string list = CellText.Names(reader.FileColumns);
                throw new UpliftDataException(
                    $"data does not match the model: missing column(s) {string.Join(", ", absent.Select(a => $"'{a}'"))}; available columns: {list}",
                    path, column: absent[0]);
            }
            return reader;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>The next chunk in file order, or null after the last one. Thread-safe. An exception it throws carries the
    /// index of the chunk it was reading (<see cref="ChunkIndexOf"/>), so parallel consumers can report the first error in file order.</summary>
    public abstract TableChunk? Next();

    const string ChunkKey = "Uplift.ChunkIndex";

    /// <summary>The index of the chunk whose reading threw <paramref name="e"/> (from <see cref="Next"/>), or null.</summary>
    public static int? ChunkIndexOf(Exception e) => e.Data[ChunkKey] is int i ? i : null;

    private protected static Exception Tag(Exception e, int chunk)
    {
        if (e.Data[ChunkKey] is null) e.Data[ChunkKey] = chunk;
        return e;
    }

    readonly System.Collections.Concurrent.ConcurrentDictionary<int, System.Collections.Concurrent.ConcurrentBag<double[]>> _pool = new();
    int _pooled;
    const int MaxPooled = 1024; // arrays; in practice the pool never holds more than the chunks in flight had

    /// <summary>
    /// Hands back the number arrays of <paramref name="columns"/> (of a chunk from <see cref="Next"/>) once nothing reads
    /// them any more, so later chunks reuse them instead of allocating: the memory stays flat. Optional. Thread-safe.
    /// </summary>
    public void Recycle(IEnumerable<RawColumn> columns)
    {
        foreach (var c in columns)
        {
            if (c.Numbers is not { Length: > 0 } a) continue;
            if (Interlocked.Increment(ref _pooled) > MaxPooled) { Interlocked.Decrement(ref _pooled); continue; }
            _pool.GetOrAdd(a.Length, _ => new()).Add(a);
        }
    }

    /// <summary>A recycled array of exactly <paramref name="length"/> values (contents arbitrary), or a new one.</summary>
    private protected double[] Rent(int length)
    {
        if (_pool.TryGetValue(length, out var bag) && bag.TryTake(out var a))
        {
            Interlocked.Decrement(ref _pooled);
            return a;
        }
        return GC.AllocateUninitializedArray<double>(length);
    }

    public abstract void Dispose();
}

sealed class CsvChunkReader : TableChunkReader
{
    readonly object _gate = new();
    readonly SepReader _reader;
    readonly ChunkColumn[] _asked;
    readonly int[] _at; // file column index of each asked column
    readonly int _chunkRows, _fileWidth;
    readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _missing;
    readonly string[] _names;
    readonly char _decimal;
    long _rows, _blankRow = -1, _last;
    int _index;
    bool _done;
    char[] _scratch = [];
    Exception? _failure;

    public CsvChunkReader(InputSource source, IReadOnlyList<ChunkColumn> columns, int chunkRows, TableReadOptions options)
        : base(source.Path)
    {
        string path = source.Path;
        _asked = columns.ToArray();
        _chunkRows = chunkRows;
        _decimal = options.DecimalSeparator;
        _missing = new HashSet<string>(options.MissingTokens, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _reader = CsvTableReader.OpenReader(source, options);
        try
        {
            if (!CsvCells.MoveNext(_reader, path, -1)) throw new UpliftDataException("the file is empty (no header row)", path);
            var header = _reader.Current;
            _fileWidth = header.ColCount;
            _names = CsvCells.Header(header, path);
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int j = 0; j < _names.Length; j++) seen[_names[j]] = j;
            _at = _asked.Select(c => seen.GetValueOrDefault(c.Name, -1)).ToArray();
        }
        catch
        {
            _reader.Dispose();
            throw;
        }
    }

    public override IReadOnlyList<string> FileColumns => _names;
    public override bool ParallelRead => false;

    public override TableChunk? Next()
    {
        lock (_gate)
        {
            if (_failure is not null) throw _failure; // a reader that failed stays failed
            if (_done) return null;
            try { return NextLocked(); }
            catch (Exception e)
            {
                _failure = Tag(e, _index);
                throw;
            }
        }
    }

    TableChunk? NextLocked()
    {
        {
            int cap = (int)Math.Min(_chunkRows, Array.MaxLength);
            var nums = new double[]?[_asked.Length];
            var texts = new string?[]?[_asked.Length];
            for (int a = 0; a < _asked.Length; a++)
            {
                if (_asked[a].Numeric) nums[a] = Rent(cap);
                else texts[a] = new string?[cap];
            }
            int n = 0;
            while (n < cap && CsvCells.MoveNext(_reader, Source, _last))
            {
                var row = _reader.Current;
                _last = row.RowIndex;
                long dataRow = row.RowIndex;
                if (row.ColCount != _fileWidth)
                {
                    if (row.ColCount == 1 && row.Span.Trim().IsEmpty)
                    {
                        if (_blankRow < 0) _blankRow = dataRow;
                        else CsvCells.CheckBlankRun(_blankRow, dataRow, Source);
                        continue;
                    }
                    if (CsvCells.HasQuote(row))
                        for (int j = 0; j < row.ColCount; j++)
                            CsvCells.Value(row[j].Span, true, ref _scratch, out _, Source, dataRow, j < _names.Length ? _names[j] : $"#{j + 1}");
                    throw new UpliftDataException($"has {row.ColCount} field(s), expected {_fileWidth} as in the header", Source, row.RowIndex);
                }
                if (_blankRow >= 0)
                    throw new UpliftDataException($"blank line inside the data (expected {_fileWidth} fields)", Source, _blankRow);
                bool hasQuote = CsvCells.HasQuote(row);
                if (hasQuote) // every field is checked, in file order, so the first quote error is the one named
                    for (int j = 0; j < row.ColCount; j++) CsvCells.Value(row[j].Span, true, ref _scratch, out _, Source, dataRow, _names[j]);
                for (int a = 0; a < _asked.Length; a++)
                {
                    var col = row[_at[a]];
                    var span = CsvCells.Value(col.Span, hasQuote, ref _scratch, out bool quoted, Source, dataRow, _asked[a].Name);
                    if (nums[a] is { } d)
                    {
                        if (span.IsEmpty) { d[n] = double.NaN; continue; }
                        var kind = CsvTableReader.ParseCell(col, span, quoted, _decimal, out double v);
                        if (kind == NumberKind.Number) d[n] = v;
                        else if (kind == NumberKind.Text && _missing.Contains(span)) d[n] = double.NaN;
                        else
                        {
                            string why = kind == NumberKind.Text ? "is not a number" : NumberText.Why(span, kind, _decimal);
                            throw new UpliftDataException($"{CellText.Show(span)} {why} ({_asked[a].Why ?? "a number is expected"})",
                                Source, dataRow, _asked[a].Name);
                        }
                    }
                    else texts[a]![n] = span.IsEmpty || _missing.Contains(span) ? null : CsvText.Restore(quoted ? new string(span) : col.ToString());
                }
                n++;
            }
            if (n < cap) _done = true;
            if (n == 0)
            {
                if (_rows == 0) throw new UpliftDataException("the file has a header but no data rows", Source);
                return null;
            }
            var cols = new RawColumn[_asked.Length];
            for (int a = 0; a < _asked.Length; a++)
            {
                if (nums[a] is { } d) cols[a] = RawColumn.Numeric(_asked[a].Name, n == cap ? d : d.AsSpan(0, n).ToArray());
                else
                {
                    var t = texts[a]!;
                    if (n != cap) Array.Resize(ref t, n);
                    cols[a] = RawColumn.Text(_asked[a].Name, t);
                }
            }
            var chunk = new TableChunk(_index++, _rows, new RawTable(Source, n, cols));
            _rows += n;
            return chunk;
        }
    }

    public override void Dispose() => _reader.Dispose();
}

sealed class ParquetChunkReader : TableChunkReader
{
    readonly DataField[] _fields;       // the asked columns' fields
    readonly bool[] _numeric;           // read as numbers (asked numeric or a numeric physical type)
    readonly long[] _first;             // rows before each row group
    readonly string[] _names;
    readonly System.Collections.Concurrent.ConcurrentBag<ParquetReader> _idle = new();
    readonly List<ParquetReader> _all = new();
    int _next = -1;

    readonly InputSource _source;

    /// <summary>The Parquet.Net options of every reader and writer here (bounded stream pools).</summary>
    internal static ParquetOptions Options => ParquetTableReader.Options;

    public ParquetChunkReader(InputSource source, IReadOnlyList<ChunkColumn> columns) : base(source.Path)
    {
        string path = source.Path;
        _source = source;
        var reader = Guard(() => ParquetTableReader.OpenChecked(source));
        _all.Add(reader);
        try
        {
            var top = reader.Schema.Fields;
            var byName = new Dictionary<string, DataField>(StringComparer.Ordinal);
            foreach (var f in top)
                if (f is DataField { IsArray: false } df && f.SchemaType == SchemaType.Data) byName.TryAdd(df.Name, df);
            _names = top.Select(f => f.Name).ToArray();
            var asked = columns.Where(c => byName.ContainsKey(c.Name)).ToArray();
            foreach (var c in columns)
                if (!byName.ContainsKey(c.Name) && _names.Contains(c.Name))
                    throw new UpliftDataException($"nested or list column '{c.Name}' is not supported; flatten the file first", path, column: c.Name);
            _fields = asked.Select(c => byName[c.Name]).ToArray();
            foreach (var f in _fields) ParquetTableReader.CheckType(f, path);
            // A text request of a numeric column reads its text; a numeric request of a text column reads the text too
            // (the consumer parses and reports the row of a bad value).
            _numeric = asked.Select(c => c.Numeric && ParquetTableReader.IsNumeric(byName[c.Name].ClrType)).ToArray();
            _first = new long[reader.RowGroupCount + 1];
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var rg = reader.OpenRowGroupReader(g);
                _first[g + 1] = _first[g] + rg.RowCount;
                if (rg.RowCount > Array.MaxLength) throw new UpliftDataException($"row group {g} has {rg.RowCount} rows, more than this tool can hold", path);
            }
            if (_first[^1] == 0) throw new UpliftDataException("the file has no data rows", path);
            _idle.Add(reader);
        }
        catch (Exception e)
        {
            try { reader.DisposeAsync().AsTask().GetAwaiter().GetResult(); } catch (Exception) { /* the error below says it all */ }
            if (e is UpliftException) throw;
            throw ParquetTableReader.Convert(e, path);
        }
    }

    public override IReadOnlyList<string> FileColumns => _names;
    public override bool ParallelRead => true;

    /// <summary>Number of row groups (= chunks).</summary>
    public int RowGroups => _first.Length - 1;

    public override TableChunk? Next()
    {
        int g = Interlocked.Increment(ref _next);
        if (g >= RowGroups) return null;
        try { return Read(g); }
        catch (Exception e) { throw Tag(e, g); }
    }

    TableChunk Read(int g)
    {
        if (!_idle.TryTake(out var reader))
        {
            reader = Guard(() => ParquetReader.CreateAsync(new NoReadPastEndStream(_source.Open()), ParquetTableReader.Options, leaveStreamOpen: false).GetAwaiter().GetResult());
            lock (_all) _all.Add(reader);
        }
        try
        {
            int rows = checked((int)(_first[g + 1] - _first[g]));
            var cols = new RawColumn[_fields.Length];
            Guard(() =>
            {
                using var rg = reader.OpenRowGroupReader(g);
                for (int j = 0; j < _fields.Length; j++)
                {
                    var f = _fields[j];
                    if (_numeric[j])
                    {
                        var d = Rent(rows);
                        ParquetTableReader.ReadNumbers(rg, f, d).GetAwaiter().GetResult();
                        cols[j] = RawColumn.Numeric(f.Name, d);
                    }
                    else
                    {
                        var s = new string?[rows];
                        ParquetTableReader.ReadStrings(rg, f, s, Source).GetAwaiter().GetResult();
                        cols[j] = RawColumn.Text(f.Name, s);
                    }
                }
                return 0;
            });
            return new TableChunk(g, _first[g], new RawTable(Source, rows, cols));
        }
        finally
        {
            _idle.Add(reader);
        }
    }

    T Guard<T>(Func<T> read) => ParquetTableReader.Guard(Source, read);

    public override void Dispose()
    {
        lock (_all)
        {
            foreach (var r in _all)
            {
                try { r.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
                catch (Exception) { /* closing a reader of a damaged file: nothing left to report */ }
            }
            _all.Clear();
        }
    }
}

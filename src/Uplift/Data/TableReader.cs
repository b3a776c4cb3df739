using System.Globalization;
using System.IO.Compression;
using nietras.SeparatedValues;
using Parquet;
using Parquet.Schema;
using Uplift.IO;

namespace Uplift.Data;

/// <summary>Options of <see cref="TableReader.Read"/>.</summary>
public sealed record TableReadOptions
{
    /// <summary>The CSV field separator; null (default) = detected from the header line (',', ';', tab or '|').</summary>
    public char? Separator { get; init; }

    /// <summary>
    /// Columns always read as text, never as numbers (e.g. an id column, so "007" keeps its zeros, or a
    /// numeric code that should be one-hot encoded). Default: none.
    /// </summary>
    public IReadOnlyCollection<string>? TextColumns { get; init; }

    /// <summary>
    /// Cell texts that mean "missing" besides the empty cell, in CSV files (exact, case-sensitive match after trimming).
    /// Default: <see cref="DefaultMissingTokens"/>.
    /// </summary>
    public IReadOnlyCollection<string> MissingTokens { get; init; } = DefaultMissingTokens;

    /// <summary>"NA", "N/A", "NaN", "nan", "null", "NULL", "None".</summary>
    public static readonly IReadOnlyCollection<string> DefaultMissingTokens = ["NA", "N/A", "NaN", "nan", "null", "NULL", "None"];

    /// <summary>The decimal mark of numbers in CSV cells: '.' (default) or ',' (then '.' is refused in numbers, and the
    /// separator cannot be ',' unless the numbers are quoted). See <see cref="TableReader"/> for the number rule.</summary>
    public char DecimalSeparator
    {
        get => _decimal;
        init => _decimal = value is '.' or ',' ? value : throw new UpliftOptionException("decimal", $"must be '.' or ',', got '{value}'");
    }
    readonly char _decimal = '.';

    /// <summary>Most bytes of input (default <see cref="InputLimits.DefaultMaxInputBytes"/>): a regular file's length, the
    /// bytes of a pipe, the decompressed bytes of a gzip file.</summary>
    public long MaxInputBytes { get; init; } = InputLimits.DefaultMaxInputBytes;

    /// <summary>Most bytes read from a pipe or FIFO, which is read into memory (default <see cref="InputLimits.DefaultMaxStreamBytes"/>).</summary>
    public long MaxStreamBytes { get; init; } = InputLimits.DefaultMaxStreamBytes;

    /// <summary>How long opening a FIFO waits for a writer (default <see cref="InputLimits.DefaultStreamOpenTimeout"/>).</summary>
    public TimeSpan StreamOpenTimeout { get; init; } = InputLimits.DefaultStreamOpenTimeout;
}

/// <summary>
/// Reads a CSV or Parquet file into a <see cref="RawTable"/>.
/// <para>Input (<see cref="InputSource"/>): a regular file, or a pipe / FIFO / <c>/dev/stdin</c> read once into memory;
/// a device or a directory is refused; sizes are capped (<see cref="InputLimits"/>).</para>
/// <para>CSV (<c>.csv</c>, <c>.txt</c>, <c>.csv.gz</c>; gzip is recognised by its magic bytes whatever the name):
/// a header line is required; fields may be quoted ("a, b" and "say ""hi""" work); a stray or unclosed quote is an
/// error (<see cref="CsvCells"/>); surrounding spaces are trimmed; blank lines at the end are ignored. Numbers follow one
/// strict rule (<see cref="NumberText"/>): "1.5", "-2e3", but not "1,5", "1,234.5", "1_000", "0x10", "inf" or "1e400".
/// A column is numeric when every non-missing cell is a number. A column whose cells are numbers except some that are
/// malformed numbers (or that holds decimal-comma numbers) is an error naming the first such cell's row and column, never
/// silently read as text; a column with other text is a text column. Empty cells and
/// <see cref="TableReadOptions.MissingTokens"/> are missing (NaN / null).</para>
/// <para>Parquet (<c>.parquet</c>, or the PAR1 magic bytes): the footer is checked first (a truncated or damaged file is
/// an error, not a crash); every row group is read; numeric physical types become numbers, booleans 0/1, strings text,
/// dates and times their ISO text; binary and other types are refused naming the column; nulls are missing.</para>
/// Errors are <see cref="UpliftDataException"/>s naming the file and, where it applies, the row and the column.
/// </summary>
public static class TableReader
{
    /// <summary>Reads <paramref name="path"/> (format from the content's magic bytes, then the extension).</summary>
    public static RawTable Read(string path, TableReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new TableReadOptions();
        var source = InputSource.Of(path, options);
        return source.IsParquet ? ParquetTableReader.Read(source, options) : CsvTableReader.Read(source, options);
    }

    /// <summary>Checks that <paramref name="path"/> is a readable, non-empty file; true for Parquet (PAR1 magic bytes), false for CSV.</summary>
    internal static bool Detect(string path) => InputSource.Of(path).IsParquet;
}

/// <summary>CSV reading with Sep: one pass with type inference, a second pass only for a column that turned out
/// to be text after values had been seen in it.</summary>
static class CsvTableReader
{
    sealed class ColumnBuilder(string name, bool text)
    {
        public readonly string Name = name;
        public double[]? Numbers = text ? null : [];
        public string?[]? Strings = text ? [] : null;
        public bool SawValue, SawNumber, SawDecimalComma;
        /// <summary>Row index where the column switched from numbers to text after a value was seen; -1 = never.</summary>
        public int RereadBefore = -1;
        /// <summary>The first malformed number of a numeric column: its data row (-1 = none), shown text and why.</summary>
        public long BadRow = -1;
        public string? BadText, BadWhy;
    }

    /// <summary>
    /// An upper bound on the data rows of a plain (not gzipped) file: its line count minus the header. Knowing it up
    /// front lets the column arrays be allocated once (fresh memory is costly to touch; doubling touches it ~3 times).
    /// Null for a gzipped file.
    /// </summary>
    static int? RowBound(InputSource source)
    {
        if (source.IsGzip) return null;
        using var fs = source.Open();
        var buf = new byte[1 << 20];
        int got = fs.Read(buf, 0, buf.Length);
        long lines = 1; // a last line without a newline
        while (got > 0)
        {
            lines += buf.AsSpan(0, got).Count((byte)'\n');
            got = fs.Read(buf, 0, buf.Length);
        }
        return (int)Math.Min(Array.MaxLength, Math.Max(1, lines - 1));
    }

    internal static SepReader OpenReader(InputSource source, TableReadOptions options)
    {
        var stream = source.OpenContent();
        try { return CsvCells.Options(options).From(stream); }
        catch (UpliftException) { stream.Dispose(); throw; }
        catch (InvalidDataException e) { stream.Dispose(); throw new UpliftDataException($"cannot read the file: {e.Message}", source.Path); }
        catch (NotSupportedException e) when (e.Message.Contains("maximum supported length", StringComparison.Ordinal))
        {
            stream.Dispose();
            throw new UpliftDataException($"the header is longer than {CellText.Count(InputLimits.MaxRowChars)} characters (the most a row may hold): most likely a quote (\") that is never closed", source.Path);
        }
    }

    public static RawTable Read(InputSource source, TableReadOptions options)
    {
        string path = source.Path;
        char dec = options.DecimalSeparator;
        var missing = new HashSet<string>(options.MissingTokens, StringComparer.Ordinal);
        var missingLookup = missing.GetAlternateLookup<ReadOnlySpan<char>>();
        var textColumns = new HashSet<string>(options.TextColumns ?? [], StringComparer.Ordinal);

        ColumnBuilder[] cols = [];
        int n = 0, capacity = 0;
        int? bound = RowBound(source);
        long blankRow = -1, last = -1;
        bool header = true;
        char[] scratch = [];
        using (var reader = OpenReader(source, options))
        {
            while (CsvCells.MoveNext(reader, path, last))
            {
                var row = reader.Current;
                last = row.RowIndex;
                if (header)
                {
                    cols = CsvCells.Header(row, path).Select(name => new ColumnBuilder(name, textColumns.Contains(name))).ToArray();
                    header = false;
                    continue;
                }
                long dataRow = row.RowIndex; // header is RowIndex 0, so this is the 1-based data row
                if (row.ColCount != cols.Length)
                {
                    if (row.ColCount == 1 && row.Span.Trim().IsEmpty) { if (blankRow < 0) blankRow = dataRow; continue; }
                    // A quote problem explains a wrong field count better than the count does.
                    if (CsvCells.HasQuote(row))
                        for (int j = 0; j < row.ColCount; j++)
                            CsvCells.Value(row[j].Span, true, ref scratch, out _, path, dataRow, j < cols.Length ? cols[j].Name : $"#{j + 1}");
                    throw new UpliftDataException($"has {row.ColCount} field(s), expected {cols.Length} as in the header", path, dataRow);
                }
                if (blankRow >= 0)
                    throw new UpliftDataException($"blank line inside the data (expected {cols.Length} fields)", path, blankRow);
                if (n == capacity)
                {
                    capacity = capacity == 0 ? bound ?? 4096 : (int)Math.Min(Array.MaxLength, 2L * capacity);
                    if (n == capacity) throw new UpliftDataException($"has more than {CellText.Count(Array.MaxLength)} data rows, more than this tool can hold", path);
                    foreach (var b in cols)
                    {
                        if (b.Numbers is not null) b.Numbers = Grow(b.Numbers, n, capacity);
                        else Array.Resize(ref b.Strings, capacity);
                    }
                }
                bool hasQuote = CsvCells.HasQuote(row);
                for (int j = 0; j < cols.Length; j++)
                {
                    var b = cols[j];
                    var col = row[j];
                    var span = CsvCells.Value(col.Span, hasQuote, ref scratch, out bool quoted, path, dataRow, b.Name);
                    if (b.Numbers is { } nums)
                    {
                        if (span.IsEmpty) { nums[n] = double.NaN; continue; }
                        var kind = ParseCell(col, span, quoted, dec, out double v);
                        if (kind == NumberKind.Number) { nums[n] = v; b.SawNumber = b.SawValue = true; }
                        else if (kind == NumberKind.Text && missingLookup.Contains(span)) nums[n] = double.NaN;
                        else if (kind == NumberKind.Text)
                        {
                            // First plain text: the column is text. Earlier values need their original text (second pass).
                            b.Strings = new string?[capacity];
                            b.Numbers = null;
                            if (b.SawValue) b.RereadBefore = n;
                            b.Strings[n] = CsvText.Restore(quoted ? new string(span) : col.ToString());
                            b.BadRow = -1;
                        }
                        else
                        {
                            nums[n] = double.NaN;
                            b.SawValue = true;
                            if (dec == '.' && NumberText.LooksDecimalComma(span)) b.SawDecimalComma = true;
                            if (b.BadRow < 0) { b.BadRow = dataRow; b.BadText = CellText.Show(span); b.BadWhy = NumberText.Why(span, kind, dec); }
                        }
                    }
                    else
                    {
                        b.Strings![n] = span.IsEmpty || missingLookup.Contains(span) ? null : CsvText.Restore(quoted ? new string(span) : col.ToString());
                    }
                }
                n++;
            }
        }
        if (header) throw new UpliftDataException("the file is empty (no header row)", path);
        if (n == 0) throw new UpliftDataException("the file has a header but no data rows", path);

        // A numeric column with malformed numbers: an error when it also holds numbers (or decimal-comma numbers); a
        // column of only number-like text (dates "2024-01-05", codes "1-2") is text.
        var bad = cols.Where(b => b.Numbers is not null && b.BadRow >= 0).ToList();
        var refuse = bad.Where(b => b.SawNumber || b.SawDecimalComma).MinBy(b => b.BadRow);
        if (refuse is not null)
            throw new UpliftDataException($"{refuse.BadText} {refuse.BadWhy}" +
                (refuse.SawNumber ? " (the other cells of the column are numbers)" : ""), path, refuse.BadRow, refuse.Name);
        foreach (var b in bad)
        {
            b.Strings = new string?[capacity];
            b.Numbers = null;
            b.RereadBefore = n;
        }

        if (cols.Any(b => b.RereadBefore >= 0)) Reread(source, options, cols, missingLookup);

        var columns = new RawColumn[cols.Length];
        for (int j = 0; j < cols.Length; j++)
        {
            var b = cols[j];
            if (b.Numbers is not null) columns[j] = RawColumn.Numeric(b.Name, b.Numbers.Length == n ? b.Numbers : Grow(b.Numbers, n, n));
            else { if (b.Strings!.Length != n) Array.Resize(ref b.Strings, n); columns[j] = RawColumn.Text(b.Name, b.Strings!); }
        }
        return new RawTable(path, n, columns);
    }

    /// <summary>A cell by the rule of <see cref="NumberText"/>; a grammatical number in an unquoted cell is parsed by Sep's
    /// fast (correctly rounded) float parser, others by <see cref="NumberText.Parse"/>.</summary>
    internal static NumberKind ParseCell(SepReader.Col col, ReadOnlySpan<char> span, bool quoted, char dec, out double v)
    {
        // Fast path: Sep parsed it and it holds only digits, '.', signs and 'e' (then it follows the grammar: .NET's
        // float style has no trailing sign, and "1.5.2" does not parse); anything else takes the full rule.
        if (!quoted && dec == '.' && col.TryParse(out v) && span.IndexOfAnyExcept(PlainNumberChars) < 0)
        {
            if (double.IsFinite(v)) return NumberKind.Number;
            v = double.NaN;
            return NumberKind.OutOfRange;
        }
        return NumberText.Parse(span, dec, out v);
    }

    static readonly System.Buffers.SearchValues<char> PlainNumberChars = System.Buffers.SearchValues.Create("0123456789.-+eE");

    static double[] Grow(double[] a, int used, int size)
    {
        var r = GC.AllocateUninitializedArray<double>(size);
        a.AsSpan(0, used).CopyTo(r);
        return r;
    }

    static void Reread(InputSource source, TableReadOptions options, ColumnBuilder[] cols,
        HashSet<string>.AlternateLookup<ReadOnlySpan<char>> missingLookup)
    {
        var redo = cols.Select((b, j) => (b, j)).Where(p => p.b.RereadBefore >= 0).ToArray();
        int until = redo.Max(p => p.b.RereadBefore);
        using var reader = OpenReader(source, options);
        int k = -1;
        long last = -1;
        char[] scratch = [];
        while (CsvCells.MoveNext(reader, source.Path, last))
        {
            var row = reader.Current;
            last = row.RowIndex;
            if (k >= 0)
            {
                if (row.ColCount != cols.Length) continue; // the blank lines skipped by the first pass
                bool hasQuote = CsvCells.HasQuote(row);
                foreach (var (b, j) in redo)
                {
                    if (k >= b.RereadBefore) continue;
                    var span = CsvCells.Value(row[j].Span, hasQuote, ref scratch, out bool quoted, source.Path, row.RowIndex, b.Name);
                    b.Strings![k] = span.IsEmpty || missingLookup.Contains(span) ? null : CsvText.Restore(quoted ? new string(span) : row[j].ToString());
                }
            }
            if (++k >= until) break;
        }
    }
}

/// <summary>Parquet reading with Parquet.Net: all row groups, flat columns only.</summary>
static class ParquetTableReader
{
    /// <summary>Parquet.Net keeps its stream pool unbounded by default; bounded here so memory stays flat.</summary>
    internal static ParquetOptions Options => new() { MaximumSmallPoolFreeBytes = 16 << 20, MaximumLargePoolFreeBytes = 64 << 20 };

    public static RawTable Read(InputSource source, TableReadOptions options) =>
        Guard(source.Path, () => ReadAsync(source, options).GetAwaiter().GetResult());

    /// <summary>Runs a Parquet.Net call, turning its exceptions (a damaged file gives any type, even OutOfMemoryException
    /// from a size read off damaged metadata) into <see cref="UpliftDataException"/>s naming the file.</summary>
    internal static T Guard<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (Exception e) when (e is not UpliftException) { throw Convert(e, path); }
    }

    /// <summary>The <see cref="UpliftDataException"/> for an exception of Parquet.Net on <paramref name="path"/>.</summary>
    internal static UpliftDataException Convert(Exception e, string path)
    {
        if (e is OutOfMemoryException)
            return new UpliftDataException("cannot read the Parquet file: it ran out of memory (the metadata is damaged, or the file holds more than fits in memory)", path);
        string m = e.Message.Length > 300 ? e.Message[..300] + "…" : e.Message;
        return new UpliftDataException($"cannot read the Parquet file (damaged or not Parquet): {m}", path);
    }

    /// <summary>
    /// Checks the frame of the file before Parquet.Net reads it: "PAR1" at both ends and a footer length that fits the
    /// file. A truncated file or a wrong magic is a clear error here rather than a huge allocation there.
    /// </summary>
    internal static void CheckFrame(InputSource source)
    {
        long len = source.Length;
        if (len < 12)
            throw new UpliftDataException($"cannot read the Parquet file: {len} bytes is too short for one, which has at least 12 (truncated?)", source.Path);
        Span<byte> tail = stackalloc byte[8];
        using (var s = source.Open())
        {
            s.Seek(-8, SeekOrigin.End);
            s.ReadExactly(tail);
        }
        if (tail[4] != 'P' || tail[5] != 'A' || tail[6] != 'R' || tail[7] != '1')
            throw new UpliftDataException("cannot read the Parquet file: it does not end with the PAR1 magic bytes (truncated or damaged)", source.Path);
        int footer = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footer <= 0 || footer > len - 12)
            throw new UpliftDataException($"cannot read the Parquet file: its footer is damaged (it claims {footer} bytes in a file of {len})", source.Path);
        var bytes = new byte[footer];
        using (var s = source.Open())
        {
            s.Seek(-8L - footer, SeekOrigin.End);
            s.ReadExactly(bytes);
        }
        if (ThriftCheck.Footer(bytes) is { } problem)
            throw new UpliftDataException($"cannot read the Parquet file: its footer is damaged ({problem})", source.Path);
    }

    static long FooterLength(InputSource source)
    {
        Span<byte> tail = stackalloc byte[8];
        using var s = source.Open();
        s.Seek(-8, SeekOrigin.End);
        s.ReadExactly(tail);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(tail);
    }

    /// <summary>Opens a Parquet.Net reader on the source after <see cref="CheckFrame"/>, and checks the column chunks lie inside the file.</summary>
    internal static ParquetReader OpenChecked(InputSource source)
    {
        CheckFrame(source);
        var stream = new NoReadPastEndStream(source.Open());
        // Parquet.Net can loop forever on some damaged footers that are still well-formed Thrift (found by the fuzz run):
        // the footer is decoded on a worker, given a time that grows with its size.
        // (a thread of its own, not the thread pool: callers may themselves be pool threads waiting on this)
        var done = new TaskCompletionSource<ParquetReader>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                var r = ParquetReader.CreateAsync(stream, Options, leaveStreamOpen: false).GetAwaiter().GetResult();
                _ = r.Schema;
                done.SetResult(r);
            }
            catch (Exception e) { done.SetException(e); }
        }) { IsBackground = true, Name = "uplift-parquet-footer" }.Start();
        var open = done.Task;
        var limit = TimeSpan.FromSeconds(5 + FooterLength(source) / 1e6);
        bool finished;
        try { finished = open.Wait(limit); }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            stream.Dispose();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        if (!finished)
            throw new UpliftDataException($"cannot read the Parquet file: decoding its footer did not finish in {limit.TotalSeconds:0} s (damaged metadata)", source.Path);
        var reader = open.Result;
        try
        {
            var meta = reader.Metadata;
            if (meta?.RowGroups is { } groups)
                foreach (var g in groups)
                {
                    if (g.NumRows < 0) throw new UpliftDataException($"cannot read the Parquet file: its metadata is damaged (a row group of {g.NumRows} rows)", source.Path);
                    foreach (var c in g.Columns ?? [])
                        if (c.MetaData is { } m && (m.DataPageOffset < 4 || m.DataPageOffset >= source.Length || m.TotalCompressedSize < 0 ||
                            m.TotalCompressedSize > source.Length || m.DictionaryPageOffset is long d && (d < 4 || d >= source.Length) ||
                            Math.Min(m.DataPageOffset, m.DictionaryPageOffset ?? long.MaxValue) + m.TotalCompressedSize > source.Length - 8))
                            throw new UpliftDataException($"cannot read the Parquet file: its metadata is damaged (a column chunk of {CellText.Show(string.Join(".", m.PathInSchema ?? []))} lies outside the file)", source.Path);
                }
            return reader;
        }
        catch
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    static async Task<RawTable> ReadAsync(InputSource source, TableReadOptions options)
    {
        string path = source.Path;
        var textColumns = new HashSet<string>(options.TextColumns ?? [], StringComparer.Ordinal);
        await using var reader = OpenChecked(source);
        var fields = CheckSchema(reader, path);

        long total = 0;
        for (int g = 0; g < reader.RowGroupCount; g++) total += reader.OpenRowGroupReader(g).RowCount;
        if (total == 0) throw new UpliftDataException("the file has no data rows", path);
        if (total > Array.MaxLength) throw new UpliftDataException($"has {total} rows, more than this tool can hold", path);
        int rows = (int)total;

        var numbers = new double[]?[fields.Length];
        var strings = new string?[]?[fields.Length];
        for (int j = 0; j < fields.Length; j++)
        {
            if (IsNumeric(fields[j].ClrType) && !textColumns.Contains(fields[j].Name)) numbers[j] = new double[rows];
            else strings[j] = new string?[rows];
        }

        int offset = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var rg = reader.OpenRowGroupReader(g);
            int count = checked((int)rg.RowCount);
            for (int j = 0; j < fields.Length; j++)
            {
                var f = fields[j];
                if (numbers[j] is { } num) await ReadNumbers(rg, f, num.AsMemory(offset, count));
                else await ReadStrings(rg, f, strings[j]!.AsMemory(offset, count), path);
            }
            offset += count;
        }

        var columns = new RawColumn[fields.Length];
        for (int j = 0; j < fields.Length; j++)
            columns[j] = numbers[j] is { } num ? RawColumn.Numeric(fields[j].Name, num) : RawColumn.Text(fields[j].Name, strings[j]!);
        return new RawTable(path, rows, columns);
    }

    /// <summary>The flat data fields of the file, checked: no nested columns, distinct names, a supported type each.</summary>
    internal static DataField[] CheckSchema(ParquetReader reader, string path)
    {
        foreach (var f in reader.Schema.Fields)
            if (f.SchemaType != SchemaType.Data || ((DataField)f).IsArray)
                throw new UpliftDataException($"nested or list column {CellText.Show(f.Name)} is not supported; flatten the file first", path, column: f.Name);
        var fields = reader.Schema.GetDataFields();
        if (fields.Length == 0) throw new UpliftDataException("the Parquet file has no columns", path);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in fields)
        {
            if (string.IsNullOrEmpty(f.Name)) throw new UpliftDataException("a Parquet column has an empty name", path);
            if (f.Name.Length > InputLimits.MaxColumnNameChars)
                throw new UpliftDataException($"a Parquet column name is {CellText.Count(f.Name.Length)} characters long, more than {InputLimits.MaxColumnNameChars}: {CellText.Show(f.Name)}", path);
            if (!seen.Add(f.Name)) throw new UpliftDataException($"duplicate column name {CellText.Show(f.Name)}", path, column: f.Name);
            CheckType(f, path);
        }
        return fields;
    }

    internal static bool IsNumeric(Type t) =>
        t == typeof(double) || t == typeof(float) || t == typeof(int) || t == typeof(long) || t == typeof(short) ||
        t == typeof(sbyte) || t == typeof(byte) || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong) ||
        t == typeof(decimal) || t == typeof(Half) || t == typeof(bool);

    /// <summary>Types read as text: strings as they are, dates and times as their ISO text.</summary>
    static bool IsTextual(Type t) =>
        t == typeof(string) || t == typeof(ReadOnlyMemory<char>) || t == typeof(DateTime) || t == typeof(DateOnly) || t == typeof(TimeOnly) || t == typeof(TimeSpan) ||
        t == typeof(DateTimeOffset) || t == typeof(Guid);

    internal static void CheckType(DataField f, string path)
    {
        var t = f.ClrType;
        if (IsNumeric(t) || IsTextual(t)) return;
        string what = t == typeof(byte[]) || t == typeof(ReadOnlyMemory<byte>) || t == typeof(Memory<byte>) ? "binary (byte array)"
            : t.IsGenericType ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(a => a.Name))}>" : t.Name;
        throw new UpliftDataException($"column type {what} is not supported (numbers, booleans, strings, dates and times are); drop or convert the column", path, column: f.Name);
    }

    /// <summary>Reads a numeric column of a row group into <paramref name="dst"/> as doubles (null = NaN).</summary>
    internal static Task ReadNumbers(ParquetRowGroupReader rg, DataField f, Memory<double> dst)
    {
        var t = f.ClrType;
        if (t == typeof(double) && !f.IsNullable) return rg.ReadAsync<double>(f, dst, null).AsTask();
        if (t == typeof(double)) return Read<double>(rg, f, dst, v => v);
        if (t == typeof(float)) return Read<float>(rg, f, dst, v => v);
        if (t == typeof(int)) return Read<int>(rg, f, dst, v => v);
        if (t == typeof(long)) return Read<long>(rg, f, dst, v => v);
        if (t == typeof(short)) return Read<short>(rg, f, dst, v => v);
        if (t == typeof(sbyte)) return Read<sbyte>(rg, f, dst, v => v);
        if (t == typeof(byte)) return Read<byte>(rg, f, dst, v => v);
        if (t == typeof(ushort)) return Read<ushort>(rg, f, dst, v => v);
        if (t == typeof(uint)) return Read<uint>(rg, f, dst, v => v);
        if (t == typeof(ulong)) return Read<ulong>(rg, f, dst, v => v);
        if (t == typeof(decimal)) return Read<decimal>(rg, f, dst, v => (double)v);
        if (t == typeof(Half)) return Read<Half>(rg, f, dst, v => (double)v);
        if (t == typeof(bool)) return Read<bool>(rg, f, dst, v => v ? 1.0 : 0.0);
        throw new NotSupportedException($"column type {t.Name}");
    }

    static async Task Read<T>(ParquetRowGroupReader rg, DataField f, Memory<double> dst, Func<T, double> convert) where T : struct
    {
        if (f.IsNullable)
        {
            var buf = new T?[dst.Length];
            await rg.ReadAsync<T>(f, buf.AsMemory(), null);
            var d = dst.Span;
            for (int i = 0; i < buf.Length; i++) d[i] = buf[i] is T v ? convert(v) : double.NaN;
        }
        else
        {
            var buf = new T[dst.Length];
            await rg.ReadAsync<T>(f, buf.AsMemory(), null);
            var d = dst.Span;
            for (int i = 0; i < buf.Length; i++) d[i] = convert(buf[i]);
        }
    }

    static async Task ReadAsText<T>(ParquetRowGroupReader rg, DataField f, Memory<string?> dst, Func<T, string> text) where T : struct
    {
        var buf = new T?[dst.Length];
        if (f.IsNullable) await rg.ReadAsync<T>(f, buf.AsMemory(), null);
        else
        {
            var plain = new T[dst.Length];
            await rg.ReadAsync<T>(f, plain.AsMemory(), null);
            for (int i = 0; i < plain.Length; i++) buf[i] = plain[i];
        }
        var d = dst.Span;
        for (int i = 0; i < buf.Length; i++) d[i] = buf[i] is T v ? text(v) : null;
    }

    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Reads a column of a row group into <paramref name="dst"/> as text (strings as they are, numbers their
    /// shortest invariant text, dates and times ISO 8601).</summary>
    internal static Task ReadStrings(ParquetRowGroupReader rg, DataField f, Memory<string?> dst, string path)
    {
        var t = f.ClrType;
        if (t == typeof(string) || t == typeof(ReadOnlyMemory<char>)) return rg.ReadAsync(f, dst, null).AsTask();
        if (t == typeof(DateTime)) return ReadAsText<DateTime>(rg, f, dst, v => v.TimeOfDay == TimeSpan.Zero ? v.ToString("yyyy-MM-dd", Inv) : v.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", Inv));
        if (t == typeof(DateOnly)) return ReadAsText<DateOnly>(rg, f, dst, v => v.ToString("yyyy-MM-dd", Inv));
        if (t == typeof(TimeOnly)) return ReadAsText<TimeOnly>(rg, f, dst, v => v.ToString("HH:mm:ss.FFFFFFF", Inv));
        if (t == typeof(TimeSpan)) return ReadAsText<TimeSpan>(rg, f, dst, v => v.ToString("c", Inv));
        if (t == typeof(DateTimeOffset)) return ReadAsText<DateTimeOffset>(rg, f, dst, v => v.ToString("o", Inv));
        if (t == typeof(Guid)) return ReadAsText<Guid>(rg, f, dst, v => v.ToString());
        if (t == typeof(double)) return ReadAsText<double>(rg, f, dst, v => v.ToString("R", Inv));
        if (t == typeof(float)) return ReadAsText<float>(rg, f, dst, v => v.ToString("R", Inv));
        if (t == typeof(int)) return ReadAsText<int>(rg, f, dst, v => v.ToString(Inv));
        if (t == typeof(long)) return ReadAsText<long>(rg, f, dst, v => v.ToString(Inv));
        if (t == typeof(short)) return ReadAsText<short>(rg, f, dst, v => v.ToString(Inv));
        if (t == typeof(sbyte)) return ReadAsText<sbyte>(rg, f, dst, v => v.ToString(Inv));
        if (t == typeof(byte)) return ReadAsText<byte>(rg, f, dst, v => v.ToString(Inv));
        if (t == typeof(ushort)) return ReadAsText<ushort>(rg, f, dst, v => v.ToString(Inv));
        if (t == typeof(uint)) return ReadAsText<uint>(rg, f, dst, v => v.ToString(Inv));
        if (t == typeof(ulong)) return ReadAsText<ulong>(rg, f, dst, v => v.ToString(Inv));
        if (t == typeof(decimal)) return ReadAsText<decimal>(rg, f, dst, v => v.ToString(Inv));
        if (t == typeof(Half)) return ReadAsText<Half>(rg, f, dst, v => v.ToString(Inv));
        if (t == typeof(bool)) return ReadAsText<bool>(rg, f, dst, v => v ? "true" : "false");
        CheckType(f, path);
        throw new UpliftDataException("column type not supported", path, column: f.Name);
    }
}

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
}

/// <summary>
/// Reads a CSV or Parquet file into a <see cref="RawTable"/>.
/// <para>CSV (<c>.csv</c>, <c>.txt</c>, <c>.csv.gz</c>; gzip is recognised by its magic bytes whatever the name):
/// a header line is required; fields may be quoted ("a, b" and "say ""hi""" work); surrounding spaces are trimmed;
/// blank lines at the end are ignored. A column is numeric when every non-missing cell parses as a number in the
/// invariant culture ("1.5", "-2e3"), otherwise it is a text column. Empty cells and
/// <see cref="TableReadOptions.MissingTokens"/> are missing (NaN / null).</para>
/// <para>Parquet (<c>.parquet</c>, or the PAR1 magic bytes): every row group is read; numeric physical types become
/// numbers, booleans 0/1, strings text, other types (dates, ...) their invariant text; nulls are missing.</para>
/// Errors are <see cref="UpliftDataException"/>s naming the file and, where it applies, the row and the column.
/// </summary>
public static class TableReader
{
    /// <summary>Reads <paramref name="path"/> (format from the content's magic bytes, then the extension).</summary>
    public static RawTable Read(string path, TableReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new TableReadOptions();
        return Detect(path) ? ParquetTableReader.Read(path, options) : CsvTableReader.Read(path, options);
    }

    /// <summary>Checks that <paramref name="path"/> is a readable, non-empty file; true for Parquet (PAR1 magic bytes), false for CSV.</summary>
    internal static bool Detect(string path)
    {
        if (Directory.Exists(path)) throw new UpliftDataException("is a directory, not a data file", path);
        if (!File.Exists(path)) throw new UpliftDataException("file not found", path);

        var magic = new byte[4];
        int got;
        using (var fs = File.OpenRead(path)) got = fs.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (got == 0) throw new UpliftDataException("the file is empty (no header row)", path);
        bool isParquet = got == 4 && magic[0] == 'P' && magic[1] == 'A' && magic[2] == 'R' && magic[3] == '1';
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) && !isParquet)
            throw new UpliftDataException("is not a Parquet file (no PAR1 magic bytes)", path);
        return isParquet;
    }
}

/// <summary>CSV reading with Sep: one pass with type inference, a second pass only for a column that turned out
/// to be text after numbers had been seen in it.</summary>
static class CsvTableReader
{
    sealed class ColumnBuilder(string name, bool text)
    {
        public readonly string Name = name;
        public double[]? Numbers = text ? null : [];
        public string?[]? Strings = text ? [] : null;
        public bool SawNumber;
        /// <summary>Row index where the column switched from numbers to text after a number was seen; -1 = never.</summary>
        public int RereadBefore = -1;
    }

    /// <summary>
    /// An upper bound on the data rows of a plain (not gzipped) file: its line count minus the header. Knowing it up
    /// front lets the column arrays be allocated once (fresh memory is costly to touch; doubling touches it ~3 times).
    /// Null for a gzipped file.
    /// </summary>
    static int? RowBound(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var buf = new byte[1 << 20];
        int got = fs.Read(buf, 0, buf.Length);
        if (got >= 2 && buf[0] == 0x1f && buf[1] == 0x8b) return null;
        long lines = 1; // a last line without a newline
        while (got > 0)
        {
            lines += buf.AsSpan(0, got).Count((byte)'\n');
            got = fs.Read(buf, 0, buf.Length);
        }
        return (int)Math.Min(Array.MaxLength, Math.Max(1, lines - 1));
    }

    static Stream Open(string path)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        int b0 = fs.ReadByte(), b1 = fs.ReadByte();
        fs.Position = 0;
        return b0 == 0x1f && b1 == 0x8b ? new GZipStream(fs, CompressionMode.Decompress) : fs;
    }

    internal static SepReader OpenReader(string path, TableReadOptions options)
    {
        var o = new SepReaderOptions(options.Separator is char c ? new Sep(c) : null)
        {
            HasHeader = false, // the header is read as row 0 so duplicate names get our own message
            Unescape = true,
            Trim = SepTrim.All,
            DisableColCountCheck = true,
            CultureInfo = CultureInfo.InvariantCulture,
            CreateToString = SepToString.PoolPerCol(maximumStringLength: 64),
        };
        try { return o.From(Open(path)); }
        catch (InvalidDataException e) { throw new UpliftDataException($"cannot read the file: {e.Message}", path); }
    }

    public static RawTable Read(string path, TableReadOptions options)
    {
        var missing = new HashSet<string>(options.MissingTokens, StringComparer.Ordinal);
        var missingLookup = missing.GetAlternateLookup<ReadOnlySpan<char>>();
        var textColumns = new HashSet<string>(options.TextColumns ?? [], StringComparer.Ordinal);

        ColumnBuilder[] cols = [];
        int n = 0, capacity = 0;
        int? bound = RowBound(path);
        long blankRow = -1;
        bool header = true;
        using (var reader = OpenReader(path, options))
        {
            foreach (var row in reader)
            {
                if (header)
                {
                    cols = ReadHeader(row, path, textColumns);
                    header = false;
                    continue;
                }
                long dataRow = row.RowIndex; // header is RowIndex 0, so this is the 1-based data row
                if (row.ColCount != cols.Length)
                {
                    if (row.ColCount == 1 && row.Span.Trim().IsEmpty) { if (blankRow < 0) blankRow = dataRow; continue; }
                    throw new UpliftDataException($"has {row.ColCount} field(s), expected {cols.Length} as in the header", path, dataRow);
                }
                if (blankRow >= 0)
                    throw new UpliftDataException($"blank line inside the data (expected {cols.Length} fields)", path, blankRow);
                if (n == capacity)
                {
                    capacity = capacity == 0 ? bound ?? 4096 : (int)Math.Min(Array.MaxLength, 2L * capacity);
                    foreach (var b in cols)
                    {
                        if (b.Numbers is not null) b.Numbers = Grow(b.Numbers, n, capacity);
                        else Array.Resize(ref b.Strings, capacity);
                    }
                }
                for (int j = 0; j < cols.Length; j++)
                {
                    var b = cols[j];
                    var col = row[j];
                    var span = col.Span;
                    if (b.Numbers is { } nums)
                    {
                        if (span.IsEmpty) nums[n] = double.NaN;
                        else if (col.TryParse(out double v)) { nums[n] = v; b.SawNumber = true; }
                        else if (missingLookup.Contains(span)) nums[n] = double.NaN;
                        else
                        {
                            // First non-number: the column is text. Earlier numbers need their original text (second pass).
                            b.Strings = new string?[capacity];
                            b.Numbers = null;
                            if (b.SawNumber) b.RereadBefore = n;
                            b.Strings[n] = CsvText.Restore(col.ToString());
                        }
                    }
                    else
                    {
                        b.Strings![n] = span.IsEmpty || missingLookup.Contains(span) ? null : CsvText.Restore(col.ToString());
                    }
                }
                n++;
            }
        }
        if (header) throw new UpliftDataException("the file is empty (no header row)", path);
        if (n == 0) throw new UpliftDataException("the file has a header but no data rows", path);

        if (cols.Any(b => b.RereadBefore >= 0)) Reread(path, options, cols, missingLookup);

        var columns = new RawColumn[cols.Length];
        for (int j = 0; j < cols.Length; j++)
        {
            var b = cols[j];
            if (b.Numbers is not null) columns[j] = RawColumn.Numeric(b.Name, b.Numbers.Length == n ? b.Numbers : Grow(b.Numbers, n, n));
            else { if (b.Strings!.Length != n) Array.Resize(ref b.Strings, n); columns[j] = RawColumn.Text(b.Name, b.Strings!); }
        }
        return new RawTable(path, n, columns);
    }

    static double[] Grow(double[] a, int used, int size)
    {
        var r = GC.AllocateUninitializedArray<double>(size);
        a.AsSpan(0, used).CopyTo(r);
        return r;
    }

    static ColumnBuilder[] ReadHeader(SepReader.Row row, string path, HashSet<string> textColumns)
    {
        var cols = new ColumnBuilder[row.ColCount];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < cols.Length; j++)
        {
            string name = row[j].ToString();
            if (name.Length == 0) name = $"unnamed_{j + 1}";
            if (!seen.TryAdd(name, j))
                throw new UpliftDataException($"duplicate column name '{name}' in the header (columns {seen[name] + 1} and {j + 1})", path, column: name);
            cols[j] = new ColumnBuilder(name, textColumns.Contains(name));
        }
        return cols;
    }

    static void Reread(string path, TableReadOptions options, ColumnBuilder[] cols,
        HashSet<string>.AlternateLookup<ReadOnlySpan<char>> missingLookup)
    {
        var redo = cols.Select((b, j) => (b, j)).Where(p => p.b.RereadBefore >= 0).ToArray();
        int until = redo.Max(p => p.b.RereadBefore);
        using var reader = OpenReader(path, options);
        int k = -1;
        foreach (var row in reader)
        {
            if (k >= 0)
            {
                foreach (var (b, j) in redo)
                {
                    if (k >= b.RereadBefore) continue;
                    var span = row[j].Span;
                    b.Strings![k] = span.IsEmpty || missingLookup.Contains(span) ? null : CsvText.Restore(row[j].ToString());
                }
            }
            if (++k >= until) break;
        }
    }
}

/// <summary>Parquet reading with Parquet.Net: all row groups, flat columns only.</summary>
static class ParquetTableReader
{
    public static RawTable Read(string path, TableReadOptions options)
    {
        try { return ReadAsync(path, options).GetAwaiter().GetResult(); }
        catch (UpliftException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new UpliftDataException($"cannot read the Parquet file: {e.Message}", path);
        }
    }

    static async Task<RawTable> ReadAsync(string path, TableReadOptions options)
    {
        var textColumns = new HashSet<string>(options.TextColumns ?? [], StringComparer.Ordinal);
        await using var reader = await ParquetReader.CreateAsync(path);
        var top = reader.Schema.Fields;
        foreach (var f in top)
            if (f.SchemaType != SchemaType.Data || ((DataField)f).IsArray)
                throw new UpliftDataException($"nested or list column '{f.Name}' is not supported; flatten the file first", path, column: f.Name);
        var fields = reader.Schema.GetDataFields();
        if (fields.Length == 0) throw new UpliftDataException("the Parquet file has no columns", path);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in fields)
            if (!seen.Add(f.Name)) throw new UpliftDataException($"duplicate column name '{f.Name}'", path, column: f.Name);

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
                else await ReadStrings(rg, f, strings[j]!.AsMemory(offset, count));
            }
            offset += count;
        }

        var columns = new RawColumn[fields.Length];
        for (int j = 0; j < fields.Length; j++)
            columns[j] = numbers[j] is { } num ? RawColumn.Numeric(fields[j].Name, num) : RawColumn.Text(fields[j].Name, strings[j]!);
        return new RawTable(path, rows, columns);
    }

    internal static bool IsNumeric(Type t) =>
        t == typeof(double) || t == typeof(float) || t == typeof(int) || t == typeof(long) || t == typeof(short) ||
        t == typeof(sbyte) || t == typeof(byte) || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong) ||
        t == typeof(decimal) || t == typeof(Half) || t == typeof(bool);

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

    static async Task ReadAsText<T>(ParquetRowGroupReader rg, DataField f, Memory<string?> dst) where T : struct
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
        for (int i = 0; i < buf.Length; i++)
            d[i] = buf[i] is T v ? (v is IFormattable fm ? fm.ToString(v is double or float ? "R" : null, CultureInfo.InvariantCulture) : v.ToString()) : null;
    }

    /// <summary>Reads a column of a row group into <paramref name="dst"/> as text (strings as they are, other types their invariant text).</summary>
    internal static async Task ReadStrings(ParquetRowGroupReader rg, DataField f, Memory<string?> dst)
    {
        if (f.ClrType == typeof(string))
        {
            await rg.ReadAsync(f, dst, null);
            return;
        }
        if (f.ClrType == typeof(byte[]))
            throw new NotSupportedException($"binary column '{f.Name}' is not supported");
        // Any other type (numbers forced to text, dates, ...): the invariant text of each value.
        var method = typeof(ParquetTableReader).GetMethod(nameof(ReadAsText), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(f.ClrType);
        await (Task)method.Invoke(null, [rg, f, dst])!;
    }
}

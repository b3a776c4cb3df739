using System.Globalization;
using Parquet;
using Parquet.Schema;
using Uplift.IO;

namespace Uplift.Data;

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

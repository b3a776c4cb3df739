using nietras.SeparatedValues;
using Uplift.IO;

namespace Uplift.Data;

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
                    if (row.ColCount == 1 && row.Span.Trim().IsEmpty)
                    {
                        if (blankRow < 0) blankRow = dataRow;
                        else CsvCells.CheckBlankRun(blankRow, dataRow, path);
                        continue;
                    }
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

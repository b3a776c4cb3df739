using nietras.SeparatedValues;

namespace Uplift.Data;

/// <summary>
/// The CSV rules both CSV readers share, on top of Sep (which splits rows and fields but neither unescapes nor checks
/// quotes here): a field is either unquoted, with no '"' in it, or wholly quoted ("a, b", "say ""hi"""), spaces around
/// it ignored. A quote inside an unquoted field, text after a closing quote, or a quote never closed is an error naming
/// the row and column. Surrounding spaces are trimmed (inside quotes too). A row may be at most
/// <see cref="InputLimits.MaxRowChars"/> characters.
/// </summary>
static class CsvCells
{
    /// <summary>Sep options shared by the CSV readers.</summary>
    public static SepReaderOptions Options(TableReadOptions options) => new(options.Separator is char c ? new Sep(c) : null)
    {
        HasHeader = false, // the header is read as row 0 so duplicate names get our own message
        Unescape = false,  // unescaped and checked by Value
        Trim = SepTrim.None, // trimmed by Value (Sep's own trimming costs more than the parsing)
        DisableColCountCheck = true,
        CultureInfo = System.Globalization.CultureInfo.InvariantCulture,
        CreateToString = SepToString.PoolPerCol(maximumStringLength: 64),
    };

    /// <summary>Advances <paramref name="reader"/>, turning the parser's own errors into <see cref="UpliftDataException"/>s.
    /// <paramref name="lastRow"/> is the 0-based row index last read (0 = header), used to name the row in errors.</summary>
    public static bool MoveNext(SepReader reader, string path, long lastRow)
    {
        try { return reader.MoveNext(); }
        catch (NotSupportedException e) when (e.Message.Contains("maximum supported length", StringComparison.Ordinal))
        {
            string where = lastRow < 0 ? "the header" : $"data row {lastRow + 1}";
            throw new UpliftDataException(
                $"{where} is longer than {CellText.Count(InputLimits.MaxRowChars)} characters (the most a row may hold): most likely a quote (\") that is never closed, which makes the rest of the file one field",
                path, lastRow < 0 ? null : lastRow + 1);
        }
        catch (NotSupportedException e)
        {
            throw new UpliftDataException($"the CSV parser cannot read {(lastRow < 0 ? "the header" : $"data row {lastRow + 1}")}: {e.Message}", path, lastRow < 0 ? null : lastRow + 1);
        }
        catch (InvalidDataException e) { throw new UpliftDataException($"cannot read the file: {e.Message}", path); }
        catch (System.Text.DecoderFallbackException e) { throw new UpliftDataException($"cannot decode the text: {e.Message}", path); }
    }

    /// <summary>True when the raw row holds a quote, so its fields need <see cref="Value"/>'s checks.</summary>
    public static bool HasQuote(SepReader.Row row) => row.Span.Contains('"');

    /// <summary>
    /// The value of a field: the field itself when the row has no quote; otherwise checked and unescaped (into
    /// <paramref name="scratch"/> when it holds doubled quotes). <paramref name="quoted"/> is true when the value is not
    /// the raw field (so the caller makes its own string). Throws naming the row (null = header) and column.
    /// </summary>
    public static ReadOnlySpan<char> Value(ReadOnlySpan<char> raw, bool rowHasQuote, ref char[] scratch, out bool quoted,
        string path, long? row, string column)
    {
        quoted = false;
        if (raw.Length > 0 && (raw[0] == ' ' || raw[^1] == ' '))
        {
            raw = raw.Trim(' ');
            quoted = true; // not the raw field any more: the caller makes its own string
        }
        if (!rowHasQuote) return raw;
        int q = raw.IndexOf('"');
        if (q < 0) return raw;
        if (q > 0)
            throw Error($"stray quote (\") inside the unquoted field {CellText.Show(raw)}; quote the whole field and double the quotes inside (\"a \"\"b\"\"\")", path, row, column);
        quoted = true;
        int len = 0;
        bool closed = false, escaped = false;
        int i = 1;
        for (; i < raw.Length; i++)
        {
            if (raw[i] != '"') continue;
            if (i + 1 < raw.Length && raw[i + 1] == '"') { escaped = true; i++; continue; }
            closed = true;
            break;
        }
        if (!closed)
            throw Error($"unterminated quote: the field {CellText.Show(raw)} opens a quote (\") that is never closed", path, row, column);
        if (i != raw.Length - 1)
            throw Error($"text after the closing quote in the field {CellText.Show(raw)}; quote the whole field and double the quotes inside", path, row, column);
        var inner = raw[1..i];
        if (!escaped) return inner.Trim(' ');
        if (scratch.Length < inner.Length) scratch = new char[Math.Max(inner.Length, 2 * scratch.Length)];
        for (int k = 0; k < inner.Length; k++)
        {
            scratch[len++] = inner[k];
            if (inner[k] == '"') k++; // "" -> "
        }
        return scratch.AsSpan(0, len).Trim(' ');
    }

    static UpliftDataException Error(string message, string path, long? row, string column) =>
        row is null ? new UpliftDataException($"in the header: {message}", path, column: column) : new UpliftDataException(message, path, row, column);

    /// <summary>The column names of a header row (empty = unnamed_N), checked: distinct, at most <see cref="InputLimits.MaxColumnNameChars"/> characters.</summary>
    public static string[] Header(SepReader.Row header, string path)
    {
        var names = new string[header.ColCount];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        bool hasQuote = HasQuote(header);
        char[] scratch = [];
        for (int j = 0; j < names.Length; j++)
        {
            var value = Value(header[j].Span, hasQuote, ref scratch, out _, path, null, $"#{j + 1}");
            if (value.Length > InputLimits.MaxColumnNameChars)
                throw new UpliftDataException($"the name of column {j + 1} in the header is {CellText.Count(value.Length)} characters long, more than {InputLimits.MaxColumnNameChars}: {CellText.Show(value)}", path);
            string name = value.Length == 0 ? $"unnamed_{j + 1}" : new string(value);
            if (!seen.TryAdd(name, j))
                throw new UpliftDataException($"duplicate column name {CellText.Show(name)} in the header (columns {seen[name] + 1} and {j + 1})", path, column: name);
            names[j] = name;
        }
        return names;
    }

    /// <summary>Refuses a run of more than <see cref="InputLimits.MaxBlankLines"/> blank lines (from <paramref name="blankRow"/>).</summary>
    internal static void CheckBlankRun(long blankRow, long dataRow, string path)
    {
        if (dataRow - blankRow >= InputLimits.MaxBlankLines)
            throw new UpliftDataException($"more than {CellText.Count(InputLimits.MaxBlankLines)} blank lines in a row: not a data file (a gzip bomb?)", path, blankRow);
    }
}

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

namespace Uplift;

/// <summary>
/// An error the user can act on: bad input data, a bad option, a model file that does not match.
/// The message is complete and meant to be shown as is (the CLI prints it without a stack trace).
/// </summary>
public class UpliftException : Exception
{
    public UpliftException(string message) : base(message) { }
    public UpliftException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Bad input data. The message names the file and, where known, the row and the column.</summary>
public sealed class UpliftDataException : UpliftException
{
    public string? File { get; }
    /// <summary>1-based data row (header excluded), or null when the error is not about one row.</summary>
    public long? Row { get; }
    public string? Column { get; }

    public UpliftDataException(string message, string? file = null, long? row = null, string? column = null)
        : base(Compose(message, file, row, column))
    {
        File = file;
        Row = row;
        Column = column;
    }

    static string Compose(string message, string? file, long? row, string? column)
    {
        var where = new List<string>();
        if (file is not null) where.Add(file);
        if (row is not null) where.Add($"row {row}");
        if (column is not null) where.Add($"column '{column}'");
        return where.Count == 0 ? message : $"{string.Join(", ", where)}: {message}";
    }
}

/// <summary>An option outside its allowed range. The message names the option and the range.</summary>
public sealed class UpliftOptionException : UpliftException
{
    /// <summary>The option as the code that raised the error named it (a flag such as --budget, or an options record's property).</summary>
    public string Option { get; }
    /// <summary>What is wrong with it (the message without the option).</summary>
    public string Detail { get; }

    public UpliftOptionException(string option, string message) : base($"option {option}: {message}")
    {
        Option = option;
        Detail = message;
    }

    /// <summary>Throws when <paramref name="ok"/> is false.</summary>
    public static void Check(bool ok, string option, string message)
    {
        if (!ok) throw new UpliftOptionException(option, message);
    }
}

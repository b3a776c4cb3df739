using System.Globalization;

namespace Uplift.IO;

/// <summary>
/// Formula-injection guard for text cells of the CSV files the project writes (spreadsheets run a cell such as
/// <c>=HYPERLINK(...)</c> or <c>@SUM(...)</c> as a formula). The rule: a text cell whose first character is
/// <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return, and which is not a plain number
/// (<c>-3</c>, <c>+1.5e3</c> stay as they are), is written with a leading apostrophe, which spreadsheets show
/// as text and do not evaluate. So that the rule can be undone, a cell that already is one or more apostrophes
/// followed by such a character gets one more apostrophe; <see cref="Restore"/> removes exactly one.
/// Numeric columns and header names are written as they are.
/// </summary>
public static class CsvText
{
    /// <summary>The cell as written to a CSV file (see the class summary).</summary>
    public static string Neutralise(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        int i = 0;
        while (i < cell.Length && cell[i] == '\'') i++;
        if (i == cell.Length || !IsTrigger(cell[i])) return cell;
        if (i == 0 && IsPlainNumber(cell)) return cell;
        return "'" + cell;
    }

    /// <summary>The inverse of <see cref="Neutralise"/>: a cell of one or more apostrophes followed by a trigger
    /// character loses one apostrophe; any other cell is returned unchanged.</summary>
    public static string Restore(string cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        int i = 0;
        while (i < cell.Length && cell[i] == '\'') i++;
        return i > 0 && i < cell.Length && IsTrigger(cell[i]) ? cell[1..] : cell;
    }

    /// <summary>True for the characters a spreadsheet may start a formula with.</summary>
    public static bool IsTrigger(char c) => c is '=' or '+' or '-' or '@' or '\t' or '\r';

    static bool IsPlainNumber(string cell) =>
        cell.Length > 1 && cell[0] is '+' or '-'
        && (char.IsAsciiDigit(cell[1]) || cell[1] == '.')
        && double.TryParse(cell, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
            CultureInfo.InvariantCulture, out _);
}

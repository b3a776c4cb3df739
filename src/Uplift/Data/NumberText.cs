using System.Globalization;

namespace Uplift.Data;

/// <summary>What a cell's text is, as a number.</summary>
enum NumberKind
{
    /// <summary>A number by the rule of <see cref="NumberText"/>.</summary>
    Number,
    /// <summary>Text that does not try to be a number ("red", "FR", "-", "5%").</summary>
    Text,
    /// <summary>Looks like a number but breaks the rule ("1,5", "1_000", "0x10", "1.5.2", "0.5\0", "inf"): never read as one.</summary>
    Malformed,
    /// <summary>A well-formed number outside the range of a double ("1e400").</summary>
    OutOfRange,
}

/// <summary>
/// The one rule for numbers in CSV cells (every reader uses it): after trimming spaces and tabs, an optional sign,
/// ASCII digits with at most one decimal point (<c>'.'</c>, or <c>','</c> with <see cref="TableReadOptions.DecimalSeparator"/>),
/// and an optional exponent (<c>e</c>/<c>E</c>, sign, digits): "1", "-0.5", ".5", "5.", "2e-3". No thousands or digit-group
/// separators ("1,234.5", "1_000", "1 000"), no hexadecimal ("0x10"), no infinities ("inf", "∞"), no control characters
/// ("0.5" followed by NUL bytes), and the value must be finite ("1e400" is out of range; a value below the smallest double reads as 0).
/// </summary>
static class NumberText
{
    /// <summary>The kind of the cell without its value: <see cref="NumberKind.Number"/> when it follows the grammar (the
    /// caller parses it, e.g. with the CSV parser's fast float parser, and checks it is finite), else Text or Malformed.</summary>
    public static NumberKind Classify(ReadOnlySpan<char> s, char decimalSeparator)
    {
        s = s.Trim(" \t");
        if (s.IsEmpty) return NumberKind.Text;
        if (Matches(s, decimalSeparator)) return NumberKind.Number;
        return LooksNumeric(s) ? NumberKind.Malformed : NumberKind.Text;
    }

    /// <summary><see cref="Classify"/> and, for a number, its value (a non-finite value is <see cref="NumberKind.OutOfRange"/>).</summary>
    public static NumberKind Parse(ReadOnlySpan<char> s, char decimalSeparator, out double value)
    {
        value = double.NaN;
        s = s.Trim(" \t");
        if (s.IsEmpty) return NumberKind.Text;
        if (Matches(s, decimalSeparator))
        {
            bool ok;
            if (decimalSeparator == '.') ok = double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
            else
            {
                Span<char> buf = s.Length <= 256 ? stackalloc char[s.Length] : new char[s.Length];
                s.CopyTo(buf);
                buf.Replace(decimalSeparator, '.');
                ok = double.TryParse(buf, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
            }
            if (!ok) return NumberKind.Malformed;
            if (!double.IsFinite(value)) { value = double.NaN; return NumberKind.OutOfRange; }
            return NumberKind.Number;
        }
        return LooksNumeric(s) ? NumberKind.Malformed : NumberKind.Text;
    }

    /// <summary>The grammar: [+-] (digits [sep digits*] | sep digits) ([eE] [+-] digits)?.</summary>
    static bool Matches(ReadOnlySpan<char> s, char sep)
    {
        int i = 0, n = s.Length;
        if (s[0] is '+' or '-') i++;
        int intDigits = 0, fracDigits = 0;
        while (i < n && char.IsAsciiDigit(s[i])) { i++; intDigits++; }
        if (i < n && s[i] == sep)
        {
            i++;
            while (i < n && char.IsAsciiDigit(s[i])) { i++; fracDigits++; }
        }
        if (intDigits + fracDigits == 0) return false;
        if (i < n && s[i] is 'e' or 'E')
        {
            i++;
            if (i < n && s[i] is '+' or '-') i++;
            int expDigits = 0;
            while (i < n && char.IsAsciiDigit(s[i])) { i++; expDigits++; }
            if (expDigits == 0) return false;
        }
        return i == n;
    }

    /// <summary>True for text that is plainly an attempt at a number: an infinity, a hexadecimal number, or a digit (after an
    /// optional sign and decimal mark) followed only by digits, signs, '.', ',', '_', '\'', spaces, exponent letters or control characters.</summary>
    static bool LooksNumeric(ReadOnlySpan<char> s)
    {
        var t = s.TrimStart("+-");
        if (t.Equals("inf", StringComparison.OrdinalIgnoreCase) || t.Equals("infinity", StringComparison.OrdinalIgnoreCase) || t.SequenceEqual("∞"))
            return true;
        if (t.Length > 2 && t[0] == '0' && t[1] is 'x' or 'X' && t[2..].IndexOfAnyExcept("0123456789abcdefABCDEF_") < 0) return true;
        var u = t.TrimStart(".,");
        if (u.IsEmpty || !char.IsAsciiDigit(u[0])) return false;
        foreach (char c in t)
            if (!(char.IsAsciiDigit(c) || c is '+' or '-' or '.' or ',' or '_' or '\'' or ' ' or '\u00a0' or '\u202f' or 'e' or 'E' || char.IsControl(c)))
                return false;
        return true;
    }

    /// <summary>True for a cell that reads as a number with a decimal comma ("1,5", "-12,75", "1.234,5"), the mark of a
    /// file exported in a locale that writes decimals with ','.</summary>
    public static bool LooksDecimalComma(ReadOnlySpan<char> s)
    {
        s = s.Trim(" \t");
        int comma = s.IndexOf(',');
        if (comma < 0 || s.LastIndexOf(',') != comma) return false;
        var groups = s[..comma].TrimStart("+-");
        if (groups.IsEmpty || groups.IndexOfAnyExcept("0123456789.") >= 0 || !char.IsAsciiDigit(groups[0])) return false;
        var frac = s[(comma + 1)..];
        return !frac.IsEmpty && frac.IndexOfAnyExcept("0123456789") < 0;
    }

    /// <summary>What is wrong with a <see cref="NumberKind.Malformed"/> or <see cref="NumberKind.OutOfRange"/> cell, for messages: "is not a number: ...".</summary>
    public static string Why(ReadOnlySpan<char> s, NumberKind kind, char decimalSeparator)
    {
        if (kind == NumberKind.OutOfRange) return "is not a finite number: it is outside the range of a double (about ±1.8e308)";
        var t = s.Trim(" \t");
        if (t.IndexOfAnyInRange('\0', '\u001f') >= 0 || t.Contains('\u007f')) return "is not a number: it contains a control character (a NUL byte?)";
        var bare = t.TrimStart("+-");
        if (bare.Equals("inf", StringComparison.OrdinalIgnoreCase) || bare.Equals("infinity", StringComparison.OrdinalIgnoreCase) || bare.SequenceEqual("∞"))
            return "is not a finite number: infinite values are not accepted";
        if (bare.Length > 1 && bare[0] == '0' && bare[1] is 'x' or 'X') return "is not a number: hexadecimal numbers are not accepted";
        if (decimalSeparator == '.' && LooksDecimalComma(t))
            return "is not a number: it looks like a decimal comma; re-export the file with '.' as the decimal point";
        if (t.Contains(',') && decimalSeparator == '.') return "is not a number: ',' is not accepted in numbers (no thousands separators; the decimal point is '.')";
        if (decimalSeparator == ',' && t.Contains('.')) return "is not a number: '.' is not accepted in numbers read with the decimal comma (no thousands separators)";
        if (t.IndexOfAny("_' \u00a0\u202f") >= 0) return "is not a number: digit group separators are not accepted";
        if (t.Count(decimalSeparator) > 1) return "is not a number: more than one decimal point";
        return "is not a number";
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Uplift.Cli;

/// <summary>
/// Turns System.CommandLine's parse errors into the tool's own short messages: one line naming the problem in the
/// user's terms (no .NET type names), one line saying where the help is. Exit code 1 (bad command line).
/// </summary>
static partial class CommandLineErrors
{
    public const int ExitBadCommandLine = 1;

    public static int Report(ParseResult result, TextWriter error)
    {
        error.WriteLine($"error: {Message(result)}");
        error.WriteLine($"see '{CommandPath(result.CommandResult)} --help'");
        return ExitBadCommandLine;
    }

    /// <summary>"uplift train" for the command the line got to.</summary>
    public static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? s = command; s is not null; s = s.Parent)
            if (s is CommandResult c) names.Add(c.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    static string Message(ParseResult result)
    {
        // The most telling problem first: a bad value, then an unknown word, then anything else, then what is missing.
        var required = new List<string>();
        var others = new List<(int Rank, string Text)>();
        foreach (var e in result.Errors)
        {
            var m = RequiredOption().Match(e.Message);
            if (m.Success) { required.Add(m.Groups[1].Value); continue; }
            int rank = CannotParse().IsMatch(e.Message) ? 0 : Unrecognized().IsMatch(e.Message) ? 1
                : e.Message.StartsWith("Required command", StringComparison.Ordinal) ? 3 : 2;
            others.Add((rank, Translate(e, result)));
        }
        if (others.Count > 0) return others.OrderBy(x => x.Rank).First().Text;
        if (required.Count > 0)
            return $"missing required option{(required.Count > 1 ? "s" : "")} {string.Join(", ", required)}";
        return Clean(result.Errors[0].Message);
    }

    static string Translate(ParseError e, ParseResult result)
    {
        var cannot = CannotParse().Match(e.Message);
        if (cannot.Success)
        {
            string value = cannot.Groups["value"].Value, option = cannot.Groups["option"].Value;
            var type = (e.SymbolResult as ArgumentResult)?.Argument.ValueType
                       ?? (e.SymbolResult as OptionResult)?.Option.ValueType;
            return $"{option} expects {Expected(type)}, got '{Shorten(value)}'";
        }
        var unknown = Unrecognized().Match(e.Message);
        if (unknown.Success)
        {
            string token = unknown.Groups[1].Value;
            var command = result.CommandResult.Command;
            if (token.StartsWith('-'))
            {
                string hint = Suggest(token, AllOptions(result.CommandResult)) is { } s ? $" (did you mean {s}?)" : "";
                return $"unknown option '{Shorten(token)}' for '{CommandPath(result.CommandResult)}'{hint}";
            }
            if (command.Subcommands.Count > 0)
            {
                string hint = Suggest(token, command.Subcommands.Select(c => c.Name)) is { } s ? $" (did you mean {s}?)" : "";
                return $"unknown command '{Shorten(token)}'{hint}; commands: {string.Join(", ", command.Subcommands.Select(c => c.Name))}";
            }
            return $"unexpected argument '{Shorten(token)}' (every value follows an option, e.g. --rows 1000)";
        }
        if (e.Message.StartsWith("Required command was not provided", StringComparison.Ordinal))
            return $"choose a command: {string.Join(", ", result.CommandResult.Command.Subcommands.Select(c => c.Name))}";
        return Clean(e.Message);
    }

    /// <summary>What a value of <paramref name="type"/> looks like, in words.</summary>
    internal static string Expected(Type? type)
    {
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        if (type is null) return "a value";
        if (type.IsArray) return Expected(type.GetElementType());
        if (type.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()));
        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) || type == typeof(ulong))
            return "a whole number";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "a number";
        if (type == typeof(bool)) return "true or false";
        return "a value";
    }

    static IEnumerable<string> AllOptions(CommandResult command)
    {
        for (SymbolResult? s = command; s is not null; s = s.Parent)
            if (s is CommandResult c)
                foreach (var o in c.Command.Options)
                    if (!o.Hidden && (ReferenceEquals(c, command) || o.Recursive))
                        yield return o.Name;
    }

    /// <summary>The closest name by edit distance (at most 2, or a prefix), or null.</summary>
    static string? Suggest(string token, IEnumerable<string> names)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var n in names)
        {
            int d = n.StartsWith(token, StringComparison.OrdinalIgnoreCase) && token.Length >= 4 ? 1 : Distance(token.ToLowerInvariant(), n.ToLowerInvariant());
            if (d < bestDistance) (best, bestDistance) = (n, d);
        }
        return bestDistance <= 2 ? best : null;
    }

    /// <summary>Edit distance with adjacent transpositions (so "--trese" is one step from "--trees").</summary>
    static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                d[i, j] = Math.Min(Math.Min(d[i - 1, j], d[i, j - 1]) + 1, d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    /// <summary>A parser message with any .NET type name replaced by words, and without a final full stop.</summary>
    static string Clean(string message)
    {
        string m = TypeName().Replace(message, x => Expected(Type.GetType(x.Groups[1].Value)));
        return m.TrimEnd('.');
    }

    /// <summary>A typed value cut to 80 characters for a message.</summary>
    internal static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";

    [GeneratedRegex(@"^Option '([^']+)' is required\.?$")]
    private static partial Regex RequiredOption();

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '[^']*'\.?$", RegexOptions.Singleline)]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Unrecognized command or argument '(.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex Unrecognized();

    [GeneratedRegex(@"'?(System\.[A-Za-z0-9_.`\[\], =]+?)'?(?=[\s.,;:)]|$)")]
    private static partial Regex TypeName();
}

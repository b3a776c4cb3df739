using System.CommandLine;
using System.CommandLine.Help;
using Uplift.IO;

namespace Uplift.Cli;

/// <summary>
/// Refuses, before any work starts, a command line whose output would overwrite one of its own inputs
/// (<c>score --data x.csv --out x.csv</c>, also through <c>./x.csv</c>, <c>a/../x.csv</c>, a symbolic or hard
/// link, or a case variant on a case-insensitive file system) or whose two outputs are the same file.
/// Outputs that are not regular files (<c>/dev/null</c>, a FIFO) are never refused. The options are found by name
/// (<see cref="OutputNames"/>, <see cref="InputNames"/>) on whatever command was parsed, so a new command with a
/// <c>--out</c> is guarded without a change here.
/// </summary>
static class OutputGuard
{
    /// <summary>Options that name a file (or, for <c>--out-dir</c>, a folder) the command writes.</summary>
    public static readonly IReadOnlySet<string> OutputNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "--out", "--plot", "--out-dir", "--report",
    };

    /// <summary>Options that name a file the command reads.</summary>
    public static readonly IReadOnlySet<string> InputNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "--data", "--model", "--eval", "--plan", "--assignments", "--outcomes", "--truth", "--candidates",
        "--covertype", "--census", "--campaign",
    };

    /// <summary>(command, option) pairs whose value is not a file although the name says so (train's --model is a learner name).</summary>
    static readonly HashSet<(string Command, string Option)> NotFiles = [("train", "--model")];

    /// <summary>Files written inside an <c>--out-dir</c> folder, by command.</summary>
    static readonly Dictionary<string, string[]> OutDirFiles = new(StringComparer.Ordinal)
    {
        ["bench"] = ["report.md", "covertype-cost-curves.svg", "covertype-cost-curves.png", "census-cost-curves.svg", "census-cost-curves.png"],
        ["demo"] = ["cost-curves.svg", "cost-curves.png"],
    };

    /// <summary>Checks the parsed command line; returns null when it may run, else the exit code after printing
    /// the error (as every command does, through <see cref="Common.Run"/>).</summary>
    public static int? Check(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (parse.Errors.Count > 0 || parse.Action is HelpAction) return null; // the parser reports those itself
        int code = Common.Run(() =>
        {
            Validate(parse);
            return Common.ExitOk;
        });
        return code == Common.ExitOk ? null : code;
    }

    /// <summary>Throws an <see cref="UpliftException"/> naming both options when an output is an input or
    /// another output of the same command.</summary>
    public static void Validate(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var (inputs, outputs) = Files(parse);
        var regularOutputs = outputs.Where(o => PathIdentity.Kind(o.Path) is PathKind.Regular or PathKind.Missing).ToList();
        foreach (var o in regularOutputs)
            foreach (var i in inputs)
                if (PathIdentity.Kind(i.Path) == PathKind.Regular && PathIdentity.SameFile(o.Path, i.Path))
                    throw new UpliftException(
                        $"{o.Option} {o.Given} is the same file as {i.Option} {i.Given}; choose another output.");
        for (int a = 0; a < regularOutputs.Count; a++)
            for (int b = a + 1; b < regularOutputs.Count; b++)
                if (PathIdentity.SameFile(regularOutputs[a].Path, regularOutputs[b].Path))
                    throw new UpliftException(
                        $"{regularOutputs[b].Option} {regularOutputs[b].Given} is the same file as {regularOutputs[a].Option} {regularOutputs[a].Given}; choose another output.");
    }

    /// <summary>One file of the command line: the option, the value as given, and the path it names.</summary>
    internal sealed record FileArg(string Option, string Given, string Path);

    /// <summary>The input and output files of the parsed command, with derived outputs (a --plot without an
    /// extension writes .svg and .png; an --out-dir gets its command's files).</summary>
    internal static (List<FileArg> Inputs, List<FileArg> Outputs) Files(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var inputs = new List<FileArg>();
        var outputs = new List<FileArg>();
        foreach (var option in command.Options)
        {
            bool isOut = OutputNames.Contains(option.Name), isIn = InputNames.Contains(option.Name);
            if (!isOut && !isIn || NotFiles.Contains((command.Name, option.Name))) continue;
            foreach (var value in Values(parse, option))
            {
                if (value.Length == 0) continue;
                if (isIn) inputs.Add(new FileArg(option.Name, value, value));
                else if (option.Name == "--out-dir")
                {
                    foreach (var f in OutDirFiles.GetValueOrDefault(command.Name, []))
                        outputs.Add(new FileArg(option.Name, value, Path.Combine(value, f)));
                }
                else if (option.Name == "--plot" && Path.GetExtension(value).Length == 0)
                {
                    outputs.Add(new FileArg(option.Name, value, value + ".svg"));
                    outputs.Add(new FileArg(option.Name, value, value + ".png"));
                }
                else outputs.Add(new FileArg(option.Name, value, value));
            }
        }
        return (inputs, outputs);
    }

    static IEnumerable<string> Values(ParseResult parse, Option option)
    {
        object? value;
        try { value = parse.GetResult(option)?.GetValueOrDefault<object?>(); }
        catch (InvalidOperationException) { yield break; } // conversion errors are reported by the parser
        switch (value)
        {
            case string s: yield return s; break;
            case IEnumerable<string> many: foreach (var s in many) yield return s; break;
        }
    }
}

using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Reflection;
using Uplift.Cli.Commands;

namespace Uplift.Cli;

/// <summary>The command tree of the <c>uplift</c> tool; <see cref="Run"/> is the whole program (tests call it in-process).</summary>
public static class UpliftCli
{
    /// <summary>The name of the tool in help and messages, whatever the executable or test host is called.</summary>
    public const string Name = "uplift";

    /// <summary>
    /// The root command, named <see cref="Name"/> explicitly (a <see cref="RootCommand"/> takes the name of the
    /// running executable: Uplift.Cli, or testhost in tests), with --help on every command and --version.
    /// </summary>
    public static Command Create()
    {
        var root = new Command(Name,
            "uplift: whom should a campaign treat? Train ranking models on past randomized campaigns " +
            "(incremental value per unit of incremental cost), evaluate them by cost curves and AUCC, score users.")
        {
            DemoCommand.Create(),
            SimulateCommand.Create(),
            TrainCommand.Create(),
            ScoreCommand.Create(),
            EvaluateCommand.Create(),
            CompareCommand.Create(),
            PlanCommand.Create(),
            AssignCommand.Create(),
            SimulateOutcomesCommand.Create(),
            ReadoutCommand.Create(),
            ReportCommand.Create(),
            CheckCommand.Create(),
            BenchCommand.Create(),
            WorkerCommand.Create(),
        };
        root.Options.Add(new HelpOption());
        root.Options.Add(new Option<bool>("--version")
        {
            Description = "Show the version of uplift.",
            Arity = ArgumentArity.Zero,
            Action = new VersionAction(),
        });
        StrictNumbers(root);
        return root;
    }

    /// <summary>
    /// Every number option of the tree reads its value with the invariant culture and no thousands separator, and
    /// only finite values: System.CommandLine's default would read "1,5" as 15 and accept NaN.
    /// </summary>
    static void StrictNumbers(Command command)
    {
        foreach (var o in command.Options)
            switch (o)
            {
                case Option<double> d: d.CustomParser = r => ParseDouble(r) ?? 0; break;
                case Option<double?> d: d.CustomParser = ParseDouble; break;
                case Option<int> i: i.CustomParser = r => ParseInt(r) ?? 0; break;
                case Option<int?> i: i.CustomParser = ParseInt; break;
            }
        foreach (var sub in command.Subcommands) StrictNumbers(sub);
    }

    static double? ParseDouble(ArgumentResult r)
    {
        string token = r.Tokens.Count == 1 ? r.Tokens[0].Value : string.Join(' ', r.Tokens.Select(t => t.Value));
        if (!token.Any(char.IsControl) && double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)) return v;
        r.AddError($"{OptionName(r)} expects a number (with a decimal point, e.g. 0.5), got '{CommandLineErrors.Shorten(Visible(token))}'");
        return null;
    }

    static int? ParseInt(ArgumentResult r)
    {
        string token = r.Tokens.Count == 1 ? r.Tokens[0].Value : string.Join(' ', r.Tokens.Select(t => t.Value));
        if (!token.Any(char.IsControl) && int.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite,
                CultureInfo.InvariantCulture, out int v)) return v;
        bool big = long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
        r.AddError($"{OptionName(r)} expects a whole number{(big ? $" up to {int.MaxValue}" : "")}, got '{CommandLineErrors.Shorten(Visible(token))}'");
        return null;
    }

    /// <summary>Control characters (a NUL byte) shown as \\u escapes, so a message shows what was typed.</summary>
    static string Visible(string s) => string.Concat(s.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    static string OptionName(ArgumentResult r) => (r.Parent as OptionResult)?.Option.Name ?? r.Argument.Name;


    /// <summary>The version of the tool (the informational version of this assembly, e.g. 0.1.0+commit).</summary>
    public static string Version =>
        typeof(UpliftCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(UpliftCli).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// Parses and runs one command line; returns the exit code (0 ok, 1 bad command line, 2 user error, 70 bug).
    /// A command line that does not parse prints one or two lines on standard error (the problem and where the
    /// help is), never the whole help and never anything on standard output.
    /// </summary>
    public static int Run(string[] args)
    {
        var result = Create().Parse(args);
        if (result.Errors.Count > 0 && result.Action is ParseErrorAction)
            return CommandLineErrors.Report(result, Console.Error);
        Common.CommandPath = CommandLineErrors.CommandPath(result.CommandResult);
        try
        {
            // An output that is an input (or another output) of the command is refused before any work starts.
            return OutputGuard.Check(result) ?? result.Invoke();
        }
        finally
        {
            Common.CommandPath = null;
        }
    }

    sealed class VersionAction : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine(Version);
            return Common.ExitOk;
        }
    }
}

using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
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
            BenchCommand.Create(),
        };
        root.Options.Add(new HelpOption());
        root.Options.Add(new Option<bool>("--version")
        {
            Description = "Show the version of uplift.",
            Arity = ArgumentArity.Zero,
            Action = new VersionAction(),
        });
        return root;
    }

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
        return result.Invoke();
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

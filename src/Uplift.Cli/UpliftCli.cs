using System.CommandLine;
using Uplift.Cli.Commands;

namespace Uplift.Cli;

/// <summary>The command tree of the <c>uplift</c> tool; <see cref="Run"/> is the whole program (tests call it in-process).</summary>
public static class UpliftCli
{
    public static RootCommand Create() => new(
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

    /// <summary>Parses and runs one command line; returns the exit code (0 ok, 2 user error, 70 bug).</summary>
    public static int Run(string[] args)
    {
        var parse = Create().Parse(args);
        return OutputGuard.Check(parse) ?? parse.Invoke();
    }
}

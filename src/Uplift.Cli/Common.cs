using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Uplift.Cli;

/// <summary>Options every command shares, and the one place where errors become exit codes.</summary>
static class Common
{
    public const int ExitOk = 0;
    /// <summary>Bad input, bad option, model that does not match: the message says what to fix.</summary>
    public const int ExitUserError = 2;
    /// <summary>A bug: please report it.</summary>
    public const int ExitInternalError = 70;

    public static Option<int> Seed() => new("--seed")
    {
        Description = "Seed of every random choice; the same seed gives the same numbers whatever the thread count.",
        DefaultValueFactory = _ => 1,
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print machine-readable JSON on standard output (progress stays on standard error).",
    };

    /// <summary>The treatment column's help text, shared by every command that reads one.</summary>
    public const string TreatmentHelp =
        "Treatment column: 1/0, true/false, yes/no, t/f, treatment/control or treated/control (any case); 0/1/2.. for several arms; other labels with --control.";

    public static Option<string?> Control() => new("--control")
    {
        Description = "Label of the control group in the treatment column, when its labels are not a known pair " +
                      "(e.g. --control holdout for 'offer'/'holdout'); the other label is the treated group, several other labels are the arms.",
    };

    public static Option<int?> Threads() => new("--threads")
    {
        Description = "Cap on worker threads (default: all cores). Results do not depend on it.",
    };

    /// <summary>"uplift train" while a command runs (set by <see cref="UpliftCli.Run"/>), for the help pointer of an option error.</summary>
    [ThreadStatic] internal static string? CommandPath;

    /// <summary>Runs a command body, turning user errors into a message and exit code 2, never a stack trace.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UpliftOptionException e)
        {
            return UserError($"option {Flag(e.Option)}: {e.Detail}");
        }
        catch (Exception e) when (e is UpliftException or IOException or UnauthorizedAccessException)
        {
            return UserError(e.Message);
        }
        catch (Exception e) when (e is DllNotFoundException || e.InnerException is DllNotFoundException)
        {
            // The tool package carries SkiaSharp's native library for the mainstream platforms only (see Uplift.Cli.csproj).
            Console.Error.WriteLine("error: PNG output needs SkiaSharp's native library, which this installation of uplift " +
                $"lacks for {System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}; write the plot as .svg instead.");
            return ExitUserError;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"internal error ({e.GetType().Name}): {e.Message}");
            Console.Error.WriteLine("This is a bug in uplift; please report it with the command line you ran.");
            if (Environment.GetEnvironmentVariable("UPLIFT_DEBUG") == "1") Console.Error.WriteLine(e);
            return ExitInternalError;
        }
    }

    /// <summary>A user error: the message, then where the help is (two lines on standard error).</summary>
    static int UserError(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        if (CommandPath is { } path) Console.Error.WriteLine($"see '{path} --help'");
        return ExitUserError;
    }

    /// <summary>
    /// The command-line spelling of an option named by the library: options records name their properties
    /// (ExploreTreated, ValidFraction) or a bare name (threads); the flag is --explore-treated, --valid-fraction, --threads.
    /// </summary>
    internal static string Flag(string option)
    {
        if (option.StartsWith('-') || option.Contains(' ')) return option;
        var b = new System.Text.StringBuilder("--");
        for (int i = 0; i < option.Length; i++)
        {
            char c = option[i];
            if (char.IsUpper(c) && i > 0 && option[i - 1] != '-') b.Append('-');
            b.Append(char.ToLowerInvariant(c));
        }
        return b.ToString();
    }

    public static FitContext Context(long seed, int? threads, IProgress<ProgressInfo>? progress)
    {
        UpliftOptionException.Check(threads is null or >= 1, "--threads", "must be at least 1.");
        return new FitContext(seed, threads, progress);
    }

    public static void WriteJson(JsonNode node)
    {
        Console.Out.WriteLine(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Splits "a,b,c" into names, trimming blanks; null stays null.</summary>
    public static IReadOnlyList<string>? SplitList(string? s) =>
        s is null ? null : s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The synthetic scenario named by --scenario (case-insensitive), the error naming the option.</summary>
    public static Uplift.Synthetic.SyntheticScenario Scenario(string s) =>
        Uplift.Synthetic.SyntheticScenarios.Table.Parse(s, "--scenario");

    /// <summary>The learner name of the catalog that <paramref name="s"/> names, case-insensitive ("DRM" = "drm").</summary>
    public static string ModelName(string s, string option = "--model") =>
        Uplift.Models.LearnerCatalog.Find(s)?.Name
        ?? throw new UpliftOptionException(option, $"unknown model '{s}'; choose one of {string.Join(", ", Uplift.Models.LearnerCatalog.Names)}.");

    public static string F3(double x) => double.IsNaN(x) ? "n/a" : x.ToString("0.000", CultureInfo.InvariantCulture);
    public static string F1(double x) => x.ToString("0.0", CultureInfo.InvariantCulture);
}

namespace Uplift.Hostile;

/// <summary>The case classes of issue 9 ("What to fix", items 1-4).</summary>
public static class CaseClass
{
    public const string Files = "files";
    public const string Data = "data";
    public const string Models = "models";
    public const string Cli = "cli";
    public static readonly string[] All = [Files, Data, Models, Cli];
}

/// <summary>One hostile case: how to lay out its files and command line, and what counts as a pass.</summary>
public sealed class HostileCase
{
    public required string Class { get; init; }
    /// <summary>Unique, stable name ("files/score-out-eq-data-symlink").</summary>
    public required string Name { get; init; }
    public required Func<CaseContext, Prepared> Prepare { get; init; }
    /// <summary>Needs its own process (stdin, FIFO, /dev/zero, cwd, a kill): never run in-process.</summary>
    public bool ProcessOnly { get; init; }
    /// <summary>Large inputs (more than a few MB or seconds); left out of the in-suite slice.</summary>
    public bool Slow { get; init; }
    public override string ToString() => Name;
}

/// <summary>A case laid out in its own folder: the command line and the expectation.</summary>
public sealed class Prepared
{
    public required string[] Args { get; init; }
    /// <summary>A file piped into standard input (null: standard input is empty).</summary>
    public string? StdinFile { get; init; }
    /// <summary>Working directory of the run (process runs only; in-process runs use absolute paths).</summary>
    public string? WorkingDirectory { get; init; }
    /// <summary>Files whose SHA-256 must be the same afterwards.</summary>
    public List<string> Inputs { get; init; } = [];
    /// <summary>Paths that must not exist afterwards (a refused output, a temporary file).</summary>
    public List<string> MustNotExist { get; init; } = [];
    /// <summary>Allowed exit codes. 0 only where the class says "either read correctly or refused".</summary>
    public required int[] AllowedExits { get; init; }
    /// <summary>Regex (case-insensitive) the error text must match when the exit code is not 0.</summary>
    public string? ErrorPattern { get; init; }
    /// <summary>Longest error text (characters) allowed.</summary>
    public int MaxErrorChars { get; init; } = 600;
    /// <summary>Most non-empty lines of error text allowed (null: no limit beyond the characters).</summary>
    public int? MaxErrorLines { get; init; }
    /// <summary>The error must point at the command's help ("see 'uplift train --help'").</summary>
    public bool WantsHelpHint { get; init; }
    /// <summary>Check of a successful run (exit 0): null = fine, else what is wrong (a wrong value).</summary>
    public Func<RunResult, string?>? CheckOk { get; init; }
    /// <summary>Check after any run that nothing was destroyed (a device, a FIFO, a symlink): null = fine.</summary>
    public Func<string?>? CheckIntact { get; init; }
    /// <summary>Started before the run (a FIFO reader or writer); disposed afterwards.</summary>
    public Func<IDisposable?>? Companion { get; init; }
    public TimeSpan? Timeout { get; init; }
    /// <summary>Kill test: the run is killed (SIGKILL, whole tree) after this long; then <see cref="AfterKill"/> judges.</summary>
    public TimeSpan? KillAfter { get; init; }
    /// <summary>After a killed run: null when the output is the old file or the complete new one, and a next run
    /// leaves no temporary file; else what is wrong (data loss).</summary>
    public Func<RunResult, string?>? AfterKill { get; init; }
}

/// <summary>What one run printed and how it ended.</summary>
public sealed record RunResult(int ExitCode, string Out, string Err, bool TimedOut, TimeSpan Elapsed);

/// <summary>Runs the uplift command line: as a process (the runner) or in-process (the test slice).</summary>
public interface IUpliftRunner
{
    RunResult Run(string[] args, string? stdinFile, string? workingDirectory, TimeSpan timeout);
}

/// <summary>What a case's Prepare sees: its own empty folder, the shared valid files, and the runner for reference runs.</summary>
public sealed class CaseContext(string dir, BaseFiles b, IUpliftRunner runner)
{
    public string Dir { get; } = dir;
    public BaseFiles Base { get; } = b;
    public IUpliftRunner Runner { get; } = runner;

    public string P(string name) => Path.Combine(Dir, name);

    /// <summary>Copies a base file into the case folder (cases may destroy their copies, never the shared ones).</summary>
    public string Copy(string basePath, string? name = null)
    {
        var to = P(name ?? Path.GetFileName(basePath));
        File.Copy(basePath, to, overwrite: true);
        return to;
    }

    /// <summary>A reference run that must succeed (the "read correctly" value to compare against).</summary>
    public RunResult Reference(params string[] args)
    {
        var r = Runner.Run(args, null, null, TimeSpan.FromSeconds(60));
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"reference run failed ({r.ExitCode}): uplift {string.Join(' ', args)}\n{r.Err}");
        return r;
    }
}

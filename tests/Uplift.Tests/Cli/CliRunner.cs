using Uplift.Cli;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary>CLI tests swap the process-wide Console writers, so they run one at a time in this collection.</summary>
[CollectionDefinition("cli", DisableParallelization = true)]
public sealed class CliCollection;

/// <summary>Runs the <c>uplift</c> program in-process and captures what it prints.</summary>
static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Err);

    static readonly object Gate = new();

    public static Result Run(params string[] args)
    {
        lock (Gate) return RunLocked(args);
    }

    static Result RunLocked(string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var (o, e) = (new StringWriter(), new StringWriter());
        try
        {
            Console.SetOut(o);
            Console.SetError(e);
            int code = UpliftCli.Run(args);
            return new Result(code, o.ToString(), e.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    /// <summary>Runs a command that must succeed; returns its standard output.</summary>
    public static string Ok(params string[] args)
    {
        var (code, output, err) = Run(args);
        Assert.True(code == 0, $"uplift {string.Join(' ', args)} exited with {code}: {err}");
        return output;
    }

    /// <summary>Runs a command with --json that must succeed; returns the parsed output.</summary>
    public static System.Text.Json.Nodes.JsonObject Json(params string[] args) =>
        System.Text.Json.Nodes.JsonNode.Parse(Ok([.. args, "--json"]))!.AsObject();

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "uplift-cli-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }
}

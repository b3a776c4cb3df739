using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Uplift.Hostile;

/// <summary>How a case ended, worst first when several apply.</summary>
public enum Verdict
{
    /// <summary>Refused with an allowed exit code and a message that names the problem.</summary>
    ClearError,
    /// <summary>Exit 0 where allowed, and the value read was checked.</summary>
    Accepted,
    /// <summary>Valid input (a case that must work) refused.</summary>
    RefusedValid,
    /// <summary>Refused, but with the wrong exit code or a message that does not name the problem, is too long, or
    /// prints the whole help, or names a .NET type.</summary>
    Unclear,
    /// <summary>Exit 0 where the input had to be refused, a value read wrongly, or --json output that is not JSON.</summary>
    WrongValue,
    /// <summary>Exit 70, a signal, another exit code, or stack frames in the output.</summary>
    Crash,
    /// <summary>Did not finish within the timeout.</summary>
    Hang,
    /// <summary>An input changed, a refused output or a temporary file exists, or a device/FIFO/symlink was replaced.</summary>
    DataLoss,
}

public sealed record Outcome(HostileCase Case, Verdict Verdict, string Why, RunResult? Run)
{
    public bool Failed => Verdict is not (Verdict.ClearError or Verdict.Accepted);
}

public static partial class Judge
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Lays out, runs and judges one case in a fresh folder under <paramref name="root"/>.</summary>
    public static Outcome RunCase(HostileCase c, BaseFiles b, IUpliftRunner runner, string root, TimeSpan? timeout = null)
    {
        var dir = Path.Combine(root, Safe(c.Name));
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        var ctx = new CaseContext(dir, b, runner);
        Prepared p;
        try { p = c.Prepare(ctx); }
        catch (Exception e) { throw new InvalidOperationException($"case {c.Name}: preparing failed: {e.Message}", e); }

        var hashes = p.Inputs.Select(f => (f, Hash(f))).ToList();
        var t = p.Timeout ?? timeout ?? DefaultTimeout;
        RunResult r;
        using (var companion = p.Companion?.Invoke())
            r = runner.Run(p.Args, p.StdinFile, p.WorkingDirectory, p.KillAfter ?? t);
        var outcome = p.KillAfter is { } kill ? Killed(c, p, r, kill, hashes) : Decide(c, p, r, hashes);
        if (!outcome.Failed)
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return outcome;
    }

    static Outcome Killed(HostileCase c, Prepared p, RunResult r, TimeSpan kill, List<(string File, string? Hash)> hashes)
    {
        foreach (var (f, h) in hashes)
            if (Hash(f) != h) return new(c, Verdict.DataLoss, $"input {Path.GetFileName(f)} changed", r);
        if (!r.TimedOut && r.ExitCode != 0) return new(c, Verdict.Crash, $"exit {r.ExitCode} before the kill", r);
        var problem = p.AfterKill?.Invoke(r);
        var when = r.TimedOut ? $"killed after {kill.TotalSeconds:0.00} s" : "finished before the kill";
        return problem is null
            ? new(c, Verdict.Accepted, $"{when}: old or complete output; the next run left no temporary file", r)
            : new(c, Verdict.DataLoss, $"{when}: {problem}", r);
    }

    /// <summary>A file in <paramref name="dir"/> that looks temporary (".tmp", ".part", "~", or hidden), or null.</summary>
    public static string? TempLeft(string dir)
    {
        if (!Directory.Exists(dir)) return null;
        var left = Directory.EnumerateFiles(dir).Select(Path.GetFileName)
            .FirstOrDefault(f => f!.Contains(".tmp", StringComparison.OrdinalIgnoreCase) || f!.Contains(".part", StringComparison.OrdinalIgnoreCase)
                                 || f!.EndsWith('~') || f!.StartsWith('.'));
        return left is null ? null : $"temporary file '{left}' left behind";
    }

    static Outcome Decide(HostileCase c, Prepared p, RunResult r, List<(string File, string? Hash)> hashes)
    {
        Outcome O(Verdict v, string why) => new(c, v, why, r);

        foreach (var (f, h) in hashes)
        {
            var now = Hash(f);
            if (now != h) return O(Verdict.DataLoss, now is null ? $"input {Path.GetFileName(f)} is gone" : $"input {Path.GetFileName(f)} changed");
        }
        // A refused run leaves no (partial) output behind.
        if (r.ExitCode != 0)
            foreach (var f in p.MustNotExist)
                if (File.Exists(f) || Directory.Exists(f)) return O(Verdict.DataLoss, $"refused, but {Path.GetFileName(f)} was left behind");
        if (p.CheckIntact?.Invoke() is { } broken) return O(Verdict.DataLoss, broken);
        if (r.TimedOut) return O(Verdict.Hang, $"no exit within {r.Elapsed.TotalSeconds:0} s");
        if (r.ExitCode is not (0 or 1 or 2)) return O(Verdict.Crash, $"exit {r.ExitCode}");
        if (StackFrame().IsMatch(r.Err) || StackFrame().IsMatch(r.Out)) return O(Verdict.Crash, "stack frames in the output");

        bool json = p.Args.Contains("--json");
        if (json && r.Out.Trim().Length > 0 && !IsJson(r.Out)) return O(Verdict.WrongValue, "--json output is not valid JSON");

        if (r.ExitCode == 0)
        {
            if (!p.AllowedExits.Contains(0)) return O(Verdict.WrongValue, "accepted what must be refused (exit 0)");
            if (p.CheckOk?.Invoke(r) is { } wrong) return O(Verdict.WrongValue, wrong);
            return O(Verdict.Accepted, "exit 0, checked");
        }

        if (p.AllowedExits is [0]) return O(Verdict.RefusedValid, $"exit {r.ExitCode}: valid input refused");
        if (TypeName().Match(r.Err) is { Success: true } m) return O(Verdict.Unclear, $".NET type name '{m.Value}' in the message");
        if (!p.AllowedExits.Contains(r.ExitCode))
            return O(Verdict.Unclear, $"exit {r.ExitCode}, expected {string.Join(" or ", p.AllowedExits)}");
        var text = ErrorText(r.Err);
        if (text.Length == 0) return O(Verdict.Unclear, "no message on standard error");
        if (p.ErrorPattern is { } pat && !Regex.IsMatch(text, pat, RegexOptions.IgnoreCase))
            return O(Verdict.Unclear, $"message does not match /{pat}/");
        if (text.Length > p.MaxErrorChars) return O(Verdict.Unclear, $"message of {text.Length} characters (at most {p.MaxErrorChars})");
        int lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        if (p.MaxErrorLines is { } ml && lines > ml) return O(Verdict.Unclear, $"message of {lines} lines (at most {ml})");
        if (p.WantsHelpHint && !HelpHint().IsMatch(text)) return O(Verdict.Unclear, "no \"see 'uplift ... --help'\" hint");
        if (r.Out.Contains("Options:") || text.Contains("Options:")) return O(Verdict.Unclear, "prints the full help on an error");
        return O(Verdict.ClearError, "refused clearly");
    }

    /// <summary>The error part of standard error: from the first line that looks like an error (progress lines
    /// before it are not the message); all of it when none does.</summary>
    public static string ErrorText(string err)
    {
        var lines = err.Replace("\r", "").Split('\n');
        int i = Array.FindIndex(lines, l => ErrorStart().IsMatch(l));
        return string.Join('\n', i < 0 ? lines : lines[i..]).Trim();
    }

    public static bool IsJson(string s)
    {
        try { using var _ = JsonDocument.Parse(s); return true; }
        catch (JsonException) { return false; }
    }

    public static string? Hash(string path)
    {
        if (!File.Exists(path)) return null;
        var fi = new FileInfo(path);
        if (fi.LinkTarget is not null && !File.Exists(fi.FullName)) return null;
        using var s = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(s));
    }

    public static string Safe(string name) => Regex.Replace(name, "[^A-Za-z0-9_.-]", "_");

    [GeneratedRegex(@"^\s+at \S+", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
    [GeneratedRegex(@"\bSystem\.[A-Z][A-Za-z0-9]+(\.[A-Z][A-Za-z0-9]+)*\b")]
    private static partial Regex TypeName();
    [GeneratedRegex(@"--help")]
    private static partial Regex HelpHint();
    [GeneratedRegex(@"^\s*(error|internal error|unrecognized|required|unknown|cannot|invalid|warning|usage)", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorStart();
}

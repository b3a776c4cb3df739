using System.Diagnostics;
using System.Text;

namespace Uplift.Hostile;

/// <summary>Runs a published uplift executable (or a .dll through dotnet) as a child process with a timeout.</summary>
public sealed class ProcessRunner(string uplift) : IUpliftRunner
{
    const int MaxCapture = 1 << 20;

    public RunResult Run(string[] args, string? stdinFile, string? workingDirectory, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (uplift.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            psi.FileName = "dotnet";
            psi.ArgumentList.Add(uplift);
        }
        else psi.FileName = uplift;
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("UPLIFT_DEBUG");

        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {uplift}");
        var o = Capture(p.StandardOutput);
        var e = Capture(p.StandardError);
        var feed = Task.Run(() =>
        {
            try
            {
                if (stdinFile is not null)
                {
                    using var f = File.OpenRead(stdinFile);
                    f.CopyTo(p.StandardInput.BaseStream);
                }
                p.StandardInput.Close();
            }
            catch (IOException) { } // the program closed its standard input: fine
        });
        bool done = p.WaitForExit((int)timeout.TotalMilliseconds);
        if (!done)
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit(5000);
        }
        else p.WaitForExit();
        Task.WaitAll([o, e], 5000);
        feed.Wait(1000);
        return new RunResult(done ? p.ExitCode : -1, o.IsCompleted ? o.Result : "", e.IsCompleted ? e.Result : "", !done, sw.Elapsed);
    }

    static Task<string> Capture(StreamReader r) => Task.Run(() =>
    {
        var sb = new StringBuilder();
        var buf = new char[8192];
        int n;
        try
        {
            while ((n = r.Read(buf, 0, buf.Length)) > 0)
                if (sb.Length < MaxCapture) sb.Append(buf, 0, Math.Min(n, MaxCapture - sb.Length));
        }
        catch (IOException) { }
        return sb.ToString();
    });
}

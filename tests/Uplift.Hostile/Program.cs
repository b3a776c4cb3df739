using System.Diagnostics;
using System.Text;
using Uplift.Hostile;

// The hostile runner: every case as its own process against a published uplift; a table per class; exit 1 on any
// refused valid input, unclear error, crash, hang, wrong value or data loss.
string? uplift = null, filter = null, keep = null;
int timeoutSeconds = 20, jobs = 2;
bool list = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--uplift": uplift = args[++i]; break;
        case "--filter": filter = args[++i]; break;
        case "--timeout": timeoutSeconds = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--keep": keep = args[++i]; break;
        case "--jobs": jobs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--list": list = true; break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'.\nusage: Uplift.Hostile --uplift PATH [--filter CLASS|TEXT] [--timeout SECONDS] [--jobs N] [--keep DIR] [--list]");
            return 2;
    }
}

// --filter CLASS runs one class; any other text runs the cases whose names contain it.
var cases = Cases.All().Where(c => filter is null || (CaseClass.All.Contains(filter) ? c.Class == filter : c.Name.Contains(filter, StringComparison.OrdinalIgnoreCase))).ToList();
if (list)
{
    foreach (var c in cases) Console.WriteLine($"{c.Name}{(c.ProcessOnly ? " [process]" : "")}{(c.Slow ? " [slow]" : "")}");
    Console.WriteLine($"{cases.Count} cases");
    return 0;
}
if (uplift is null || !File.Exists(uplift))
{
    Console.Error.WriteLine("--uplift PATH: the published uplift executable (or its .dll) is required.");
    return 2;
}

var root = keep ?? Path.Combine(Path.GetTempPath(), "uplift-hostile-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(root);
var runner = new ProcessRunner(Path.GetFullPath(uplift));
var total = Stopwatch.StartNew();
Console.WriteLine($"uplift: {uplift}\nfolder: {root}\ncases:  {cases.Count}\n");
var b = BaseFiles.Create(Path.Combine(root, "_base"), runner);

// Cases run `jobs` at a time (each in its own folder and process); results are reported in case order.
var results = new Outcome?[cases.Count];
var notRunAt = new string?[cases.Count];
int n = 0;
Parallel.For(0, cases.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, jobs) }, i =>
{
    var c = cases[i];
    int k = Interlocked.Increment(ref n);
    try
    {
        var o = Judge.RunCase(c, b, runner, root, TimeSpan.FromSeconds(timeoutSeconds));
        results[i] = o;
        if (o.Failed) Console.Error.WriteLine($"[{k}/{cases.Count}] {o.Verdict,-12} {c.Name}: {o.Why}");
    }
    catch (Exception e) when (e is InvalidOperationException or IOException)
    {
        notRunAt[i] = e.Message;
        Console.Error.WriteLine($"[{k}/{cases.Count}] NOT RUN      {c.Name}: {e.Message}");
    }
});
var outcomes = results.Where(o => o is not null).Select(o => o!).ToList();

// Across cases: every command treats a missing output folder the same way (all create it, or all refuse).
var folders = outcomes.Where(o => o.Case.Name.EndsWith("-out-missing-folder", StringComparison.Ordinal) && !o.Failed).ToList();
if (folders.Select(o => o.Run!.ExitCode).Distinct().Count() > 1)
{
    string Cmds(int code) => string.Join(", ", folders.Where(o => o.Run!.ExitCode == code).Select(o => o.Case.Name.Split('/')[1].Split("-out-")[0]));
    var why = $"commands disagree on missing output folders (created by {Cmds(0)}; refused by {Cmds(2)})";
    foreach (var o in folders) outcomes[outcomes.IndexOf(o)] = o with { Verdict = Verdict.WrongValue, Why = why };
}
var notRun = cases.Select((c, i) => (Case: c, Why: notRunAt[i])).Where(x => x.Why is not null).Select(x => (x.Case, Why: x.Why!)).ToList();

var verdicts = Enum.GetValues<Verdict>();
string[] heads = ["class", "cases", "clear errors", "accepted", "refused valid", "unclear errors", "crashes", "hangs", "wrong values", "data loss"];
Verdict[] order = [Verdict.ClearError, Verdict.Accepted, Verdict.RefusedValid, Verdict.Unclear, Verdict.Crash, Verdict.Hang, Verdict.WrongValue, Verdict.DataLoss];
var rows = new List<string[]>();
foreach (var cls in CaseClass.All.Append("all"))
{
    var os = outcomes.Where(o => cls == "all" || o.Case.Class == cls).ToList();
    if (os.Count == 0) continue;
    rows.Add([cls, os.Count.ToString(), .. order.Select(v => os.Count(o => o.Verdict == v).ToString())]);
}
var sb = new StringBuilder();
sb.AppendLine("| " + string.Join(" | ", heads) + " |");
sb.AppendLine("|" + string.Join("|", heads.Select((h, i) => i == 0 ? "---" : "---:")) + "|");
foreach (var r in rows) sb.AppendLine("| " + string.Join(" | ", r) + " |");
Console.WriteLine(sb.ToString());

foreach (var cls in CaseClass.All)
{
    var failed = outcomes.Where(o => o.Case.Class == cls && o.Failed).ToList();
    if (failed.Count == 0) continue;
    Console.WriteLine($"## failing cases: {cls} ({failed.Count})");
    foreach (var o in failed)
    {
        Console.WriteLine($"- {o.Case.Name} — {o.Verdict}: {o.Why} (exit {o.Run?.ExitCode}, {o.Run?.Elapsed.TotalSeconds:0.0} s)");
        var err = (o.Run?.Err ?? "").Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var msg = Judge.ErrorText(o.Run?.Err ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in (msg.Length > 0 ? msg : err).Take(2)) Console.WriteLine("    " + (line.Length > 200 ? line[..200] + "..." : line));
    }
    Console.WriteLine();
}
// Every outcome, one line each, for diffs between runs.
File.WriteAllLines(Path.Combine(root, "outcomes.tsv"),
    outcomes.Select(o => $"{o.Case.Name}\t{o.Verdict}\t{o.Run?.ExitCode}\t{o.Run?.Elapsed.TotalSeconds:0.0}\t{o.Why}"));
Console.WriteLine($"every outcome: {Path.Combine(root, "outcomes.tsv")}");
foreach (var (c, why) in notRun) Console.WriteLine($"not run: {c.Name}: {why}");
Console.WriteLine($"{outcomes.Count} cases run, {outcomes.Count(o => o.Failed)} failing, {notRun.Count} not run, in {total.Elapsed.TotalSeconds:0} s");
if (keep is null && outcomes.All(o => !o.Failed) && notRun.Count == 0) Directory.Delete(root, recursive: true);
return outcomes.Any(o => o.Failed) || notRun.Count > 0 ? 1 : 0;
